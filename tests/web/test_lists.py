"""Every list pages and searches; the audit log and account roles speak in labels."""

import re
from datetime import timedelta

from examsvc.models import Role, utcnow
from examsvc.services import bank, exams
from tests.conftest import log_in, question_fields

ROW = re.compile(r"<tr>\s*<td>(\d+)</td>")


def rows_of(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return ROW.findall(table)


def submit_many(user, n: int, tag: str) -> list[int]:
    return [
        bank.submit_question(user, "public", question_fields("single", f"{tag}-{i}")).id
        for i in range(n)
    ]


def test_my_submissions_come_a_page_at_a_time_and_can_be_searched(app, make_user):
    writer = make_user(Role.CONTRIBUTOR)
    ids = submit_many(writer, 30, "mine")
    client = log_in(app.test_client(), writer)
    first = client.get("/bank/mine").get_data(as_text=True)
    assert rows_of(first, "my-questions") == [str(i) for i in sorted(ids, reverse=True)[:25]]
    assert 'href="/bank/mine?page=2"' in first
    second = client.get("/bank/mine?page=2").get_data(as_text=True)
    assert rows_of(second, "my-questions") == [str(i) for i in sorted(ids, reverse=True)[25:]]
    assert (
        rows_of(client.get("/bank/mine?page=99999999999").get_data(as_text=True), "my-questions")
        == []
    )
    wanted = bank.own_question(writer, ids[7]).stem[:8]
    found = client.get("/bank/mine", query_string={"q": wanted}).get_data(as_text=True)
    assert rows_of(found, "my-questions") == [str(ids[7])]


def test_the_review_queue_pages_and_keeps_its_filters(app, make_user):
    writer, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    ids = submit_many(writer, 27, "queue")
    client = log_in(app.test_client(), examiner)
    first = client.get("/review/?type=single").get_data(as_text=True)
    assert rows_of(first, "queue") == [str(i) for i in ids[:25]]  # oldest first
    assert re.search(r'href="/review/\?[^"]*page=2', first) and "type=single" in first
    second = client.get("/review/?type=single&page=2").get_data(as_text=True)
    assert rows_of(second, "queue") == [str(i) for i in ids[25:]]
    assert rows_of(client.get("/review/?type=judge").get_data(as_text=True), "queue") == []


def test_the_admin_lists_of_sittings_and_blueprints_page_and_search(app, make_user, bank_of):
    admin = make_user(Role.ADMIN)
    bank_of(2, "judge")
    blueprint = exams.create_blueprint(
        admin,
        name="判断蓝图",
        exam_kind="post_qualification",
        duration_minutes=30,
        pass_mark=1,
        rows=[exams.RowSpec(None, "judge", 2, 1.0)],
    )
    start = utcnow() + timedelta(days=1)
    made = [
        exams.create_sitting(
            admin,
            blueprint.id,
            f"场次{i:02d}",
            start + timedelta(days=i),
            start + timedelta(days=i, hours=2),
        ).id
        for i in range(22)
    ]
    client = log_in(app.test_client(), admin)
    first = client.get("/admin/").get_data(as_text=True)
    assert len(rows_of(first, "sittings")) == 20 and "sittings_page=2" in first
    second = client.get("/admin/?sittings_page=2").get_data(as_text=True)
    assert rows_of(second, "sittings") == [str(made[1]), str(made[0])]
    assert rows_of(second, "blueprints") == [str(blueprint.id)]
    found = client.get("/admin/", query_string={"q": "场次07"}).get_data(as_text=True)
    assert rows_of(found, "sittings") == [str(made[7])] and rows_of(found, "blueprints") == []


def test_accounts_page_and_show_their_roles_by_name(app, make_user):
    for _ in range(52):
        make_user(Role.CANDIDATE)
    make_user(Role.ORG_ADMIN, name="组织管理者")
    client = log_in(app.test_client(), make_user(Role.ADMIN))
    first = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/users?page=2"' in first
    assert ">org_admin<" not in first and "org_admin" not in first.split('id="users"', 1)[1]
    found = client.get("/admin/users", query_string={"q": "组织管理者"}).get_data(as_text=True)
    roles = found.split('class="small roles">', 1)[1].split("</td>", 1)[0]
    assert "org_admin" not in roles and "badge" in roles
    assert client.get("/admin/users?page=2").status_code == 200


def test_the_audit_log_names_actions_people_and_links_its_targets(app, scheduled, make_user):
    sitting, admin = scheduled(candidates=0)
    candidate = make_user(Role.CANDIDATE, name="王五")
    exams.enrol(admin, sitting.id, candidate.email)
    client = log_in(app.test_client(), admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    log = page.split('id="audit"', 1)[1]
    assert ">sitting.enrolled<" not in log and "\\u" not in log and "{&#34;" not in log
    assert f'href="/admin/sittings/{sitting.id}"' in log
    assert "王五" in log and admin.name in log  # the enrolled account and the actor, by name
    assert '<select class="form-select form-select-sm w-auto" name="action"' in page
    assert '<option value="sitting.enrolled"' in page
    only = client.get("/admin/audit?action=sitting.enrolled").get_data(as_text=True)
    assert only.split('id="audit"', 1)[1].count("<tr>") == 2  # the header and one entry
    mine = client.get("/admin/audit", query_string={"q": "王五"}).get_data(as_text=True)
    assert (
        "<tr>" in mine
        and f'href="/admin/sittings/{sitting.id}"' not in mine.split('id="audit"', 1)[1]
    )


def test_the_candidates_of_a_sitting_page_and_can_be_found(app, scheduled, make_user):
    sitting, admin = scheduled(candidates=0)
    people = [make_user(Role.CANDIDATE, name=f"考生{i:02d}") for i in range(53)]
    for person in people:
        exams.enrol(admin, sitting.id, person.email)
    client = log_in(app.test_client(), admin)
    path = f"/admin/sittings/{sitting.id}"
    first = client.get(path).get_data(as_text=True)
    table = first.split('id="results"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 51 and f'href="{path}?page=2"' in first
    second = client.get(f"{path}?page=2").get_data(as_text=True)
    assert "考生52" in second and "考生00" not in second
    found = client.get(path, query_string={"q": "考生07"}).get_data(as_text=True)
    rows = found.split('id="results"', 1)[1].split("</table>", 1)[0]
    assert rows.count("<tr>") == 2 and "考生07" in rows


def test_page_links_cannot_be_steered_by_the_query_string(app, make_user):
    writer = make_user(Role.CONTRIBUTOR)
    submit_many(writer, 26, "steer")
    client = log_in(app.test_client(), writer)
    page = client.get(
        "/bank/mine",
        query_string={"_external": "1", "_scheme": "javascript", "_anchor": "x", "q": ""},
    ).get_data(as_text=True)
    links = re.findall(r'class="page-link"[^>]*href="([^"]+)"', page)
    assert links and all(link.startswith("/bank/mine?") for link in links), links
    assert "javascript" not in page.split('class="pagination', 1)[1]


def test_contributor_credit_pages_and_finds_people(app, make_user):
    writers = [make_user(Role.CONTRIBUTOR, name=f"出题者{i:02d}") for i in range(27)]
    for n, writer in enumerate(writers):
        submit_many(writer, 1, f"credit-{n}")
    client = log_in(app.test_client(), make_user(Role.EXAMINER))
    first = client.get("/review/credit").get_data(as_text=True)
    table = first.split('id="per-contributor"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 26 and 'href="/review/credit?page=2"' in first
    second = client.get("/review/credit?page=2").get_data(as_text=True)
    assert second.split('id="per-contributor"', 1)[1].split("</table>", 1)[0].count("<tr>") == 3
    found = client.get("/review/credit", query_string={"q": "出题者13"}).get_data(as_text=True)
    rows = found.split('id="per-contributor"', 1)[1].split("</table>", 1)[0]
    assert "出题者13" in rows and rows.count("<tr>") == 2
    assert "27" in found.split('id="per-channel"', 1)[1].split("</table>", 1)[0]


def test_every_audited_action_has_a_label():
    """A new audit.record(…, "area.action", …) anywhere in the service needs its label."""
    from pathlib import Path

    from examsvc.labels import AUDIT_LABELS
    from examsvc.services.review import AUDIT_ACTIONS

    source = "\n".join(p.read_text() for p in Path("examsvc").rglob("*.py"))
    calls = re.findall(r"audit\.record\((.*?)\)\n", source, flags=re.S)
    used = {a for call in calls for a in re.findall(r'"([a-z_]+\.[a-z_]+)"', call)}
    used |= set(AUDIT_ACTIONS.values())
    assert len(used) > 20
    assert used <= set(AUDIT_LABELS), sorted(used - set(AUDIT_LABELS))

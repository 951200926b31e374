"""The training archive's pages: records by hand, import preview and confirm, courses, the
report; org admins limited to their subtree (another subtree: 404)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from examsvc.extensions import db
from examsvc.models import AuditEntry, Role, TrainingRecord
from examsvc.services.training import courses
from examsvc.services.training.courses import CourseInput
from examsvc.services.training.records import today_local
from tests.conftest import csrf_token, form_token, log_in
from tests.services.test_training_import import GOOD, xlsx
from tests.training_helpers import ID_A, ID_B, org_admin, person, record, tree


@pytest.fixture
def world(app, make_user):
    orgs = tree()
    admin = make_user(Role.ADMIN)
    mine = person(orgs["branch"], "张三", id_number=ID_A, post="支部书记")
    theirs = person(orgs["street2"], "李四", id_number=ID_B)
    manager = org_admin(orgs["street"])
    return {"orgs": orgs, "admin": admin, "mine": mine, "theirs": theirs, "manager": manager}


def client_of(app, user):
    return log_in(app.test_client(), user)


RECORD = {"course_name": "支部书记培训班", "organiser": "区委党校", "kind": "central",
          "starts_on": "2025-03-02", "ends_on": "2025-03-03", "hours": "16",
          "attendance_certificate": "JY-7", "note": ""}  # fmt: skip


def post(client, path, data, page=None):
    token = form_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def audit(action: str) -> list[AuditEntry]:
    query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def test_a_record_is_added_edited_and_deleted_with_before_and_after(app, world):
    client = client_of(app, world["manager"])
    person_id = world["mine"].id
    new = f"/training/people/{person_id}/records/new"
    response = post(client, new, RECORD)
    assert response.status_code == 302
    (saved,) = db.session.scalars(db.select(TrainingRecord)).all()
    assert (saved.hours, saved.kind, saved.source, saved.created_by_id) == (
        16.0,
        "central",
        "manual",
        world["manager"].id,
    )
    (added,) = audit("training.record_added")
    assert added.details["hours"] == 16.0 and added.details["user"] == person_id
    page = client.get(f"/training/people/{person_id}").get_data(as_text=True)
    assert "支部书记培训班" in page and "JY-7" in page
    edit = f"/training/records/{saved.id}/edit"
    assert post(client, edit, {**RECORD, "hours": "12"}).status_code == 302
    (changed,) = audit("training.record_updated")
    assert changed.details == {"hours": {"before": 16.0, "after": 12.0}, "user": person_id}
    token = form_token(client.get(f"/training/people/{person_id}").get_data(as_text=True))
    assert client.post(f"/training/records/{saved.id}/delete",
                       data={"csrf_token": token}).status_code == 302  # fmt: skip
    assert db.session.scalar(db.select(TrainingRecord)) is None
    (deleted,) = audit("training.record_deleted")
    assert deleted.details["course_name"] == "支部书记培训班" and deleted.details["hours"] == 12.0


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"hours": "17"}, "17"),  # 2 days: at most 16
        ({"hours": "0"}, "0"),
        ({"ends_on": "2025-03-01"}, "2025-03-01"),
        # in the future even in Beijing (UTC+8), whatever the hour
        ({"starts_on": (date.today() + timedelta(days=2)).isoformat(),
          "ends_on": (date.today() + timedelta(days=3)).isoformat()},
         (date.today() + timedelta(days=2)).isoformat()),
        ({"hours": "NaN"}, None),
        ({"course_name": ""}, None),
    ],
)  # fmt: skip
def test_bad_records_are_refused_with_a_message_and_nothing_written(app, world, changes, shown):
    client = client_of(app, world["admin"])
    response = post(client, f"/training/people/{world['mine'].id}/records/new",
                    {**RECORD, **changes})  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "alert-danger" in page or "invalid-feedback" in page
    if shown:
        assert shown in page
    assert db.session.scalar(db.select(TrainingRecord)) is None


def course_of(org, admin) -> int:
    data = CourseInput(name="轮训班", starts_on=date(2025, 4, 7), ends_on=date(2025, 4, 9),
                       hours=24, kind="rotation", organisation_id=org.id)  # fmt: skip
    return courses.create(admin, data).id


def test_an_org_admin_gets_404_for_another_subtree_on_every_route(app, world):
    orgs, admin = world["orgs"], world["admin"]
    other_record = record(world["theirs"], date(2025, 3, 2), date(2025, 3, 2), 4)
    other_course = course_of(orgs["street2"], admin)
    courses.add_by_logins(admin, courses.course_in_scope(admin, other_course),
                          world["theirs"].email)  # fmt: skip
    member = courses.members(courses.course_in_scope(admin, other_course))[0].id
    client = client_of(app, world["manager"])
    token = csrf_token(client)
    person_id = world["theirs"].id
    for path in (
        f"/training/people/{person_id}",
        f"/training/people/{person_id}/records/new",
        f"/training/records/{other_record.id}/edit",
        f"/training/courses/{other_course}",
        f"/training/courses/{other_course}/edit",
        f"/training/?org={orgs['street2'].id}",
        f"/training/report.xlsx?org={orgs['other'].id}",
    ):
        assert client.get(path).status_code == 404, path
    for path in (
        f"/training/people/{person_id}/records/new",
        f"/training/records/{other_record.id}/edit",
        f"/training/records/{other_record.id}/delete",
        f"/training/courses/{other_course}/edit",
        f"/training/courses/{other_course}/members",
        f"/training/courses/{other_course}/members/organisation",
        f"/training/courses/{other_course}/members/{member}/hours",
        f"/training/courses/{other_course}/members/{member}/remove",
        f"/training/courses/{other_course}/complete",
    ):
        response = client.post(path, data={**RECORD, "csrf_token": token, "logins": "x"})
        assert response.status_code == 404, path
    assert db.session.get(TrainingRecord, other_record.id) is not None
    assert courses.members(courses.course_in_scope(admin, other_course))
    # Their own subtree opens, and the report lists only it.
    assert client.get(f"/training/people/{world['mine'].id}").status_code == 200
    page = client.get("/training/").get_data(as_text=True)
    assert "张三" in page and "李四" not in page


def test_the_report_filters_draws_and_exports(app, world):
    record(world["mine"], date(2025, 3, 2), date(2025, 3, 3), 16)
    record(world["theirs"], date(2025, 3, 2), date(2025, 3, 3), 16)
    client = client_of(app, world["admin"])
    root = world["orgs"]["root"].id
    page = client.get(f"/training/?org={root}&year=2025").get_data(as_text=True)
    assert "张三" in page and "李四" in page and 'id="compliance-chart"' in page
    below = client.get(f"/training/?org={root}&year=2025&below=1").get_data(as_text=True)
    assert "张三" in below and "李四" not in below  # 张三 is a secretary: 24 needed
    by_category = client.get(f"/training/?org={root}&year=2025&by=category")
    assert "农村社区" in by_category.get_data(as_text=True)
    response = client.get(f"/training/report.xlsx?org={root}&year=2025&below=1")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    shortfalls = {r[0]: r[10] for r in rows[1:]}  # the org admin, in T0-1, has no hours
    assert shortfalls == {"张三": 8, world["manager"].name: 16}


def test_import_previews_then_confirms(app, world):
    client = client_of(app, world["manager"])
    page = client.get("/training/import").get_data(as_text=True)
    token = form_token(page)

    def upload(data: bytes):
        return client.post(
            "/training/import",
            data={"file": (io.BytesIO(data), "培训.xlsx"), "org": "T0-1", "csrf_token": token},
            content_type="multipart/form-data",
        )

    refused = upload(xlsx(*GOOD))  # 李四 is outside T0-1
    assert refused.status_code == 422 and "第 4 行" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(TrainingRecord)) is None
    preview = upload(xlsx(GOOD[0]))
    assert preview.status_code == 200
    confirm_token = form_token(preview.get_data(as_text=True))
    confirm = client.post("/training/import/confirm", data={"csrf_token": confirm_token})
    assert confirm.status_code == 200
    (saved,) = db.session.scalars(db.select(TrainingRecord)).all()
    assert saved.user_id == world["mine"].id and saved.source == "import"
    again = client.post("/training/import/confirm", data={"csrf_token": token})
    assert again.status_code == 302  # used up
    template = client.get("/training/import/template.xlsx")
    assert load_workbook(io.BytesIO(template.data)).active["E1"].value == "培训名称"


def test_a_course_is_run_on_the_web_and_completes_once(app, world):
    client = client_of(app, world["manager"])
    orgs = world["orgs"]
    response = post(client, "/training/courses/new", {
        "name": "书记轮训班", "organiser": "区委组织部", "kind": "rotation",
        "starts_on": "2025-04-07", "ends_on": "2025-04-09", "hours": "24",
        "organisation": str(orgs["street"].id), "blueprint": "",
    })  # fmt: skip
    assert response.status_code == 302
    course_page = response.headers["Location"]
    course_id = int(course_page.rstrip("/").rsplit("/", 1)[1])
    person(orgs["branch"], "王五")
    branch = {"organisation": str(orgs["branch"].id)}
    added = post(client, f"{course_page}/members/organisation", branch, page=course_page)
    assert added.status_code == 302
    members = courses.members(courses.course_in_scope(world["admin"], course_id))
    assert {m.user.name for m in members} == {"张三", "王五"}
    mine = next(m for m in members if m.user.name == "张三")
    assert post(client, f"{course_page}/members/{mine.id}/hours", {"hours": "20"},
                page=course_page).status_code == 302  # fmt: skip
    for _ in range(2):
        assert post(client, f"{course_page}/complete", {}, page=course_page).status_code == 302
    saved = db.session.scalars(db.select(TrainingRecord).order_by(TrainingRecord.hours)).all()
    assert [(r.hours, r.source, r.course_id) for r in saved] == [
        (20.0, "course", course_id),
        (24.0, "course", course_id),
    ]
    page = client.get(f"/training/people/{world['mine'].id}").get_data(as_text=True)
    assert "书记轮训班" in page
    assert 'id="completed"' in client.get(course_page).get_data(as_text=True)


def test_report_arguments_out_of_range_still_show_a_page(app, world):
    client = client_of(app, world["admin"])
    root = world["orgs"]["root"].id
    for query in (f"org={root}&page=99999999999999999999&year=²&by=x&below=yes",
                  f"org={root}&year=99999&q=" + "题" * 500, "year=-1"):  # fmt: skip
        response = client.get(f"/training/?{query}")
        assert response.status_code == 200, query
        this_year = today_local().year
        assert f"· {this_year}" in response.get_data(as_text=True)  # this year instead
    assert client.get("/training/?org=99999999").status_code == 404
    assert client.get("/training/?org=99999999999999").status_code != 500


def test_a_course_with_a_test_leads_admins_to_a_sitting_of_it(app, world, bank_of):
    from examsvc.services import exams

    bank_of(1, "judge")
    rows = [exams.RowSpec(None, "judge", 1, 100.0)]
    test = exams.create_blueprint(world["admin"], name="结业测试", exam_kind="training",
                                  duration_minutes=20, pass_mark=60, rows=rows)  # fmt: skip
    other = exams.create_blueprint(world["admin"], name="另一测试", exam_kind="training",
                                   duration_minutes=20, pass_mark=60, rows=rows)  # fmt: skip
    data = CourseInput(name="培训班", starts_on=date(2025, 4, 7), ends_on=date(2025, 4, 9),
                       hours=24, organisation_id=world["orgs"]["street"].id,
                       blueprint_id=test.id)  # fmt: skip
    course_id = courses.create(world["admin"], data).id
    admin = client_of(app, world["admin"])
    page = admin.get(f"/training/courses/{course_id}").get_data(as_text=True)
    assert f'href="/admin/sittings/new?blueprint={test.id}"' in page
    form = admin.get(f"/admin/sittings/new?blueprint={test.id}").get_data(as_text=True)
    assert f'<option selected value="{test.id}">' in form
    assert f'<option selected value="{other.id}">' not in form
    unknown = admin.get("/admin/sittings/new?blueprint=99999").get_data(as_text=True)
    assert "<option selected" not in unknown
    manager = client_of(app, world["manager"])  # sittings are the admins' pages
    page = manager.get(f"/training/courses/{course_id}").get_data(as_text=True)
    assert "结业测试" in page and 'id="test-sitting"' not in page


def test_an_empty_roster_offers_no_completion_and_completing_says_what_it_did(app, world):
    course_id = course_of(world["orgs"]["street"], world["admin"])
    client = client_of(app, world["admin"])
    path = f"/training/courses/{course_id}"
    assert 'id="complete-course"' not in client.get(path).get_data(as_text=True)
    courses.add_by_logins(world["admin"], courses.course_in_scope(world["admin"], course_id),
                          world["mine"].email)  # fmt: skip
    assert 'id="complete-course"' in client.get(path).get_data(as_text=True)
    done = post(client, f"{path}/complete", {}, page=path)
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "培训班已结业：1 条培训记录已写入档案" in page
    post(client, f"{path}/complete", {}, page="/training/courses/new")  # a page left open
    assert "此前已结业" in client.get(path).get_data(as_text=True)

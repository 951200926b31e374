"""Spreadsheet exports: people (with the page's filters) and a sitting's roster, scoped to
an org admin's subtree, ID numbers masked, nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from examsvc.extensions import db
from examsvc.models import Role
from examsvc.services import attempts, exams, identity, orgs, tickets
from tests.conftest import log_in
from tests.web.ticket_world import id_number
from tests.web.ticket_world import world as world  # noqa: F401 - the fixture


def rows(data: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    found = [list(r) for r in sheet.iter_rows(values_only=True)]
    workbook.close()
    return found


def test_the_admin_downloads_the_whole_roster_in_admission_order(app, world):
    sitting = world["sitting"]
    tickets.arrange(world["admin"], sitting.id, place="", room_size=2, pattern="", keep=False)
    client = log_in(app.test_client(), world["admin"])
    response = client.get(f"/exports/sittings/{sitting.id}/roster.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    table = rows(response.data)
    header = ["准考证号", "姓名", "所属组织", "身份证号", "性别", "手机号", "考场", "座位号"]
    assert table[0][:8] == header
    body = table[1:]
    numbers = sorted(e.admission_no for e in world["enrolments"].values())
    assert [r[0] for r in body] == numbers
    by_name = {r[1]: r for r in body}
    assert by_name["张三"][2] == "甲第一支部" and by_name["李四"][2] == "乙街道党工委"
    assert by_name["张三"][3] == identity.mask_id(id_number(1))
    assert by_name["张三"][4] == "男" and by_name["张三"][5] == "13800000001"
    assert [r[6:8] for r in body] == [["第01考场", 1], ["第01考场", 2], ["第02考场", 1]]
    assert {r[8] for r in body} == {"未开始"}
    text = response.data.decode("latin-1")
    for n in (1, 2, 3):
        assert id_number(n) not in text


def test_an_org_admins_roster_has_only_their_people(app, world):
    client = log_in(app.test_client(), world["org_admin"])
    response = client.get(f"/exports/sittings/{world['sitting'].id}/roster.xlsx")
    names = {r[1] for r in rows(response.data)[1:]}
    assert names == {"张三", "王五"}


def test_an_org_admin_of_another_subtree_gets_404_for_the_roster(app, world, make_user):
    stranger = make_user(Role.ORG_ADMIN)
    stranger.managed_organisation_id = orgs.create("C", "丙街道党工委").id
    db.session.commit()
    client = log_in(app.test_client(), stranger)
    assert client.get(f"/exports/sittings/{world['sitting'].id}/roster.xlsx").status_code == 404
    assert client.get("/exports/sittings/999999/roster.xlsx").status_code == 404


def test_the_roster_shows_attempt_states_and_scores_once_published(app, world, open_sitting):
    sitting, admin, (person,) = open_sitting()
    attempt = attempts.start_or_resume(person, sitting.id)
    client = log_in(app.test_client(), admin)
    table = rows(client.get(f"/exports/sittings/{sitting.id}/roster.xlsx").data)
    assert table[1][8] == "作答中" and table[1][9] is None
    attempts.submit(person, attempt.id)
    from examsvc.services import results

    results.publish(admin, sitting.id)
    table = rows(client.get(f"/exports/sittings/{sitting.id}/roster.xlsx").data)
    assert table[1][8] == "已交卷"
    assert table[1][9] == 0 and table[1][10] == "不合格"


def test_the_people_export_honours_the_page_filters_and_the_subtree(app, world):
    client = log_in(app.test_client(), world["org_admin"])
    table = rows(client.get("/exports/people.xlsx").data)
    assert table[0][:3] == ["姓名", "身份证号", "性别"]
    names = {r[0] for r in table[1:]}
    assert {"张三", "王五"} <= names and "李四" not in names
    only = rows(client.get("/exports/people.xlsx?q=张").data)[1:]
    assert [r[0] for r in only] == ["张三"]
    assert only[0][1] == identity.mask_id(id_number(1))
    assert only[0][5] == "甲第一支部" and only[0][6] == "A1" and only[0][7] == "是"
    branch = rows(client.get(f"/exports/people.xlsx?org={world['orgs']['A1'].id}").data)[1:]
    assert [r[0] for r in branch] == ["张三"]
    assert client.get(f"/exports/people.xlsx?org={world['orgs']['B'].id}").status_code == 404
    page = client.get("/orgs/people?q=张").get_data(as_text=True)
    assert "/exports/people.xlsx?q=" in page


def test_the_admin_exports_everyone(app, world):
    client = log_in(app.test_client(), world["admin"])
    names = {r[0] for r in rows(client.get("/exports/people.xlsx").data)[1:]}
    assert {"张三", "王五", "李四"} <= names


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)"])
def test_a_name_that_looks_like_a_formula_is_written_as_text(app, world, make_user, name):
    person = make_user(name=name)
    person.organisation_id = world["orgs"]["A"].id
    db.session.commit()
    exams.enrol(world["admin"], world["sitting"].id, person.email)
    client = log_in(app.test_client(), world["admin"])
    people_rows = rows(client.get("/exports/people.xlsx").data)
    roster_rows = rows(client.get(f"/exports/sittings/{world['sitting'].id}/roster.xlsx").data)
    assert name in [r[0] for r in people_rows]
    assert name in [r[1] for r in roster_rows]
    workbook = load_workbook(io.BytesIO(client.get("/exports/people.xlsx").data))
    cells = [c for row in workbook.worksheets[0].iter_rows() for c in row if c.value == name]
    assert cells and all(c.data_type == "s" for c in cells)

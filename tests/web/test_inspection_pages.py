"""年检 pages and the person's notices: what each role may do, through the browser's forms."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from examsvc.extensions import db
from examsvc.labels import CERTIFICATE_STATUS_LABELS
from examsvc.models import Inspection, InspectionResult, Notice
from examsvc.services import identity, inspections
from tests.conftest import csrf_token, log_in, post_form
from tests.services.inspection_world import holder, inspect, make_world, result_of, status_of


@pytest.fixture
def world(app, make_user):
    return make_world(make_user)


def sheet(rows: list[list[str]]) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_admin_opens_a_batch_and_an_org_admin_enters_assessments(app, world, make_user):
    person, cert = holder(make_user, world.branch, name="王年检")
    admin = log_in(app.test_client(), world.admin)
    page = admin.get("/inspections/").get_data(as_text=True)
    assert 'name="year"' in page and 'value="2025"' in page  # last year by default
    response = post_form(admin, "/inspections/new", {"org": world.branch.id, "year": "2024"},
                         page="/inspections/")  # fmt: skip
    assert response.status_code == 302
    batch = db.session.scalar(db.select(Inspection))
    assert response.headers["Location"].endswith(f"/inspections/{batch.id}")
    org_admin = log_in(app.test_client(), world.org_admin)
    shown = org_admin.get(f"/inspections/{batch.id}").get_data(as_text=True)
    assert "王年检" in shown and cert.number in shown and 'data-outcome="suspended"' in shown
    assert "close-inspection" not in shown  # org admins do not close
    assert "0 / 24" in shown  # hours against what passing needs (the 3 days over 16)
    result = result_of(batch.id, person)
    path = f"/inspections/{batch.id}/results/{result.id}"
    saved = post_form(org_admin, path, {"assessment": "excellent"}, page=f"/inspections/{batch.id}")
    assert saved.status_code == 302
    assert result_of(batch.id, person).assessment == "excellent"
    refused = post_form(org_admin, path, {"assessment": "superb"}, page=f"/inspections/{batch.id}")
    assert refused.status_code == 302 and result_of(batch.id, person).assessment == "excellent"
    assert org_admin.post(f"/inspections/{batch.id}/close",
                          data={"csrf_token": csrf_token(org_admin), "confirm": "y"}
                          ).status_code == 403  # fmt: skip
    assert status_of(cert) == "valid"


def test_the_sheet_round_trip_is_all_or_nothing(app, world, make_user):
    first, _ = holder(make_user, world.branch, name="甲一")
    second, _ = holder(make_user, world.branch, name="乙二")
    identity.assign_id_number(second, "11010519491231002X")
    db.session.commit()
    batch = inspections.open_batch(world.admin, world.branch.id, 2024)
    client = log_in(app.test_client(), world.org_admin)
    download = client.get(f"/inspections/{batch.id}/assessments.xlsx")
    rows = list(load_workbook(io.BytesIO(download.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "登录名", "证书编号", "年度考核")
    assert {r[:2] for r in rows[1:]} == {("甲一", first.email), ("乙二", second.email)}
    assert "1101" not in download.get_data(as_text=False).decode("latin-1")
    page = f"/inspections/{batch.id}"
    bad = sheet([["姓名", "登录名", "身份证号", "年度考核"], ["甲一", first.email, "", "称职"],
                 ["丙三", first.email, "", "称职"], ["甲一", first.email, "", "优秀"]])  # fmt: skip
    response = post_form(client, f"{page}/import", {"file": (bad, "考核.xlsx")}, page=page)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "import-problems" in text and text.count('<tr><td class="text-nowrap">') == 2
    assert result_of(batch.id, first).assessment is None  # nothing written
    good = sheet([["姓名", "登录名", "身份证号", "年度考核"], ["甲一", first.email, "", "称职"],
                  ["乙二", "", "11010519491231002x", "不称职"]])  # fmt: skip
    response = post_form(client, f"{page}/import", {"file": (good, "考核.xlsx")}, page=page)
    assert response.status_code == 302
    assert result_of(batch.id, first).assessment == "competent"
    assert result_of(batch.id, second).assessment == "incompetent"


def test_closing_on_the_page_and_the_verify_page_after_a_second_failure(app, world, make_user):
    person, cert = holder(make_user, world.branch, name="赵两败")
    inspect(world.admin, world.branch, 2023, "incompetent")
    batch = inspections.open_batch(world.admin, world.branch.id, 2024)
    result = result_of(batch.id, person)
    inspections.set_assessment(world.admin, batch.id, result.id, "incompetent")
    admin = log_in(app.test_client(), world.admin)
    page = f"/inspections/{batch.id}"
    assert 'data-outcome="revoked"' in admin.get(page).get_data(as_text=True)
    unconfirmed = post_form(admin, f"{page}/close", {}, page=page)
    assert unconfirmed.status_code == 302 and status_of(cert) == "suspended"
    closed = post_form(admin, f"{page}/close", {"confirm": "y"}, page=page)
    assert closed.status_code == 302 and status_of(cert) == "revoked"
    shown = admin.get(page).get_data(as_text=True)
    assert 'id="inspection-closed"' in shown and 'name="assessment"' not in shown
    anonymous = app.test_client()
    verify = anonymous.get(f"/verify/{cert.number}").get_data(as_text=True)
    with app.test_request_context():
        revoked = str(CERTIFICATE_STATUS_LABELS["revoked"])
    status = re.search(r'<span class="badge text-bg-(\w+)" id="cert-status">([^<]+)<', verify)
    assert status.groups() == ("danger", revoked)
    assert 'id="cert-status-note"' in verify
    assert anonymous.get(f"/api/v1/certificates/{cert.number}").get_json()["status"] == "revoked"


def test_an_org_admin_gets_404_for_another_subtrees_batch(app, world, make_user):
    _person, _ = holder(make_user, world.other)
    theirs = inspections.open_batch(world.admin, world.other.id, 2024)
    result = db.session.scalar(db.select(InspectionResult.id))
    client = log_in(app.test_client(), world.org_admin)
    token = csrf_token(client)
    for path in (f"/inspections/{theirs.id}", f"/inspections/{theirs.id}/assessments.xlsx"):
        assert client.get(path).status_code == 404, path
    for path in (f"/inspections/{theirs.id}/results/{result}", f"/inspections/{theirs.id}/import",
                 f"/inspections/{theirs.id}/refresh"):  # fmt: skip
        response = client.post(path, data={"csrf_token": token, "assessment": "competent"})
        assert response.status_code == 404, path
    assert db.session.scalar(db.select(InspectionResult.assessment)) is None
    listed = client.get("/inspections/").get_data(as_text=True)
    assert world.other.name not in listed
    opened = post_form(client, "/inspections/new", {"org": world.other.id, "year": "2024"},
                       page="/inspections/")  # fmt: skip
    assert opened.status_code == 302  # refused: not one of their organisations
    assert db.session.scalar(db.select(db.func.count()).select_from(Inspection)) == 1


def test_a_person_reads_their_notices_from_the_top_bar(app, world, make_user):
    person, _ = holder(make_user, world.branch)
    inspect(world.admin, world.branch, 2024, "competent")
    client = log_in(app.test_client(), person)
    home = client.get("/notices/").get_data(as_text=True)
    assert 'id="unread-notices"' in home and ">1<" in home
    notice = db.session.scalar(db.select(Notice))
    assert f'data-notice="{notice.id}"' in home
    stranger = log_in(app.test_client(), make_user())
    assert f'data-notice="{notice.id}"' not in stranger.get("/notices/").get_data(as_text=True)
    response = stranger.post(
        f"/notices/{notice.id}/read", data={"csrf_token": csrf_token(stranger)}
    )
    assert response.status_code == 404
    read = post_form(client, f"/notices/{notice.id}/read", {}, page="/notices/")
    assert read.status_code == 302
    assert 'id="unread-notices"' not in client.get("/notices/").get_data(as_text=True)

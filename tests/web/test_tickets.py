"""Admission tickets: the candidate's own page and PDF, batches scoped to an org admin's
people, rooms and seats, and ID numbers masked everywhere."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from examsvc.extensions import db
from examsvc.models import AuditEntry, Enrolment, Role, Sitting
from examsvc.services import exams, identity, orgs
from tests.conftest import log_in, post_form
from tests.web.ticket_world import id_number
from tests.web.ticket_world import world as world  # noqa: F401 - the fixture


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pypdf reads it (it puts a NUL before each character of fpdf2's
    two-byte CID fonts; poppler's pdftotext does not: the NULs are dropped)."""
    assert data.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(data)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\x00", "")


def test_a_candidate_sees_their_own_ticket_with_the_id_number_masked(app, world):
    person, enrolment = world["people"]["a1"], world["enrolments"]["a1"]
    client = log_in(app.test_client(), person)
    page = client.get(f"/tickets/{world['sitting'].id}").get_data(as_text=True)
    assert enrolment.admission_no in page and "张三" in page
    assert identity.mask_id(id_number(1)) in page
    assert id_number(1) not in page
    assert "考生须知" in page and "30" in page  # arrive 30 minutes early
    assert "照片" in page  # the empty photo box
    listing = client.get("/exam/").get_data(as_text=True)
    assert f"/tickets/{world['sitting'].id}" in listing


def test_the_ticket_pdf_holds_the_number_and_the_masked_id_never_the_raw_one(app, world):
    client = log_in(app.test_client(), world["people"]["a1"])
    response = client.get(f"/tickets/{world['sitting'].id}.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    text = pdf_text(response.data)
    assert world["enrolments"]["a1"].admission_no in text
    assert identity.mask_id(id_number(1)) in text
    assert id_number(1) not in text and id_number(1).encode() not in response.data
    assert "准考证" in text and "考生须知" in text and "张三" in text
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1


def test_nobody_opens_a_ticket_of_a_sitting_they_are_not_enrolled_in(app, world, make_user):
    outsider = log_in(app.test_client(), make_user())
    sitting_id = world["sitting"].id
    assert outsider.get(f"/tickets/{sitting_id}").status_code == 404
    assert outsider.get(f"/tickets/{sitting_id}.pdf").status_code == 404
    assert outsider.get("/tickets/999999").status_code == 404
    # the org admin has people in it, but no ticket of their own
    org_admin = log_in(app.test_client(), world["org_admin"])
    assert org_admin.get(f"/tickets/{sitting_id}").status_code == 404


def test_an_org_admins_batch_holds_only_their_people(app, world):
    client = log_in(app.test_client(), world["org_admin"])
    response = client.get(f"/tickets/sittings/{world['sitting'].id}/all.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    numbers = {k: e.admission_no for k, e in world["enrolments"].items()}
    assert numbers["a1"] in text and numbers["a2"] in text
    assert numbers["b"] not in text and "李四" not in text
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2
    for n in (1, 2, 3):
        assert id_number(n) not in text


def test_an_org_admin_of_another_subtree_gets_404_and_a_candidate_403(app, world, make_user):
    stranger = make_user(Role.ORG_ADMIN)
    stranger.managed_organisation_id = orgs.create("C", "丙街道党工委").id
    db.session.commit()
    path = f"/tickets/sittings/{world['sitting'].id}/all.pdf"
    assert log_in(app.test_client(), stranger).get(path).status_code == 404
    assert log_in(app.test_client(), world["people"]["a1"]).get(path).status_code == 403


def test_the_admin_prints_every_ticket_of_a_sitting(app, world, login_as):
    client, _ = login_as(Role.ADMIN)
    text = pdf_text(client.get(f"/tickets/sittings/{world['sitting'].id}/all.pdf").data)
    for enrolment in world["enrolments"].values():
        assert enrolment.admission_no in text
    assert client.get("/tickets/sittings/999999/all.pdf").status_code == 404


def test_the_admin_sets_the_place_and_seats_candidates_in_admission_order(app, world):
    sitting = world["sitting"]
    client = log_in(app.test_client(), world["admin"])
    page = f"/admin/sittings/{sitting.id}"
    response = post_form(
        client,
        f"/tickets/sittings/{sitting.id}/seats",
        {"place": "区委党校三楼机房", "room_size": "2", "pattern": "第{n}考场", "keep": "y"},
        page,
    )
    assert response.status_code == 302
    db.session.expire_all()
    seats = [
        (e.room, e.seat)
        for e in db.session.scalars(
            db.select(Enrolment)
            .where(Enrolment.sitting_id == sitting.id)
            .order_by(Enrolment.admission_no)
        )
    ]
    assert seats == [("第01考场", 1), ("第01考场", 2), ("第02考场", 1)]
    assert db.session.get(Sitting, sitting.id).place == "区委党校三楼机房"
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sitting.seats_assigned")
    )
    assert entry.details["rooms"] == 2 and entry.details["count"] == 3
    shown = client.get(page).get_data(as_text=True)
    assert "区委党校三楼机房" in shown and "3 人已分配到 2 个考场" in shown
    # the form offers the rule last used, so late enrolments join the same rooms
    assert re.search(r'id="room_size"[^>]*value="2"', shown)
    candidate = log_in(app.test_client(), world["people"]["b"])
    ticket = candidate.get(f"/tickets/{sitting.id}").get_data(as_text=True)
    assert "区委党校三楼机房" in ticket and "第02考场" in ticket
    text = pdf_text(candidate.get(f"/tickets/{sitting.id}.pdf").data)
    assert "第02考场" in text and "区委党校三楼机房" in text


def test_kept_seats_stay_when_a_late_candidate_is_seated(app, world, make_user):
    from examsvc.services import tickets

    sitting, admin = world["sitting"], world["admin"]
    tickets.arrange(admin, sitting.id, place="", room_size=2, pattern="A{n}", keep=True)
    before = {e.id: (e.room, e.seat) for e in world["enrolments"].values()}
    late = make_user(name="赵六")
    exams.enrol(admin, sitting.id, late.email)
    outcome = tickets.arrange(admin, sitting.id, place="", room_size=2, pattern="A{n}", keep=True)
    db.session.expire_all()
    after = {e.id: (e.room, e.seat) for e in world["enrolments"].values()}
    assert before == after
    assert outcome.seated == 4 and outcome.unseated == 0 and outcome.rooms == ["A01", "A02"]


def test_a_bad_room_size_is_refused_with_a_chinese_message_and_changes_nothing(app, world):
    sitting = world["sitting"]
    client = log_in(app.test_client(), world["admin"])
    response = post_form(
        client,
        f"/tickets/sittings/{sitting.id}/seats",
        {"place": "x", "room_size": "0", "pattern": "第{n}考场"},
        f"/admin/sittings/{sitting.id}",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "每个考场人数：" in page
    empty = post_form(
        client, f"/tickets/sittings/{sitting.id}/seats", {}, f"/admin/sittings/{sitting.id}"
    )
    flashed = client.get(empty.headers["Location"]).get_data(as_text=True)
    assert "每个考场人数：" in flashed and "This field" not in flashed
    db.session.expire_all()
    assert db.session.get(Sitting, sitting.id).place == ""
    assert all(e.room is None for e in db.session.scalars(db.select(Enrolment)))


def test_only_admins_assign_seats(app, world):
    client = log_in(app.test_client(), world["org_admin"])
    response = post_form(
        client,
        f"/tickets/sittings/{world['sitting'].id}/seats",
        {"room_size": "30"},
        f"/orgs/sittings/{world['sitting'].id}",
    )
    assert response.status_code == 403


def test_the_org_admins_sitting_page_offers_the_batch_and_the_roster(app, world):
    client = log_in(app.test_client(), world["org_admin"])
    page = client.get(f"/orgs/sittings/{world['sitting'].id}").get_data(as_text=True)
    assert f"/tickets/sittings/{world['sitting'].id}/all.pdf" in page
    assert f"/exports/sittings/{world['sitting'].id}/roster.xlsx" in page


def test_a_sitting_is_created_with_its_place(app, world, login_as):
    admin = world["admin"]
    original = world["sitting"]
    sitting = exams.create_sitting(
        admin, original.blueprint_id, "带地点的场次", original.opens_at, original.closes_at,
        place="  人民路 88 号  ",
    )  # fmt: skip
    assert sitting.place == "人民路 88 号"
    assert "人民路 88 号" in (
        log_in(app.test_client(), admin).get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    )


def test_without_a_chinese_font_the_pdf_route_says_so(app, world):
    app.config["PDF_FONT"] = "/nonexistent/font.ttc"
    client = log_in(app.test_client(), world["people"]["a1"])
    response = client.get(f"/tickets/{world['sitting'].id}.pdf")
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.get_data(as_text=True)
    assert client.get(f"/tickets/{world['sitting'].id}").status_code == 200  # the page works

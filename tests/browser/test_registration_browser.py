"""个人报名 in Chromium: the form with its consent box, documents, submit, review, approval,
enrolment by the admin and the admission ticket (page and PDF with the photo); screenshots
of each page at desktop and phone widths go to test-artifacts/."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from pypdf import PdfReader

from examsvc.extensions import db
from examsvc.models import Enrolment, Role, User
from examsvc.services import orgs
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in
from tests.registration_helpers import PASSWORD, PDF, id_number

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": 1280, "phone": 390}


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain picture, made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def shots(page, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"registration-{name}-{label}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_individual_registration_to_approval_enrolment_and_ticket_in_the_browser(
    app, backend, make_user, new_page, tmp_path, scheduled
):
    district = orgs.create("000", "区委")
    street = orgs.create("A", "甲街道党工委", district)
    orgs.create("A1", "甲第一支部", street)
    reviewer = make_user(Role.ORG_ADMIN, name="甲管理员")
    reviewer.managed_organisation_id = street.id
    db.session.commit()
    reviewer_email = reviewer.email
    db.session.remove()
    files = {
        "form.pdf": PDF,
        "photo1.png": png(90, 120, (200, 60, 60)),
        "photo2.png": png(90, 120, (60, 60, 200)),
        "idcard.png": png(170, 108, (230, 230, 210)),
        "fake.pdf": b"PK\x03\x04" + b"\x00" * 64,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    page = new_page()
    page.goto("/")
    page.click("main a[href='/registration/new']")
    shots(page, "form")
    page.fill("#name", "王报名")
    page.fill("#id_number", id_number().lower()[:-1] + id_number()[-1].lower())
    page.check("#gender-0")
    page.fill("#mobile", "138 0013 8000")
    page.check("#is_party_member-0")
    page.fill("#party_joined_on", "2010-07-01")
    page.select_option("#organisation", label="\u3000\u3000甲第一支部")
    page.select_option("#category", "community")
    page.fill("#post", "组织委员")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    assert not page.is_checked("#consent")
    page.click("#submit")
    assert "勾选同意" in page.inner_text("#consent-box")
    shots(page, "form-refused")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("#consent")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/registration/$"))
    assert "待提交" in page.inner_text("#registration-state")

    page.set_input_files("#files-application_form", str(tmp_path / "fake.pdf"))
    page.click("#kind-application_form .upload-form button")
    assert "ZIP" in page.inner_text(".alert-danger")
    for kind, names in (
        ("application_form", ["form.pdf"]),
        ("education", ["form.pdf"]),
        ("id_copy", ["idcard.png"]),
        ("photo", ["photo1.png", "photo2.png"]),
    ):
        page.set_input_files(f"#files-{kind}", [str(tmp_path / n) for n in names])
        page.click(f"#kind-{kind} .upload-form button")
        assert "已上传" in page.inner_text(".alert-success")
    shots(page, "mine-draft")
    page.click("button:has-text('提交审核')")
    assert "待审核" in page.inner_text("#registration-state")
    shots(page, "mine-submitted")

    staff = new_page()
    log_in(staff, reviewer_email)
    staff.click("nav a[href='/registration/review/']")
    shots(staff, "queue")
    staff.click("#registrations a")
    shots(staff, "review")
    staff.fill("#reason", "证件照背景不符合要求，请上传白底照片。")
    staff.click("#decide input[type=submit]")
    page.reload()
    assert "白底照片" in page.inner_text("#return-reason")
    shots(page, "mine-returned")
    page.set_input_files("#files-photo", str(tmp_path / "photo2.png"))
    page.click("#kind-photo .upload-form button")
    page.click("button:has-text('再次提交审核')")
    staff.goto("/registration/review/")
    staff.click("#registrations a")
    staff.click("#decide button:has-text('通过')")
    assert "已通过" in staff.inner_text(".alert-success")
    page.reload()
    assert "已通过" in page.inner_text("#registration-state")
    shots(page, "mine-approved")
    person = db.session.scalar(db.select(User).where(User.mobile == "13800138000"))
    assert person.status == "active"
    person_id = person.id

    # The admin enrols the approved person by mobile number; the person prints the ticket.
    sitting, admin = scheduled(candidates=0)
    sitting_id, admin_email = sitting.id, admin.email
    db.session.remove()
    office = new_page()
    log_in(office, admin_email)
    office.goto(f"/admin/sittings/{sitting_id}")
    office.fill("#enrol-one input[name=email]", "13800138000")
    office.click("#enrol-one input[type=submit], #enrol-one button[type=submit]")
    assert "王报名" in office.inner_text("main")
    page.goto("/exam/")
    page.click(f"a[href='/tickets/{sitting_id}']")
    page.wait_for_url(re.compile(rf"/tickets/{sitting_id}$"))
    shots(page, "ticket")
    admission_no = db.session.scalar(
        db.select(Enrolment.admission_no).where(Enrolment.user_id == person_id)
    )
    ticket = page.inner_text("main")
    assert admission_no in ticket and "王报名" in ticket
    assert re.search(r"\d{4}\*{10}\w{4}", ticket) and id_number() not in ticket
    assert page.locator(".ticket-photo img").count() == 1  # the registration photo
    response = page.request.get(f"/tickets/{sitting_id}.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.body()))
    text = "".join(p.extract_text() for p in reader.pages).replace("\x00", "")  # pypdf quirk
    assert admission_no in text and id_number() not in text
    assert reader.pages[0].images  # the photo, embedded

"""The admission ticket in a browser: from "My exams" to the ticket, on a desktop and a phone,
printed (print media), its PDF; the admin seats a sitting from its page."""

import pytest

from examsvc.extensions import db
from examsvc.services import identity
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in
from tests.web.ticket_world import id_number
from tests.web.ticket_world import world as world  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_admin_seats_the_sitting_and_the_candidate_prints_the_ticket(
    app, backend, world, new_page
):
    admin_email, email = world["admin"].email, world["people"]["b"].email
    sitting_id, admission_no = world["sitting"].id, world["enrolments"]["b"].admission_no
    db.session.remove()  # the live server's requests need the database to themselves

    admin = new_page()
    log_in(admin, admin_email)
    admin.goto(f"/admin/sittings/{sitting_id}")
    admin.fill("#place", "区委党校三楼计算机教室（人民路 88 号）")
    admin.fill("#room_size", "2")
    admin.click("#seating-form [type=submit]")
    assert "3 人已分配到 2 个考场" in admin.locator("#seating").inner_text()
    screenshot(admin, f"tickets-admin-sitting-{backend}")

    page = new_page()
    log_in(page, email)
    page.goto("/exam/")
    page.click("a.ticket-link")
    page.wait_for_selector("#ticket")
    text = page.locator("#ticket").inner_text()
    assert admission_no in text and "第02考场" in text and "人民路 88 号" in text
    assert identity.mask_id(id_number(3)) in text and id_number(3) not in text
    assert page.locator(".ticket-photo-empty").is_visible()
    screenshot(page, f"tickets-ticket-1280px-{backend}")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator("#ticket-pdf").is_visible()
    screenshot(page, f"tickets-ticket-print-{backend}")
    page.emulate_media(media="screen")
    pdf = page.request.get(f"/tickets/{sitting_id}.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert overflow(page) <= 0
    screenshot(page, f"tickets-ticket-390px-{backend}")

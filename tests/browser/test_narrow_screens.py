"""On a 390 px phone no page is wider than the screen: wide tables scroll inside themselves."""

import pytest

from examsvc.extensions import db
from examsvc.models import Role
from examsvc.services import assembly, attempts
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_admin_pages_fit_a_phone_screen(app, backend, scheduled, make_user, phone):
    sitting, admin = scheduled(candidates=3)
    assembly.randomize(admin, sitting.id)
    enrolled = make_user(Role.CANDIDATE, name="欧阳一二三四五六")
    from examsvc.services import exams

    exams.enrol(admin, sitting.id, enrolled.email)
    email, sitting_id, person_id = admin.email, sitting.id, enrolled.id
    db.session.remove()  # the live server's requests need the database to themselves
    log_in(phone, email)
    for path in (
        f"/admin/sittings/{sitting_id}",
        "/admin/",
        "/admin/audit",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{person_id}",
        f"/admin/users/{person_id}/edit",
    ):
        phone.goto(path)
        assert overflow(phone) <= 0, path
    phone.goto(f"/admin/sittings/{sitting_id}")
    table = phone.locator("#results")
    assert table.bounding_box()["width"] > PHONE["width"]  # the table is wide …
    wrapper = phone.locator(".table-responsive").filter(has=table)
    assert wrapper.evaluate("e => getComputedStyle(e).overflowX") == "auto"  # … and scrolls
    screenshot(phone, f"sitting-390px-{backend}")


def test_candidate_pages_fit_a_phone_screen(app, backend, open_sitting, phone):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    attempts.submit(candidate, attempt.id)
    email, attempt_id = candidate.email, attempt.id
    db.session.remove()
    log_in(phone, email)
    for path in ("/", "/exam/", f"/exam/attempts/{attempt_id}"):
        phone.goto(path)
        assert overflow(phone) <= 0, path
    screenshot(phone, f"result-390px-{backend}")

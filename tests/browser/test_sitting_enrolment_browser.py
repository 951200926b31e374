"""The sitting's enrolment pages in a browser, on a desktop and on a phone: nothing wider
than the screen, the enrolment sections stacked on the phone, a candidate removed."""

import pytest

from examsvc.extensions import db
from examsvc.models import Role
from examsvc.services import exams, extra_time, orgs
from tests.browser.conftest import screenshot
from tests.browser.test_narrow_screens import overflow
from tests.browser.test_skeleton_browser import log_in

pytestmark = pytest.mark.browser

SIZES = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_sitting_enrolment_pages_fit_and_work(
    app, backend, scheduled, make_user, browser, live_server, size
):
    sitting, admin = scheduled(candidates=2)
    org = orgs.create("700", "浏览器测试党支部")
    for name, status in (("周党员", "active"), ("吴待审", "pending")):
        person = make_user(Role.CANDIDATE, name=name, party_member=False)
        person.organisation_id, person.status = org.id, status
    db.session.commit()
    row = exams.enrolments_of(sitting)[0]
    extra_time.grant(admin, sitting.id, row.id, 15, "视力障碍，需放大字体")
    email, sitting_id, row_id = admin.email, sitting.id, row.id
    db.session.remove()  # the live server's requests need the database to themselves
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, email)
        base = f"/admin/sittings/{sitting_id}"
        for path in (base, f"{base}/edit", f"{base}/candidates/{row_id}"):
            page.goto(path)
            assert overflow(page) <= 0, path
            screenshot(page, f"{path.strip('/').replace('/', '-')}-{size}px-{backend}")
        page.goto(base)
        one, by_org = page.locator("#enrol-one"), page.locator("#enrol-org")
        if size == "390":  # stacked, one above the other
            assert one.bounding_box()["y"] < by_org.bounding_box()["y"]
        page.select_option("#enrol-org select[name=org_id]", label="700 浏览器测试党支部")
        page.click("#enrol-org button, #enrol-org input[type=submit]")
        assert page.locator("#count-enrolled").inner_text() == "1"
        assert "报名尚未审核通过" in page.locator("#refused").inner_text()
        assert overflow(page) <= 0
        screenshot(page, f"enrol-report-{size}px-{backend}")
        page.goto(f"{base}/candidates/{row_id}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#remove-button")
        page.wait_for_url(f"**{base}")
        assert "已移出" in page.locator(".alert").first.inner_text()
    finally:
        context.close()

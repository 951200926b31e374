"""Results, 公示, appeals and objections in a browser, on a desktop and on a phone:
nothing wider than the screen, an objection raised through the public notice."""

import pytest

from examsvc.models import Role
from examsvc.services.results import disputes
from tests.browser.conftest import screenshot
from tests.browser.test_narrow_screens import overflow
from tests.browser.test_skeleton_browser import log_in
from tests.web.test_results_pages import published  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

SIZES = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_results_pages_fit_and_an_objection_goes_through(
    app,
    backend,
    published,  # noqa: F811 - the fixture imported above
    make_user,
    browser,
    live_server,
    size,  # noqa: F811
):
    from examsvc.extensions import db

    sitting, won, lost = published["sitting"], published["won"], published["lost"]
    appeal = disputes.lodge_appeal(lost.enrolment.user, lost.id, "请复核第三题的判分。")
    raiser = make_user(Role.CANDIDATE, name="王群众")
    ids = {"sitting": sitting.id, "won": won.id, "lost": lost.id, "appeal": appeal.id,
           "enrolment": won.enrolment_id}  # fmt: skip
    emails = {"admin": published["admin"].email, "raiser": raiser.email,
              "loser": lost.enrolment.user.email}  # fmt: skip
    db.session.remove()  # the live server's requests need the database to themselves
    pages = {
        "admin": [f"/results/sittings/{ids['sitting']}",
                  f"/results/sittings/{ids['sitting']}/candidates/{ids['enrolment']}",
                  f"/results/admin/disputes/{ids['appeal']}", "/results/admin/calendar",
                  f"/results/admin/sittings/{ids['sitting']}/resit"],
        "loser": [f"/exam/attempts/{ids['lost']}", "/my-results/"],
    }  # fmt: skip
    for who, paths in pages.items():
        context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=SIZES[size])
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            log_in(page, emails[who])
            for path in paths:
                page.goto(path)
                assert overflow(page) <= 0, path
                screenshot(page, f"{path.strip('/').replace('/', '-')}-{size}px-{backend}")
        finally:
            context.close()
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"/notice/{ids['sitting']}")
        assert overflow(page) <= 0
        assert "张*丰" in page.locator("#notice-rows").inner_text()
        screenshot(page, f"notice-{size}px-{backend}")
        log_in(page, emails["raiser"])
        page.goto(f"/notice/{ids['sitting']}/results/{ids['won']}/objection")
        assert overflow(page) <= 0
        screenshot(page, f"objection-{size}px-{backend}")
        page.fill("#reason", "考试当天该考生未到场。")
        page.click("#objection-form [type=submit]")
        page.wait_for_url("**/my-results/")
        assert "考试当天该考生未到场。" in page.locator("#my-disputes").inner_text()
        assert overflow(page) <= 0
    finally:
        context.close()

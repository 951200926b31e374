"""年检 in a browser: the org admin enters an assessment, the admin closes the batch, the
holder reads the notice from the top bar; at 1280 and 390 px."""

import pytest

from examsvc.extensions import db
from examsvc.services import inspections
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in
from tests.services.inspection_world import holder, make_world, train

pytestmark = pytest.mark.browser


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_an_inspection_from_assessment_to_the_holders_notice(app, backend, make_user, new_page):
    world = make_world(make_user)
    person, cert = holder(make_user, world.branch, name="欧阳年检")
    train(person, 2024, 24)
    batch = inspections.open_batch(world.admin, world.branch.id, 2024)
    batch_id, number = batch.id, cert.number
    emails = world.org_admin.email, world.admin.email, person.email
    db.session.remove()

    org_admin = new_page()
    log_in(org_admin, emails[0])
    org_admin.goto(f"/inspections/{batch_id}")
    row = org_admin.locator("#inspection-people tbody tr").first
    assert "欧阳年检" in row.inner_text()
    row.locator("select[name=assessment]").select_option("competent")
    row.locator("button").click()
    assert org_admin.locator('#inspection-people [data-outcome="passed"]').count() == 1
    screenshot(org_admin, f"inspection-open-1280px-{backend}")
    org_admin.set_viewport_size({"width": 390, "height": 844})
    org_admin.reload()
    assert overflow(org_admin) <= 0

    admin = new_page()
    log_in(admin, emails[1])
    admin.goto(f"/inspections/{batch_id}")
    admin.check("#confirm")
    admin.click("#close-inspection [type=submit]")
    assert admin.locator("#inspection-closed").is_visible()
    screenshot(admin, f"inspection-closed-1280px-{backend}")

    holder_page = new_page()
    log_in(holder_page, emails[2])
    holder_page.click("#nav-notices")
    assert number in holder_page.locator("#notices").inner_text()
    screenshot(holder_page, f"notices-1280px-{backend}")
    holder_page.click("#notices button")
    assert holder_page.locator("#unread-notices").count() == 0
    holder_page.set_viewport_size({"width": 390, "height": 844})
    holder_page.reload()
    assert overflow(holder_page) <= 0

"""The training archive in a browser: an org admin runs a course to completion, reads the
person's hours and the report with its chart, on a desktop and a phone."""

from datetime import date

import pytest

from examsvc.extensions import db
from examsvc.services.training import courses
from examsvc.services.training.courses import CourseInput
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in
from tests.training_helpers import org_admin, person, record, tree

pytestmark = pytest.mark.browser


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_an_org_admin_completes_a_course_and_reads_the_report(app, backend, new_page):
    orgs = tree()
    manager = org_admin(orgs["street"])
    secretary = person(orgs["branch"], "张书记", post="支部书记")
    member = person(orgs["branch"], "李党员", joined_on=date(2025, 6, 1))
    record(member, date(2025, 9, 1), date(2025, 9, 1), 8, name="网络学习专题", kind="online")
    course = courses.create(
        manager,
        CourseInput(name="2025年书记轮训班", starts_on=date(2025, 4, 7), ends_on=date(2025, 4, 9),
                    hours=24, kind="rotation", organisation_id=orgs["branch"].id),
    )  # fmt: skip
    course_id, email, secretary_id = course.id, manager.email, secretary.id
    branch_id = orgs["branch"].id
    db.session.remove()  # the live server's requests need the database to themselves

    page = new_page()
    log_in(page, email)
    page.goto(f"/training/courses/{course_id}")
    page.select_option("#organisation", str(branch_id))
    with page.expect_navigation():
        page.click("#add-organisation [type=submit]")
    assert page.locator("#members tbody tr").count() == 2
    with page.expect_navigation():
        page.click("#complete-course")
    assert page.locator("#completed").is_visible()
    screenshot(page, f"training-course-{backend}")

    page.goto(f"/training/people/{secretary_id}")
    years = page.locator("#years").inner_text()
    assert "2025" in years and "已参加，3 天" in years
    screenshot(page, f"training-person-{backend}")

    page.goto("/training/?year=2025")
    assert page.locator("#compliance-chart").is_visible()
    assert "李党员" in page.locator("#hours").inner_text()
    screenshot(page, f"training-report-{backend}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert overflow(page) <= 0
    screenshot(page, f"training-report-390px-{backend}")

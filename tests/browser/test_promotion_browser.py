"""An L1 → L2 promotion in Chromium through its six steps (个人申报 → 组织审核 → 培训测试 →
实地走访 → 综合评定 → 结果公示), on a phone and on a desktop: the holder declares from their
level page, the org admin reviews, the admin records the rest from the application's page
(the training test is a passed L2 exam chosen from the list); only the step the application
waits for is offered. At the end the level page shows L2 with its history, the L1 certificate
is revoked for the promotion (晋级换发) and the L2 certificate verifies as valid."""

from __future__ import annotations

from datetime import date

import pytest

from examsvc.extensions import db
from examsvc.models import Promotion, PromotionStepRecord
from examsvc.services import certificates, levels, results
from tests.browser.conftest import screenshot
from tests.browser.test_narrow_screens import overflow
from tests.browser.test_skeleton_browser import log_in
from tests.services.level_world import hours, level_sitting, member, tree
from tests.services.test_results import sit

pytestmark = pytest.mark.browser


def _world(make_user, open_sitting) -> dict:
    """An L1 holder of three years with 24 hours in each of the last two years, and a
    published L2 exam they passed."""
    _sitting, admin, _people = open_sitting()  # an admin and an approved bank
    found = tree(make_user)
    person = member(make_user, found["branch"], name="欧阳晋级")
    today = levels.today_local()
    since = date(today.year - 3, 3, 1)
    l1 = certificates.create(person, "level", 1, since)
    levels.record(admin, person, 1, levels.CERTIFIED, "2023年初级认证", since, certificate=l1)
    db.session.commit()
    for year in (today.year - 2, today.year - 1):
        hours(person, year, 24)
    l2_exam = level_sitting(admin, 2, [person])
    sit(person, l2_exam)
    results.publish(admin, l2_exam.id)
    ids = {"admin": admin.email, "org_admin": found["org_admin"].email, "person": person.email,
           "l1": l1.number, "exam": l2_exam.name}  # fmt: skip
    db.session.remove()  # the live server's threads take the database from here
    return ids


def _offered(page) -> str:
    """The one step the application's page offers to record."""
    assert page.locator("#step-form").count() == 1
    return page.locator("#step-form input[name=step]").input_value()


def _record(page, step: str, note: str = "", attempt: str | None = None) -> None:
    assert _offered(page) == step
    page.check("#step-form input[name=outcome][value=passed]")
    if attempt is not None:  # the newest passed exam is chosen already
        assert page.eval_on_selector("#attempt", "e => e.selectedOptions[0].text") == attempt
    if note:
        page.fill("#step-form #note", note)
    with page.expect_navigation():
        page.click("#step-form [type=submit]")
    assert page.locator(".alert-success").count() == 1
    assert page.locator(f".step-{step} .badge", has_text="通过").count() == 1


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_an_l1_holder_is_promoted_to_l2_through_the_six_steps(
    app, backend, make_user, open_sitting, open_context, viewport
):
    ids = _world(make_user, open_sitting)
    shot = f"{viewport}-{backend}"

    # 1. 个人申报: the holder applies from their own level page
    person = open_context(viewport).new_page()
    log_in(person, ids["person"])
    person.goto("/levels/mine/")
    assert "初级" in person.inner_text("#level-held")
    assert overflow(person) <= 0
    screenshot(person, f"promotion-mine-before-{shot}")
    person.fill("#declare-form #note", "任支部书记三年，近两年每年培训24学时。")
    with person.expect_navigation():
        person.click("#declare-form [type=submit]")
    application = person.locator("#open-application")
    assert "中级" in application.inner_text()
    assert "等待" in application.locator(".step-org_review").inner_text()
    assert overflow(person) <= 0
    screenshot(person, f"promotion-declared-{shot}")

    # 2. 组织审核 by the org admin, from the list of applications waiting for it
    org = open_context(viewport).new_page()
    log_in(org, ids["org_admin"])
    org.goto("/levels/promotions?step=org_review")
    with org.expect_navigation():
        org.locator("#promotions tbody tr", has_text="欧阳晋级").locator("a").first.click()
    path = org.url
    assert overflow(org) <= 0
    screenshot(org, f"promotion-org-review-{shot}")
    # a step out of turn is neither offered nor taken when the page is tampered with
    assert _offered(org) == "org_review" and org.locator("#attempt").count() == 0
    org.check("#step-form input[name=outcome][value=passed]")
    org.eval_on_selector("#step-form input[name=step]", "e => e.value = 'field_visit'")
    org.click("#step-form [type=submit]")
    org.wait_for_load_state()
    assert "组织审核" in org.locator(".alert-danger").first.inner_text()
    db.session.remove()
    assert db.session.scalar(db.select(db.func.count(PromotionStepRecord.id))) == 1
    db.session.remove()
    org.goto(path)
    _record(org, "org_review", "材料齐全，同意申报。")
    assert org.locator("#not-yours").is_visible()  # the training test is the admins' step

    # 3–6. the admin records the training test, field visit, assessment and public notice
    admin = open_context(viewport).new_page()
    log_in(admin, ids["admin"])
    admin.goto(path)
    options = admin.locator("#attempt option").all_inner_texts()
    assert len(options) == 2 and ids["exam"] in options[1]
    (exam,) = [o for o in options if ids["exam"] in o]
    assert overflow(admin) <= 0
    screenshot(admin, f"promotion-training-test-{shot}")
    _record(admin, "training_test", attempt=exam)
    assert admin.locator(".step-training_test").inner_text().rstrip().endswith("得分 11")
    _record(admin, "field_visit", "走访所在党支部，群众评价良好。")
    _record(admin, "assessment", "综合评定：合格。")
    assert admin.locator("#rule-preview li").count() == 0  # no rule refuses the last step
    _record(admin, "public_notice", "公示五个工作日无异议。")
    assert admin.locator("#step-form").count() == 0
    assert admin.locator("h1 .badge").inner_text() == "已通过"
    new_number = admin.locator("#promotion-certificate code").inner_text()
    assert new_number.startswith("L2-") and new_number in admin.inner_text(".alert-success")
    assert overflow(admin) <= 0
    screenshot(admin, f"promotion-approved-{shot}")

    # the holder's pages: L2 with its history; L1 revoked for the promotion; L2 verifies
    person.goto("/levels/mine/")
    assert "中级" in person.inner_text("#level-held")
    history = person.locator("#level-history tbody tr").all_inner_texts()
    assert len(history) == 2 and "中级" in history[0] and "初级" in history[1]
    assert new_number in history[0] and ids["l1"] in history[1]
    assert person.locator("#open-application").count() == 0
    assert overflow(person) <= 0
    screenshot(person, f"promotion-mine-after-{shot}")
    person.goto("/certificates/")
    old = person.locator("#my-certificates .card", has_text=ids["l1"])
    assert "已撤销" in old.inner_text() and "晋级换发" in old.inner_text()
    assert new_number in old.inner_text()
    assert overflow(person) <= 0
    screenshot(person, f"promotion-certificates-{shot}")
    number = person.locator(".cert-number", has_text=new_number)
    person.locator("#my-certificates .card", has=number).locator("a", has_text="公开查验").click()
    person.wait_for_url(f"**/verify/{new_number}")
    assert "有效" in person.locator(".certificate-card").inner_text()
    db.session.remove()
    promotion = db.session.scalar(db.select(Promotion))
    assert [s.step for s in promotion.steps] == [
        "declare", "org_review", "training_test", "field_visit", "assessment", "public_notice",
    ]  # fmt: skip
    db.session.remove()

"""The curation workflow in Chromium: submit with live look-alikes, return, edit, approve."""

import re

import pytest

from examsvc.extensions import db
from examsvc.models import Question, Role
from examsvc.services import bank, review
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in

pytestmark = pytest.mark.browser


def test_curation_in_the_browser(app, backend, make_user, new_page):
    contributor, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    seeded = bank.submit_question(
        make_user(Role.CONTRIBUTOR),
        "public",
        {
            "type": "multiple",
            "area": "practice",
            "stem": "“三会一课”中的“三会”包括（  ）。",
            "options": ["支部党员大会", "支部委员会", "党小组会", "职工代表大会"],
            "key": ["A", "B", "C"],
        },
    )
    review.review(examiner, seeded.id, "approve")
    emails, seeded_id = (contributor.email, examiner.email), seeded.id
    db.session.remove()

    page = new_page()
    log_in(page, emails[0])
    page.goto("/bank/submit")
    page.select_option("#type", "multiple")
    assert page.is_hidden("#key-A") and page.is_visible("#keys-A")
    page.select_option("#area", "practice")
    page.fill("#stem", "“三会一课”的“三会”是指（  ）。")
    for letter, text in zip(
        "abcd", ["支部委员会", "支部党员大会", "党小组会", "职工代表大会"], strict=True
    ):
        page.fill(f"#option_{letter}", text)
    similar = page.wait_for_selector(".similar-item").inner_text()
    # Somebody else's approved question: that it exists and how it stands, never its text.
    assert "已通过" in similar and "相似度" in similar
    assert f"#{seeded_id}" not in similar and "支部党员大会" not in similar
    for letter in "ABC":
        page.check(f"#keys-{letter}")
    screenshot(page, f"curation-submit-{backend}")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/bank/mine$"))

    reviewer = new_page()
    log_in(reviewer, emails[1])
    reviewer.goto("/review/?type=multiple")
    reviewer.click("table a.btn")
    assert f"#{seeded_id}" in reviewer.inner_text("#similar")
    reviewer.fill("#reason", "与已有试题重复度高，请改写题干或说明差异。")
    screenshot(reviewer, f"curation-review-{backend}")
    reviewer.click("#decision-form button[value=return]")
    reviewer.wait_for_url(re.compile(r"/review/$"))

    page.goto("/bank/mine")
    page.click("table a")
    assert "请改写题干" in page.inner_text(".review-thread")
    page.click("a[href$='/edit']")
    page.fill(
        "#stem",
        "按照《中国共产党支部工作条例（试行）》，党支部应当组织党员按期参加的“三会”是（  ）。",
    )
    page.click("#submit")
    page.wait_for_url(re.compile(r"/bank/questions/\d+$"))

    reviewer.goto("/review/")
    reviewer.click("table a.btn")
    reviewer.click("#decision-form button[value=approve]")
    reviewer.wait_for_url(re.compile(r"/review/$"))
    statuses = dict(db.session.execute(db.select(Question.id, Question.status)).all())
    assert sorted(statuses.values()) == ["approved", "approved"]

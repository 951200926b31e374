"""The walking skeleton in Chromium: submit, approve, blueprint, sitting, enrol, sit the exam
with autosave and a reload, hand in, see the result, publish, certify, verify."""

import re
from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Role, utcnow
from examsvc.services import bank, review
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"NOTICE_WORKING_DAYS": 0}


def log_in(page, email):
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(re.compile(r"/$"))


def test_skeleton_in_the_browser(app, backend, make_user, new_page):
    people = {
        "contributor": make_user(Role.CONTRIBUTOR),
        "examiner": make_user(Role.EXAMINER),
        "admin": make_user(Role.ADMIN),
        "candidate": make_user(Role.CANDIDATE, name="张明华"),
    }
    judges = ["遵义会议是党的历史上一个生死攸关的转折点。", "预备党员的预备期为一年。"]
    for stem in judges:  # two approved true/false items for the paper
        q = bank.submit_question(
            people["contributor"],
            "public",
            {"type": "judge", "area": "history", "stem": stem, "key": True},
        )
        review.review(people["examiner"], q.id, "approve")
    email = {role: user.email for role, user in people.items()}
    db.session.remove()  # the live server's threads take the database from here

    # 1. a contributor submits a single-choice question
    page = new_page()
    log_in(page, email["contributor"])
    page.goto("/bank/submit")
    page.select_option("#area", "constitution")
    page.fill("#stem", "党的最高领导机关是（  ）。")
    options = ["国务院", "党的全国代表大会和它所产生的中央委员会", "全国政协", "中央军事委员会"]
    for field, text in zip("abcd", options, strict=True):
        page.fill(f"#option_{field}", text)
    page.check("#key-B")
    page.fill("#explanation", "党章第十条规定。")
    page.select_option("#channel", "grassroots")
    screenshot(page, f"submit-{backend}")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/bank/mine$"))
    assert "党的最高领导机关" in page.inner_text("table")

    # 2. an examiner approves it
    page = new_page()
    log_in(page, email["examiner"])
    page.goto("/review/")
    page.click("table a.btn")
    page.click("button[value=approve]")
    page.wait_for_url(re.compile(r"/review/$"))

    # 3. an admin builds a blueprint and a sitting, and enrols the candidate
    admin = new_page()
    log_in(admin, email["admin"])
    admin.goto("/admin/blueprints/new")
    admin.fill("#name", "上岗资格考试（浏览器测试）")
    admin.fill("#duration_minutes", "30")
    admin.fill("#pass_mark", "60")
    for row, (area, qtype, count, points) in enumerate(
        [("constitution", "single", "1", "60"), ("", "judge", "2", "20")]
    ):
        admin.select_option(f"#rows-{row}-area", area)
        admin.select_option(f"#rows-{row}-qtype", qtype)
        admin.fill(f"#rows-{row}-count", count)
        admin.fill(f"#rows-{row}-points", points)
    assert admin.inner_text("#bp-total-points") == "100"
    screenshot(admin, f"blueprint-{backend}")
    admin.click("#submit")
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.goto("/admin/sittings/new")
    beijing = utcnow() + timedelta(hours=8)
    admin.fill("#name", "浏览器测试场次")
    admin.fill("#opens_at", (beijing - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    admin.fill("#closes_at", (beijing + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    admin.click("#submit")
    admin.wait_for_url(re.compile(r"/admin/sittings/\d+$"))
    sitting_url = admin.url
    admin.fill("#email", email["candidate"])
    admin.click("#submit")
    admin.wait_for_selector("#results code")

    # 4–5. the candidate sits the exam: countdown, autosave, reload, hand in
    exam = new_page()
    log_in(exam, email["candidate"])
    exam.goto("/exam/")
    exam.click("a.btn-primary >> nth=0")
    exam.check("#rules-agree")  # 考生须知 first: the clock starts on confirmation
    exam.click("#start-button")
    exam.wait_for_selector(".item-card")
    assert re.fullmatch(r"00:(29|30):\d\d", exam.inner_text("#countdown"))
    cards = exam.locator(".item-card")
    assert cards.count() == 3
    exam.locator(".item-card[data-type=single] label", has_text="党的全国代表大会").click()
    for judge in exam.locator(".item-card[data-type=judge]").all():
        judge.locator("input[value=true]").check()
    exam.wait_for_selector("#save-status[data-state=saved]")
    assert exam.locator(".nav-dot.answered").count() == 3
    screenshot(exam, f"exam-{backend}")
    exam.reload()
    exam.wait_for_selector(".item-card")
    assert exam.locator("#items input:checked").count() == 3
    single_checked = exam.locator(".item-card[data-type=single] input:checked + label").inner_text()
    assert "党的全国代表大会" in single_checked
    exam.click("#submit-button")
    exam.wait_for_selector("#confirm-submit.show")
    assert "3" in exam.inner_text("#confirm-text")
    exam.click("#confirm-submit-button")
    exam.wait_for_url(re.compile(r"/exam/attempts/\d+$"))
    assert exam.is_visible("#submitted-note")

    # 6. the admin sees the score, publishes, issues the certificate; anyone verifies it
    admin.goto(sitting_url)
    assert admin.inner_text("#results .score") == "100 / 100"
    admin.click("form[action$=publish] button")
    admin.wait_for_selector("form[action$=certificates] button")
    admin.click("form[action$=certificates] button")
    number = admin.wait_for_selector(".cert-number").inner_text()
    exam.reload()
    assert exam.inner_text("#score") == "100"
    public = new_page()
    public.goto(f"/verify/{number}")
    assert public.inner_text("#cert-number") == number
    assert public.inner_text("#cert-holder") == "张*华"
    assert "张明华" not in public.content()
    screenshot(public, f"verify-{backend}")

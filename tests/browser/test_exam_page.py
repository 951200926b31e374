"""The exam page in Chromium, at a phone viewport (390×844) and on a desktop: the rules
before the clock, the answer sheet and flags, the hand-in dialog's jump links, answers
typed offline, a reload mid-exam, the deadline passing with the page closed and the
focus-loss limit. Every wait is on a condition, never a fixed sleep."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, AttemptEvent, AuditEntry, utcnow
from examsvc.services import attempts, integrity
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in

pytestmark = pytest.mark.browser


def start_exam(page, sitting_id: int) -> None:
    page.goto(f"/exam/sittings/{sitting_id}")
    page.wait_for_selector("#rules-screen")
    assert page.is_disabled("#start-button")  # confirm the rules first
    page.check("#rules-agree")
    page.click("#start-button")
    page.wait_for_selector(".item-card")


def card(page, n: int):
    return page.locator(".item-card").nth(n - 1)


def answer_choice(page, n: int) -> None:
    """Pick the first option of question n (single, multiple or judge)."""
    card(page, n).locator(".option-row label").first.click()


def wait_saved(page) -> None:
    page.wait_for_selector("#save-status[data-state=saved]")


def stored_answers(candidate_id: int) -> dict[int, object]:
    db.session.remove()
    rows = db.session.scalars(db.select(Answer).join(Attempt)).all()
    found = {a.paper_item_id: a.response for a in rows}
    db.session.remove()
    return found


def item_ids(page) -> list[int]:
    return [
        int(i)
        for i in page.eval_on_selector_all(".item-card", "cs => cs.map(c => c.dataset.itemId)")
    ]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_answer_sheet_flags_and_hand_in_dialog_jumps(
    app, backend, exam_ready, open_context, viewport
):
    sitting_id, email, _ = exam_ready(duration=10)
    page = open_context(viewport).new_page()
    log_in(page, email)
    start_exam(page, sitting_id)
    # ten minutes left: the 15-minute warning shows at once, from the server's deadline
    assert "15 分钟" in page.inner_text("#time-warning")
    phone = viewport == "phone"
    assert page.is_checked("#single-mode") == phone  # one question per screen on phones
    if phone:
        assert page.locator(".item-card:visible").count() == 1
        page.click("#next-button")
        assert card(page, 2).is_visible() and not card(page, 1).is_visible()
        assert "第 2 题" in page.inner_text("#pager-position")
        page.click("#prev-button")
    answer_choice(page, 1)
    wait_saved(page)
    if phone:
        page.click("#next-button")
        page.click("#next-button")
    card(page, 3).locator(".flag-button").click()
    assert card(page, 3).locator(".flag-button").get_attribute("aria-pressed") == "true"
    if phone:  # the answer sheet is a bottom sheet
        assert not page.is_visible("#navigator")
        page.click("#nav-open")
        page.wait_for_selector("#nav-sheet.show")
        # slid up from the bottom edge, fully on screen
        page.wait_for_function(
            "() => Math.abs(document.getElementById('nav-sheet').getBoundingClientRect().bottom"
            " - window.innerHeight) < 2"
        )
    assert page.locator("#navigator .nav-dot").count() == 8
    ids = item_ids(page)
    assert "answered" in page.get_attribute(f"#nav-{ids[0]}", "class")
    assert "flagged" in page.get_attribute(f"#nav-{ids[2]}", "class")
    assert "answered" not in page.get_attribute(f"#nav-{ids[2]}", "class")
    screenshot(page, f"exam-sheet-{viewport}-{backend}")
    page.click(f"#nav-{ids[4]}")  # jump to question 5
    if phone:
        page.wait_for_selector("#nav-sheet", state="hidden")
        assert card(page, 5).is_visible() and not card(page, 3).is_visible()
    assert in_view(page, ids[4])
    if not phone:  # one question per screen is a choice on a desktop too
        page.check("#single-mode")
        assert page.locator(".item-card:visible").count() == 1 and card(page, 5).is_visible()
        assert "current" in page.get_attribute(f"#nav-{ids[4]}", "class")
        page.click("#next-button")
        assert card(page, 6).is_visible() and not card(page, 5).is_visible()
        page.uncheck("#single-mode")
        assert page.locator(".item-card:visible").count() == 8
    # the flag is the candidate's own, kept across a reload
    page.reload()
    page.wait_for_selector(".item-card")
    assert "flagged" in page.get_attribute(f"#nav-{ids[2]}", "class")
    page.click("#submit-button")
    page.wait_for_selector("#confirm-submit.show")
    page.wait_for_function(
        "() => getComputedStyle(document.getElementById('confirm-submit')).opacity === '1'"
    )
    assert "7" in page.inner_text("#confirm-text")
    unanswered = page.locator("#unanswered-list .jump-link")
    assert unanswered.count() == 7
    assert [b.get_attribute("data-item-id") for b in unanswered.all()] == [str(i) for i in ids[1:]]
    flagged = page.locator("#flagged-list .jump-link")
    assert flagged.count() == 1 and flagged.inner_text() == "第 3 题"
    screenshot(page, f"exam-hand-in-{viewport}-{backend}")
    flagged.click()
    page.wait_for_selector("#confirm-submit", state="hidden")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === 'item-{ids[2]}'"
    )
    assert in_view(page, ids[2])
    if phone:
        assert card(page, 3).is_visible() and not card(page, 5).is_visible()
    page.click("#submit-button")
    page.locator("#unanswered-list .jump-link").nth(2).click()  # question 4
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === 'item-{ids[3]}'"
    )
    assert in_view(page, ids[3])


def in_view(page, item_id: int) -> bool:
    """Wait until the question's card is on screen, below the sticky bar."""
    page.wait_for_function(
        """id => { const r = document.getElementById('item-' + id).getBoundingClientRect();
                   const bar = document.querySelector('.exam-bar').getBoundingClientRect();
                   return r.top >= bar.bottom - 1 && r.top < window.innerHeight
                          && r.height > 0; }""",
        arg=item_id,
    )
    return True


def test_answers_typed_offline_reach_the_server_on_reconnect(
    app, backend, exam_ready, open_context
):
    sitting_id, email, candidate_id = exam_ready()
    context = open_context("phone")
    page = context.new_page()
    log_in(page, email)
    page.evaluate("localStorage.setItem('examsvc.single-mode', 'false')")  # all on one page
    start_exam(page, sitting_id)
    answer_choice(page, 1)
    wait_saved(page)
    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    for n in (2, 4, 6):
        answer_choice(page, n)
    page.locator(".blank-input").first.fill("全国代表大会")
    page.wait_for_selector("#save-status[data-state=offline]")
    assert "4 条未发送" in page.inner_text("#save-status")
    screenshot(page, f"exam-offline-phone-{backend}")
    assert len(stored_answers(candidate_id)) == 1
    context.set_offline(False)
    wait_saved(page)
    ids = item_ids(page)
    stored = stored_answers(candidate_id)
    assert set(stored) == {ids[0], ids[1], ids[3], ids[5], ids[7]}
    assert stored[ids[7]] == ["全国代表大会"]
    journal = f"JSON.parse(localStorage.getItem('examsvc.attempt.{attempt_of(candidate_id)}'))"
    assert page.evaluate(journal)["journal"] == {}  # acknowledged: nothing left to send
    # the offline and online events reach the server too (sent in a batch of their own,
    # after the answers: they may still be on their way)
    assert {"offline", "online"} <= event_kinds_within(10)


def event_kinds_within(seconds: float) -> set[str]:
    """The kinds of integrity events stored, waiting up to ``seconds`` for the two kinds."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.remove()
        kinds = set(db.session.scalars(db.select(AttemptEvent.type)))
        db.session.remove()
        if {"offline", "online"} <= kinds or time.monotonic() > deadline:
            return kinds
        time.sleep(0.2)


def attempt_of(candidate_id: int) -> int:
    db.session.remove()
    attempt_id = db.session.scalar(db.select(Attempt.id))
    db.session.remove()
    return attempt_id


def test_answers_of_a_crashed_page_are_sent_by_the_next_one(app, backend, exam_ready, open_context):
    sitting_id, email, candidate_id = exam_ready()
    context = open_context("desktop")
    page = context.new_page()
    log_in(page, email)
    start_exam(page, sitting_id)
    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    answer_choice(page, 2)
    card(page, 8).locator(".blank-input").fill("代表大会")
    page.wait_for_selector("#save-status[data-state=offline]")
    ids = item_ids(page)
    page.close()  # the browser dies with two answers only in its journal
    assert stored_answers(candidate_id) == {}
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"/exam/sittings/{sitting_id}")  # resumed: no rules screen again
    page.wait_for_selector(".item-card")
    assert card(page, 8).locator(".blank-input").input_value() == "代表大会"
    wait_saved(page)
    assert set(stored_answers(candidate_id)) == {ids[1], ids[7]}


def test_reload_mid_exam_keeps_every_answer_and_warns_at_five_minutes(
    app, backend, exam_ready, open_context
):
    sitting_id, email, candidate_id = exam_ready()
    page = open_context("desktop").new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsent answers?"
    log_in(page, email)
    start_exam(page, sitting_id)
    assert page.is_hidden("#time-warning")
    answer_choice(page, 1)
    answer_choice(page, 4)
    wait_saved(page)
    page.reload()
    page.wait_for_selector(".item-card")
    assert card(page, 1).locator("input:checked").count() == 1
    assert card(page, 4).locator("input:checked").count() == 1
    # a save that never arrives (the server unreachable), then a reload: the journal keeps it
    page.route("**/answers", lambda route: route.abort())
    card(page, 8).locator(".blank-input").fill("全国代表大会")
    page.wait_for_selector("#save-status[data-state=retrying]")
    assert "1 条未发送" in page.inner_text("#save-status")
    page.unroute("**/answers")
    assert len(stored_answers(candidate_id)) == 2
    db.session.remove()
    attempt = db.session.scalar(db.select(Attempt))
    attempt.deadline = utcnow() + timedelta(minutes=4)
    db.session.commit()
    db.session.remove()
    page.reload()
    page.wait_for_selector(".item-card")
    assert card(page, 8).locator(".blank-input").input_value() == "全国代表大会"
    wait_saved(page)
    assert "5 分钟" in page.inner_text("#time-warning")
    assert re.fullmatch(r"00:0[34]:\d\d", page.inner_text("#countdown"))
    assert len(stored_answers(candidate_id)) == 3
    db.session.remove()  # reloading the page is no focus loss
    assert db.session.scalar(db.select(db.func.count(AttemptEvent.id))) == 0
    db.session.remove()


def test_deadline_passing_with_the_page_closed_hands_in_every_acknowledged_answer(
    app, backend, exam_ready, open_context
):
    sitting_id, email, candidate_id = exam_ready()
    page = open_context("phone").new_page()
    log_in(page, email)
    start_exam(page, sitting_id)
    for n in (1, 2, 3):
        card(page, n).locator("input").first.check()  # single mode: the visible one
        if n < 3:
            page.click("#next-button")
    wait_saved(page)
    page.close()
    db.session.remove()
    later = utcnow() + timedelta(hours=1)
    assert attempts.close_expired(now=later) == 1
    attempt = db.session.scalar(db.select(Attempt))
    assert attempt.status == "submitted" and attempt.auto_submitted
    answers = db.session.scalars(db.select(Answer).where(Answer.attempt_id == attempt.id)).all()
    assert len(answers) == 3 and all(a.points is not None for a in answers)
    assert attempt.score == sum(a.points for a in answers)
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "attempt.auto_submitted")
    )
    assert entry.subject_id == attempt.id
    db.session.remove()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_focus_loss_limit_warns_then_hands_in(app, backend, exam_ready, open_context, viewport):
    sitting_id, email, candidate_id = exam_ready(limit=2)
    page = open_context(viewport).new_page()
    log_in(page, email)
    page.goto(f"/exam/sittings/{sitting_id}")
    assert "2 次" in page.inner_text("#rules-focus-limit")
    screenshot(page, f"exam-rules-{viewport}-{backend}")
    page.check("#rules-agree")
    page.click("#start-button")
    page.wait_for_selector(".item-card")
    answer_choice(page, 1)
    wait_saved(page)
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.wait_for_selector("#focus-warning.alert-danger")
    assert "再离开一次" in page.inner_text("#focus-warning")
    page.evaluate("document.dispatchEvent(new Event('copy'))")  # recorded, never punished
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    page.wait_for_selector("#result-link")
    assert "系统已自动交卷" in page.inner_text("#exam-error")
    assert page.is_disabled("#submit-button")
    screenshot(page, f"exam-focus-limit-{viewport}-{backend}")
    db.session.remove()
    attempt = db.session.scalar(db.select(Attempt))
    assert attempt.status == "submitted" and attempt.score is not None
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 1
    kinds = [
        k for (k,) in db.session.execute(db.select(AttemptEvent.type).order_by(AttemptEvent.id))
    ]
    assert kinds.count("blur") == 2 and "limit_reached" in kinds
    db.session.remove()
    page.click("#result-link")
    page.wait_for_selector("#focus-limit-note")


def test_admins_read_the_events_on_a_phone_and_a_desktop(app, backend, open_sitting, open_context):
    sitting, admin, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    reported = [
        {"type": t, "at": f"2026-11-30T08:00:0{i}.000Z"}
        for i, t in enumerate(("blur", "focus", "paste"))
    ]
    integrity.record(candidate, attempt.id, reported)
    email, sitting_id = admin.email, sitting.id
    db.session.remove()
    for viewport in ("phone", "desktop"):
        page = open_context(viewport).new_page()
        log_in(page, email)
        page.goto(f"/admin/sittings/{sitting_id}")
        page.click(".events-link")
        page.wait_for_selector("#events")
        assert page.locator("#events tbody tr").count() == 3
        assert "粘贴文字" in page.inner_text("#events")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"attempt-events-{viewport}-{backend}")
        page.goto("/admin/sittings/new")
        assert page.is_visible("#focus_loss_limit")
        screenshot(page, f"sitting-form-{viewport}-{backend}")

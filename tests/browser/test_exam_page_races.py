"""The exam page where timing decides: the same attempt open in two tabs, an answer clicked
just before the focus loss that reaches the limit, and extra time granted in the last
seconds to a candidate who is only reading. Every wait is on a condition."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, Enrolment, User, utcnow
from examsvc.services import extra_time
from tests.browser.test_exam_page import card, start_exam, wait_saved
from tests.browser.test_skeleton_browser import log_in

pytestmark = pytest.mark.browser


def pick(page, n: int, option: int) -> None:
    card(page, n).locator(".option-row label").nth(option).click()


def server_answer(item_id: int):
    db.session.remove()
    value = db.session.scalar(db.select(Answer.response).where(Answer.paper_item_id == item_id))
    db.session.remove()
    return value


def test_in_two_tabs_the_answer_given_last_is_the_one_stored(
    app, backend, exam_ready, open_context
):
    """Tab B loaded before tab A made two changes, so B's next seq is lower than what A
    stored: the server does not write it and says which seq it holds; B sends the answer
    again above it, and only then shows it saved. Each tab hears the other is open."""
    sitting_id, email, _ = exam_ready()
    context = open_context("desktop")
    a = context.new_page()
    log_in(a, email)
    start_exam(a, sitting_id)
    b = context.new_page()
    b.goto(f"/exam/sittings/{sitting_id}")
    b.wait_for_selector(".item-card")
    item = int(card(a, 1).get_attribute("data-item-id"))
    pick(a, 1, 0)
    wait_saved(a)
    pick(a, 1, 1)
    wait_saved(a)  # A stored seq 2 for question 1
    pick(b, 1, 2)  # B, later: its own seq 1
    b.wait_for_function(
        "() => document.querySelector('#save-status').dataset.state === 'saved'"
        " && !JSON.parse(localStorage.getItem(Object.keys(localStorage).find("
        f"k => /^examsvc\\.attempt\\.\\d+$/.test(k))) || '{{}}').journal?.[{item}]"
    )
    chosen = json.loads(card(b, 1).locator("input:checked").get_attribute("value"))
    assert server_answer(item) == chosen
    a.wait_for_selector("#focus-warning:not(.d-none)")  # A was told another tab answers
    assert "另一个" in a.inner_text("#focus-warning")


def test_an_answer_clicked_just_before_the_last_focus_loss_is_handed_in(
    app, backend, exam_ready, open_context
):
    """The focus loss goes 300 ms after it happens, an answer 500 ms after the click: the
    events wait for the answers, so the hand-in at the limit holds the answer."""
    sitting_id, email, _ = exam_ready(limit=1)
    page = open_context("desktop").new_page()
    log_in(page, email)
    start_exam(page, sitting_id)
    item = int(card(page, 1).get_attribute("data-item-id"))
    pick(page, 1, 0)
    page.evaluate("window.dispatchEvent(new Event('blur'))")  # alt-tab right after the click
    page.wait_for_selector("#result-link")
    db.session.remove()
    assert db.session.scalar(db.select(Attempt.status)) == "submitted"
    assert server_answer(item) is not None


def test_extra_time_granted_in_the_last_seconds_keeps_the_exam_going(
    app, backend, open_sitting, open_context
):
    """The page's countdown ends at the old deadline; its hand-in says so (time_up) and the
    server, whose deadline moved, refuses it: the page takes the new deadline and goes on."""
    sitting, admin, (candidate,) = open_sitting(duration=30)
    ids = (sitting.id, candidate.email, admin.id)
    db.session.remove()
    page = open_context("desktop").new_page()
    log_in(page, ids[1])
    start_exam(page, ids[0])
    db.session.remove()
    attempt = db.session.scalar(db.select(Attempt))
    soon = utcnow() + timedelta(seconds=6)
    attempt.started_at = soon - timedelta(minutes=30)
    attempt.deadline = soon
    db.session.commit()
    db.session.remove()
    page.reload()
    page.wait_for_selector(".item-card")
    enrolment = db.session.scalar(db.select(Enrolment))
    extra_time.grant(db.session.get(User, ids[2]), ids[0], enrolment.id, 10, "设备故障，补时十分钟")
    db.session.remove()
    page.wait_for_selector("#time-warning.alert-info", timeout=20_000)  # told of the new time
    assert page.is_enabled(".item-card input")  # and may answer on
    pick(page, 1, 0)
    wait_saved(page)
    db.session.remove()
    attempt = db.session.scalar(db.select(Attempt))
    assert attempt.status == "in_progress" and attempt.deadline > utcnow() + timedelta(minutes=9)
    db.session.remove()
    clock = page.inner_text("#countdown")
    assert clock.startswith("00:09") or clock.startswith("00:10"), clock

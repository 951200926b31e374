"""The live view (监考) in Chromium, on a desktop and on a phone: it renders, a save made by a
candidate through the API appears without a reload, and handing in for a candidate works.
Every wait is on a condition, never a fixed sleep."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import Attempt, AuditEntry, Enrolment
from tests.browser.conftest import VIEWPORTS, screenshot
from tests.browser.test_skeleton_browser import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_live_view_refreshes_and_hands_in(
    app, backend, browser, live_server, open_sitting, viewport
):
    sitting, admin, (candidate, waiting) = open_sitting(candidates=2)
    sitting_id, admin_email, candidate_email = sitting.id, admin.email, candidate.email
    db.session.remove()  # the live server's threads take the database from here
    contexts = []

    def context():
        made = browser.new_context(
            base_url=live_server, locale="zh-CN", viewport=VIEWPORTS[viewport]
        )
        made.set_default_timeout(20_000)
        contexts.append(made)
        return made

    errors: list[str] = []
    try:
        # The candidate starts through the API (the exam page is tested on its own).
        api = context().request
        token = api.get("/api/v1/session").json()["csrf_token"]
        assert api.post("/api/v1/session", data={"email": candidate_email,
                        "password": PASSWORD}, headers={"X-CSRFToken": token}).ok  # fmt: skip
        token = api.get("/api/v1/session").json()["csrf_token"]
        started = api.post(f"/api/v1/sittings/{sitting_id}/attempt",
                           headers={"X-CSRFToken": token}).json()  # fmt: skip
        attempt_id = started["attempt_id"]
        judge = next(i for i in started["items"] if i["type"] == "judge")

        page = context().new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, admin_email)
        page.goto(f"/admin/sittings/{sitting_id}")
        page.click("#live-link")
        page.wait_for_url(f"**/admin/sittings/{sitting_id}/live")
        row = page.locator("#live-table tbody tr[data-state='in_progress']")
        assert row.count() == 1
        assert row.locator("td.answered").inner_text().startswith("0 /")
        first = row.locator("td.left").inner_text()
        page.wait_for_function(  # the time left counts down between refreshes
            "t => document.querySelector(\"tr[data-state='in_progress'] td.left\").textContent"
            " !== t",
            arg=first,
        )
        screenshot(page, f"proctor-{viewport}")

        # A save by the candidate shows on the next refresh, without a reload.
        saved = api.put(f"/api/v1/attempts/{attempt_id}/answers",
                        data={"answers": {str(judge["id"]): True}, "seq": 1},
                        headers={"X-CSRFToken": token})  # fmt: skip
        assert saved.ok, saved.text()
        page.wait_for_function(
            "() => document.querySelector(\"tr[data-state='in_progress'] td.answered\")"
            ".textContent.startsWith('1 /')"
        )
        assert row.locator("td.last-save").inner_text() != "—"

        # Hand in for the candidate, with a reason (and the confirmation).
        row.locator("summary").click()
        row.locator("textarea[name=reason]").last.fill("考生突发身体不适，本人要求交卷")
        page.once("dialog", lambda dialog: dialog.accept())
        screenshot(page, f"proctor-actions-{viewport}")
        row.locator("form.act-hand-in button").click()
        page.wait_for_url("**/live#candidate-*")
        assert "已代考生交卷" in page.locator(".alert").first.inner_text()
        done = page.locator("#live-table tbody tr[data-state='handed_in']")
        assert done.locator(".by-invigilator").count() == 1
        assert page.locator('[data-count="handed_in"]').inner_text() == "1"
        assert page.locator('[data-count="not_started"]').inner_text() == "1"
        screenshot(page, f"proctor-handed-in-{viewport}")
        # No horizontal scroll of the page itself on a phone: only the table scrolls.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        for made in contexts:
            made.close()
    assert not errors, errors
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "submitted" and attempt.score == 1
    assert (
        db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "attempt.handed_in_by_invigilator")
        )
        .details["reason"]
        .startswith("考生突发")
    )
    assert db.session.scalar(db.select(db.func.count(Enrolment.id))) == 2

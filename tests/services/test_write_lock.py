"""Long work reads without SQLite's write lock and writes in short transactions: every
statement is traced with the BEGIN that opened its transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from examsvc.extensions import db
from examsvc.models import Job, Question, Role
from examsvc.services import assembly, importing


@pytest.fixture
def backend() -> str:
    """SQLite's write lock is what these tests are about: they run on SQLite only."""
    return "sqlite"


@contextmanager
def traced() -> Iterator[list[tuple[str, str]]]:
    """(statement, the BEGIN of its transaction) for every statement run meanwhile."""
    seen: list[tuple[str, str]] = []
    opened = {"begin": ""}

    def record(_conn, _cursor, statement, *_args):
        text = " ".join(statement.split())
        if text.startswith("BEGIN"):
            opened["begin"] = text
        seen.append((text, opened["begin"]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def begins(seen: list[tuple[str, str]], *fragments: str) -> set[str]:
    """The BEGINs of the statements that contain every fragment."""
    found = {begin for text, begin in seen if all(f in text for f in fragments)}
    assert found, f"no statement with {fragments}"
    return found


def test_randomize_draws_without_the_write_lock_and_stores_in_one_transaction(scheduled):
    sitting, admin = scheduled(candidates=6)
    with traced() as seen:
        assembly.randomize(admin, sitting.id)
    assert begins(seen, "FROM questions", "exam_mask") == {"BEGIN"}  # the bank, read
    assert begins(seen, "INSERT INTO papers") == {"BEGIN IMMEDIATE"}
    assert begins(seen, "INSERT INTO paper_items") == {"BEGIN IMMEDIATE"}


def test_an_import_checks_without_the_write_lock_and_stages_in_short_transactions(app, make_user):
    examiner = make_user(Role.EXAMINER)
    rows = "".join(f"判断题,第{n}条：党员应当按期交纳党费并参加组织生活{n}。,对,党章党规\n"
                   for n in range(2500))  # fmt: skip
    with traced() as seen:
        report = importing.import_file(
            examiner, ("题型,题干,答案,知识点\n" + rows).encode(), fmt="csv", channel="public"
        )
    assert report.imported == 2500
    assert begins(seen, "FROM question_bands") == {"BEGIN"}  # the near-duplicate pass
    assert begins(seen, "FROM questions", "fingerprint IN") == {"BEGIN"}  # exact duplicates
    assert begins(seen, "INSERT INTO questions") == {"BEGIN IMMEDIATE"}
    writes = [b for text, b in seen if text.startswith("BEGIN IMMEDIATE")]
    assert len(writes) >= 3  # the chunks, then the one that makes the file visible
    assert begins(seen, "UPDATE questions SET status") == {"BEGIN IMMEDIATE"}


def test_a_dry_run_takes_no_write_lock(app, make_user):
    """Another writer holds SQLite's write lock the whole time: a dry run that wanted it would
    wait 15 s and fail with "database is locked"."""
    examiner = make_user(Role.EXAMINER)
    db.session.commit()
    locker = sqlite3.connect(db.engine.url.database, timeout=0.1, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        report = importing.import_file(examiner, CSV, fmt="csv", channel="public", dry_run=True)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert report.imported == 40 and not report.rejected
    assert count(Question) == 0 and count(Job) == 0


CSV = (
    "题型,题干,答案,知识点\n"
    + "".join(
        f"判断题,第{n}条：党员应当按期参加组织生活并开展批评{n}。,对,党章党规\n" for n in range(40)
    )
).encode()


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_the_result_page_closes_an_expired_attempt_despite_a_concurrent_write(
    app, open_sitting, monkeypatch
):
    """The candidate's browser was closed at the deadline and no sweep ran yet: the result
    page (a GET, so a deferred BEGIN) hands the attempt in. Another candidate's autosave
    commits after the page's first read: a write in that same read transaction would fail at
    once with "database is locked" (busy_timeout does not apply), a 500 for the candidate."""
    from datetime import timedelta

    from examsvc.models import Attempt, utcnow
    from examsvc.services import attempts
    from tests.conftest import log_in
    from tests.services.test_attempts import correct_response

    sitting, admin, (candidate,) = open_sitting(candidates=1)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    item = attempt.enrolment.paper.items[0]
    attempts.save_answers(candidate, attempt.id, {str(item.id): correct_response(None, item)}, 1)
    attempt.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    attempt_id, admin_id = attempt.id, admin.id
    client = log_in(app.test_client(), candidate)
    real, calls = attempts.own_attempt, []

    def own_attempt(user, attempt_id, *, lock=False):
        found = real(user, attempt_id, lock=lock)
        calls.append(lock)
        if len(calls) == 1:  # the page's read: another connection commits right after it
            other = sqlite3.connect(db.engine.url.database, timeout=15, isolation_level=None)
            other.execute("UPDATE users SET name = name || 'x' WHERE id = ?", (admin_id,))
            other.close()
        return found

    monkeypatch.setattr(attempts, "own_attempt", own_attempt)
    with traced() as seen:
        response = client.get(f"/exam/attempts/{attempt_id}")
    assert response.status_code == 200, response.status_code
    assert calls[0] is False  # the other write did come after the page's first read
    assert begins(seen, "UPDATE attempts SET status") == {"BEGIN IMMEDIATE"}
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt_id)
    assert (closed.status, closed.auto_submitted) == ("submitted", True)
    assert closed.score == item.points  # the answer saved before the deadline is scored

"""Taking an exam: start or resume, submit, close at the deadline.

Autosaves are in ``saving``, the scoring of a handed-in attempt in ``scores``; their public
names are this package's too (``attempts.save_answers``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import defaultload, joinedload, lazyload

from examsvc.extensions import db, writing
from examsvc.models import (
    Attempt,
    AttemptStatus,
    Blueprint,
    Enrolment,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import audit, extra_time
from examsvc.services.assembly import draw_late
from examsvc.services.attempts.saving import (
    MAX_SEQ,
    SHAPE_CACHE_SIZE,
    AttemptClosed,
    ItemShape,
    SaveResult,
    paper_shape,
    save_answers,
)
from examsvc.services.attempts.scores import original_labels, score
from examsvc.services.errors import Conflict, NotFound

__all__ = [
    "MAX_SEQ", "SHAPE_CACHE_SIZE", "AttemptClosed", "ItemShape", "SaveResult", "TimeLeft",
    "close_expired", "close_if_over", "close_time", "ensure_open", "finalize_expired", "hand_in",
    "original_labels", "own_attempt", "paper_shape", "save_answers", "settled",
    "start_or_resume", "submit",
]  # fmt: skip


#: An attempt's row brings its enrolment, sitting and blueprint (lazy="joined"), but not
#: the blueprint's rows nor the user: one query.
_ATTEMPT_ONLY = (
    defaultload(Attempt.enrolment).lazyload(Enrolment.user),
    defaultload(Attempt.enrolment)
    .defaultload(Enrolment.sitting)
    .defaultload(Sitting.blueprint)
    .lazyload(Blueprint.rows),
)


def own_attempt(user: User, attempt_id: int, *, lock: bool = False) -> Attempt:
    """The caller's attempt; ``lock`` row-locks it on PostgreSQL (SQLite holds its write lock)."""
    query = (
        db.select(Attempt)
        .join(Enrolment)
        .where(Attempt.id == attempt_id, Enrolment.user_id == user.id)
        .options(*_ATTEMPT_ONLY)
    )
    attempt = db.session.scalar(query.with_for_update(of=Attempt) if lock else query)
    if attempt is None:
        raise NotFound(_("no such attempt"))
    return attempt


def _enrolment(user: User, sitting_id: int) -> tuple[Enrolment, Attempt | None]:
    """The caller's enrolment (row-locked) and its attempt, in one query.

    The same row brings the sitting, its blueprint and the paper (what the attempt's
    payload needs: papers.attempt_payload), not the blueprint's rows nor the user (the
    caller's, already loaded).
    """
    row = db.session.execute(
        db.select(Enrolment, Attempt)
        .outerjoin(Attempt, Attempt.enrolment_id == Enrolment.id)
        .where(Enrolment.sitting_id == sitting_id, Enrolment.user_id == user.id)
        .options(
            lazyload(Enrolment.user),
            joinedload(Enrolment.paper),
            defaultload(Enrolment.sitting).defaultload(Sitting.blueprint).lazyload(Blueprint.rows),
            lazyload(Attempt.enrolment),
        )
        .with_for_update(of=Enrolment)
    ).first()
    if row is None:
        raise NotFound(_("you are not enrolled in this sitting"), code="not_enrolled")
    return row.Enrolment, row.Attempt


def close_time(attempt: Attempt) -> datetime:
    """After this instant the server takes no more answers for the attempt."""
    return attempt.deadline + timedelta(seconds=attempt.enrolment.sitting.grace_seconds)


def start_or_resume(user: User, sitting_id: int, now: datetime | None = None) -> Attempt:
    """Open the candidate's attempt at the sitting, or return the one in progress."""
    now = now or utcnow()
    enrolment, attempt = _enrolment(user, sitting_id)
    if attempt is not None:
        if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
            _finalize(attempt, None)
            db.session.commit()
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise AttemptClosed(_("this attempt has been submitted"))
        return attempt
    sitting = enrolment.sitting
    if sitting.results_published_at is not None:
        raise Conflict(
            _("the results of this sitting are published: the exam can no longer be taken"),
            code="results_published",
        )
    state = sitting.state(now)
    if state != "open":
        message = (
            _("the sitting has not opened yet")
            if state == "scheduled"
            else _("the sitting has closed")
        )
        raise Conflict(message, code=f"sitting_{state}")
    if enrolment.paper is None:
        draw_late(enrolment)  # nobody drew papers for this sitting ahead: draw now
    # duration plus the candidate's extra time (the ledger), never after the sitting closes
    deadline = extra_time.deadline(sitting, now, extra_time.minutes_of(enrolment.id))
    attempt = Attempt(enrolment=enrolment, started_at=now, deadline=deadline)
    db.session.add(attempt)
    audit.record(
        user, "attempt.started", attempt, sitting=sitting.id, deadline=deadline.isoformat()
    )
    _commit_keeping_loaded()
    return attempt


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: the new attempt, its enrolment,
    sitting, blueprint and paper were just read or written under the enrolment's row lock,
    and the start's payload reads them next (expired, they would be read again, one query
    each, for every candidate starting at the bell)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def ensure_open(attempt: Attempt, now: datetime) -> None:
    """Raise AttemptClosed unless the attempt takes answers; one whose time is over is
    closed (and scored) first, in a commit of its own."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed(_("the attempt has been submitted"))
    if now > close_time(attempt):
        _finalize(attempt, None)
        db.session.commit()
        raise AttemptClosed(_("the time for this attempt is over"))


class TimeLeft(Conflict):
    """A hand-in the page made because *its* clock ran out, while the server's deadline is
    still ahead (an extension the page had not heard of yet): the page carries on."""

    def __init__(self, deadline: datetime):
        super().__init__(_("there is time left: the deadline has moved"), code="time_left")
        self.deadline = deadline


def submit(
    user: User, attempt_id: int, now: datetime | None = None, *, time_up: bool = False
) -> Attempt:
    """Hand in the attempt; submitting again returns the first submission.

    ``time_up``: the page hands in because its countdown ended. Time is the server's: while
    the deadline (extensions included) is still ahead this raises TimeLeft and changes
    nothing."""
    now = now or utcnow()
    attempt = own_attempt(user, attempt_id, lock=True)
    if time_up and attempt.status == AttemptStatus.IN_PROGRESS and now < attempt.deadline:
        db.session.rollback()
        raise TimeLeft(attempt.deadline)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        _finalize(attempt, now if now <= close_time(attempt) else None)
        if not attempt.auto_submitted:
            audit.record(user, "attempt.submitted", attempt, score=attempt.score)
        _commit_keeping_loaded()  # the answer to the hand-in reads the attempt just written
    return attempt


def hand_in(attempt: Attempt, now: datetime) -> None:
    """Close and score an attempt in progress at ``now`` (flush only; the caller audits why)."""
    _finalize(attempt, now if now <= close_time(attempt) else None)


def settled(user: User, attempt_id: int, now: datetime | None = None) -> Attempt:
    """The caller's attempt, closed first if its time is over (as the sweep would close it).

    Closing is a short write transaction of its own, begun after the caller's ends: a page
    (a GET) reads in a deferred SQLite transaction, which can no longer write once another
    connection has committed since its first read ("database is locked" at once).
    """
    now = now or utcnow()
    attempt = own_attempt(user, attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
        db.session.commit()  # nothing written yet: this ends the read
        with writing():  # re-read under the lock (a sweep may have closed it), then close
            return submit(user, attempt_id, now)
    return attempt


#: Attempts closed and scored per transaction: the write lock is held for one batch only.
CLOSE_BATCH = 50


def close_expired(now: datetime | None = None, sitting_id: int | None = None) -> int:
    """Submit every attempt whose time is over, browser closed or not; returns how many.

    Works in short transactions of CLOSE_BATCH attempts, so candidates still saving answers
    (and logging in) never wait behind a sweep of a whole sitting.
    """
    now = now or utcnow()
    closed, after_id = 0, 0
    while True:
        batch_closed, after_id, seen = _finalize_batch(now, sitting_id, after_id, CLOSE_BATCH)
        db.session.commit()
        closed += batch_closed
        if seen < CLOSE_BATCH:
            return closed


def finalize_expired(now: datetime, sitting_id: int | None = None) -> int:
    """Close the attempts whose time is over (flush only), of one sitting or of all."""
    return _finalize_batch(now, sitting_id, 0, None)[0]


def _finalize_batch(
    now: datetime, sitting_id: int | None, after_id: int, limit: int | None
) -> tuple[int, int, int]:
    """Close expired attempts with ids above ``after_id``: (closed, last id seen, seen)."""
    query = (
        db.select(Attempt)
        .where(
            Attempt.status == AttemptStatus.IN_PROGRESS.value,
            Attempt.deadline < now,
            Attempt.id > after_id,
        )
        .order_by(Attempt.id)
        .limit(limit)
    )
    if sitting_id is not None:
        query = query.join(Enrolment).where(Enrolment.sitting_id == sitting_id)
    closed = seen = 0
    for attempt in db.session.scalars(query.with_for_update(of=Attempt)).all():
        seen += 1
        after_id = attempt.id
        if now > close_time(attempt):
            _finalize(attempt, None)
            closed += 1
    return closed, after_id, seen


def close_if_over(attempt: Attempt, now: datetime) -> bool:
    """Close and score an attempt in progress whose time is over, as the sweep would (flush
    only); True when it was closed."""
    if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
        _finalize(attempt, None)
        return True
    return False


def _finalize(attempt: Attempt, submitted_at: datetime | None) -> None:
    """Close and score the attempt; None means the server closed it at its deadline."""
    attempt.status = AttemptStatus.SUBMITTED.value
    attempt.auto_submitted = submitted_at is None
    attempt.submitted_at = submitted_at or attempt.deadline
    score(attempt)
    if attempt.auto_submitted:
        audit.record(None, "attempt.auto_submitted", attempt, score=attempt.score)

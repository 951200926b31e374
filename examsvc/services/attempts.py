"""Taking an exam: start or resume, autosave, submit, close at the deadline, score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import Answer, Attempt, AttemptStatus, Enrolment, PaperItem, User, utcnow
from examsvc.services import audit, extra_time
from examsvc.services.assembly import draw_late
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank.errors import InvalidResponse
from question_bank.model import OPTION_LABELS, QuestionType
from question_bank.scoring import (
    MultipleRule,
    check_response,
    passes,
    score_response,
    total_score,
)

MAX_SEQ = 2**62


class AttemptClosed(Conflict):
    code = "attempt_closed"


@dataclass
class SaveResult:
    saved: int
    stale: int
    deadline: datetime


def own_attempt(user: User, attempt_id: int, *, lock: bool = False) -> Attempt:
    """The caller's attempt; ``lock`` row-locks it on PostgreSQL (SQLite holds its write lock)."""
    query = (
        db.select(Attempt)
        .join(Enrolment)
        .where(Attempt.id == attempt_id, Enrolment.user_id == user.id)
    )
    attempt = db.session.scalar(query.with_for_update(of=Attempt) if lock else query)
    if attempt is None:
        raise NotFound(_("no such attempt"))
    return attempt


def _enrolment(user: User, sitting_id: int) -> Enrolment:
    enrolment = db.session.scalar(
        db.select(Enrolment)
        .where(Enrolment.sitting_id == sitting_id, Enrolment.user_id == user.id)
        .with_for_update(of=Enrolment)
    )
    if enrolment is None:
        raise NotFound(_("you are not enrolled in this sitting"), code="not_enrolled")
    return enrolment


def close_time(attempt: Attempt) -> datetime:
    """After this instant the server takes no more answers for the attempt."""
    return attempt.deadline + timedelta(seconds=attempt.enrolment.sitting.grace_seconds)


def start_or_resume(user: User, sitting_id: int, now: datetime | None = None) -> Attempt:
    """Open the candidate's attempt at the sitting, or return the one in progress."""
    now = now or utcnow()
    enrolment = _enrolment(user, sitting_id)
    attempt = db.session.scalar(db.select(Attempt).where(Attempt.enrolment_id == enrolment.id))
    if attempt is not None:
        if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
            _finalize(attempt, None)
            db.session.commit()
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise AttemptClosed(_("this attempt has been submitted"))
        return attempt
    sitting = enrolment.sitting
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
    db.session.commit()
    return attempt


def _items_by_id(attempt: Attempt) -> dict[int, PaperItem]:
    return {item.id: item for item in attempt.enrolment.paper.items}


def _blanks(item: PaperItem) -> int:
    return item.content.to_domain().blank_count()


def save_answers(
    user: User, attempt_id: int, answers: object, seq: object, now: datetime | None = None
) -> SaveResult:
    """Store answers unless a later save (higher seq) already wrote them."""
    now = now or utcnow()
    if not isinstance(answers, dict):
        raise BadInput(
            _("answers must be an object of item id to response"), code="invalid_answers"
        )
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < MAX_SEQ:
        raise BadInput(_("seq must be a non-negative whole number"), code="invalid_seq")
    attempt = own_attempt(user, attempt_id, lock=True)
    _ensure_open(attempt, now)
    items = _items_by_id(attempt)
    checked = _check_answers(items, answers)
    existing = {
        a.paper_item_id: a
        for a in db.session.scalars(db.select(Answer).where(Answer.attempt_id == attempt.id))
    }
    saved = stale = 0
    for item_id, response in checked.items():
        answer = existing.get(item_id)
        if answer is None:
            db.session.add(
                Answer(
                    attempt_id=attempt.id,
                    paper_item_id=item_id,
                    response=response,
                    seq=seq,
                    saved_at=now,
                )
            )
        elif answer.seq >= seq:  # a retry or a late request: what is stored stands
            stale += 1
            continue
        else:
            answer.response, answer.seq, answer.saved_at = response, seq, now
        saved += 1
    deadline = attempt.deadline  # read before the commit expires it: no second transaction
    db.session.commit()
    return SaveResult(saved=saved, stale=stale, deadline=deadline)


def _ensure_open(attempt: Attempt, now: datetime) -> None:
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed(_("the attempt has been submitted"))
    if now > close_time(attempt):
        _finalize(attempt, None)
        db.session.commit()
        raise AttemptClosed(_("the time for this attempt is over"))


def _check_answers(items: dict[int, PaperItem], answers: dict) -> dict[int, object]:
    checked: dict[int, object] = {}
    for raw_id, response in answers.items():
        # A few ASCII digits: str.isdigit() also accepts "²" and "①", which int() refuses.
        digits = str(raw_id)
        readable = digits.isascii() and digits.isdigit() and len(digits) <= 10
        item = items.get(int(digits)) if readable else None
        if item is None:
            raise BadInput(
                _("item %(item)s is not on this paper", item=digits[:40]), code="unknown_item"
            )
        qtype = QuestionType(item.content.type)
        try:
            checked[item.id] = check_response(
                qtype, response, len(item.option_order), _blanks(item)
            )
        except InvalidResponse as exc:
            problem = translate(exc.args[0]) if exc.args else ""
            raise BadInput(
                _("item %(item)s: %(problem)s", item=raw_id, problem=problem),
                code="invalid_response",
            ) from None
    return checked


def submit(user: User, attempt_id: int, now: datetime | None = None) -> Attempt:
    """Hand in the attempt; submitting again returns the first submission."""
    now = now or utcnow()
    attempt = own_attempt(user, attempt_id, lock=True)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        _finalize(attempt, now if now <= close_time(attempt) else None)
        if not attempt.auto_submitted:
            audit.record(user, "attempt.submitted", attempt, score=attempt.score)
        db.session.commit()
    return attempt


def settled(user: User, attempt_id: int, now: datetime | None = None) -> Attempt:
    """The caller's attempt, closed first if its time is over (as the sweep would close it)."""
    now = now or utcnow()
    attempt = own_attempt(user, attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
        db.session.expire(attempt)  # re-read under the lock: a sweep may have closed it
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


def _finalize(attempt: Attempt, submitted_at: datetime | None) -> None:
    """Close and score the attempt; None means the server closed it at its deadline."""
    attempt.status = AttemptStatus.SUBMITTED.value
    attempt.auto_submitted = submitted_at is None
    attempt.submitted_at = submitted_at or attempt.deadline
    _score(attempt)
    if attempt.auto_submitted:
        audit.record(None, "attempt.auto_submitted", attempt, score=attempt.score)


def original_labels(item: PaperItem, response: object) -> object:
    """Map display labels (after the option shuffle) back to the question's own labels."""
    order = item.option_order
    if isinstance(response, str) and item.content.type == QuestionType.SINGLE:
        return OPTION_LABELS[order[OPTION_LABELS.index(response)]]
    if isinstance(response, list) and item.content.type == QuestionType.MULTIPLE:
        return sorted(OPTION_LABELS[order[OPTION_LABELS.index(r)]] for r in response)
    return response


def _score(attempt: Attempt) -> None:
    blueprint = attempt.enrolment.sitting.blueprint
    rule = MultipleRule(blueprint.multiple_rule)
    answers = {
        a.paper_item_id: a
        for a in db.session.scalars(db.select(Answer).where(Answer.attempt_id == attempt.id))
    }
    earned: list[float] = []
    pending = False
    for item in attempt.enrolment.paper.items:
        domain = item.content.to_domain()
        answer = answers.get(item.id)
        response = original_labels(item, answer.response) if answer else None
        points = score_response(domain.type, domain.key, response, item.points, rule)
        if points is None:
            pending = True
            continue
        earned.append(points)
        if answer is not None:
            answer.points = points
    attempt.score = total_score(earned)
    attempt.max_score = total_score(item.points for item in attempt.enrolment.paper.items)
    attempt.is_passed = None if pending else passes(attempt.score, blueprint.pass_mark)
    attempt.scored_at = utcnow()

"""The extra-time ledger: minutes granted to one candidate, with the reason and who approved.

A candidate's deadline is start + duration + the sum of their entries, never after the
sitting closes. An entry moves the deadline of an attempt in progress at once (the exam page
and the API read the attempt's stored deadline); an attempt started later gets it at start.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func

from examsvc.extensions import db
from examsvc.models import (
    Attempt,
    AttemptStatus,
    Enrolment,
    Sitting,
    TimeExtension,
    User,
    utcnow,
)
from examsvc.services import attempts, audit, identity
from examsvc.services.errors import BadInput, Conflict, NotFound

MAX_MINUTES = 600
MAX_REASON = 500


def deadline(sitting: Sitting, started_at: datetime, extra_minutes: int) -> datetime:
    """When an attempt started at ``started_at`` ends: duration plus extra time, capped by
    the sitting's close."""
    end = started_at + timedelta(minutes=sitting.blueprint.duration_minutes + extra_minutes)
    return min(end, sitting.closes_at)


def minutes_of(enrolment_id: int) -> int:
    """The extra minutes granted to one enrolment."""
    total = db.session.scalar(
        db.select(func.coalesce(func.sum(TimeExtension.minutes), 0)).where(
            TimeExtension.enrolment_id == enrolment_id
        )
    )
    return int(total or 0)


def ledgers(enrolment_ids: Sequence[int]) -> dict[int, list[TimeExtension]]:
    """The ledger entries of these enrolments, oldest first."""
    if not enrolment_ids:
        return {}
    found: dict[int, list[TimeExtension]] = {}
    for entry in db.session.scalars(
        db.select(TimeExtension)
        .where(TimeExtension.enrolment_id.in_(list(enrolment_ids)))
        .order_by(TimeExtension.id)
    ):
        found.setdefault(entry.enrolment_id, []).append(entry)
    return found


def _check(minutes: object, reason: str) -> tuple[int, str]:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise BadInput(_("the extra time must be a whole number of minutes"), code="bad_minutes")
    if not 1 <= minutes <= MAX_MINUTES:
        raise BadInput(
            _("the extra time must be 1 to %(max)s minutes", max=MAX_MINUTES), code="bad_minutes"
        )
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("give the reason for the extra time"), code="reason_required")
    if len(reason) > MAX_REASON:
        raise BadInput(
            _("the reason may be at most %(max)s characters", max=MAX_REASON), code="bad_reason"
        )
    return minutes, reason


def grant(
    admin: User, sitting_id: int, enrolment_id: int, minutes: object, reason: str
) -> Attempt | None:
    """Add a ledger entry; an attempt in progress gets its new deadline at once (returned).

    An attempt whose time is already over (not yet closed by the sweep) is closed and scored
    instead, and the grant refused: extra time never reopens a finished exam. ID numbers in
    the reason are masked, as everywhere else a reason is kept."""
    minutes, reason = _check(minutes, reason)
    reason = identity.mask_text(reason)
    enrolment = db.session.scalar(
        db.select(Enrolment).where(Enrolment.id == enrolment_id).with_for_update(of=Enrolment)
    )
    if enrolment is None or enrolment.sitting_id != sitting_id:
        raise NotFound(_("no such candidate in this sitting"), code="unknown_enrolment")
    sitting = enrolment.sitting
    if sitting.state(utcnow()) == "closed":
        raise Conflict(_("the sitting has closed"), code="sitting_closed")
    attempt = db.session.scalar(
        db.select(Attempt)
        .where(Attempt.enrolment_id == enrolment.id)
        .order_by(Attempt.number.desc())
        .with_for_update(of=Attempt)
    )
    if attempt is not None and attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict(_("the candidate has already handed in"), code="attempt_submitted")
    if attempt is not None and attempts.close_if_over(attempt, utcnow()):
        db.session.commit()
        raise Conflict(
            _("the candidate's time is already over: the exam has been handed in and can no "
              "longer be extended"),
            code="time_over",
        )  # fmt: skip
    entry = TimeExtension(
        enrolment_id=enrolment.id, minutes=minutes, reason=reason, approved_by_id=admin.id
    )
    db.session.add(entry)
    db.session.flush()
    moved = None
    if attempt is not None:
        previous = attempt.deadline
        attempt.deadline = deadline(sitting, attempt.started_at, minutes_of(enrolment.id))
        moved = (previous.isoformat(), attempt.deadline.isoformat())
    audit.record(
        admin, "enrolment.time_extended", enrolment, sitting=sitting.id,
        admission_no=enrolment.admission_no, user=enrolment.user_id, minutes=minutes,
        reason=reason, total_minutes=minutes_of(enrolment.id),
        previous_deadline=moved[0] if moved else None, deadline=moved[1] if moved else None,
    )  # fmt: skip
    db.session.commit()
    return attempt

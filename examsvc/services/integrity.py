"""Integrity events: what the exam page saw (focus lost, copy, paste, offline), kept as
evidence, and the one consequence a sitting may configure: hand in at a focus-loss limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from examsvc.extensions import db
from examsvc.models import Attempt, AttemptEvent, AttemptStatus, User, utcnow
from examsvc.services import attempts, audit
from examsvc.services.errors import BadInput, NotFound

#: What the page may report (DESIGN.md §4); ``blur`` is a focus loss.
EVENT_TYPES = ("blur", "focus", "fullscreen_exit", "copy", "paste", "offline", "online")
FOCUS_LOSS = "blur"
#: Recorded by the server when it hands an attempt in at the focus-loss limit.
LIMIT_REACHED = "limit_reached"
MAX_BATCH = 100
#: Past this many events an attempt stores only focus losses: a page that floods the
#: server with copy events cannot fill the disk, and the limit still counts every loss.
MAX_STORED = 2000
MAX_CLIENT_AT = 40


class TooManyEvents(BadInput):
    status = 413
    code = "too_many_events"


@dataclass(frozen=True)
class EventsResult:
    accepted: int
    focus_losses: int
    limit: int | None
    handed_in: bool

    def as_json(self) -> dict:
        return {
            "accepted": self.accepted,
            "focus_losses": self.focus_losses,
            "limit": self.limit,
            "handed_in": self.handed_in,
        }


def _checked(events: object) -> list[tuple[str, str]]:
    """(type, client time) of every event, or BadInput naming the first bad one."""
    if not isinstance(events, list):
        raise BadInput(_("events must be a list"), code="invalid_events")
    if len(events) > MAX_BATCH:
        raise TooManyEvents(_("at most %(n)s events per request", n=MAX_BATCH))
    checked = []
    for number, event in enumerate(events, start=1):
        kind = event.get("type") if isinstance(event, dict) else None
        at = event.get("at") if isinstance(event, dict) else None
        if not isinstance(kind, str) or kind not in EVENT_TYPES:
            raise BadInput(_("event %(n)s: unknown type", n=number), code="invalid_event_type")
        if not isinstance(at, str) or not _is_iso_time(at):
            raise BadInput(
                _("event %(n)s: at must be an ISO 8601 time", n=number), code="invalid_event_time"
            )
        checked.append((kind, at))
    return checked


def _is_iso_time(text: str) -> bool:
    if not 10 <= len(text) <= MAX_CLIENT_AT or not text.isascii():
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def focus_losses(attempt_id: int) -> int:
    return db.session.scalar(
        db.select(func.count(AttemptEvent.id)).where(
            AttemptEvent.attempt_id == attempt_id, AttemptEvent.type == FOCUS_LOSS
        )
    )


def _stored(attempt_id: int) -> int:
    return db.session.scalar(
        db.select(func.count(AttemptEvent.id)).where(AttemptEvent.attempt_id == attempt_id)
    )


def _insert(attempt_id: int, kind: str, at: str, now: datetime) -> bool:
    """Store one event unless the same one is stored (a batch sent again); True if new."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(AttemptEvent)
        .values(attempt_id=attempt_id, type=kind, client_at=at, recorded_at=now)
        .on_conflict_do_nothing(
            index_elements=[AttemptEvent.attempt_id, AttemptEvent.type, AttemptEvent.client_at]
        )
        .returning(AttemptEvent.id)
    )
    return db.session.execute(statement).first() is not None


def record(
    user: User, attempt_id: int, events: object, now: datetime | None = None
) -> EventsResult:
    """Store what the caller's page reports; hand the attempt in at the sitting's limit."""
    now = now or utcnow()
    checked = _checked(events)
    attempt = attempts.settled(user, attempt_id, now)  # closed first if its time is over
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise attempts.AttemptClosed(_("the attempt has been submitted"))
    room = MAX_STORED - _stored(attempt.id)
    accepted = 0
    for kind, at in checked:
        if room <= accepted and kind != FOCUS_LOSS:
            continue
        accepted += _insert(attempt.id, kind, at, now)
    limit = attempt.enrolment.sitting.focus_loss_limit
    losses = focus_losses(attempt.id)
    handed_in = False
    if limit is not None and losses >= limit:
        handed_in = _hand_in_at_limit(user, attempt_id, losses, limit, now)
    db.session.commit()
    return EventsResult(accepted, losses, limit, handed_in)


def _hand_in_at_limit(user: User, attempt_id: int, losses: int, limit: int, now) -> bool:
    attempt = attempts.own_attempt(user, attempt_id, lock=True)
    db.session.refresh(attempt)  # a hand-in may have landed since it was read
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return False
    attempts.hand_in(attempt, now)
    _insert(attempt.id, LIMIT_REACHED, now.isoformat(), now)
    audit.record(
        None,
        "attempt.focus_limit_reached",
        attempt,
        reason="focus_loss_limit",
        focus_losses=losses,
        limit=limit,
        score=attempt.score,
    )
    return True


def state(attempt: Attempt) -> dict:
    """The focus-loss figures the exam page shows when it loads."""
    return {
        "focus_losses": focus_losses(attempt.id),
        "focus_loss_limit": attempt.enrolment.sitting.focus_loss_limit,
    }


def handed_in_at_limit(attempt_id: int) -> bool:
    """Whether the server handed the attempt in because of the focus-loss limit."""
    return (
        db.session.scalar(
            db.select(AttemptEvent.id).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.type == LIMIT_REACHED
            )
        )
        is not None
    )


@dataclass(frozen=True)
class EventCount:
    type: str
    count: int


def attempt_events(attempt_id: int) -> tuple[Attempt, list[AttemptEvent], list[EventCount]]:
    """An attempt, its events in the order they arrived and a count per type (for admins)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound(_("no such attempt"))
    events = list(
        db.session.scalars(
            db.select(AttemptEvent)
            .where(AttemptEvent.attempt_id == attempt_id)
            .order_by(AttemptEvent.id)
        )
    )
    counts: dict[str, int] = {}
    for event in events:
        counts[event.type] = counts.get(event.type, 0) + 1
    return attempt, events, [EventCount(t, n) for t, n in counts.items()]

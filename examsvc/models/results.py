"""Results after publication: the notice calendar's added days, appeals and objections."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.base import NO_VALUE

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.exams import Attempt, Enrolment, Sitting
from examsvc.models.types import UTCDateTime, utcnow


class CalendarDay(db.Model):
    """A day an admin adds to the official calendar: a holiday (not worked) or a working day
    (调休 the ``holidays`` package does not know yet). The notice period counts with them."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User] = relationship(lazy="joined")


class DisputeKind(enum.StrEnum):
    APPEAL = "appeal"  #: 复核: the candidate asks for a re-check of their own result
    OBJECTION = "objection"  #: 异议: someone objects to a result on the public notice


class DisputeState(enum.StrEnum):
    OPEN = "open"
    REMARKING = "remarking"  #: sent back for marking; still open
    CORRECTED = "corrected"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        return self in (DisputeState.OPEN, DisputeState.REMARKING)


#: The only state changes a dispute may make.
DISPUTE_TRANSITIONS = {
    DisputeState.OPEN: {DisputeState.REMARKING, DisputeState.CORRECTED, DisputeState.REJECTED},
    DisputeState.REMARKING: {DisputeState.CORRECTED, DisputeState.REJECTED},
    DisputeState.CORRECTED: set(),
    DisputeState.REJECTED: set(),
}
OPEN_DISPUTE_STATES = [s.value for s in DisputeState if s.is_open]


class Dispute(db.Model):
    """An appeal (复核) or objection (异议) against one published result, and its outcome."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    state: Mapped[str] = mapped_column(String(16), default=DisputeState.OPEN.value)
    #: What the admin decided, shown to whoever raised it.
    outcome: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    score_before: Mapped[float | None]
    score_after: Mapped[float | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    attempt: Mapped[Attempt] = relationship(lazy="joined")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id], lazy="joined")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    def move_to(self, state: DisputeState) -> None:
        """Change state; raises ValueError for a change DISPUTE_TRANSITIONS does not allow."""
        if state not in DISPUTE_TRANSITIONS[DisputeState(self.state)]:
            raise ValueError(f"a dispute cannot go from {self.state} to {state}")
        self.state = state.value


def resit_depth(connection, sitting_id: int) -> int:
    """1 for an original sitting, 2 for its resit, 3 for a resit of that resit…"""
    depth = 1
    seen = {sitting_id}
    current = connection.scalar(select(Sitting.resit_of_id).where(Sitting.id == sitting_id))
    while current is not None and current not in seen:
        seen.add(current)
        depth += 1
        current = connection.scalar(select(Sitting.resit_of_id).where(Sitting.id == current))
    return depth


def _loaded(obj, relationship: str):
    """A relationship's value when already loaded, without loading it; else None."""
    if obj is None:
        return None
    value = inspect(obj).attrs[relationship].loaded_value
    return None if value is NO_VALUE else value


@event.listens_for(Attempt, "before_insert")
def _number_resit_attempts(mapper, connection, attempt: Attempt) -> None:
    """An attempt at a resit sitting is the candidate's second (or later) at the exam,
    however the attempt is created (the exam API, a test, the demo)."""
    if attempt.number not in (None, 1):
        return
    sitting = _loaded(_loaded(attempt, "enrolment"), "sitting")
    if sitting is not None and "resit_of_id" in sitting.__dict__ and sitting.resit_of_id is None:
        attempt.number = 1  # the sitting in hand (start_or_resume's) is no resit: no query
        return
    sitting_id = connection.scalar(
        select(Enrolment.sitting_id).where(Enrolment.id == attempt.enrolment_id)
    )
    if sitting_id is not None:
        attempt.number = resit_depth(connection, sitting_id)

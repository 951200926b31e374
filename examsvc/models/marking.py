"""Marking subjective answers, per-area scores, stored item analyses and measured facility."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.types import UTCDateTime, utcnow


class MarkingPlan(db.Model):
    """How a sitting's subjective answers are marked (one row per sitting; none: the defaults)."""

    __tablename__ = "marking_plans"

    sitting_id: Mapped[int] = mapped_column(
        ForeignKey("sittings.id", ondelete="CASCADE"), primary_key=True
    )
    #: Two independent marks per answer; a third marker reconciles beyond the tolerance.
    is_double: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    #: Points two marks may differ by and still count as agreeing (their mean is taken).
    tolerance: Mapped[float] = mapped_column(default=2.0, server_default="2.0")
    #: A marker never gets the answers of candidates of their own organisation.
    exclude_own_org: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Mark(db.Model):
    """One examiner's mark of one answer, criterion by criterion.

    ``round`` 1 and 2 are independent marks (2 only with double marking), 3 reconciles two
    marks that differ beyond the tolerance. A mark is never changed; re-marking (an appeal)
    voids the answer's marks (``void_key`` becomes the mark's id) and marking starts again.
    """

    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("answer_id", "round", "void_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    round: Mapped[int]
    #: Points given for each rubric criterion, in rubric order.
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    #: Σ criteria, capped at the item's points.
    points: Mapped[float]
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: 0 while the mark counts; the mark's own id once voided.
    void_key: Mapped[int] = mapped_column(default=0, server_default="0")

    marker: Mapped[User] = relationship(lazy="joined")


class AttemptAreaScore(db.Model):
    """An attempt's score per knowledge area, written by bulk scoring with its total."""

    __tablename__ = "attempt_area_scores"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    #: {area: points}, each cut to the hundredth like the total.
    areas: Mapped[dict] = mapped_column(JSON, default=dict)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ItemAnalysis(db.Model):
    """The item analysis of a sitting as last computed (question_bank.statistics)."""

    __tablename__ = "item_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(
        ForeignKey("sittings.id", ondelete="CASCADE"), unique=True
    )
    candidates: Mapped[int]
    #: {"test": {...}, "totals": [...], "items": [{question_id, version, facility, …}]}
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ItemFlag(db.Model):
    """A question the statistics of a sitting sent back to review, with the evidence."""

    __tablename__ = "item_flags"
    __table_args__ = (UniqueConstraint("question_id", "sitting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id", ondelete="CASCADE"))
    question_version: Mapped[int]
    #: DESIGN.md §4 flag codes.
    flags: Mapped[list] = mapped_column(JSON, default=list)
    suggest: Mapped[str | None] = mapped_column(String(8))
    #: The item's statistics when flagged (the row of the sitting's analysis).
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(String(500), default="", server_default="")


class QuestionFacility(db.Model):
    """A question's facility measured on enough candidates; paper assembly prefers it to the
    1–5 rating."""

    __tablename__ = "question_facilities"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    facility: Mapped[float]
    candidates: Mapped[int]
    sitting_id: Mapped[int | None] = mapped_column(ForeignKey("sittings.id", ondelete="SET NULL"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

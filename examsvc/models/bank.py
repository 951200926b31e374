"""Questions in the bank and their review state."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.types import UTCDateTime, utcnow
from question_bank.model import Question as DomainQuestion
from question_bank.model import QuestionType


class QuestionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"
    RETIRED = "retired"


#: The one place the review transitions are allowed.
TRANSITIONS: dict[QuestionStatus, set[QuestionStatus]] = {
    QuestionStatus.SUBMITTED: {
        QuestionStatus.IN_REVIEW,
        QuestionStatus.APPROVED,
        QuestionStatus.RETURNED,
        QuestionStatus.REJECTED,
    },
    QuestionStatus.IN_REVIEW: {
        QuestionStatus.APPROVED,
        QuestionStatus.RETURNED,
        QuestionStatus.REJECTED,
    },
    QuestionStatus.RETURNED: {QuestionStatus.SUBMITTED},
    QuestionStatus.APPROVED: {QuestionStatus.RETIRED},
    QuestionStatus.REJECTED: set(),
    QuestionStatus.RETIRED: set(),
}


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_pool", "status", "type", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(32))
    point: Mapped[str] = mapped_column(String(100), default="", server_default="")
    difficulty: Mapped[int] = mapped_column(default=3, server_default="3")
    stem: Mapped[str] = mapped_column(Text)
    #: Option texts in their original order; labels A, B, … are positions.
    options: Mapped[list] = mapped_column(JSON, default=list)
    #: The key as question_bank.model.Question holds it (JSON form).
    key: Mapped[object] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="", server_default="")
    source: Mapped[str] = mapped_column(String(500), default="", server_default="")
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.SUBMITTED.value)
    #: Bumped whenever approved content changes; papers record the version they used.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    contributor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contributor: Mapped[User] = relationship(foreign_keys=[contributor_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def qtype(self) -> QuestionType:
        return QuestionType(self.type)

    def to_domain(self) -> DomainQuestion:
        key = self.key
        if self.type == QuestionType.MULTIPLE:
            key = tuple(key)
        elif self.type == QuestionType.FILL:
            key = tuple(tuple(k) for k in key)
        return DomainQuestion(
            type=self.qtype,
            area=self.area,
            stem=self.stem,
            options=tuple(self.options or ()),
            key=key,
            explanation=self.explanation,
            difficulty=self.difficulty,
            point=self.point,
            source=self.source,
        )

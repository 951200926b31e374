"""Questions in the bank and their review state."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.types import UTCDateTime, utcnow
from question_bank.model import EXAMS, QuestionType, exam_mask, exams_of_mask
from question_bank.model import Question as DomainQuestion

ALL_EXAMS = exam_mask(frozenset(EXAMS))


class QuestionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"
    RETIRED = "retired"
    #: Written by an import still running: seen by nothing until the import makes the whole
    #: file visible at once (services/staging.py), or removed when it fails.
    STAGED = "staged"


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
    # A new version of a question that needs two examiners waits for the second one.
    QuestionStatus.APPROVED: {QuestionStatus.RETIRED, QuestionStatus.IN_REVIEW},
    QuestionStatus.REJECTED: set(),
    QuestionStatus.RETIRED: set(),
    QuestionStatus.STAGED: set(),  # only an import's publish step moves it (in bulk)
}


class QuestionContent:
    """The columns that make up a question's content, shared by a question and its versions."""

    type: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(32))
    point: Mapped[str] = mapped_column(String(100), default="", server_default="")
    difficulty: Mapped[int] = mapped_column(default=3, server_default="3")
    stem: Mapped[str] = mapped_column(Text)
    #: Option texts in their original order; labels A, B, … are positions.
    options: Mapped[list] = mapped_column(JSON, default=list)
    #: The key as question_bank.model.Question holds it (JSON form).
    key: Mapped[object] = mapped_column(JSON)
    #: Marking rubric of a short-answer question: [[criterion, points], …].
    rubric: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="", server_default="")
    source: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: The exams it may serve, as question_bank.model.exam_mask bits.
    exam_mask: Mapped[int] = mapped_column(default=ALL_EXAMS, server_default=str(ALL_EXAMS))

    @property
    def qtype(self) -> QuestionType:
        return QuestionType(self.type)

    @property
    def exams(self) -> frozenset[str]:
        return exams_of_mask(self.exam_mask)

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
            exams=self.exams,
            rubric=tuple((c, float(p)) for c, p in (self.rubric or ())),
        )

    def content_fields(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}


CONTENT_FIELDS = (
    "type",
    "area",
    "point",
    "difficulty",
    "stem",
    "options",
    "key",
    "rubric",
    "explanation",
    "source",
    "exam_mask",
)


class Question(QuestionContent, db.Model):
    """A question's current state; its content history is in QuestionVersion."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_pool", "status", "type", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.SUBMITTED.value)
    #: Bumped whenever approved content changes; papers record the version they used.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: sha256 of the comparable text (question_bank.dedup): exact duplicates share it.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True, default="", server_default="")
    contributor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The first of two approvals, where certification questions need two.
    first_approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Set when an examiner marks the question a duplicate of another.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The import job that staged it, until the import makes it visible.
    import_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )

    contributor: Mapped[User] = relationship(foreign_keys=[contributor_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="question", order_by="ReviewComment.id", cascade="all, delete-orphan"
    )
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.version", cascade="all, delete-orphan"
    )


class QuestionVersion(QuestionContent, db.Model):
    """One version of a question's content; never changed once written."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    version: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")
    created_by: Mapped[User] = relationship()


class ReviewComment(db.Model):
    """The review thread of a question: comments and decisions with their reasons."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: comment, approve, first_approval, return, reject, duplicate, resubmit, edit, retire
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="comments")
    author: Mapped[User] = relationship(lazy="joined")


class QuestionBand(db.Model):
    """LSH band keys of a question's MinHash signature: the near-duplicate index."""

    __tablename__ = "question_bands"
    __table_args__ = (Index("ix_question_bands_lookup", "band", "value"),)

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger)

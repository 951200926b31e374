"""Blueprints, sittings, papers, attempts, answers and certificates."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.bank import Question, QuestionVersion
from examsvc.models.types import UTCDateTime, utcnow


class ExamKind(enum.StrEnum):
    TRAINING = "training"
    POST_QUALIFICATION = "post_qualification"
    LEVEL = "level"


class Blueprint(db.Model):
    __tablename__ = "blueprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    exam_kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(default=0, server_default="0")  #: 1–4 for level exams
    duration_minutes: Mapped[int]
    pass_mark: Mapped[float]
    multiple_rule: Mapped[str] = mapped_column(String(20), default="all_or_nothing")
    #: Under ``fixed_partial``, the share of a 多选 item's points a correct subset earns
    #: (0.5: 少选得一半); kept, unused, under the other rules.
    partial_share: Mapped[float] = mapped_column(default=0.5, server_default="0.5")
    shuffle_questions: Mapped[bool] = mapped_column(default=True, server_default=db.true())
    shuffle_options: Mapped[bool] = mapped_column(default=True, server_default=db.true())
    #: No item on more than this share of a sitting's papers (the lowest feasible if higher).
    exposure_cap: Mapped[float] = mapped_column(default=0.2, server_default="0.2")
    #: Every paper's expected score within this many points of the sitting's target.
    tolerance_points: Mapped[float] = mapped_column(default=0.5, server_default="0.5")
    #: per_candidate: a paper each; shared: one paper for all, in per-candidate order.
    paper_mode: Mapped[str] = mapped_column(
        String(16), default="per_candidate", server_default="per_candidate"
    )
    #: Keep near-duplicates (question_bank.dedup) off the same paper.
    enemy_rule: Mapped[bool] = mapped_column(default=True, server_default=db.true())
    #: How many resits (补考) a failed candidate may sit.
    resits_allowed: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Which result counts after a resit: "latest" or "better".
    resit_counts: Mapped[str] = mapped_column(String(8), default="latest", server_default="latest")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rows: Mapped[list[BlueprintRow]] = relationship(
        back_populates="blueprint",
        cascade="all, delete-orphan",
        order_by="BlueprintRow.position",
        lazy="selectin",
    )

    @property
    def total_points(self) -> float:
        return sum(r.count * r.points for r in self.rows)

    @property
    def item_count(self) -> int:
        return sum(r.count for r in self.rows)


class BlueprintRow(db.Model):
    __tablename__ = "blueprint_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id", ondelete="CASCADE"))
    position: Mapped[int]
    area: Mapped[str | None] = mapped_column(String(32))  #: None: any area
    type: Mapped[str] = mapped_column(String(16))
    count: Mapped[int]
    points: Mapped[float]
    #: Inclusive difficulty band (1–5); None: any difficulty.
    difficulty_min: Mapped[int | None]
    difficulty_max: Mapped[int | None]
    #: Section title on the paper; rows with the same title form one section.
    section: Mapped[str] = mapped_column(String(100), default="", server_default="")

    blueprint: Mapped[Blueprint] = relationship(back_populates="rows")


class Sitting(db.Model):
    __tablename__ = "sittings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id"), index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Every paper of the sitting derives its seed from this one.
    seed: Mapped[int] = mapped_column(BigInteger)
    #: Saves arriving this long after a deadline are still taken (network latency).
    grace_seconds: Mapped[int] = mapped_column(default=30, server_default="30")
    #: Hand the attempt in once the page has lost focus this many times; None: never.
    focus_loss_limit: Mapped[int | None]
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the papers were randomized (组卷), and the fairness figures of that draw.
    papers_drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bank_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    assembly_report: Mapped[dict | None] = mapped_column(JSON)
    #: The sitting this one is a resit (补考) of; None for an original sitting.
    resit_of_id: Mapped[int | None] = mapped_column(ForeignKey("sittings.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: 考试地点: the venue printed on admission tickets ("" until the admin gives one).
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")

    blueprint: Mapped[Blueprint] = relationship(lazy="joined")

    def state(self, now: datetime) -> str:
        if now < self.opens_at:
            return "scheduled"
        if now < self.closes_at:
            return "open"
        return "closed"


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    #: Admission numbers are built from the id: SQLite must never reuse the id of a removed
    #: enrolment (without AUTOINCREMENT it reuses the largest after that row is deleted).
    __table_args__ = (UniqueConstraint("sitting_id", "user_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    admission_no: Mapped[str] = mapped_column(String(32), unique=True)  #: 准考证号
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: 考场 and 座位号 on the admission ticket; None until seats are assigned.
    room: Mapped[str | None] = mapped_column(String(50))
    seat: Mapped[int | None]

    sitting: Mapped[Sitting] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")
    paper: Mapped[Paper | None] = relationship(back_populates="enrolment", uselist=False)


class Paper(db.Model):
    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    #: sha256 over the (id, version) of every item the draw could choose from.
    bank_hash: Mapped[str] = mapped_column(String(64))
    #: Σ points × facility: what a typical candidate would score on this paper.
    expected_score: Mapped[float | None]
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="paper")
    items: Mapped[list[PaperItem]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="PaperItem.position"
    )


class PaperItem(db.Model):
    __tablename__ = "paper_items"
    __table_args__ = (UniqueConstraint("paper_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    question_version: Mapped[int]
    points: Mapped[float]
    #: Display position i shows original option option_order[i].
    option_order: Mapped[list] = mapped_column(JSON, default=list)

    paper: Mapped[Paper] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()
    #: The content as it was in the version the paper pinned.
    content: Mapped[QuestionVersion] = relationship(
        primaryjoin="and_(foreign(PaperItem.question_id) == QuestionVersion.question_id, "
        "foreign(PaperItem.question_version) == QuestionVersion.version)",
        viewonly=True,
        lazy="joined",
    )


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("enrolment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    number: Mapped[int] = mapped_column(default=1, server_default="1")  #: 2 for a resit
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.IN_PROGRESS.value)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: True when the server closed the attempt at its deadline.
    auto_submitted: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    score: Mapped[float | None]
    max_score: Mapped[float | None]
    is_passed: Mapped[bool | None]
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    enrolment: Mapped[Enrolment] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt")


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "paper_item_id"),
        # Scoring looks up the few corrected answers of a batch of attempts. The predicate
        # is written as each database receives `WHERE Answer.is_corrected`, so that the
        # planner sees the index applies.
        Index(
            "ix_answers_corrected",
            "attempt_id",
            postgresql_where=text("is_corrected"),
            sqlite_where=text("is_corrected = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    paper_item_id: Mapped[int] = mapped_column(ForeignKey("paper_items.id"))
    #: The response in display labels, as the candidate gave it.
    response: Mapped[object | None] = mapped_column(JSON)
    #: The client's save counter; a lower seq never overwrites a higher one.
    seq: Mapped[int] = mapped_column(BigInteger)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    points: Mapped[float | None]
    #: ``points`` were set by an admin deciding an appeal or objection: scoring keeps them
    #: (services/scoring) until the answer is marked again.
    is_corrected: Mapped[bool] = mapped_column(default=False, server_default=db.false())

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("kind", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(default=0, server_default="0")
    year: Mapped[int]
    serial: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=CertificateStatus.VALID.value)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Why the status last changed (revoked, suspended, reinstated, replaced), and when.
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The certificate this one replaces (a reissue); the old one is revoked.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), index=True)

    user: Mapped[User] = relationship(lazy="joined")

"""Rules as data, levels and their history, promotions in six steps, and changes of post."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.exams import Certificate
from examsvc.models.types import UTCDateTime, utcnow


class RuleSet(db.Model):
    """One version of the rules for one credential (``kind`` training / post_qualification /
    level with ``level`` 1–4): a list of conditions an admin can read, evaluated at enrolment
    and at issue. Editing makes a new version; the old one is kept (``superseded_at``)."""

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("kind", "level", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int]
    #: [{"check": "party_member"}, {"check": "level_held", "level": 1}, …]
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LevelRecord(db.Model):
    """One line of a person's level history: certified at L1, promoted to L2, suspended,
    revoked… The current level is the ``level`` of the latest record (0: none)."""

    __tablename__ = "level_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    level: Mapped[int]  #: the level held from ``effective_on`` (0 after a revocation)
    effective_on: Mapped[date] = mapped_column(Date)
    #: certified | promoted | suspended | reinstated | revoked
    decision: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(Text, default="", server_default="")
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotions.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    certificate: Mapped[Certificate | None] = relationship()


class PromotionStep(enum.StrEnum):
    """The six steps of a level promotion (seed 001), in order."""

    DECLARE = "declare"  #: 个人申报
    ORG_REVIEW = "org_review"  #: 组织审核
    TRAINING_TEST = "training_test"  #: 培训测试
    FIELD_VISIT = "field_visit"  #: 实地走访
    ASSESSMENT = "assessment"  #: 综合评定 (L4: the panel's)
    PUBLIC_NOTICE = "public_notice"  #: 结果公示


class Promotion(db.Model):
    """A person's application to reach ``to_level`` (L1 certification or a promotion)."""

    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_level: Mapped[int]
    to_level: Mapped[int]
    #: open | approved | refused | withdrawn
    state: Mapped[str] = mapped_column(String(16), default="open")
    #: The step waiting for a decision (a PromotionStep value); None once closed.
    current_step: Mapped[str | None] = mapped_column(String(16))
    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("rule_sets.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    steps: Mapped[list[PromotionStepRecord]] = relationship(
        order_by="PromotionStepRecord.id", back_populates="promotion"
    )


class PromotionStepRecord(db.Model):
    """One step of a promotion decided: who, when, the outcome (passed / failed) and a note."""

    __tablename__ = "promotion_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(
        ForeignKey("promotions.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(16))
    #: passed | failed | withdrawn (the application was withdrawn while waiting for this step)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: What the step rests on, e.g. {"attempt_id": 7} for the training test.
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    promotion: Mapped[Promotion] = relationship(back_populates="steps")
    decided_by: Mapped[User | None] = relationship()


class PostChange(db.Model):
    """职务变动: a change of post reported by an org admin; 年检 reads whether the person is
    still in a party-affairs post."""

    __tablename__ = "post_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    old_post: Mapped[str] = mapped_column(String(100), default="", server_default="")
    new_post: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: Still in a party-affairs post (党务岗位) after the change.
    in_party_post: Mapped[bool] = mapped_column(default=True)
    effective_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

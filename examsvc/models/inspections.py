"""年检: the yearly inspection of level certificates, per organisation, and notices."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Double, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.people import Organisation
from examsvc.models.types import UTCDateTime, utcnow


class Assessment(enum.StrEnum):
    """年度考核 (DOMAIN.md)."""

    EXCELLENT = "excellent"  #: 优秀
    COMPETENT = "competent"  #: 称职
    BASICALLY_COMPETENT = "basically_competent"  #: 基本称职
    INCOMPETENT = "incompetent"  #: 不称职


class Inspection(db.Model):
    """One organisation's 年检 batch for the calendar ``year`` inspected (the past year)."""

    __tablename__ = "inspections"
    __table_args__ = (UniqueConstraint("organisation_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int]
    state: Mapped[str] = mapped_column(String(16), default="open")  #: open | closed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()


class InspectionResult(db.Model):
    """One level-certificate holder in a 年检 batch: the facts read, the assessment entered,
    the outcome (passed / suspended / revoked / reinstated) and every reason it failed."""

    __tablename__ = "inspection_results"
    __table_args__ = (
        # Also the index of a batch's rows (its first column): no index of its own.
        UniqueConstraint("inspection_id", "user_id"),
        # A row is written again twice (the assessment, then the outcome), a batch's rows
        # all at once: free room on their pages lets PostgreSQL rewrite them in place,
        # without new index entries (HOT updates).
        {"postgresql_with": {"fillfactor": 35}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    assessment: Mapped[str | None] = mapped_column(String(24))  #: Assessment value
    in_party_post: Mapped[bool | None]
    trainings: Mapped[int] = mapped_column(default=0, server_default="0")
    hours: Mapped[float] = mapped_column(Double(), default=0.0, server_default="0")
    minimum_hours: Mapped[float] = mapped_column(Double(), default=0.0, server_default="0")
    passed: Mapped[bool | None]
    #: passed | suspended | revoked | reinstated; None until the batch is closed.
    outcome: Mapped[str | None] = mapped_column(String(16))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Notice(db.Model):
    """A message to one person (年检 outcome, promotion step, certificate status change),
    shown on their pages until read."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: A gettext message id and its parameters, rendered in the reader's language.
    message: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

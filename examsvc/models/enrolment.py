"""The extra-time ledger of enrolments (延时记录)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.types import UTCDateTime, utcnow


class TimeExtension(db.Model):
    """Extra minutes granted to one candidate; rows are only added (an entry is the record).

    The candidate's deadline is start + duration + the sum of their entries, capped by the
    sitting's close (services/enrolment.py).
    """

    __tablename__ = "time_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    minutes: Mapped[int]  #: 1–600
    reason: Mapped[str] = mapped_column(String(500))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    approved_by: Mapped[User] = relationship(lazy="joined")

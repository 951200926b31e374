"""What the exam page reports while a candidate sits: focus lost, copy, paste, offline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from examsvc.extensions import db
from examsvc.models.types import UTCDateTime, utcnow


class AttemptEvent(db.Model):
    """One thing the browser saw during an attempt: evidence for the invigilators."""

    __tablename__ = "attempt_events"
    #: A batch sent again after a lost reply stores nothing twice.
    __table_args__ = (UniqueConstraint("attempt_id", "type", "client_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    #: blur, focus, fullscreen_exit, copy, paste, offline, online; limit_reached (the server's)
    type: Mapped[str] = mapped_column(String(20))
    #: The browser's own clock, kept exactly as it was sent (it may be wrong).
    client_at: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

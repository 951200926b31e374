"""One-time links an administrator gives a person to set a new password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from examsvc.extensions import db
from examsvc.models.types import UTCDateTime, utcnow


class PasswordReset(db.Model):
    """A set-password link: the person holds the random token, the server only its hash.

    Usable once, until ``expires_at``; issuing a new link for the account ends the older ones.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the link (hex).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The administrator who issued it (None: the system).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the link was used or replaced by a newer one; it opens nothing after that.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

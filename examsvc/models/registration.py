"""个人报名: a person's own registration, its consent record and its documents."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.types import UTCDateTime, utcnow


class RegistrationState(enum.StrEnum):
    """draft → submitted → approved, or submitted → returned → submitted (see services)."""

    DRAFT = "draft"  #: 待提交: the profile is in, the documents are still being added
    SUBMITTED = "submitted"  #: 待审核
    RETURNED = "returned"  #: 已退回, with a reason; the person fixes it and submits again
    APPROVED = "approved"  #: 已通过: the account is active

    @property
    def editable(self) -> bool:
        return self in (RegistrationState.DRAFT, RegistrationState.RETURNED)


class Registration(db.Model):
    """One person's 个人报名 (at most one per account)."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: RegistrationState.
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    #: PIPL art. 29: when the separate consent to process the ID number and documents was
    #: given, and which text (services/registration.CONSENT_VERSION) it was given to.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consent_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why it was returned (any ID number in it masked); cleared on approval.
    return_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    documents: Mapped[list[RegistrationDocument]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="RegistrationDocument.id",
    )


class RegistrationDocument(db.Model):
    """An uploaded file: in ``data``, or in the shared folder EXAMSVC_UPLOAD_PATH."""

    __tablename__ = "registration_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: question_bank.documents.KINDS: application_form, education, id_copy, honour, photo.
    kind: Mapped[str] = mapped_column(String(32))
    #: Sniffed from the content: application/pdf, image/jpeg or image/png.
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: The bytes, when files are kept in the database (the default).
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: The file's random name under EXAMSVC_UPLOAD_PATH, when kept there; never the user's.
    stored_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="documents")

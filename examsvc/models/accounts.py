"""People, their roles and the audit log."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.people import Organisation
from examsvc.models.types import UTCDateTime, utcnow

#: Words of 职务 that make a leader (DOMAIN.md: 书记, 副书记, 委员).
LEADER_POSTS = ("书记", "委员")


class Role(enum.StrEnum):
    CANDIDATE = "candidate"
    CONTRIBUTOR = "contributor"
    EXAMINER = "examiner"
    ORG_ADMIN = "org_admin"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; None for a person who logs in by mobile number only.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True, server_default=db.true())
    #: 中共党员: needed for the post-qualification certificate.
    is_party_member: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    #: A contributor an admin has verified as a professional institution (社会专业机构).
    is_institution: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    #: Bumped on password change so other sessions of the account end.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # The person (报名 profile). See models/people.py for the organisation tree.
    #: The ID number (身份证号) encrypted by services/identity.py; never the plain number.
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    #: Keyed hash of the normalised ID number: finds a person and keeps numbers unique.
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    gender: Mapped[str | None] = mapped_column(String(1))  #: people.Gender: "M" or "F"
    #: 11 digits starting with 1, normalised (services/accounts.normalize_mobile); a login.
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    party_joined_on: Mapped[date | None]  #: 入党时间
    post: Mapped[str] = mapped_column(String(100), default="", server_default="")  #: 职务
    category: Mapped[str | None] = mapped_column(String(32))  #: people.CATEGORIES
    #: 书记/委员…: None means derived from ``post`` (see ``leader``).
    is_leader: Mapped[bool | None]
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: For org_admin accounts: the root of the subtree they manage.
    managed_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    #: people.PersonStatus: pending (待审核), active (正常), disabled (停用).
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    #: Set for accounts created with an initial password; the web asks for a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=db.false())

    organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[organisation_id], lazy="select"
    )
    managed_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[managed_organisation_id], lazy="select"
    )

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & {str(r) for r in roles})

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account and self.status != "disabled"

    @property
    def login(self) -> str:
        """What the person logs in with: the e-mail address, else the mobile number."""
        return self.email or self.mobile or ""

    @property
    def leader(self) -> bool:
        """Counts as leader/secretary for training hours: set, else derived from 职务."""
        if self.is_leader is not None:
            return self.is_leader
        return any(word in (self.post or "") for word in LEADER_POSTS)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginSession(db.Model):
    """One login: the browser keeps the token in its signed cookie, the server its hash.

    Logout ends the row, so a copy of the cookie taken before stops working.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random token in the cookie (hex).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(db.Model):
    """One state change; rows are only ever inserted (see services/audit.py)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")

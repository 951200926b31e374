"""One-time set-password links (``/auth/reset/<token>``) that administrators give a person.

The token is 256 random bits and lives only in the link; the database keeps its SHA-256,
so a copy of the database opens no account. A link works once, until it expires
(``RESET_LINK_HOURS``, 72 by default); a newer link for the account, disabling the account
or using the link ends it. Setting the password ends every login of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from examsvc.extensions import db
from examsvc.models import LoginSession, PasswordReset, PersonStatus, User, utcnow
from examsvc.services import audit, passwords
from examsvc.services.errors import Conflict, NotFound

#: Longer text in the link cannot be one of our tokens (token_urlsafe(32) has 43 characters).
MAX_TOKEN = 100


class LinkUnusable(NotFound):
    """The link opens nothing; ``code`` says why: unknown_link, link_expired, link_used."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config.get("RESET_LINK_HOURS", 72)))


def end_sessions(person: User) -> int:
    """End every login of the account: a copy of any of its cookies stops working."""
    person.session_version += 1
    result = db.session.execute(
        db.update(LoginSession)
        .where(LoginSession.user_id == person.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def cancel(person: User) -> int:
    """End the account's unused links (the caller commits)."""
    result = db.session.execute(
        db.update(PasswordReset)
        .where(PasswordReset.user_id == person.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def issue_token(admin: User | None, person: User) -> tuple[str, datetime]:
    """A new link's token for ``person`` and its expiry; older unused links end. The caller
    commits."""
    cancel(person)
    token, expires = secrets.token_urlsafe(32), utcnow() + lifetime()
    db.session.add(
        PasswordReset(
            user_id=person.id,
            token_hash=_digest(token),
            created_by_id=admin.id if admin is not None else None,
            expires_at=expires,
        )
    )
    return token, expires


def issue(admin: User, person: User) -> tuple[str, datetime]:
    """An administrator's "reset password": the token to show once, and when it expires."""
    if person.status == PersonStatus.DISABLED:
        raise Conflict(
            _("The account is disabled; enable it before giving a set-password link."),
            code="account_disabled",
        )
    token, expires = issue_token(admin, person)
    hours = round(lifetime().total_seconds() / 3600)
    audit.record(admin, "user.password_link_issued", person, valid_hours=hours)
    db.session.commit()
    return token, expires


def find(token: str) -> PasswordReset:
    """The live link of this token; ``LinkUnusable`` says why there is none."""
    link = None
    if 0 < len(token) <= MAX_TOKEN and token.isascii():
        link = db.session.scalar(
            db.select(PasswordReset).where(PasswordReset.token_hash == _digest(token))
        )
    if link is None:
        raise LinkUnusable(
            _("This link is not valid. Check that it was copied whole, or ask for a new one."),
            code="unknown_link",
        )
    if link.used_at is not None:
        raise LinkUnusable(
            _("This link has been used or replaced by a newer one. Ask for a new one."),
            code="link_used",
        )
    if link.expires_at <= utcnow():
        raise LinkUnusable(
            _("This link has expired. Ask an administrator for a new one."), code="link_expired"
        )
    person = db.session.get(User, link.user_id)
    if person is None or not person.is_active:
        raise LinkUnusable(
            _("The account of this link is disabled. Ask an administrator."),
            code="account_disabled",
        )
    return link


def use(token: str, password: str) -> User:
    """Set the account's password through the link; the link ends, so do all its logins."""
    link = find(token)
    person = db.session.get(User, link.user_id)
    assert person is not None  # find() checked it
    passwords.check_password(password, person.email or person.mobile or "", person.name)
    # Claim the link in the same UPDATE that checks it is unused: two tabs posting at once
    # cannot both use it.
    claimed = db.session.execute(
        db.update(PasswordReset)
        .where(PasswordReset.id == link.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        db.session.rollback()
        raise LinkUnusable(
            _("This link has been used or replaced by a newer one. Ask for a new one."),
            code="link_used",
        )
    method = current_app.config["PASSWORD_HASH_METHOD"]
    person.password_hash = generate_password_hash(password, method=method)
    person.must_change_password = False
    ended = end_sessions(person)
    audit.record(person, "user.password_set_by_link", person, sessions_ended=ended)
    db.session.commit()
    return person

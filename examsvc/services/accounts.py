"""Accounts: registration, login check, password change, user creation."""

from __future__ import annotations

from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from examsvc.extensions import db
from examsvc.models import Role, User, UserRole
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict
from examsvc.services.queries import contains

MIN_PASSWORD = 8
#: Checked when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
SELF_SERVICE_ROLES = (Role.CANDIDATE, Role.CONTRIBUTOR)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise BadInput(
            _("invalid e-mail address: %(reason)s", reason=exc), code="invalid_email"
        ) from None


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(
            _("the password needs at least %(n)s characters", n=MIN_PASSWORD),
            code="weak_password",
        )
    if password.isdigit() or password.isalpha():
        raise BadInput(_("the password needs both letters and digits"), code="weak_password")


def _new_user(email: str, name: str, password: str, roles: Iterable[str]) -> User:
    email = normalize_email(email)
    name = name.strip()
    if not name or len(name) > 100:
        raise BadInput(_("a name of 1 to 100 characters is required"), code="invalid_name")
    check_password_rules(password)
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("an account with this e-mail address exists"), code="email_taken")
    bad = [r for r in roles if r not in set(Role)]
    if bad:
        raise BadInput(_("unknown role: %(roles)s", roles=", ".join(bad)), code="invalid_role")
    user = User(email=email, name=name, password_hash=_hash(password))
    user.role_rows = [UserRole(role=str(r)) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    return user


def register(email: str, name: str, password: str) -> User:
    """Self-registration: anyone may sit exams and submit questions (社会征集)."""
    user = _new_user(email, name, password, SELF_SERVICE_ROLES)
    audit.record(user, "user.registered", user, email=user.email)
    db.session.commit()
    return user


def create_user(
    email: str,
    roles: Iterable[str],
    password: str,
    name: str | None = None,
    *,
    is_party_member: bool = False,
) -> User:
    """Create an account with the given roles (CLI and demo)."""
    roles = list(roles)
    user = _new_user(email, name or email.split("@")[0], password, roles)
    user.is_party_member = is_party_member
    audit.record(None, "user.created", user, email=user.email, roles=sorted(roles))
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    try:
        email = normalize_email(email)
    except BadInput:
        email = ""
    user = db.session.scalar(db.select(User).where(User.email == email)) if email else None
    stored, active = (
        (user.password_hash, user.is_active) if user is not None else (_DUMMY_HASH, False)
    )
    # End the read before the slow hash check: on SQLite a login request holds the write
    # lock from its first query, and autosaves must not wait behind the hashing.
    db.session.commit()
    if not check_password_hash(stored, password) or not active or user is None:
        return None
    return user


def record_login(user: User) -> None:
    audit.record(user, "user.logged_in", user)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Change the password and end the account's other sessions."""
    if not check_password_hash(user.password_hash, current):
        raise BadInput(_("the current password is wrong"), code="wrong_password")
    check_password_rules(new)
    user.password_hash = _hash(new)
    user.session_version += 1
    audit.record(user, "user.password_changed", user)
    db.session.commit()


def search(text: str, page: int, per_page: int = 50):
    """Accounts whose name or e-mail contains the text, newest first."""
    query = db.select(User).order_by(User.id.desc())
    text = text.strip()
    if text:
        query = query.where(db.or_(contains(User.name, text), contains(User.email, text)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)

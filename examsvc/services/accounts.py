"""Accounts: registration, login check, password change, user creation."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash

from examsvc.extensions import db
from examsvc.models import LoginSession, Role, User, UserRole, utcnow
from examsvc.services import audit, initial_passwords, passwords
from examsvc.services.errors import BadInput, Conflict, Forbidden
from examsvc.services.queries import contains

#: Checked when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
#: The quick account of /auth/register submits questions (社会征集); candidates register with
#: their ID number and documents instead (个人报名, services/registration.py) and are reviewed.
SELF_SERVICE_ROLES = (Role.CONTRIBUTOR,)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise BadInput(_email_problem(str(exc)), code="invalid_email") from None


def _email_problem(reason: str) -> str:
    """email_validator's English reason as a message in the user's language."""
    if "must have an @-sign" in reason:
        return _("an e-mail address needs an @ sign, such as name@example.com")
    if "before the @-sign" in reason:
        return _("the part before the @ sign of the e-mail address is not valid")
    if "after the @-sign" in reason or "It should have a period" in reason:
        return _("the domain after the @ sign of the e-mail address is not valid")
    if "too long" in reason:
        return _("the e-mail address is too long")
    return _("the e-mail address is not valid; check it, for example name@example.com")


def check_password_rules(password: str, email: str = "", name: str = "") -> None:
    """Refuse short, common and patterned passwords and ones made of the account's name."""
    passwords.check_password(password, email, name)


def _new_user(email: str, name: str, password: str, roles: Iterable[str]) -> User:
    email = normalize_email(email)
    name = name.strip()
    if not name or len(name) > 100:
        raise BadInput(_("a name of 1 to 100 characters is required"), code="invalid_name")
    check_password_rules(password, email, name)
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
    """A contributor account: anyone may submit questions (社会征集)."""
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


#: Dropped from a typed mobile number: spaces, dashes and brackets (after NFKC folding).
_MOBILE_NOISE = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"1[0-9]{10}")


def normalize_mobile(raw: str) -> str:
    """A mainland mobile number as stored: 11 digits starting with 1.

    Full-width digits are folded, spaces and dashes dropped, a +86 or 0086 prefix removed.
    """
    text = _MOBILE_NOISE.sub("", unicodedata.normalize("NFKC", raw))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if not _MOBILE.fullmatch(text):
        raise BadInput(
            _("a mobile number has 11 digits and starts with 1: %(mobile)s", mobile=raw.strip()),
            code="invalid_mobile",
        )
    return text


def is_mobile(login: str) -> bool:
    return _MOBILE.fullmatch(login) is not None


def normalize_login(login: str) -> str:
    """The login as accounts are looked up by it: a mobile number or a normalised e-mail.

    Text that is neither is folded the same way (NFKC, lower case, no surrounding spaces)
    so that every spelling of it counts as one for the login rate limit.
    """
    if "@" not in login:
        try:
            return normalize_mobile(login)
        except BadInput:
            pass
    try:
        return normalize_email(login)
    except BadInput:
        return unicodedata.normalize("NFKC", login).strip().casefold()


def _find_login(login: str) -> User | None:
    key = normalize_login(login)
    column = User.mobile if is_mobile(key) else User.email
    return db.session.scalar(db.select(User).where(column == key))


def find_by_login(login: str) -> User | None:
    """The account whose e-mail address or mobile number this is (normalised), or None."""
    return _find_login(login)


def login_account(login: str) -> tuple[int | None, str]:
    """The id of the account a login resolves to (None if none) and the normalised login."""
    user = _find_login(login)
    user_id = user.id if user is not None else None
    db.session.commit()  # end the read: on SQLite a login request holds the write lock
    return user_id, normalize_login(login)


def authenticate(login: str, password: str) -> User | None:
    """The active user with this e-mail address or mobile number and password, or None.

    A disabled account with the right password is refused with ``Forbidden``
    (code ``account_disabled``), so the person learns why.
    """
    user = _find_login(login)
    stored, active = (
        (user.password_hash, user.is_active) if user is not None else (_DUMMY_HASH, False)
    )
    # End the read before the slow hash check: on SQLite a login request holds the write
    # lock from its first query, and autosaves must not wait behind the hashing.
    db.session.commit()
    if not initial_passwords.check(stored, password) or user is None:
        return None
    if not active:  # told only to someone who knows the password
        raise Forbidden(
            _("This account has been disabled; ask an administrator to enable it."),
            code="account_disabled",
        )
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session_cutoff():
    """Logins older than this have expired (PERMANENT_SESSION_LIFETIME, 8 hours by default)."""
    return utcnow() - current_app.permanent_session_lifetime


def start_session(user: User) -> str:
    """Record a login and return the token the browser keeps in its session cookie."""
    token = secrets.token_urlsafe(32)
    db.session.execute(
        db.delete(LoginSession).where(
            LoginSession.user_id == user.id,
            db.or_(LoginSession.ended_at.is_not(None), LoginSession.created_at < _session_cutoff()),
        )
    )
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token)))
    audit.record(user, "user.logged_in", user)
    db.session.commit()
    return token


def _session_user_query():
    """Built once: the login check every request of a logged-in user runs."""
    return (
        db.select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            LoginSession.token_hash == bindparam("token_hash"),
            LoginSession.ended_at.is_(None),
            LoginSession.created_at > bindparam("cutoff"),
        )
        .options(joinedload(User.role_rows))
    )


_SESSION_USER = _session_user_query()


def session_user(user_id: int, version: str, token: str) -> User | None:
    """The user of a live login: its token not ended by logout and not expired.

    Every request of a logged-in user runs this: one query, the roles joined in.
    """
    params = {"user_id": user_id, "token_hash": _token_hash(token), "cutoff": _session_cutoff()}
    user = db.session.execute(_SESSION_USER, params).unique().scalar_one_or_none()
    if user is None or str(user.session_version) != version:
        return None
    return user


def end_session(token: str) -> None:
    """Logout: the token no longer authenticates, whoever holds a copy of the cookie."""
    db.session.execute(
        db.update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()


def change_password(user: User, current: str, new: str, keep_token: str | None = None) -> None:
    """Change the password and end the account's other sessions (all but ``keep_token``'s)."""
    if not initial_passwords.check(user.password_hash, current):
        raise BadInput(_("the current password is wrong"), code="wrong_password")
    check_password_rules(new, user.email or user.mobile or "", user.name)
    user.password_hash = _hash(new)
    user.must_change_password = False
    user.session_version += 1
    others = db.update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep_token:
        others = others.where(LoginSession.token_hash != _token_hash(keep_token))
    db.session.execute(others.values(ended_at=utcnow()))
    audit.record(user, "user.password_changed", user)
    db.session.commit()


def search(text: str, page: int, per_page: int = 50):
    """Accounts whose name, e-mail or mobile number contains the text, newest first."""
    query = db.select(User).order_by(User.id.desc())
    text = text.strip()
    if text:
        query = query.where(
            db.or_(
                contains(User.name, text),
                contains(User.email, text),
                contains(User.mobile, text),
            )
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)

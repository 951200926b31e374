"""Login, the role guard every blueprint uses, and security headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user

from examsvc.models import User
from examsvc.services import accounts

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.after_request(_security_headers)


#: Key of the login token in the signed session cookie; its hash is a row of login_sessions.
LOGIN_TOKEN = "_login_token"


def _load_user(user_id: str) -> User | None:
    ident, _, version = user_id.partition(":")
    token = session.get(LOGIN_TOKEN)
    if not (ident.isascii() and ident.isdigit()) or not isinstance(token, str):
        return None
    return accounts.session_user(int(ident), version, token)


def log_in(user: User) -> None:
    """Start a server-side login for ``user`` and put its token in the session cookie.

    A login still open in this browser (another person at a shared exam-room PC) ends first.
    """
    previous = session.pop(LOGIN_TOKEN, None)
    if isinstance(previous, str):
        accounts.end_session(previous)
    token = accounts.start_session(user)
    login_user(user)
    session[LOGIN_TOKEN] = token


def log_out() -> None:
    """End the login on the server too: a copy of the cookie taken before stops working."""
    token = session.pop(LOGIN_TOKEN, None)
    if isinstance(token, str):
        accounts.end_session(token)
    logout_user()


def login_token() -> str | None:
    token = session.get(LOGIN_TOKEN)
    return token if isinstance(token, str) else None


def wants_json() -> bool:
    """Errors are JSON for the API, for clients that ask for JSON and for those that send it."""
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
        or request.is_json
    )


def _unauthorized():
    if wants_json():
        body = {"error": "unauthorized", "message": str(_l("Please log in first."))}
        return jsonify(body), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def guard(bp: Blueprint, *roles: str) -> None:
    """Every view of ``bp`` needs a logged-in user holding one of ``roles`` (any user if none)."""

    @bp.before_request
    def _check_role():
        if not current_user.is_authenticated:
            return _unauthorized()
        if roles and not current_user.has_role(*roles):
            abort(403)
        return None


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or not target.isprintable():  # a newline would split the Location header
        return None
    return target


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint and not request.endpoint.endswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response

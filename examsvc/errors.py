"""Error pages and JSON errors: a clear message with the right status, never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from examsvc.extensions import db
from examsvc.security import wants_json

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
}

#: What each status means to the user; Werkzeug's own descriptions are English only.
MESSAGES = {
    400: _l("The request could not be understood; check what you entered and try again."),
    401: _l("Please log in first."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page or item you asked for does not exist, or has been removed."),
    405: _l("This address does not accept that kind of request."),
    409: _l("The request conflicts with the current state; reload the page and try again."),
    413: _l("The upload is too large."),
    429: _l("Too many requests; please wait a moment and try again."),
    500: _l("Something went wrong on the server; please try again later."),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def flash_problems(exc) -> None:
    """Show every problem a service found (or its one message) to the user."""
    from flask import flash

    for problem in exc.problems or [exc.message]:
        flash(problem, "danger")


def error_response(status: int, code: str, message: str):
    if wants_json():
        return jsonify({"error": code, "message": message}), status
    return render_template("errors.html", status=status, message=message), status


def _csrf_error(exc: CSRFError):
    return error_response(
        400,
        "csrf_failed",
        _("The form expired or lacks its security token; reload the page and try again."),
    )


def _http_error(exc: HTTPException):
    status = exc.code or 500
    if status >= 500:
        db.session.rollback()
    return error_response(status, CODES.get(status, "error"), describe(exc))


def describe(exc: HTTPException) -> str:
    """The message for an HTTP error: one given on purpose, else ours for its status."""
    status = exc.code or 500
    given = exc.description
    if isinstance(exc, RateLimitExceeded) and not exc.limit.error_message:
        given = None  # the limit itself ("10 per 1 minute"), in English
    if given and given != type(exc).description:  # abort(404, description=...) on purpose
        return str(given)
    fallback = MESSAGES[500] if status >= 500 else MESSAGES[400]
    return str(MESSAGES.get(status, fallback))


def _unexpected(exc: Exception):
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("unhandled error")
    return error_response(500, "server_error", str(MESSAGES[500]))

"""Error pages and JSON errors: a clear message with the right status, never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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
    return error_response(status, CODES.get(status, "error"), exc.description or exc.name)


def _unexpected(exc: Exception):
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("unhandled error")
    return error_response(500, "server_error", InternalServerError.description)

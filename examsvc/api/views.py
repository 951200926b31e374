"""The JSON API of DESIGN.md §4."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from examsvc import security
from examsvc.api import bp
from examsvc.auth.views import login_rate_limit, typed_login
from examsvc.errors import error_response
from examsvc.extensions import csrf, limiter
from examsvc.models import utcnow
from examsvc.services import accounts, attempts, integrity, papers, results
from examsvc.services.errors import ServiceError

#: Exam-day routes with no rate limit of their own. Flask-Limiter looks up the limits of
#: every request; for these it is skipped (the look-up cost about a twentieth of an
#: autosave). A limit added to one of them must take it out of this set
#: (tests/web/test_api.py checks).
UNLIMITED_ENDPOINTS = frozenset(
    {"api.session_info", "api.start_attempt", "api.save_answers", "api.submit_attempt",
     "api.attempt_state"}
)  # fmt: skip


@limiter.request_filter
def _unlimited_exam_route() -> bool:
    return request.endpoint in UNLIMITED_ENDPOINTS


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    return error_response(exc.status, exc.code, exc.message)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ServiceError(_("the request body must be a JSON object"), code="invalid_json")
    return body


def _user_json(user) -> dict | None:
    if not user.is_authenticated:
        return None
    return {"id": user.id, "email": user.email, "name": user.name, "roles": sorted(user.roles)}


@bp.get("/session")
def session_info():
    return jsonify({"csrf_token": generate_csrf(), "user": _user_json(current_user)})


@bp.post("/session")
@csrf.exempt  # checked below, after the rate limit
@login_rate_limit
def log_in():
    csrf.protect()
    body = _json_body()
    login, password = typed_login(body), body.get("password")
    if not isinstance(login, str) or not isinstance(password, str):
        raise ServiceError(_("email and password are required"), code="invalid_json")
    user = accounts.authenticate(login, password)
    if user is None:
        return error_response(
            401, "invalid_credentials", _("Wrong e-mail address, mobile number or password.")
        )
    security.log_in(user)
    return jsonify(
        {
            "csrf_token": generate_csrf(),
            "user": _user_json(user),
            "must_change_password": user.must_change_password,
        }
    )


@bp.delete("/session")
def log_out():
    security.log_out()
    return jsonify({"user": None})


@bp.get("/me/sittings")
@login_required
def my_sittings():
    rows = results.my_sittings(current_user)
    for row in rows:
        row["opens_at"] = row["opens_at"].isoformat()
        row["closes_at"] = row["closes_at"].isoformat()
    return jsonify({"sittings": rows})


@bp.post("/sittings/<int:sitting_id>/attempt")
@login_required
def start_attempt(sitting_id: int):
    attempt = attempts.start_or_resume(current_user, sitting_id)
    return jsonify({**papers.attempt_payload(attempt, utcnow()), **integrity.state(attempt)})


@bp.put("/attempts/<int:attempt_id>/answers")
@login_required
def save_answers(attempt_id: int):
    body = _json_body()
    result = attempts.save_answers(current_user, attempt_id, body.get("answers"), body.get("seq"))
    return jsonify(
        {
            "saved": result.saved,
            "stale": result.stale,
            "stale_items": {str(item): seq for item, seq in result.stale_items.items()},
            "server_time": utcnow().isoformat(),
            "deadline": result.deadline.isoformat(),
        }
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit_attempt(attempt_id: int):
    body = request.get_json(silent=True)
    time_up = isinstance(body, dict) and body.get("reason") == "time_up"
    try:
        attempt = attempts.submit(current_user, attempt_id, time_up=time_up)
    except attempts.TimeLeft as left:
        body = {"error": left.code, "message": left.message, "deadline": left.deadline.isoformat(),
                "server_time": utcnow().isoformat()}  # fmt: skip
        return jsonify(body), 409
    return jsonify({"status": attempt.status, "submitted_at": attempt.submitted_at.isoformat()})


def _caller_key() -> str:
    """Per account, not per address: a whole exam room shares one address."""
    user_id = current_user.get_id() if current_user.is_authenticated else None
    return f"user:{user_id}" if user_id else get_remote_address()


@bp.post("/attempts/<int:attempt_id>/events")
@login_required
@limiter.limit("60 per minute", key_func=_caller_key)
def report_events(attempt_id: int):
    body = _json_body()
    result = integrity.record(current_user, attempt_id, body.get("events"))
    return jsonify(result.as_json())


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt_state(attempt_id: int):
    attempt = attempts.own_attempt(current_user, attempt_id)
    return jsonify(papers.attempt_state(attempt, utcnow()))


@bp.get("/certificates/<number>")
@limiter.limit("60 per minute")
def certificate(number: str):
    return jsonify(results.public_certificate(number))


@bp.get("/me/certificates")
@login_required
def my_certificates():
    from examsvc.services import certificates

    own = certificates.mine(current_user)
    return jsonify({"certificates": [certificates.as_json(c) for c in own]})

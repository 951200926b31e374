"""Admission tickets (准考证) and spreadsheet exports.

``bp`` (/tickets): a candidate's own ticket for any logged-in account; the batch of a
sitting's tickets and its rooms and seats for admins and org admins (their people only).
``exports_bp`` (/exports): xlsx of people and of a sitting's roster, admins and org admins.
"""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
guard(bp)

exports_bp = Blueprint("exports", __name__, url_prefix="/exports")
guard(exports_bp, Role.ADMIN, Role.ORG_ADMIN)

from examsvc.tickets import cli, exports, views  # noqa: E402,F401

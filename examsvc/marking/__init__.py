"""Marking 简答 (examiners, blind), the marking plan and re-scoring of a sitting (admins), and
item analysis pages (examiners and admins)."""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("marking", __name__, url_prefix="/marking")
guard(bp, Role.EXAMINER, Role.ADMIN)

#: Item statistics per sitting and per question.
stats_bp = Blueprint("stats", __name__, url_prefix="/stats")
guard(stats_bp, Role.EXAMINER, Role.ADMIN)

from examsvc.marking import stats_views, views  # noqa: E402,F401

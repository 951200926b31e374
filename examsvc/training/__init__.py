"""培训档案: training records per person, batch import, training courses and the report of
hours against the yearly minimum; for admins (everyone) and org admins (their subtree)."""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("training", __name__, url_prefix="/training")
guard(bp, Role.ADMIN, Role.ORG_ADMIN)

from examsvc.training import courses, imports, views  # noqa: E402,F401

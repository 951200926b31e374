"""年检 pages: admins (any organisation) and org admins (their subtree) open a batch, enter
the annual assessments and preview the outcomes; only admins close it."""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("inspections", __name__, url_prefix="/inspections")
guard(bp, Role.ADMIN, Role.ORG_ADMIN)

from examsvc.inspections import views  # noqa: E402,F401

"""组织报名 on the web: org admins (and admins) upload a roster, preview it, import it."""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("roster", __name__, url_prefix="/roster")
guard(bp, Role.ADMIN, Role.ORG_ADMIN)

from examsvc.roster import views  # noqa: E402,F401

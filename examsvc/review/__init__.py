from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("review", __name__, url_prefix="/review")
guard(bp, Role.EXAMINER)

from examsvc.review import views  # noqa: E402,F401

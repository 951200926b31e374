from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("bank", __name__, url_prefix="/bank")
guard(bp, Role.CONTRIBUTOR, Role.EXAMINER)

from examsvc.bank import importing, views  # noqa: E402,F401

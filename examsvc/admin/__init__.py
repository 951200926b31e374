from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, Role.ADMIN)

from examsvc.admin import (  # noqa: E402,F401
    identity_views,
    integrity_views,
    papers,
    views,
)

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, Role.ADMIN)

import examsvc.admin.accounts  # noqa: E402,F401  (accounts administration)
from examsvc.admin import (  # noqa: E402,F401
    identity_views,
    integrity_views,
    papers,
    proctor,
    sittings,
    views,
)

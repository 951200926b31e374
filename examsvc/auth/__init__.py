from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from examsvc.auth import reset, views  # noqa: E402,F401

from flask import Blueprint

# Public: anyone may check a certificate.
bp = Blueprint("verify", __name__, url_prefix="/verify")

from examsvc.verify import views  # noqa: E402,F401

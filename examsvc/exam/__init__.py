from flask import Blueprint

from examsvc.security import guard

bp = Blueprint("exam", __name__, url_prefix="/exam")
# Enrolment, checked in the services, decides who may sit; any logged-in user may look.
guard(bp)

from examsvc.exam import views  # noqa: E402,F401

"""个人报名: people register themselves with documents; org admins and admins review them.

``bp`` serves the person (the form is public; the rest needs a login) and the documents;
``review_bp`` is the review queue of org admins (their subtree) and admins.
"""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("registration", __name__, url_prefix="/registration")
review_bp = Blueprint("registration_review", __name__, url_prefix="/registration/review")
guard(review_bp, Role.ADMIN, Role.ORG_ADMIN)

from examsvc.registration import review, views  # noqa: E402,F401

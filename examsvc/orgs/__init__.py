"""Organisation pages: the tree (admins manage it), an org admin's people (its subtree)."""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("orgs", __name__, url_prefix="/orgs")
guard(bp, Role.ADMIN, Role.ORG_ADMIN)

#: The person's own page (/me): any logged-in account.
me_bp = Blueprint("me", __name__, url_prefix="/me")
guard(me_bp)

from examsvc.orgs import me, views  # noqa: E402,F401

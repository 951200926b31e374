"""Results after hand-in: the lists and charts (admins, org admins for their subtree),
appeals and objections, the notice calendar, resits, and the public notice (公示)."""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

#: A sitting's results: admins, and org admins for their subtree (else 404).
bp = Blueprint("results", __name__, url_prefix="/results")
guard(bp, Role.ADMIN, Role.ORG_ADMIN)

#: Deciding appeals and objections, the notice calendar, resits, the answer matrix.
admin_bp = Blueprint("results_admin", __name__, url_prefix="/results/admin")
guard(admin_bp, Role.ADMIN)

#: Public: the notice of published results, no login (raising an objection needs one).
notice_bp = Blueprint("notice", __name__, url_prefix="/notice")

#: Anyone logged in: their appeals and objections with the outcome.
mine_bp = Blueprint("my_results", __name__, url_prefix="/my-results")
guard(mine_bp)

from examsvc.results import admin_views, mine, notice, views  # noqa: E402,F401

BLUEPRINTS = (bp, admin_bp, notice_bp, mine_bp)

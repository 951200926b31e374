"""Certificates: the holder's list and PDFs (any logged-in account: their own; admins and
the holder's org admin: theirs too), and the admin's page per certificate with revocation,
suspension, reinstatement and reissue, and a sitting's certificates as one PDF."""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

#: Any logged-in account: their certificates; the PDF of one they may see (else 404).
bp = Blueprint("certificates", __name__, url_prefix="/certificates")
guard(bp)

#: Admins: a certificate's page and its status changes, a sitting's batch PDF.
admin_bp = Blueprint("certificates_admin", __name__, url_prefix="/certificates/admin")
guard(admin_bp, Role.ADMIN)

from examsvc.certificates import views  # noqa: E402,F401

BLUEPRINTS = (admin_bp, bp)

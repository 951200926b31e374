"""The archive (培训档案) pages: a person's own, one of their people for org admins and
admins, and an organisation's dashboard."""

from flask import Blueprint

from examsvc.security import guard

#: Any logged-in account sees its own archive; the other pages check admin / org admin and
#: the subtree (another subtree's person or organisation: 404).
bp = Blueprint("archive", __name__, url_prefix="/archive")
guard(bp)

from examsvc.archive import views  # noqa: E402,F401

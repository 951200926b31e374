"""Spreadsheet downloads: the people list (with the page's filters) and a sitting's roster."""

from __future__ import annotations

import io

from flask import abort, request, send_file
from flask_login import current_user

from examsvc.services import exports, scope, tickets
from examsvc.services.errors import NotFound
from examsvc.tickets import exports_bp
from examsvc.web import int_arg


def _xlsx(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=exports.XLSX_MIME, as_attachment=True,
                     download_name=name)  # fmt: skip


@exports_bp.route("/people.xlsx")
def people_xlsx():
    """The people of ``/orgs/people`` with the same ``org`` and ``q`` filters, every page."""
    org_id = int_arg("org")
    org = scope.org_or_404(current_user, org_id) if org_id is not None else None
    query = request.args.get("q", "")[:100]
    stem = f"people-{org.code}" if org is not None else "people"
    return _xlsx(exports.people_xlsx(current_user, query, org), exports.file_name(stem))


@exports_bp.route("/sittings/<int:sitting_id>/roster.xlsx")
def roster_xlsx(sitting_id: int):
    """The sitting's candidates: all of them for admins, their own people for org admins."""
    try:
        sitting = tickets.sitting_for(current_user, sitting_id)
    except NotFound:
        abort(404)
    data = exports.roster_xlsx(current_user, sitting)
    return _xlsx(data, exports.file_name(f"roster-{sitting.id}"))

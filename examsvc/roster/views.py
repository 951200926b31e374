"""Upload a roster: a preview (the dry-run report) first, then confirm; the blank template.

The import runs in the confirming request (10,000 people take a few seconds) so that the
new accounts' initial passwords can be shown once, with a sheet of them to download, and
never stored in the clear.
"""

from __future__ import annotations

import base64
import io

from flask import flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc import previews
from examsvc.extensions import read_only
from examsvc.roster import bp
from examsvc.roster.forms import ConfirmForm, RosterForm
from examsvc.services.errors import ServiceError
from examsvc.services.roster import uploads
from question_bank.roster_sheets import accounts_sheet, template

SESSION_KEY = "roster_import"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form() -> RosterForm:
    form = RosterForm()
    form.org.choices = [(o.code, f"{o.code} {o.name}") for o in uploads.organisations(current_user)]
    form.sitting.choices = [("", _("Do not enrol"))] + [
        (str(s.id), f"{s.name} (#{s.id})") for s in uploads.sittings()
    ]
    wanted = request.args.get("sitting", "")  # /roster/?sitting=ID: linked from a sitting's page
    if request.method == "GET" and wanted in {value for value, _label in form.sitting.choices}:
        form.sitting.data = wanted
    return form


@bp.route("/", methods=["GET", "POST"])
@read_only  # the preview is a dry run; keeping the upload is one short write after it
def upload():
    form = _form()
    if not form.validate_on_submit():
        return render_template("roster/upload.html", form=form, report=None)
    file = form.file.data
    report, token = uploads.preview(
        current_user, file.read(), file.filename or "", form.options(), _token()
    )
    previews.remember(SESSION_KEY, token)
    page = render_template(
        "roster/upload.html", form=form, report=report, confirm=ConfirmForm(),
        filename=file.filename,
    )  # fmt: skip
    return page, 422 if report.rejected else 200  # a refused file is the user's to fix


@bp.route("/confirm", methods=["POST"])
def confirm():
    token = previews.confirmed(SESSION_KEY, ConfirmForm())
    if token is None:
        flash(_("Nothing to import: upload the file again."), "warning")
        return redirect(url_for("roster.upload"))
    try:
        report = uploads.confirm(current_user, token)
    except ServiceError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("roster.upload"))
    sheet = None
    if any(a["initial_password"] for a in report.accounts):
        sheet = base64.b64encode(accounts_sheet(report.accounts)).decode()
    response = make_response(
        render_template("roster/done.html", report=report, sheet=sheet, xlsx_mime=XLSX_MIME),
        422 if report.rejected else 200,
    )
    response.headers["Cache-Control"] = "no-store"  # the initial passwords are shown once
    return response


@bp.route("/template.xlsx")
def roster_template():
    return send_file(
        io.BytesIO(template()), mimetype=XLSX_MIME, as_attachment=True,
        download_name="roster-template.xlsx",
    )  # fmt: skip


def _token() -> str | None:
    return previews.waiting(SESSION_KEY)

"""Upload a question file: a preview (the dry-run report) first, then confirm; the template.

Between preview and confirm the upload waits in the database (services/uploads.py) under a
random token that only this user's signed session holds; confirm starts the import as a
background job, whose page shows its progress and then its report.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField

from examsvc import previews
from examsvc.bank import bp
from examsvc.extensions import read_only
from examsvc.labels import AREA_LABELS, CHANNEL_LABELS, choices
from examsvc.models import Role
from examsvc.services import uploads
from examsvc.services.errors import ServiceError
from examsvc.web import BaseForm
from question_bank import formats

SESSION_KEY = "bank_import"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(BaseForm):
    file = FileField(_l("Question file"), validators=[FileRequired()])
    fmt = SelectField(
        _l("Format"),
        choices=choices(
            {f: f for f in formats.FORMATS}, first=("auto", _l("Detect from the file"))
        ),
        default="auto",
    )
    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS), default="institution")
    area = SelectField(
        _l("Knowledge area for items that name none"),
        choices=choices(AREA_LABELS, first=("", _l("None: such items are errors"))),
        default="",
    )
    skip_bad = BooleanField(_l("Import the good items and leave out the bad ones"))
    approve = BooleanField(_l("Approve them at once (administrators only)"))
    submit = SubmitField(_l("Preview"))

    def options(self) -> dict:
        return {
            "fmt": self.fmt.data,
            "channel": self.channel.data,
            "default_area": self.area.data or None,
            "skip_bad": bool(self.skip_bad.data),
            "approve": bool(self.approve.data),
        }


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Import"))


def _require_importer() -> None:
    """Examiners, and contributors verified as an institution, import files."""
    if not (current_user.has_role(Role.EXAMINER) or current_user.is_institution):
        abort(403)


@bp.route("/import", methods=["GET", "POST"])
@read_only  # the preview is a dry run; keeping the upload is one short write after it
def import_upload():
    _require_importer()
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("bank/import.html", form=form, report=None)
    upload = form.file.data
    try:
        report, token = uploads.preview(
            current_user, upload.read(), upload.filename or "", form.options(), _token()
        )
    except ServiceError as exc:
        _forget()
        flash(exc.message, "danger")
        return render_template("bank/import.html", form=form, report=None), exc.status
    previews.remember(SESSION_KEY, token)
    page = render_template(
        "bank/import.html",
        form=form,
        report=report,
        confirm=ConfirmForm(),
        filename=upload.filename,
    )
    return page, 422 if report.rejected else 200  # a refused file is the user's to fix


@bp.route("/import/confirm", methods=["POST"])
def import_confirm():
    _require_importer()
    token = previews.confirmed(SESSION_KEY, ConfirmForm())
    if token is None:
        flash(_("Nothing to import: upload the file again."), "warning")
        return redirect(url_for("bank.import_upload"))
    try:
        job_id = uploads.start_import(current_user, token)
    except ServiceError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("bank.import_upload"))
    return redirect(url_for("bank.import_job", job_id=job_id))


@bp.route("/import/jobs/<int:job_id>")
def import_job(job_id: int):
    _require_importer()
    try:
        job = uploads.import_job(current_user, job_id)
    except ServiceError:
        abort(404)
    return render_template("bank/import_job.html", job=job, report=job.result)


@bp.route("/import/template.xlsx")
def import_template():
    _require_importer()
    return send_file(
        io.BytesIO(formats.blank_template()),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="question-bank-template.xlsx",
    )


def _token() -> str | None:
    return previews.waiting(SESSION_KEY)


def _forget() -> None:
    token = _token()
    session.pop(SESSION_KEY, None)
    if token:
        uploads.discard(current_user, token)

"""Trainings imported from a sheet: a preview (the dry-run report) first, then confirm; the
blank template. Like the roster page (examsvc/roster/views.py)."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc import previews
from examsvc.extensions import read_only
from examsvc.services.errors import ServiceError
from examsvc.services.exports import XLSX_MIME
from examsvc.services.training import remit, uploads
from examsvc.training import bp
from examsvc.training.forms import ConfirmForm, ImportForm
from question_bank.training_sheets import template

SESSION_KEY = "training_import"


@bp.route("/import", methods=["GET", "POST"])
@read_only  # the preview is a dry run; keeping the upload is one short write after it
def import_upload():
    form = ImportForm()
    form.org.choices = [(o.code, f"{o.code} {o.name}") for o in remit.organisations(current_user)]
    if not form.validate_on_submit():
        return render_template("training/import.html", form=form, report=None)
    file = form.file.data
    report, token = uploads.preview(
        current_user, file.read(), file.filename or "", form.org.data,
        previews.waiting(SESSION_KEY),
    )  # fmt: skip
    previews.remember(SESSION_KEY, token)
    page = render_template("training/import.html", form=form, report=report,
                           confirm=ConfirmForm(), filename=file.filename)  # fmt: skip
    return page, 422 if report.rejected else 200


@bp.post("/import/confirm")
def import_confirm():
    token = previews.confirmed(SESSION_KEY, ConfirmForm())
    if token is None:
        flash(_("Nothing to import: upload the file again."), "warning")
        return redirect(url_for("training.import_upload"))
    try:
        report = uploads.confirm(current_user, token)
    except ServiceError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("training.import_upload"))
    page = render_template("training/import_done.html", report=report)
    return page, 422 if report.rejected else 200


@bp.route("/import/template.xlsx")
def import_template():
    return send_file(
        io.BytesIO(template()), mimetype=XLSX_MIME, as_attachment=True,
        download_name="training-records-template.xlsx",
    )  # fmt: skip

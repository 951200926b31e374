"""年检 batches: the list and opening one, a batch's people with their outcomes, the
assessments (a row at a time or a sheet), refreshing the facts and closing (admins)."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin.forms import ActionForm
from examsvc.inspections import bp
from examsvc.inspections.forms import AssessmentForm, CloseForm, ImportForm, OpenForm
from examsvc.services import inspections
from examsvc.services.errors import NotFound
from examsvc.services.exports import XLSX_MIME, file_name
from examsvc.services.inspections import assessments, closing
from examsvc.web import page_arg, run_action
from question_bank.inspection import MIN_HOURS


def _batch_or_404(inspection_id: int):
    try:
        return inspections.get(current_user, inspection_id)
    except NotFound:
        abort(404)


def _open_form() -> OpenForm:
    form = OpenForm()
    form.org.choices = [
        (str(o.id), f"{o.code} {o.name}") for o in inspections.organisations(current_user)
    ]
    if request.method == "GET":
        form.year.data = inspections.default_year()
    return form


@bp.route("/")
def index():
    return render_template(
        "inspections/index.html", page=inspections.visible(current_user, page_arg()),
        form=_open_form(),
    )  # fmt: skip


@bp.post("/new")
def open_batch():
    form = _open_form()
    if not form.validate_on_submit():
        flash(_("Choose an organisation and a past year from 2000 on."), "danger")
        return redirect(url_for("inspections.index"))
    batch = run_action(
        lambda: inspections.open_batch(current_user, int(form.org.data), form.year.data),
        _("Annual inspection opened."),
    )
    if batch is None:
        return redirect(url_for("inspections.index"))
    return redirect(url_for("inspections.show", inspection_id=batch.id))


def _render_batch(batch, problems=None, status: int = 200):
    query = request.args.get("q", "")[:100]
    page, rows = inspections.rows(batch, page_arg(), query)
    page_html = render_template(
        "inspections/show.html", batch=batch, page=page, rows=rows, query=query,
        summary=inspections.summary(batch),
        import_form=ImportForm(), close_form=CloseForm(), action_form=ActionForm(),
        may_close=inspections.may_close(current_user), problems=problems,
        min_hours=MIN_HOURS,
    )  # fmt: skip
    return page_html, status


@bp.route("/<int:inspection_id>")
def show(inspection_id: int):
    return _render_batch(_batch_or_404(inspection_id))


def _back(batch):
    return redirect(url_for("inspections.show", inspection_id=batch.id, **_kept()))


def _kept() -> dict:
    """The list's page and search, carried by a row's form back to where it was."""
    kept = {k: request.args[k] for k in ("page", "q") if request.args.get(k)}
    return {k: v[:100] for k, v in kept.items()}


@bp.post("/<int:inspection_id>/results/<int:result_id>")
def assess(inspection_id: int, result_id: int):
    batch = _batch_or_404(inspection_id)
    form = AssessmentForm()
    if not form.validate_on_submit():
        flash(_("Choose the annual assessment from the list."), "danger")
        return _back(batch)
    value = form.assessment.data or None
    run_action(lambda: _assess_or_404(batch.id, result_id, value), _("Annual assessment saved."))
    return _back(batch)


def _assess_or_404(batch_id: int, result_id: int, value: str | None):
    try:
        return inspections.set_assessment(current_user, batch_id, result_id, value)
    except NotFound:
        abort(404)


@bp.post("/<int:inspection_id>/import")
def import_sheet(inspection_id: int):
    batch = _batch_or_404(inspection_id)
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a sheet (xlsx or CSV) to import."), "danger")
        return _back(batch)
    file = form.file.data
    report = run_action(
        lambda: assessments.import_sheet(current_user, batch.id, file.read(), file.filename or ""),
        None,
    )
    if report is None:
        return _back(batch)
    if report.problems:
        flash(_("Nothing was imported: correct the rows below and import the sheet again."),
              "danger")  # fmt: skip
        return _render_batch(batch, report.problems, 422)
    flash(_("%(n)s annual assessments imported.", n=report.imported), "success")
    return _back(batch)


@bp.route("/<int:inspection_id>/assessments.xlsx")
def sheet(inspection_id: int):
    batch = _batch_or_404(inspection_id)
    data = assessments.sheet(current_user, batch.id)
    name = file_name(f"年度考核-{batch.organisation.code}-{batch.year}")
    return send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=name)  # fmt: skip


@bp.post("/<int:inspection_id>/refresh")
def refresh(inspection_id: int):
    batch = _batch_or_404(inspection_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    run_action(lambda: inspections.refresh(current_user, batch.id), _("The facts were read again."))
    return _back(batch)


@bp.post("/<int:inspection_id>/close")
def close(inspection_id: int):
    if not inspections.may_close(current_user):
        abort(403)
    batch = _batch_or_404(inspection_id)
    form = CloseForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm that you have checked every outcome."), "danger")
        return _back(batch)
    report = run_action(
        lambda: closing.close(current_user, batch.id, missing_fail=bool(form.missing_fail.data)),
        None,
    )
    if report is not None:
        message = _(
            "Annual inspection closed: %(passed)s passed, %(reinstated)s reinstated, "
            "%(suspended)s suspended, %(revoked)s revoked.",
            **report.counts,
        )
        flash(message, "success")
    return _back(batch)

"""The organisation report of hours, and a person's training records (add, edit, delete)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from examsvc.admin.forms import ActionForm
from examsvc.models import Organisation
from examsvc.services import exports, scope
from examsvc.services.errors import NotFound
from examsvc.services.training import compliance, records, remit, report
from examsvc.services.training.records import RecordInput, today_local
from examsvc.training import bp
from examsvc.training.forms import RecordForm
from examsvc.web import int_arg, page_arg, run_action

T = TypeVar("T")
#: Years shown on a person's page: this one and the ones before.
YEARS_SHOWN = 4


def found(load: Callable[[], T]) -> T:
    """The service's answer, or a 404 for what it does not find (another subtree too)."""
    try:
        return load()
    except NotFound:
        abort(404)


class ListPage(Pagination):
    """A page of a list already in memory, for the pager macro."""

    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def _year() -> int:
    this_year = today_local().year
    year = int_arg("year")
    return year if year is not None and 2000 <= year <= this_year + 1 else this_year


def _report_org() -> Organisation | None:
    org_id = int_arg("org")
    if org_id is not None:
        return scope.org_or_404(current_user, org_id)
    return remit.default_org(current_user)


def _filtered(result: compliance.OrgCompliance):
    rows = report.rows_of(result, request.args.get("below") == "1")
    text = request.args.get("q", "")[:100].strip()
    return [r for r in rows if text in r.name] if text else rows


@bp.route("/")
def report_page():
    org, year = _report_org(), _year()
    if org is None:
        return render_template("training/report.html", org=None, year=year, choices=[])
    result = compliance.org_compliance(org, year)
    by = "category" if request.args.get("by") == "category" else "org"
    page = ListPage(page=page_arg(), per_page=50, error_out=False, rows=_filtered(result))
    return render_template(
        "training/report.html", org=org, year=year, result=result, page=page, by=by,
        chart=report.chart(result, by), choices=_org_choices(),
    )  # fmt: skip


def _org_choices() -> list[Organisation]:
    return remit.organisations(current_user)


@bp.route("/report.xlsx")
def report_export():
    org, year = _report_org(), _year()
    if org is None:
        abort(404)
    result = compliance.org_compliance(org, year)
    data = report.report_xlsx(result, request.args.get("below") == "1")
    return send_file(
        io.BytesIO(data), mimetype=exports.XLSX_MIME, as_attachment=True,
        download_name=exports.file_name(f"training-hours-{org.code}-{year}"),
    )  # fmt: skip


@bp.route("/people/<int:person_id>")
def person(person_id: int):
    person = found(lambda: records.person_in_scope(current_user, person_id))
    this_year = today_local().year
    years = list(range(this_year, this_year - YEARS_SHOWN, -1))
    return render_template(
        "training/person.html", person=person, records=records.records_of(person.id),
        years=compliance.yearly_hours(person.id, years), action_form=ActionForm(),
    )  # fmt: skip


def _input(form: RecordForm) -> RecordInput:
    return RecordInput(
        course_name=form.course_name.data or "", organiser=form.organiser.data or "",
        kind=form.kind.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        hours=form.hours.data, attendance_certificate=form.attendance_certificate.data or "",
        note=form.note.data or "",
    )  # fmt: skip


@bp.route("/people/<int:person_id>/records/new", methods=["GET", "POST"])
def new_record(person_id: int):
    person = found(lambda: records.person_in_scope(current_user, person_id))
    form = RecordForm()
    if form.validate_on_submit():
        done = run_action(
            lambda: records.add(current_user, person, _input(form)), _("Training recorded.")
        )
        if done is not None:
            return redirect(url_for("training.person", person_id=person.id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/record_form.html", form=form, person=person), status


@bp.route("/records/<int:record_id>/edit", methods=["GET", "POST"])
def edit_record(record_id: int):
    record = found(lambda: records.record_in_scope(current_user, record_id))
    form = RecordForm(obj=record)
    if form.validate_on_submit():
        done = run_action(lambda: records.update(current_user, record, _input(form)), None)
        if done is not None:
            return redirect(url_for("training.person", person_id=record.user_id))
    status = 422 if form.is_submitted() else 200
    page = render_template("training/record_form.html", form=form, person=record.user,
                           record=record)  # fmt: skip
    return page, status


@bp.post("/records/<int:record_id>/delete")
def delete_record(record_id: int):
    record = found(lambda: records.record_in_scope(current_user, record_id))
    person_id = record.user_id
    if not ActionForm().validate_on_submit():
        abort(400)
    run_action(lambda: records.delete(current_user, record), _("Training record deleted."))
    return redirect(url_for("training.person", person_id=person_id))

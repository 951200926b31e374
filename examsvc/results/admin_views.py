"""Admin only: deciding appeals and objections, the notice calendar, resits, the matrix."""

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin.forms import ActionForm
from examsvc.extensions import db
from examsvc.labels import choices
from examsvc.models import Dispute, DisputeState, Sitting, utcnow
from examsvc.results import admin_bp as bp
from examsvc.results.forms import (
    CalendarDayForm,
    CorrectForm,
    RejectForm,
    ResitForm,
    SendBackForm,
)
from examsvc.services.errors import ServiceError
from examsvc.services.results import calendar, disputes, resits
from examsvc.services.results.exports import XLSX_MIME, answer_matrix_xlsx
from examsvc.web import run_action


@bp.route("/sittings/<int:sitting_id>/answers.xlsx")
def answer_matrix(sitting_id: int):
    sitting = db.get_or_404(Sitting, sitting_id)
    return send_file(
        io.BytesIO(answer_matrix_xlsx(sitting)), mimetype=XLSX_MIME, as_attachment=True,
        download_name=f"answers-{sitting.id}.xlsx",
    )  # fmt: skip


def _dispute_forms(dispute: Dispute):
    correct = CorrectForm(prefix="correct")
    items = dispute.attempt.enrolment.paper.items if dispute.attempt.enrolment.paper else []
    points = {a.paper_item_id: a.points for a in dispute.attempt.answers}
    correct.item.choices = choices({
        i.id: _("Item %(n)s (%(got)s of %(max)s points)", n=i.position + 1,
                got=f"{points.get(i.id) or 0:g}", max=f"{i.points:g}")
        for i in items
    })  # fmt: skip
    return SendBackForm(prefix="back"), RejectForm(prefix="reject"), correct


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
def dispute(dispute_id: int):
    item = db.get_or_404(Dispute, dispute_id)
    back, reject, correct = _dispute_forms(item)
    done = None
    if back.submit.data and back.validate_on_submit():
        done = run_action(
            lambda: disputes.send_back(current_user, dispute_id, back.note.data or ""),
            _("Sent back for marking."),
        )
    elif reject.submit.data and reject.validate_on_submit():
        done = run_action(lambda: disputes.reject(current_user, dispute_id, reject.outcome.data),
                    _("Rejected; the result stands."))  # fmt: skip
    elif correct.submit.data and correct.validate_on_submit():
        done = run_action(lambda: disputes.correct(current_user, dispute_id, correct.item.data,
                                             float(correct.points.data), correct.outcome.data),
                    _("Score corrected."))  # fmt: skip
    if done is not None:
        return redirect(url_for("results_admin.dispute", dispute_id=dispute_id))
    return render_template(
        "results/dispute.html", dispute=item, back=back, reject=reject, correct=correct,
        is_open=DisputeState(item.state).is_open,
    )  # fmt: skip


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_days():
    form = CalendarDayForm()
    if form.validate_on_submit():
        added = run_action(lambda: calendar.add_day(current_user, form.day.data,
                                              form.kind.data == "workday", form.note.data or ""),
                     _("Day added."))  # fmt: skip
        if added is not None:
            return redirect(url_for("results_admin.calendar_days"))
    year = utcnow().year
    return render_template(
        "results/calendar.html", form=form, days=calendar.all_days(), action_form=ActionForm(),
        official=calendar.official_workdays(year), year=year,
    )  # fmt: skip


@bp.route("/calendar/<int:day_id>/remove", methods=["POST"])
def remove_day(day_id: int):
    if ActionForm().validate_on_submit():
        run_action(lambda: calendar.remove_day(current_user, day_id), _("Day removed."))
    return redirect(url_for("results_admin.calendar_days"))


@bp.route("/sittings/<int:sitting_id>/resit", methods=["GET", "POST"])
def new_resit(sitting_id: int):
    original = db.get_or_404(Sitting, sitting_id)
    form = ResitForm()
    if not form.is_submitted():
        form.name.data = _("%(name)s (resit)", name=original.name)
    if form.validate_on_submit():
        resit = run_action(lambda: resits.create_resit(
            current_user, sitting_id, form.name.data, form.to_utc(form.opens_at.data),
            form.to_utc(form.closes_at.data)), _("Resit sitting created."))  # fmt: skip
        if resit is not None:
            return redirect(url_for("results.sitting", sitting_id=resit.id))
    failed = len(resits.failed_user_ids(original.id))
    return render_template("results/resit.html", original=original, form=form, failed=failed)


@bp.route("/sittings/<int:sitting_id>/enrol-failed", methods=["POST"])
def enrol_failed(sitting_id: int):
    if ActionForm().validate_on_submit():
        outcome = run_action(lambda: resits.enrol_failed(current_user, sitting_id), None)
        if outcome is not None:
            enrolled, refused = outcome
            flash(_("%(n)s candidates enrolled in the resit; %(r)s may not sit it.",
                    n=enrolled, r=refused), "success")  # fmt: skip
    return redirect(url_for("results.sitting", sitting_id=sitting_id))


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    abort(exc.status)

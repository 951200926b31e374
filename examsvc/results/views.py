"""A sitting's results for admins and org admins (their subtree only)."""

import io
from decimal import Decimal

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.extensions import db
from examsvc.labels import choices
from examsvc.models import Role, Sitting, utcnow
from examsvc.results import bp
from examsvc.results.forms import ANY, FilterForm
from examsvc.services.results import certificates_from, notice_ends_on, reports
from examsvc.services.results.charts import score_histogram
from examsvc.services.results.disputes import sitting_disputes
from examsvc.services.results.exports import XLSX_MIME, results_xlsx
from examsvc.services.results.resits import chain, resits_of
from examsvc.web import page_arg

FILTER_ARGS = ("org", "outcome", "score_min", "score_max")


def visible_sitting(sitting_id: int) -> Sitting:
    """The sitting when the viewer may see its results; 404 otherwise (another subtree too)."""
    sitting = db.get_or_404(Sitting, sitting_id)
    if not current_user.has_role(Role.ADMIN) and not reports.visible(current_user, sitting):
        abort(404)
    return sitting


def _filters(sitting: Sitting) -> tuple[FilterForm, reports.Filters]:
    form = FilterForm(request.args)
    orgs = reports.organisations(current_user, sitting)
    form.org.choices = choices({o.id: o.name for o in orgs}, first=ANY)
    form.validate()

    def value(field):  # a value outside its choices or range filters nothing
        return None if field.errors or field.data in (None, "") else field.data

    org, low, high = value(form.org), value(form.score_min), value(form.score_max)
    return form, reports.Filters(
        org_id=int(org) if org else None,
        outcome=value(form.outcome) or "",
        score_min=float(low) if isinstance(low, Decimal) else None,
        score_max=float(high) if isinstance(high, Decimal) else None,
    )


@bp.route("/sittings/<int:sitting_id>")
def sitting(sitting_id: int):
    item = visible_sitting(sitting_id)
    form, filters = _filters(item)
    page = reports.results_page(current_user, item, filters, page_arg())
    values = reports.scores(current_user, item, filters)
    blueprint = item.blueprint
    chart = score_histogram(values, blueprint.total_points, blueprint.pass_mark,
                            label=_("Score"), pass_label=_("Pass mark"))  # fmt: skip
    is_admin = current_user.has_role(Role.ADMIN)
    return render_template(
        "results/sitting.html", sitting=item, form=form, filters=filters, page=page,
        chart=chart, summary=reports.summary(values, blueprint.pass_mark), is_admin=is_admin,
        notice_ends=notice_ends_on(item), certificates_from=certificates_from(item),
        disputes=sitting_disputes(item.id) if is_admin else [],
        resits=resits_of(item), chain=chain(item), now=utcnow(),
        export_args={k: request.args[k][:40] for k in FILTER_ARGS if request.args.get(k)},
    )  # fmt: skip


@bp.route("/sittings/<int:sitting_id>/candidates/<int:enrolment_id>")
def candidate(sitting_id: int, enrolment_id: int):
    item = visible_sitting(sitting_id)
    row = reports.candidate_row(current_user, item, enrolment_id)
    if row is None:
        abort(404)
    parts = reports.breakdowns(item, [enrolment_id]).get(enrolment_id, reports.Breakdown())
    return render_template("results/candidate.html", sitting=item, row=row, parts=parts)


@bp.route("/sittings/<int:sitting_id>/results.xlsx")
def export(sitting_id: int):
    item = visible_sitting(sitting_id)
    _, filters = _filters(item)
    return send_file(
        io.BytesIO(results_xlsx(current_user, item, filters)), mimetype=XLSX_MIME,
        as_attachment=True, download_name=f"results-{item.id}.xlsx",
    )  # fmt: skip

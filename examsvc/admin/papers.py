"""Admin pages for a sitting's papers: randomize, preview with key, fairness report."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin import bp
from examsvc.admin.forms import ActionForm
from examsvc.extensions import read_only, short_writes
from examsvc.services import charts, draw_jobs, exams, fairness
from examsvc.services.errors import NotFound, ServiceError


@bp.route("/sittings/<int:sitting_id>/randomize", methods=["POST"])
@short_writes  # the draw is computed without the write lock; storing it is one transaction
def randomize(sitting_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.sitting", sitting_id=sitting_id))
    try:
        job = draw_jobs.randomize_job(draw_jobs.start_randomize(current_user, sitting_id))
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin.sitting", sitting_id=sitting_id))
    if not job.job_state.finished:  # a big sitting: its page shows the progress
        return redirect(url_for("admin.job", job_id=job.id))
    if job.state == "done":
        flash(_("Papers drawn for %(n)s candidates.", n=job.result["papers"]), "success")
    else:
        flash(job.error, "danger")
    return redirect(url_for("admin.sitting", sitting_id=sitting_id))


@bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    try:
        job = draw_jobs.randomize_job(job_id)
    except NotFound:
        abort(404)
    return render_template("admin/job.html", job=job)


@bp.route("/sittings/<int:sitting_id>/fairness")
def fairness_report(sitting_id: int):
    try:
        sitting = exams.get_sitting(sitting_id)
    except NotFound:
        abort(404)
    report = fairness.report(sitting)
    plots = {}
    if report is not None:
        plots = {
            "scores": charts.histogram(report.expected_scores, label=_("expected score per paper")),
            "exposure": charts.histogram(
                [100 * e for e in report.exposure],
                label=_("share of papers per item (%)"),
                fmt="{:.1f}%",
            ),
        }
    return render_template("admin/fairness.html", sitting=sitting, report=report, plots=plots)


@bp.route("/sittings/<int:sitting_id>/papers/<int:enrolment_id>")
def paper(sitting_id: int, enrolment_id: int):
    try:
        enrolment, items = fairness.paper_preview(sitting_id, enrolment_id)
    except NotFound:
        abort(404)
    return render_template("admin/paper.html", enrolment=enrolment, items=items)


@bp.route("/blueprints/check", methods=["POST"])
@read_only
def check_blueprint():
    """Live feasibility of the blueprint being edited against the approved bank (JSON)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("rows", []), list):
        return jsonify({"error": "bad_request", "message": _("malformed rows")}), 400
    try:
        rows = [
            exams.RowSpec(
                r.get("area") or None,
                str(r["type"]),
                int(r["count"]),
                1.0,
                (int(r.get("min", 1)), int(r.get("max", 5))),
            )
            for r in body.get("rows", [])[:50]
        ]
        cap = float(body.get("exposure_cap", 20)) / 100
        kind, level = str(body.get("exam_kind", "")), int(body.get("level", 0))
    except (AttributeError, KeyError, TypeError, ValueError):
        return jsonify({"error": "bad_request", "message": _("malformed rows")}), 400
    return jsonify({"rows": exams.check_rows(rows, kind, level, cap)})

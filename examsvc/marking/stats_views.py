"""Item analysis pages: per sitting (test figures, histogram, facility × discrimination) and
per question (option table and option curves), and settling a flag from the review page."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.extensions import db
from examsvc.marking import stats_bp
from examsvc.marking.forms import RescoreForm, ResolveFlagForm
from examsvc.marking.labels import FLAG_HELP, FLAG_LABELS
from examsvc.models import ItemFlag, Sitting
from examsvc.services import item_stats, stat_charts
from examsvc.services.errors import ServiceError


def _sitting_or_404(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        abort(404)
    return sitting


@stats_bp.app_context_processor
def _review_flags():
    """The review pages show statistics flags (templates/stats/_flagged.html, _evidence.html)."""
    return {
        "item_flags": item_stats,
        "stat_charts": stat_charts,
        "flag_labels": FLAG_LABELS,
        "flag_help": FLAG_HELP,
    }


@stats_bp.route("/sittings/<int:sitting_id>")
def sitting(sitting_id: int):
    sitting = _sitting_or_404(sitting_id)
    analysis = item_stats.stored(sitting.id)
    return render_template(
        "stats/sitting.html",
        sitting=sitting,
        analysis=analysis,
        charts=_sitting_charts(analysis.data) if analysis else {},
        rows=sorted(analysis.data["items"], key=_severity) if analysis else [],
        form=RescoreForm(),
        min_candidates=item_stats.MIN_CANDIDATES,
    )


#: Flags that question the key or the item itself: listed first.
SERIOUS = ("key_suspect", "negative_discrimination")


def _severity(row: dict) -> tuple:
    flags = row["flags"]
    return (not any(f in SERIOUS for f in flags), not flags, row["question_id"])


def _sitting_charts(data: dict) -> dict:
    hist = data["histogram"]
    points = [
        (r["facility"], r["discrimination_index"] or 0.0, f"#{r['question_id']}", bool(r["flags"]))
        for r in data["items"]
        if r["facility"] is not None
    ]
    return {
        "histogram": stat_charts.histogram(
            hist["low"],
            hist["high"],
            hist["counts"],
            _("Score distribution"),
            data["pass_mark"],
            _("pass mark"),
        ),
        "scatter": stat_charts.scatter(
            points, _("Facility and discrimination"), _("facility"), _("discrimination")
        ),
    }


@stats_bp.route("/sittings/<int:sitting_id>/compute", methods=["POST"])
def compute(sitting_id: int):
    _sitting_or_404(sitting_id)
    if not RescoreForm().validate_on_submit():
        abort(400)
    try:
        if item_stats.needs_job(sitting_id):
            job_id = item_stats.start_analysis(current_user, sitting_id)
            return redirect(url_for("marking.job", job_id=job_id))
        item_stats.analyse_now(current_user, sitting_id)
        flash(_("Item statistics computed."), "success")
    except ServiceError as exc:
        flash(exc.message, "danger")
    return redirect(url_for("stats.sitting", sitting_id=sitting_id))


@stats_bp.route("/sittings/<int:sitting_id>/questions/<int:question_id>")
def question(sitting_id: int, question_id: int):
    sitting = _sitting_or_404(sitting_id)
    try:
        analysis, row, version = item_stats.item_row(sitting.id, question_id)
    except ServiceError:
        abort(404)
    return render_template(
        "stats/question.html",
        sitting=sitting,
        analysis=analysis,
        row=row,
        version=version,
        flags=item_stats.flags_of(question_id),
        curves=curves(row),
    )


def curves(row: dict):
    """The option curves of one question's statistics row."""
    labels = [o["option"] for o in row["options"]]
    keys = [o["option"] for o in row["options"] if o["is_key"]]
    return stat_charts.option_curves(
        row.get("groups") or [],
        labels,
        keys,
        _("Option curves"),
        _("score group, lowest to highest"),
        _("facility"),
    )


@stats_bp.route("/flags/<int:item_flag_id>/resolve", methods=["POST"])
def resolve(item_flag_id: int):
    flag = db.session.get(ItemFlag, item_flag_id)
    if flag is None:
        abort(404)
    form = ResolveFlagForm()
    if not form.validate_on_submit():
        flash(_("Say what was decided about the flagged question."), "danger")
    else:
        try:
            item_stats.resolve(current_user, item_flag_id, form.note.data)
            flash(_("The flag is settled."), "success")
        except ServiceError as exc:
            if exc.status == 403:
                abort(403)
            flash(exc.message, "danger")
    return redirect(url_for("review.detail", question_id=flag.question_id))

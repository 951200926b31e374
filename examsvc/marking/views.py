"""Marking pages: an examiner's sittings, blind marking, progress; the admin's plan,
bulk scoring and re-scoring after a key correction."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.extensions import db
from examsvc.marking import bp
from examsvc.marking.forms import MarkForm, PlanForm, RescoreForm
from examsvc.models import Role, Sitting
from examsvc.services import jobs, marking, scoring
from examsvc.services.errors import ServiceError
from examsvc.web import int_arg


def _admin_only() -> None:
    if not current_user.has_role(Role.ADMIN):
        abort(403)


def _examiner_only() -> None:
    if not current_user.has_role(Role.EXAMINER):
        abort(403)


def _sitting_or_404(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        abort(404)
    return sitting


@bp.route("/")
def index():
    return render_template("marking/index.html", rows=marking.marking_sittings(current_user))


@bp.route("/sittings/<int:sitting_id>")
def sitting(sitting_id: int):
    sitting = _sitting_or_404(sitting_id)
    plan = marking.plan_of(sitting.id)
    form = PlanForm(obj=plan) if current_user.has_role(Role.ADMIN) else None
    return render_template(
        "marking/sitting.html",
        sitting=sitting,
        plan=plan,
        progress=marking.progress(sitting.id, current_user),
        plan_form=form,
        action_form=RescoreForm(),
    )


@bp.route("/sittings/<int:sitting_id>/plan", methods=["POST"])
def save_plan(sitting_id: int):
    _admin_only()
    _sitting_or_404(sitting_id)
    form = PlanForm()
    if not form.validate_on_submit():
        flash(_("Check the marking plan: the tolerance is 0 to 100 points."), "danger")
        return redirect(url_for("marking.sitting", sitting_id=sitting_id))
    try:
        marking.save_plan(
            current_user,
            sitting_id,
            is_double=form.is_double.data,
            tolerance=float(form.tolerance.data),
            exclude_own_org=form.exclude_own_org.data,
        )
        flash(_("Marking plan saved."), "success")
    except ServiceError as exc:
        flash(exc.message, "danger")
    return redirect(url_for("marking.sitting", sitting_id=sitting_id))


@bp.route("/sittings/<int:sitting_id>/next")
def next_answer(sitting_id: int):
    _examiner_only()
    _sitting_or_404(sitting_id)
    answer_id = marking.next_answer(current_user, sitting_id, int_arg("question"))
    if answer_id is None:
        flash(_("Nothing is waiting for your mark here."), "info")
        return redirect(url_for("marking.sitting", sitting_id=sitting_id))
    return redirect(url_for("marking.mark", answer_id=answer_id, question=int_arg("question")))


@bp.route("/answers/<int:answer_id>", methods=["GET", "POST"])
def mark(answer_id: int):
    _examiner_only()
    try:
        blind = marking.blind_answer(current_user, answer_id)
    except ServiceError:
        abort(404)
    form = MarkForm()
    if form.validate_on_submit():
        try:
            shown = form.round.data or ""
            marking.give_mark(
                current_user, answer_id, form.criteria.data, form.comment.data or "",
                expected_round=int(shown) if shown.isascii() and shown.isdigit() else None,
            )  # fmt: skip
        except ServiceError as exc:
            flash(exc.message, "danger")
            try:  # show the answer as it is now (another mark may have come in)
                blind = marking.blind_answer(current_user, answer_id)
            except ServiceError:
                return redirect(url_for("marking.sitting", sitting_id=blind.sitting.id))
            return render_template("marking/mark.html", blind=blind, form=form), exc.status
        flash(_("Mark saved."), "success")
        return redirect(
            url_for(
                "marking.next_answer", sitting_id=blind.sitting.id, question=int_arg("question")
            )
        )
    if request.method == "POST":
        flash(_("Give points for every criterion of the rubric."), "danger")
    return render_template("marking/mark.html", blind=blind, form=form)


@bp.route("/sittings/<int:sitting_id>/score", methods=["POST"])
def score(sitting_id: int):
    _admin_only()
    _sitting_or_404(sitting_id)
    if not RescoreForm().validate_on_submit():
        abort(400)
    try:
        job_id = scoring.start_scoring(current_user, sitting_id)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("marking.sitting", sitting_id=sitting_id))
    return redirect(url_for("marking.job", job_id=job_id))


@bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    try:
        found = jobs.visible_job(current_user, job_id)
    except ServiceError:
        abort(404)
    if found.kind not in (scoring.SCORE_JOB, "item_analysis"):
        abort(404)
    return render_template("marking/job.html", job=found)


@bp.route("/sittings/<int:sitting_id>/rescore", methods=["GET", "POST"])
def rescore(sitting_id: int):
    _admin_only()
    sitting = _sitting_or_404(sitting_id)
    found = scoring.corrections(sitting)
    choices = [(c.question_id, str(c.question_id)) for c in found]
    choose = RescoreForm(request.args, meta={"csrf": False})  # the preview is a plain GET
    form = RescoreForm()
    choose.questions.choices = form.questions.choices = choices
    applied, changes, seen = [], [], ""
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("Choose the corrections again."), "danger")
            return redirect(url_for("marking.rescore", sitting_id=sitting_id))
        try:
            changes = scoring.apply(
                current_user, sitting_id, form.questions.data, form.seen.data or ""
            )
        except ServiceError as exc:
            flash(exc.message, "danger")
            return redirect(
                url_for("marking.rescore", sitting_id=sitting_id, questions=form.questions.data)
            )
        flash(_("%(n)s attempts re-scored.", n=len(changes)), "success")
        return redirect(url_for("marking.sitting", sitting_id=sitting_id))
    if request.args.getlist("questions") and choose.validate():
        try:
            applied, changes = scoring.preview(sitting_id, choose.questions.data)
            seen = scoring.digest(applied, changes)
        except ServiceError as exc:
            flash(exc.message, "danger")
    return render_template(
        "marking/rescore.html",
        sitting=sitting,
        corrections=found,
        applied=applied,
        changes=changes,
        seen=seen,
        form=form,
        choose=choose,
    )

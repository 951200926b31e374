from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin import bp
from examsvc.admin.forms import ActionForm, BlueprintForm, EnrolForm, SittingForm
from examsvc.labels import AUDIT_LABELS, choices
from examsvc.models import utcnow
from examsvc.services import audit, exams, results
from examsvc.services.errors import ServiceError
from examsvc.web import int_arg, page_arg, run_action


@bp.route("/")
def dashboard():
    query = request.args.get("q", "")[:100]
    return render_template(
        "admin/dashboard.html",
        sittings=exams.sittings_page(page_arg("sittings_page"), query),
        blueprints=exams.blueprints_page(page_arg("blueprints_page"), query),
        query=query,
        now=utcnow(),
    )


@bp.route("/blueprints/new", methods=["GET", "POST"])
def new_blueprint():
    form = BlueprintForm()
    if form.validate_on_submit():
        try:
            exams.create_blueprint(
                current_user,
                name=form.name.data,
                exam_kind=form.exam_kind.data,
                level=int(form.level.data),
                duration_minutes=form.duration_minutes.data,
                pass_mark=float(form.pass_mark.data),
                multiple_rule=form.multiple_rule.data,
                partial_share=form.share(),
                rows=form.row_specs(),
                fairness=form.fairness(),
            )
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("admin/blueprint_form.html", form=form), exc.status
        flash(_("Blueprint created."), "success")
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/blueprint_form.html", form=form)


@bp.route("/sittings/new", methods=["GET", "POST"])
def new_sitting():
    form = SittingForm()
    form.blueprint_id.choices = choices({b.id: b.name for b in exams.list_blueprints()})
    chosen = int_arg("blueprint")  # from a training course's page: its test's blueprint
    if not form.is_submitted() and str(chosen) in {c.value for c in form.blueprint_id.choices}:
        form.blueprint_id.data = chosen
    if form.validate_on_submit():
        try:
            sitting = exams.create_sitting(
                current_user,
                form.blueprint_id.data,
                form.name.data,
                form.to_utc(form.opens_at.data),
                form.to_utc(form.closes_at.data),
                place=form.place.data or "",
                focus_loss_limit=form.focus_loss_limit.data,
            )
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("admin/sitting_form.html", form=form), exc.status
        flash(_("Sitting created."), "success")
        return redirect(url_for("admin.sitting", sitting_id=sitting.id))
    return render_template("admin/sitting_form.html", form=form)


@bp.route("/sittings/<int:sitting_id>")
def sitting(sitting_id: int):
    item = _sitting_or_404(sitting_id)
    query = request.args.get("q", "")[:100]
    page = results.sitting_results_page(item, page_arg(), query)
    from examsvc.admin.sittings import page_context

    return render_template(
        "admin/sitting.html",
        sitting=item,
        page=page,
        **page_context(item, page.items),
        query=query,
        now=utcnow(),
        shortfalls=exams.feasibility(item.blueprint),
        notice_ends=results.notice_ends_on(item),
        enrol_form=EnrolForm(),
        action_form=ActionForm(),
    )


@bp.route("/sittings/<int:sitting_id>/enrol", methods=["POST"])
def enrol(sitting_id: int):
    form = EnrolForm()
    if form.validate_on_submit():
        enrolment = run_action(lambda: exams.enrol(current_user, sitting_id, form.email.data), None)
        if enrolment is not None and enrolment.paper is not None:
            flash(_("Candidate enrolled and paper drawn."), "success")
        elif enrolment is not None:  # drawn with everyone's when the sitting is randomized
            flash(_("Candidate enrolled; the paper is drawn when you randomize the sitting."),
                  "success")  # fmt: skip
    else:
        flash(_("Enter the e-mail address of a registered candidate."), "danger")
    return redirect(url_for("admin.sitting", sitting_id=sitting_id))


@bp.route("/sittings/<int:sitting_id>/publish", methods=["POST"])
def publish(sitting_id: int):
    if ActionForm().validate_on_submit():
        run_action(lambda: results.publish(current_user, sitting_id), _("Results published."))
    return redirect(url_for("admin.sitting", sitting_id=sitting_id))


@bp.route("/sittings/<int:sitting_id>/certificates", methods=["POST"])
def certificates(sitting_id: int):
    if ActionForm().validate_on_submit():
        outcome = run_action(lambda: results.issue_certificates(current_user, sitting_id), None)
        if outcome is not None:
            issued, refused = outcome
            flash(_("%(n)s certificates issued.", n=len(issued)), "success")
            for reason in refused:
                flash(_("No certificate for %(who)s", who=reason), "warning")
    return redirect(url_for("admin.sitting", sitting_id=sitting_id))


@bp.route("/audit")
def audit_log():
    action, actor = request.args.get("action", "")[:64], request.args.get("q", "")[:100]
    page = audit.page(page_arg(), action=action or None, actor=actor)
    return render_template(
        "admin/audit.html",
        page=page,
        action=action,
        query=actor,
        actions=sorted(set(AUDIT_LABELS) | set(audit.actions())),
        targets=audit.targets(page.items),
    )


def _sitting_or_404(sitting_id: int):
    try:
        return exams.get_sitting(sitting_id)
    except ServiceError:
        from flask import abort

        abort(404)

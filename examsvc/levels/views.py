"""Admins' and org admins' pages: level applications, a person's level, changes of post."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from examsvc.i18n import format_local
from examsvc.levels import bp
from examsvc.levels.forms import NO_ATTEMPT, DeclareForm, PostChangeForm, StepForm, WithdrawForm
from examsvc.models import ExamKind, Promotion, PromotionStep, User
from examsvc.services import levels, scope
from examsvc.services.errors import NotFound, ServiceError
from examsvc.services.levels import facts, lists, posts, promotions, rules
from examsvc.web import int_arg, page_arg, run_action
from question_bank.promotion import STEPS

STATES = promotions.STATES


@bp.route("/promotions")
def promotion_list():
    step = request.args.get("step", "")
    state = request.args.get("state", "")
    level = int_arg("level")
    query = request.args.get("q", "")[:100]
    page = lists.page(
        current_user,
        step=step or None,
        state=state or None,
        level=level,
        text=query,
        page_no=page_arg(),
    )
    return render_template(
        "levels/promotions.html", page=page, step=step, state=state, level=level, query=query,
        steps=STEPS, states=STATES, counts=lists.waiting_counts(current_user),
    )  # fmt: skip


def _promotion(promotion_id: int) -> Promotion:
    try:
        return promotions.get_for(current_user, promotion_id)
    except NotFound:
        abort(404)


def step_form(promotion: Promotion, form: StepForm | None = None) -> StepForm:
    """The form of the step the application waits for (the training test lists the person's
    passed attempts at the level's exam)."""
    form = form or StepForm(step=promotion.current_step or "")
    elsewhere = _("— none: a test held elsewhere, described in the note —")
    choices = [SelectChoice(NO_ATTEMPT, elsewhere)]
    if promotion.current_step == PromotionStep.TRAINING_TEST:
        for attempt, sitting in facts.passed_level_attempts(promotion.user, promotion.to_level):
            when = format_local(attempt.submitted_at, "%Y-%m-%d") if attempt.submitted_at else ""
            label = _("%(sitting)s · %(date)s · score %(score)s",
                      sitting=sitting.name, date=when, score=attempt.score)  # fmt: skip
            choices.append(SelectChoice(str(attempt.id), label))
    form.attempt.choices = choices
    if len(choices) > 1 and not form.is_submitted():
        form.attempt.data = choices[1].value  # the newest passed exam, not "none"
    return form


def _promotion_page(promotion: Promotion, form: StepForm | None = None, status: int = 200):
    rule = rules.current(ExamKind.LEVEL.value, promotion.to_level, seed=False)
    page = render_template(
        "levels/promotion.html",
        promotion=promotion,
        steps=STEPS,
        done={row.step: row for row in promotion.steps},
        may_record=promotions.may_record(current_user, promotion),
        form=step_form(promotion, form),
        withdraw_form=WithdrawForm(),
        rule=rule,
        panel_needed=promotions.panel_needed(rule.conditions),
        preview=lists.preview(promotion) if promotion.state == promotions.OPEN else [],
        standing=levels.standing(promotion.user),
        certificate=lists.certificate_of(promotion),
    )
    return page, status


@bp.route("/promotions/<int:promotion_id>")
def promotion(promotion_id: int):
    return _promotion_page(_promotion(promotion_id))


@bp.post("/promotions/<int:promotion_id>/steps")
def record_step(promotion_id: int):
    promotion = _promotion(promotion_id)
    form = step_form(promotion, StepForm())
    if not form.validate_on_submit():
        flash(_("Choose the outcome of the step; the note and the panel have a length limit."),
              "danger")  # fmt: skip
        return _promotion_page(promotion, form, 400)
    attempt = form.attempt.data
    done = run_action(
        lambda: promotions.decide(
            current_user, promotion.id, form.step.data, form.outcome.data, form.note.data or "",
            attempt_id=int(attempt) if attempt and attempt.isascii() and attempt.isdigit()
            and len(attempt) < 10 else None,
            panel_text=form.panel.data or "",
        ),
        None,
    )  # fmt: skip
    if done is None:
        return _promotion_page(promotion, form, 409)
    certificate = lists.certificate_of(done)
    if certificate is not None:  # the last step: the application is approved
        flash(_("The application is approved: level certificate %(n)s issued, the level "
                "history updated.", n=certificate.number), "success")  # fmt: skip
    else:
        flash(_("The step is recorded."), "success")
    return redirect(url_for("levels.promotion", promotion_id=promotion.id))


@bp.post("/promotions/<int:promotion_id>/withdraw")
def withdraw(promotion_id: int):
    promotion = _promotion(promotion_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for withdrawing (at most 2000 characters)."), "danger")
    else:
        run_action(
            lambda: promotions.withdraw(current_user, promotion.id, form.reason.data),
            _("The application is withdrawn."),
        )
    return redirect(url_for("levels.promotion", promotion_id=promotion.id))


def _person(person_id: int) -> User:
    return scope.person_or_404(current_user, person_id)


@bp.route("/people/<int:person_id>")
def person(person_id: int):
    person = _person(person_id)
    to_level, refusals = promotions.declaration(person)
    return render_template(
        "levels/person.html",
        person=person,
        standing=levels.standing(person),
        history=levels.history(person),
        certificate=levels.level_certificate(person),
        applications=lists.of_person(person),
        changes=posts.history(person),
        to_level=to_level,
        refusals=refusals,
        declare_form=DeclareForm(to_level=str(to_level)),
    )


@bp.post("/people/<int:person_id>/declare")
def declare_for(person_id: int):
    person = _person(person_id)
    form = DeclareForm()
    if not form.validate_on_submit():
        flash(_("The application could not be read; open the page again."), "danger")
        return redirect(url_for("levels.person", person_id=person.id))
    created = run_action(
        lambda: promotions.declare(
            current_user, person.id, int(form.to_level.data), form.note.data or ""
        ),
        _("The application is declared; it waits for the organisation review."),
    )
    if created is None:
        return redirect(url_for("levels.person", person_id=person.id))
    return redirect(url_for("levels.promotion", promotion_id=created.id))


def _posts_page(person: User, form: PostChangeForm, status: int = 200):
    page = render_template(
        "levels/posts.html", person=person, changes=posts.history(person), form=form
    )
    return page, status


@bp.route("/people/<int:person_id>/posts", methods=["GET", "POST"])
def post_changes(person_id: int):
    person = _person(person_id)
    form = PostChangeForm()
    if request.method == "GET":
        form.old_post.data = person.post
        return _posts_page(person, form)
    if not form.validate_on_submit():
        return _posts_page(person, form, 400)
    try:
        posts.record_change(
            current_user, person.id, new_post=form.new_post.data,
            in_party_post=form.in_party_post.data == "yes", effective_on=form.effective_on.data,
            old_post=form.old_post.data or "", note=form.note.data or "",
        )  # fmt: skip
    except ServiceError as exc:
        flash(exc.message, "danger")
        return _posts_page(person, form, exc.status)
    flash(_("The change of post is recorded."), "success")
    return redirect(url_for("levels.post_changes", person_id=person.id))

"""The person's own level: level held, history, applications; candidates apply here."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.levels import mine_bp
from examsvc.levels.forms import DeclareForm, WithdrawForm
from examsvc.models import Role
from examsvc.services import levels
from examsvc.services.errors import NotFound
from examsvc.services.levels import lists, promotions
from examsvc.web import run_action
from question_bank.promotion import STEPS


@mine_bp.route("/")
def index():
    to_level, refusals = promotions.declaration(current_user)
    return render_template(
        "levels/mine.html",
        person=current_user,
        standing=levels.standing(current_user),
        history=levels.history(current_user),
        certificate=levels.level_certificate(current_user),
        applications=lists.of_person(current_user),
        steps=STEPS,
        to_level=to_level,
        refusals=refusals,
        may_apply=current_user.has_role(Role.CANDIDATE),
        declare_form=DeclareForm(to_level=str(to_level)),
        withdraw_form=WithdrawForm(),
    )


@mine_bp.post("/declare")
def declare():
    form = DeclareForm()
    if not form.validate_on_submit():
        flash(_("The application could not be read; open the page again."), "danger")
    else:
        run_action(
            lambda: promotions.declare(
                current_user, current_user.id, int(form.to_level.data), form.note.data or ""
            ),
            _("Your application is declared; it waits for the organisation review."),
        )
    return redirect(url_for("my_level.index"))


@mine_bp.post("/promotions/<int:promotion_id>/withdraw")
def withdraw(promotion_id: int):
    try:
        promotion = promotions.get_for(current_user, promotion_id)
    except NotFound:
        abort(404)
    if promotion.user_id != current_user.id:
        abort(404)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for withdrawing (at most 2000 characters)."), "danger")
    else:
        run_action(
            lambda: promotions.withdraw(current_user, promotion.id, form.reason.data),
            _("The application is withdrawn."),
        )
    return redirect(url_for("my_level.index"))

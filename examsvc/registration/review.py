"""Review of 个人报名 by org admins (their subtree only: else 404) and admins."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin.forms import ActionForm
from examsvc.models import RegistrationState
from examsvc.registration import review_bp
from examsvc.registration.forms import ReturnForm
from examsvc.services import registration
from examsvc.services.errors import NotFound, ServiceError
from examsvc.web import page_arg
from question_bank.documents import KINDS

#: The tabs of the queue, the one waiting for a decision first.
QUEUE_STATES = ("submitted", "returned", "approved", "draft")


def _registration(registration_id: int):
    try:
        return registration.for_review(current_user, registration_id)
    except NotFound:
        abort(404)


@review_bp.route("/")
def queue():
    state = request.args.get("state", "submitted")
    if state not in QUEUE_STATES:
        state = "submitted"
    page = registration.queue(current_user, state, page_arg())
    return render_template("registration/queue.html", page=page, state=state, states=QUEUE_STATES)


@review_bp.route("/<int:registration_id>")
def detail(registration_id: int):
    reg = _registration(registration_id)
    return _detail_page(reg, ReturnForm())


def _detail_page(reg, return_form: ReturnForm, status: int = 200):
    page = render_template(
        "registration/review.html",
        reg=reg,
        person=reg.user,
        documents=registration.by_kind(reg),
        kinds=KINDS,
        missing=registration.missing_kinds(reg),
        can_decide=reg.state == RegistrationState.SUBMITTED and reg.user_id != current_user.id,
        action_form=ActionForm(),
        return_form=return_form,
    )
    return page, status


@review_bp.post("/<int:registration_id>/approve")
def approve(registration_id: int):
    reg = _registration(registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        registration.approve(current_user, reg)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".detail", registration_id=reg.id))
    flash(_("Approved: %(name)s can now be enrolled in sittings.", name=reg.user.name), "success")
    return redirect(url_for(".queue"))


@review_bp.post("/<int:registration_id>/return")
def send_back(registration_id: int):
    reg = _registration(registration_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for returning the registration."), "danger")
        return _detail_page(reg, form, 400)
    try:
        registration.return_to_person(current_user, reg, form.reason.data)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".detail", registration_id=reg.id))
    flash(_("Returned to %(name)s with your reason.", name=reg.user.name), "success")
    return redirect(url_for(".queue"))

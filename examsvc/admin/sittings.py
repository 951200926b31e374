"""Admin pages of a sitting's enrolment: edit before it opens, enrol an organisation, one
candidate's page (extra time, removal)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin import bp
from examsvc.admin.forms import ActionForm
from examsvc.admin.sitting_forms import EnrolOrgForm, ExtraTimeForm, SittingEditForm
from examsvc.extensions import db
from examsvc.i18n import to_local
from examsvc.labels import choices
from examsvc.models import Attempt, Enrolment, ExamKind, Sitting, utcnow
from examsvc.services import enrolment, exams, extra_time, orgs, sittings
from examsvc.services.errors import ServiceError
from examsvc.services.levels import issue as certificate_rules
from examsvc.services.levels import today_local


def _sitting_or_404(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        abort(404)
    return sitting


def _no_certificate(sitting: Sitting, rows: list) -> dict[int, str]:
    """Enrolment id → why a published pass on this page holds no certificate (the rules in
    force; a level exam's certificate follows the promotion's six steps instead)."""
    if sitting.results_published_at is None or sitting.blueprint.exam_kind == ExamKind.LEVEL:
        return {}
    waiting = [r for r in rows if r.attempt and r.attempt.is_passed and not r.certificate]
    users = [r.enrolment.user for r in waiting]
    why = certificate_rules.why_not(sitting.blueprint, users, today_local(), seed=False)
    return {r.enrolment.id: why[r.enrolment.user_id] for r in waiting if r.enrolment.user_id in why}


def org_form() -> EnrolOrgForm:
    form = EnrolOrgForm()
    form.org_id.choices = choices({o.id: f"{o.code} {o.name}" for o in orgs.open_organisations()})
    return form


def page_context(sitting: Sitting, rows: list) -> dict:
    """What the sitting page shows besides its results: enrolment forms and extra time."""
    ledgers = extra_time.ledgers([r.enrolment.id for r in rows])
    return {
        "no_certificate": _no_certificate(sitting, rows),
        "org_form": org_form(),
        "extra_minutes": {k: sum(e.minutes for e in v) for k, v in ledgers.items()},
        "is_post_exam": sitting.blueprint.exam_kind == ExamKind.POST_QUALIFICATION,
        "editable": sitting.state(utcnow()) == "scheduled",
        # papers drawn at start (or for late enrolments) once it opened: no draw any more
        "has_papers": sittings.has_papers(sitting),
    }


@bp.route("/sittings/<int:sitting_id>/edit", methods=["GET", "POST"])
def edit_sitting(sitting_id: int):
    sitting = _sitting_or_404(sitting_id)
    locked = sittings.has_papers(sitting)
    form = SittingEditForm(obj=SittingValues(sitting))  # a posted form overrides them
    form.blueprint_id.choices = choices({b.id: b.name for b in exams.list_blueprints()})
    if form.validate_on_submit():
        try:
            sittings.edit(
                current_user, sitting_id, name=form.name.data,
                opens_at=form.to_utc(form.opens_at.data),
                closes_at=form.to_utc(form.closes_at.data),
                grace_seconds=form.grace_seconds.data,
                blueprint_id=None if locked else form.blueprint_id.data,
                place=form.place.data or "",
                focus_loss_limit=form.focus_loss_limit.data,
            )  # fmt: skip
        except ServiceError as exc:
            flash(exc.message, "danger")
            return _edit_page(sitting, form, locked), exc.status
        flash(_("Sitting saved."), "success")
        return redirect(url_for("admin.sitting", sitting_id=sitting_id))
    return _edit_page(sitting, form, locked)


class SittingValues:
    """The sitting's values as the form shows them (local times)."""

    def __init__(self, sitting: Sitting):
        self.name = sitting.name
        self.blueprint_id = sitting.blueprint_id
        self.opens_at = to_local(sitting.opens_at).replace(tzinfo=None)
        self.closes_at = to_local(sitting.closes_at).replace(tzinfo=None)
        self.grace_seconds = sitting.grace_seconds
        self.place = sitting.place
        self.focus_loss_limit = sitting.focus_loss_limit


def _edit_page(sitting: Sitting, form: SittingEditForm, locked: bool):
    return render_template(
        "admin/sitting_edit.html", sitting=sitting, form=form, locked=locked,
        is_open=sitting.state(utcnow()) != "scheduled",
    )  # fmt: skip


@bp.route("/sittings/<int:sitting_id>/enrol-organisation", methods=["POST"])
def enrol_organisation(sitting_id: int):
    sitting = _sitting_or_404(sitting_id)
    form = org_form()
    if not form.validate_on_submit():
        flash(_("Choose the organisation to enrol."), "danger")
        return redirect(url_for("admin.sitting", sitting_id=sitting_id))
    try:
        report = enrolment.enrol_organisation(
            current_user, sitting_id, form.org_id.data, party_only=form.party_only.data,
            category=form.category.data or None,
        )  # fmt: skip
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin.sitting", sitting_id=sitting_id))
    return render_template("admin/enrol_report.html", sitting=sitting, report=report)


def _candidate_or_404(sitting_id: int, enrolment_id: int) -> Enrolment:
    found = db.session.get(Enrolment, enrolment_id)
    if found is None or found.sitting_id != sitting_id:
        abort(404)
    return found


@bp.route("/sittings/<int:sitting_id>/candidates/<int:enrolment_id>")
def candidate(sitting_id: int, enrolment_id: int):
    found = _candidate_or_404(sitting_id, enrolment_id)
    return _candidate_page(found, ExtraTimeForm())


def _candidate_page(found: Enrolment, form: ExtraTimeForm):
    attempt = db.session.scalar(
        db.select(Attempt).where(Attempt.enrolment_id == found.id).order_by(Attempt.number.desc())
    )
    return render_template(
        "admin/candidate.html", enrolment=found, sitting=found.sitting, attempt=attempt,
        ledger=extra_time.ledgers([found.id]).get(found.id, []), form=form,
        action_form=ActionForm(), now=utcnow(),
    )  # fmt: skip


@bp.route("/sittings/<int:sitting_id>/candidates/<int:enrolment_id>/extra-time", methods=["POST"])
def extra_time_entry(sitting_id: int, enrolment_id: int):
    found = _candidate_or_404(sitting_id, enrolment_id)
    form = ExtraTimeForm()
    if not form.validate_on_submit():
        return _candidate_page(found, form), 400
    try:
        attempt = extra_time.grant(
            current_user, sitting_id, enrolment_id, form.minutes.data, form.reason.data
        )
    except ServiceError as exc:
        flash(exc.message, "danger")
        return _candidate_page(found, form), exc.status
    if attempt is not None and attempt.deadline >= attempt.enrolment.sitting.closes_at:
        flash(_("Extra time recorded; the deadline is the sitting's close."), "warning")
    else:
        flash(_("Extra time recorded."), "success")
    return redirect(url_for("admin.candidate", sitting_id=sitting_id, enrolment_id=enrolment_id))


@bp.route("/sittings/<int:sitting_id>/candidates/<int:enrolment_id>/remove", methods=["POST"])
def remove_candidate(sitting_id: int, enrolment_id: int):
    _candidate_or_404(sitting_id, enrolment_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.sitting", sitting_id=sitting_id))
    try:
        number = enrolment.remove(current_user, sitting_id, enrolment_id)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(
            url_for("admin.candidate", sitting_id=sitting_id, enrolment_id=enrolment_id)
        )
    message = _("Candidate %(number)s removed; a paper drawn for them is released.", number=number)
    flash(message, "success")
    return redirect(url_for("admin.sitting", sitting_id=sitting_id))

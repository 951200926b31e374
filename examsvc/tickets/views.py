"""Admission tickets: the candidate's own (page and PDF), a sitting's batch, rooms and seats."""

from __future__ import annotations

import base64

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.errors import error_response
from examsvc.models import Role
from examsvc.services import pdf, ticket_pdf, tickets
from examsvc.services.errors import NotFound, ServiceError
from examsvc.tickets import bp
from examsvc.tickets.forms import SeatingForm


def _require(*roles: str) -> None:
    if not current_user.has_role(*roles):
        abort(403)


def _own(sitting_id: int):
    try:
        return tickets.own_enrolment(current_user, sitting_id)
    except NotFound:
        abort(404)


def _pdf_response(make, filename: str):
    """The PDF ``make()`` builds, or a clear page when the server has no Chinese font."""
    try:
        data = make()
    except pdf.FontMissing:
        message = _(
            "The server has no Chinese font, so no PDF can be made: the administrator "
            "installs one (Debian: apt-get install fonts-noto-cjk). The printable page "
            "works meanwhile."
        )
        return error_response(503, "no_font", message)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.route("/<int:sitting_id>")
def mine(sitting_id: int):
    ticket = tickets.ticket(_own(sitting_id))
    photo = None
    if ticket.photo:
        data, kind = ticket.photo
        photo = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return render_template("tickets/ticket.html", ticket=ticket, photo=photo,
                           sitting_id=sitting_id, rules=tickets.RULES)  # fmt: skip


@bp.route("/<int:sitting_id>.pdf")
def mine_pdf(sitting_id: int):
    enrolment = _own(sitting_id)
    return _pdf_response(
        lambda: ticket_pdf.render(
            [
                tickets.ticket(
                    enrolment,
                    with_photo=False,
                    photo_ref=tickets.photo_refs([enrolment.user_id]).get(enrolment.user_id),
                )
            ]
        ),  # fmt: skip
        f"ticket-{enrolment.admission_no}.pdf",
    )


@bp.route("/sittings/<int:sitting_id>/all.pdf")
def batch_pdf(sitting_id: int):
    """Every ticket of the sitting (admins) or of the org admin's people in it."""
    _require(Role.ADMIN, Role.ORG_ADMIN)
    try:
        sitting = tickets.sitting_for(current_user, sitting_id)
    except NotFound:
        abort(404)
    return _pdf_response(
        lambda: ticket_pdf.render(tickets.tickets_for(current_user, sitting)),
        f"tickets-{sitting.id}.pdf",
    )


@bp.post("/sittings/<int:sitting_id>/seats")
def arrange(sitting_id: int):
    _require(Role.ADMIN)
    form = SeatingForm()
    back = redirect(url_for("admin.sitting", sitting_id=sitting_id) + "#seating")
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            for error in errors:
                flash(_("%(field)s: %(error)s", field=form[name].label.text, error=error), "danger")
        return back
    try:
        outcome = tickets.arrange(
            current_user, sitting_id, place=form.place.data or "", room_size=form.room_size.data,
            pattern=form.pattern.data or "", keep=form.keep.data,
        )  # fmt: skip
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return back
    flash(_("%(n)s candidates seated in %(rooms)s rooms.", n=outcome.seated,
            rooms=len(outcome.rooms)), "success")  # fmt: skip
    return back


@bp.app_context_processor
def _ticket_helpers() -> dict:
    """For the sitting pages of admins and org admins, which include the tickets' panels."""
    return {"ticket_seating": tickets.seating_of, "seating_form": _seating_form}


def _seating_form(sitting) -> SeatingForm:
    return SeatingForm(formdata=None, place=sitting.place, **tickets.last_rule(sitting))

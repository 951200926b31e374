"""The holder's certificates and PDFs; the admin's certificate page and batch PDF."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.certificates import admin_bp, bp
from examsvc.certificates.forms import ReinstateForm, ReissueForm, RevokeForm, SuspendForm
from examsvc.extensions import db
from examsvc.models import Attempt, AuditEntry
from examsvc.services import certificate_pdf, certificates
from examsvc.services.errors import NotFound, ServiceError
from examsvc.tickets.views import _pdf_response


@bp.route("/")
def mine():
    own = certificates.mine(current_user)
    return render_template(
        "certificates/mine.html", certs=own, status_of=certificates.effective_status
    )


@bp.route("/<number>.pdf")
def pdf(number: str):
    try:
        cert = certificates.for_download(current_user, number)
    except NotFound:
        abort(404)
    page = certificate_pdf.page_of(cert)
    return _pdf_response(lambda: certificate_pdf.render([page]), f"certificate-{cert.number}.pdf")


@admin_bp.route("/sittings/<int:sitting_id>.pdf")
def sitting_pdf(sitting_id: int):
    try:
        sitting, certs = certificates.of_sitting(sitting_id)
    except NotFound:
        abort(404)
    if not certs:
        flash(_("This sitting has no certificates yet."), "warning")
        return redirect(url_for("admin.sitting", sitting_id=sitting_id))
    pages = [certificate_pdf.page_of(c) for c in certs]
    return _pdf_response(lambda: certificate_pdf.render(pages), f"certificates-{sitting.id}.pdf")


def _forms() -> dict:
    return {
        "revoke": RevokeForm(prefix="revoke"),
        "reissue": ReissueForm(prefix="reissue"),
        "suspend": SuspendForm(prefix="suspend"),
        "reinstate": ReinstateForm(prefix="reinstate"),
    }


@admin_bp.route("/<number>")
def show(number: str):
    try:
        cert = certificates.get(number)
    except NotFound:
        abort(404)
    entries = list(
        db.session.scalars(
            db.select(AuditEntry)
            .where(
                AuditEntry.subject_type == "certificate",
                AuditEntry.subject_id.in_([c.id for c in certificates.history(cert)]),
            )
            .order_by(AuditEntry.id)
        )
    )
    sitting_id = None
    if cert.attempt_id is not None:
        attempt = db.session.get(Attempt, cert.attempt_id)
        sitting_id = attempt.enrolment.sitting_id if attempt is not None else None
    return render_template(
        "certificates/admin.html",
        cert=cert,
        sitting_id=sitting_id,
        status=certificates.effective_status(cert),
        chain=certificates.history(cert),
        entries=entries,
        forms=_forms(),
    )


ACTIONS = {
    "revoke": certificates.revoke,
    "suspend": certificates.suspend,
    "reinstate": certificates.reinstate,
}


def _done(action: str) -> str:
    return {
        "revoke": _("The certificate is revoked."),
        "suspend": _("The certificate is suspended."),
        "reinstate": _("The certificate is valid again."),
    }[action]


@admin_bp.post("/<number>/<any(revoke, suspend, reinstate, reissue):action>")
def change(number: str, action: str):
    try:
        cert = certificates.get(number)
    except NotFound:
        abort(404)
    form = _forms()[action]
    back = redirect(url_for("certificates_admin.show", number=cert.number))
    if not form.validate_on_submit():
        for error in form.reason.errors:
            flash(_("%(field)s: %(error)s", field=form.reason.label.text, error=error), "danger")
        return back
    try:
        if action == "reissue":
            new = certificates.reissue(current_user, cert.number, form.reason.data)
            flash(_("Reissued as %(n)s; the old number is revoked.", n=new.number), "success")
            return redirect(url_for("certificates_admin.show", number=new.number))
        _cert, changed = ACTIONS[action](current_user, cert.number, form.reason.data)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return back
    flash(_done(action) if changed else _("Nothing changed."), "success" if changed else "info")
    return back

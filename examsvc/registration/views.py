"""The person's side of 个人报名: the form, their registration page, documents, submit."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from wtforms import SelectChoice

from examsvc.admin.forms import ActionForm
from examsvc.errors import error_response
from examsvc.extensions import limiter
from examsvc.registration import bp
from examsvc.registration.forms import DocumentForm, EditForm, ProfileForm, RegistrationForm
from examsvc.security import log_in
from examsvc.services import identity, orgs, registration
from examsvc.services.errors import NotFound, ServiceError
from question_bank.checksum import id_number_problem
from question_bank.documents import EXTENSIONS, KINDS, size_text

#: A document is shown in the browser (pictures) or downloaded (PDF), never cached.
DOCUMENT_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _organisations(form: ProfileForm) -> None:
    form.organisation.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(o.id), "\u3000" * o.depth + o.name) for o in orgs.open_organisations()
    ]


def _show_problems(form: ProfileForm, exc: ServiceError) -> None:
    """Put each problem under its field; what belongs to none is flashed."""
    for name, message in getattr(exc, "fields", {}).items():
        if name == registration.FORM:
            flash(message, "danger")
        else:
            getattr(form, name).errors = [*getattr(form, name).errors, message]
    if not getattr(exc, "fields", None):
        if exc.code == "consent_required":
            form.consent.errors = [exc.message]
        else:
            flash(exc.message, "danger")


def registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def registration_id_limit() -> str:
    return current_app.config["REGISTRATION_ID_RATE_LIMIT"]


def id_number_key() -> str:
    """The keyed hash of the ID number posted (never the number itself), for the per-number
    limit; a post without a valid number is counted per address instead."""
    number = request.form.get("id_number", "")
    if id_number_problem(number) is not None:
        return "address:" + get_remote_address()
    return "id:" + identity.id_lookup_hash(number)


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(registration_limit, methods=["POST"])
@limiter.limit(registration_id_limit, key_func=id_number_key, methods=["POST"])
def new():
    if current_user.is_authenticated:
        return redirect(url_for(".mine"))
    form = RegistrationForm()
    _organisations(form)
    if form.validate_on_submit():
        try:
            user = registration.register(form.profile(), form.password.data, form.consent.data)
        except ServiceError as exc:
            _show_problems(form, exc)
            return render_template("registration/new.html", form=form), exc.status
        log_in(user)
        flash(_("Your account is made. Now upload your documents and submit them."), "success")
        return redirect(url_for(".mine"))
    return render_template("registration/new.html", form=form)


@bp.route("/")
@login_required
def mine():
    reg = registration.of(current_user)
    return render_template(
        "registration/mine.html",
        reg=reg,
        person=current_user,
        documents=registration.by_kind(reg) if reg else {},
        missing=registration.missing_kinds(reg) if reg else [],
        kinds=KINDS,
        upload_form=DocumentForm(),
        action_form=ActionForm(),
        max_size=size_text(current_app.config["UPLOAD_MAX_BYTES"]),
    )


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit():
    reg = registration.of(current_user)
    if reg is None or reg.state not in ("draft", "returned"):
        flash(_("The registration cannot be changed now."), "warning")
        return redirect(url_for(".mine"))
    profile = registration.profile_of(current_user)
    form = EditForm(obj=profile)
    _organisations(form)
    if request.method == "GET":  # the fields whose names or values differ from the profile's
        form.organisation.data = str(profile.organisation_id or "")
        form.is_party_member.data = "yes" if profile.is_party_member else "no"
    if form.validate_on_submit():
        try:
            registration.update_profile(current_user, form.profile())
        except ServiceError as exc:
            _show_problems(form, exc)
            return render_template("registration/edit.html", form=form), exc.status
        flash(_("Saved."), "success")
        return redirect(url_for(".mine"))
    return render_template("registration/edit.html", form=form)


@bp.post("/documents")
@login_required
def upload():
    form = DocumentForm()
    if not form.validate_on_submit():
        abort(400)
    uploads = [f.read() for f in form.files.data or [] if getattr(f, "filename", None)]
    try:
        count = registration.add_documents(current_user, form.kind.data or "", uploads)
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("%(n)d file(s) uploaded.", n=count), "success")
    return redirect(url_for(".mine") + "#documents")


@bp.post("/documents/<int:document_id>/delete")
@login_required
def delete_document(document_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        registration.remove_document(current_user, document_id)
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("The document was removed."), "success")
    return redirect(url_for(".mine") + "#documents")


@bp.post("/submit")
@login_required
def submit():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        registration.submit(current_user)
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("Submitted. Your organisation will review your registration."), "success")
    return redirect(url_for(".mine"))


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    """The file, for its owner, their org admin and admins; 404 for anyone else."""
    try:
        doc, data = registration.document_for(current_user, document_id)
    except NotFound:
        abort(404)
    picture = doc.content_type != "application/pdf" and "download" not in request.args
    response = send_file(
        io.BytesIO(data),
        mimetype=doc.content_type,
        as_attachment=not picture,
        download_name=f"{doc.kind}-{doc.id}.{EXTENSIONS.get(doc.content_type, 'bin')}",
        etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    return response


@bp.errorhandler(413)
def too_large(_exc):
    message = _(
        "The upload is too large: each file may have at most %(limit)s, and one upload "
        "at most %(total)s together. Upload fewer files at a time, or smaller ones.",
        limit=size_text(current_app.config["UPLOAD_MAX_BYTES"]),
        total=size_text(current_app.config["MAX_CONTENT_LENGTH"] or 0),
    )
    if current_user.is_authenticated and request.method == "POST":
        flash(message, "danger")
        return redirect(url_for(".mine") + "#documents")
    return error_response(413, "too_large", message)

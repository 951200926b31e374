"""Accounts administration: find, create, edit, roles, disable/enable, set-password links."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin import bp
from examsvc.admin.account_forms import NewAccountForm, ProfileForm, RolesForm, org_choices
from examsvc.admin.forms import ActionForm
from examsvc.extensions import db
from examsvc.labels import PERSON_STATUS_LABELS, ROLE_LABELS
from examsvc.models import Organisation, User
from examsvc.services import account_admin, orgs, password_links, review
from examsvc.services.errors import ServiceError
from examsvc.web import int_arg, page_arg, run_action


def _filters() -> dict:
    """The list's filters from the query string; unknown values are ignored."""
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    org_id = int_arg("org")
    return {
        "q": request.args.get("q", "")[:100],
        "role": role if role in ROLE_LABELS else "",
        "status": status if status in PERSON_STATUS_LABELS else "",
        "org": db.session.get(Organisation, org_id) if org_id is not None else None,
    }


@bp.route("/users")
def users():
    f = _filters()
    page = account_admin.search(
        f["q"], page_arg(), role=f["role"] or None, status=f["status"] or None, org=f["org"]
    )
    return render_template(
        "admin/users.html",
        page=page,
        query=f["q"],
        filters=f,
        org_rows=org_choices(orgs.tree())[1:],
        action_form=ActionForm(),
    )


@bp.route("/users/<int:user_id>/institution", methods=["POST"])
def verify_institution(user_id: int):
    if ActionForm().validate_on_submit():
        verified = request.form.get("verified") == "1"
        message = (
            _("Verified as an institution.")
            if verified
            else _("Institution verification withdrawn.")
        )
        run_action(lambda: review.set_institution(current_user, user_id, verified), message)
    return redirect(url_for("admin.users", q=request.args.get("q", "")[:100] or None))


def _with_org_choices(form):
    rows = org_choices(orgs.tree())
    for name in ("organisation", "managed_organisation"):
        if name in form:
            form[name].choices = rows
    return form


#: The field a refused value belongs to, by the service error's code.
FIELD_OF = {
    "invalid_name": "name",
    "invalid_email": "email",
    "email_taken": "email",
    "no_login": "email",
    "invalid_mobile": "mobile",
    "mobile_taken": "mobile",
    "id_taken": "id_number",
    "invalid_joined_on": "party_joined_on",
    "invalid_post": "post",
    "unknown_org": "organisation",
    "org_closed": "organisation",
    "no_role": "roles",
    "no_managed_org": "managed_organisation",
}


def _refused(form, exc: ServiceError, person: User | None):
    """The form again with the problem shown at its field (flashed when it has none)."""
    name = "id_number" if exc.code.startswith("id_") else FIELD_OF.get(exc.code)
    if name is not None and name in form:
        form[name].errors = [*form[name].errors, exc.message]
    else:
        flash(exc.message, "danger")
    return render_template("admin/user_form.html", form=form, person=person), exc.status


def _shown_once(template: str, **context):
    """A page with a secret (a link, a password): never cached, never kept in history."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = _with_org_choices(NewAccountForm())
    if not form.validate_on_submit():
        return render_template("admin/user_form.html", form=form, person=None)
    try:
        created = account_admin.create(
            current_user,
            form.profile(),
            form.roles.data or [],
            managed_organisation_id=form.managed_id(),
            give_link=form.password_by.data != "initial",
        )
    except ServiceError as exc:
        return _refused(form, exc, None)
    return _shown_once(
        "admin/user_secret.html",
        person=created.user,
        link=_link(created.token),
        password=created.password,
        expires=None,
        hours=_link_hours(),
        created=True,
    )


def _link(token: str | None) -> str | None:
    return url_for("auth.reset_password", token=token, _external=True) if token else None


def _link_hours() -> int:
    return round(password_links.lifetime().total_seconds() / 3600)


def _person(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    person = _person(user_id)
    roles = _with_org_choices(RolesForm(data={"roles": sorted(person.roles)}))
    roles.managed_organisation.data = str(person.managed_organisation_id or "")
    return render_template(
        "admin/user.html",
        person=person,
        roles_form=roles,
        action_form=ActionForm(),
        entries=account_admin.history(person),
        is_self=person.id == current_user.id,
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    person = _person(user_id)
    form = _with_org_choices(ProfileForm())
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        try:
            changes = account_admin.update(current_user, person, form.profile())
        except ServiceError as exc:
            return _refused(form, exc, person)
        flash(_("Saved.") if changes else _("Nothing was changed."), "success")
        return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user_form.html", form=form, person=person)


@bp.post("/users/<int:user_id>/roles")
def set_roles(user_id: int):
    person = _person(user_id)
    form = _with_org_choices(RolesForm())
    if not form.validate_on_submit():
        flash(_("Choose roles from the list."), "danger")
    else:
        run_action(
            lambda: account_admin.set_roles(
                current_user, person, form.roles.data or [], form.managed_id()
            ),
            _("Roles saved."),
        )
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int):
    person = _person(user_id)
    if ActionForm().validate_on_submit():
        run_action(
            lambda: account_admin.disable(current_user, person),
            _("Account disabled; its logins have ended."),
        )
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int):
    person = _person(user_id)
    if ActionForm().validate_on_submit():
        run_action(lambda: account_admin.enable(current_user, person), _("Account enabled."))
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/reset-password")
def reset_password(user_id: int):
    person = _person(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = run_action(lambda: password_links.issue(current_user, person), None)
    if outcome is None:
        return redirect(url_for("admin.user", user_id=person.id))
    token, expires = outcome
    return _shown_once(
        "admin/user_secret.html",
        person=person,
        link=_link(token),
        password=None,
        expires=expires,
        hours=_link_hours(),
        created=False,
    )

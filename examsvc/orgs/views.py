"""The organisation tree and an org admin's people; every lookup goes through scope."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin.forms import ActionForm
from examsvc.extensions import db
from examsvc.models import Organisation, Role, Sitting, User
from examsvc.orgs import bp
from examsvc.orgs.forms import (
    NO_PARENT,
    AdminForm,
    MoveForm,
    OrgForm,
    RenameForm,
    parent_choices,
)
from examsvc.services import orgs, people, scope
from examsvc.services.errors import ServiceError
from examsvc.web import int_arg, page_arg


def _is_admin() -> bool:
    return current_user.has_role(Role.ADMIN)


def _admin_only() -> None:
    """Managing the tree is for admins; org admins see their subtree read-only."""
    if not _is_admin():
        abort(403)


def _parent(value: str) -> Organisation | None:
    return None if value == NO_PARENT else db.session.get(Organisation, int(value))


@bp.route("/")
def tree():
    root = None if _is_admin() else scope.root_of(current_user)
    rows = orgs.tree(root) if _is_admin() or root is not None else []
    return render_template("orgs/tree.html", rows=rows, can_manage=_is_admin())


@bp.route("/new", methods=["GET", "POST"])
def new():
    _admin_only()
    form = OrgForm()
    form.parent.choices = parent_choices(orgs.open_organisations())
    if form.validate_on_submit():
        try:
            org = orgs.create(
                form.code.data,
                form.name.data,
                _parent(form.parent.data),
                kind=form.kind.data,
                actor=current_user,
            )
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("orgs/new.html", form=form), exc.status
        flash(_("Organisation %(code)s created.", code=org.code), "success")
        return redirect(url_for("orgs.tree"))
    return render_template("orgs/new.html", form=form)


def _detail_forms(org: Organisation) -> tuple[RenameForm, MoveForm]:
    rename = RenameForm(name=org.name)
    move = MoveForm(parent=str(org.parent_id or NO_PARENT))
    move.parent.choices = parent_choices(orgs.parent_choices(org))
    return rename, move


@bp.route("/<int:org_id>")
def detail(org_id: int):
    org = scope.org_or_404(current_user, org_id)
    rename, move = _detail_forms(org)
    return render_template(
        "orgs/detail.html",
        org=org,
        parent=org.parent_id and db.session.get(Organisation, org.parent_id),
        rows=orgs.tree(org),
        can_manage=_is_admin(),
        rename_form=rename,
        move_form=move,
        admin_form=AdminForm(),
        admins=orgs.admins_of(org),
        action_form=ActionForm(),
    )


def _run(org: Organisation, action, message: str):
    try:
        action()
    except ServiceError as exc:
        flash(exc.message, "danger")
    else:
        flash(message, "success")
    return redirect(url_for("orgs.detail", org_id=org.id))


@bp.post("/<int:org_id>/rename")
def rename(org_id: int):
    _admin_only()
    org = db.get_or_404(Organisation, org_id)
    form = RenameForm()
    if not form.validate_on_submit():
        flash(_("A name of 1 to 200 characters is required."), "danger")
        return redirect(url_for("orgs.detail", org_id=org.id))
    return _run(org, lambda: orgs.rename(org, form.name.data, actor=current_user), _("Renamed."))


@bp.post("/<int:org_id>/move")
def move(org_id: int):
    _admin_only()
    org = db.get_or_404(Organisation, org_id)
    form = MoveForm()
    form.parent.choices = parent_choices(orgs.parent_choices(org))
    if not form.validate_on_submit():
        flash(_("Choose a parent organisation from the list."), "danger")
        return redirect(url_for("orgs.detail", org_id=org.id))
    parent = _parent(form.parent.data)
    return _run(org, lambda: orgs.move(org, parent, actor=current_user), _("Moved."))


@bp.post("/<int:org_id>/close")
def close(org_id: int):
    _admin_only()
    org = db.get_or_404(Organisation, org_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _run(org, lambda: orgs.close(org, actor=current_user), _("Organisation closed."))


@bp.route("/people")
def people_list():
    org_id = int_arg("org")
    org = scope.org_or_404(current_user, org_id) if org_id is not None else None
    query = request.args.get("q", "")[:100]
    page = people.search(current_user, query, page_arg(), org)
    return render_template("orgs/people.html", page=page, query=query, org=org)


@bp.route("/people/<int:person_id>")
def person(person_id: int):
    person = scope.person_or_404(current_user, person_id)
    return render_template("orgs/person.html", person=person, exams=people.exam_history(person))


@bp.post("/<int:org_id>/admins")
def add_admin(org_id: int):
    _admin_only()
    org = db.get_or_404(Organisation, org_id)
    form = AdminForm()
    if not form.validate_on_submit():
        flash(_("Enter the e-mail address or mobile number of an account."), "danger")
        return redirect(url_for("orgs.detail", org_id=org.id))
    return _run(
        org,
        lambda: orgs.assign_admin(org, form.login.data, actor=current_user),
        _("Organisation admin assigned."),
    )


@bp.post("/<int:org_id>/admins/<int:user_id>/remove")
def remove_admin(org_id: int, user_id: int):
    _admin_only()
    org = db.get_or_404(Organisation, org_id)
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _run(
        org,
        lambda: orgs.remove_admin(org, user, actor=current_user),
        _("Organisation admin removed."),
    )


@bp.route("/sittings")
def sittings():
    return render_template("orgs/sittings.html", rows=people.sittings_of_people(current_user))


@bp.route("/sittings/<int:sitting_id>")
def sitting(sitting_id: int):
    sitting = db.get_or_404(Sitting, sitting_id)
    page, attempts = people.sitting_people(current_user, sitting, page_arg())
    if not page.total and not _is_admin():
        abort(404)  # none of the org admin's people sit it: not theirs to look at
    return render_template("orgs/sitting.html", sitting=sitting, page=page, attempts=attempts)

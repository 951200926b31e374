"""Training courses (培训班): list, create and edit, the roster and its hours, completion."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.admin.forms import ActionForm
from examsvc.models import Organisation, Role, TrainingCourse
from examsvc.services import scope
from examsvc.services.training import courses
from examsvc.services.training.courses import CourseInput
from examsvc.training import bp
from examsvc.training.forms import NONE, CourseForm, MemberHoursForm, MemberOrgForm, MembersForm
from examsvc.training.views import _org_choices, found
from examsvc.web import page_arg, run_action


@bp.route("/courses")
def course_list():
    return render_template("training/courses.html", page=courses.page(current_user, page_arg()))


def _course_form(course: TrainingCourse | None = None) -> CourseForm:
    form = CourseForm(obj=course)
    own = course.organisation_id if course is not None else None
    orgs = [
        (str(o.id), f"{o.code} {o.name}") for o in _org_choices() if not o.is_closed or o.id == own
    ]
    first = [(NONE, _("— none: open to anyone —"))] if current_user.has_role(Role.ADMIN) else []
    form.organisation.choices = first + orgs
    form.blueprint.choices = [(NONE, _("— no training test —"))] + [
        (str(b.id), b.name) for b in courses.training_blueprints()
    ]
    if course is not None and not form.is_submitted():
        form.organisation.data = str(course.organisation_id or NONE)
        form.blueprint.data = str(course.blueprint_id or NONE)
    return form


def _input(form: CourseForm) -> CourseInput:
    return CourseInput(
        name=form.name.data or "", organiser=form.organiser.data or "", kind=form.kind.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, hours=form.hours.data,
        organisation_id=int(form.organisation.data) if form.organisation.data else None,
        blueprint_id=int(form.blueprint.data) if form.blueprint.data else None,
    )  # fmt: skip


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    form = _course_form()
    if form.validate_on_submit():
        course = run_action(lambda: courses.create(current_user, _input(form)),
                            _("Training course created."))  # fmt: skip
        if course is not None:
            return redirect(url_for("training.course", course_id=course.id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/course_form.html", form=form, course=None), status


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
def edit_course(course_id: int):
    course = found(lambda: courses.course_in_scope(current_user, course_id))
    form = _course_form(course)
    if form.validate_on_submit():
        done = run_action(lambda: courses.update(current_user, course, _input(form)),
                          _("Training course saved."))  # fmt: skip
        if done is not None:
            return redirect(url_for("training.course", course_id=course.id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/course_form.html", form=form, course=course), status


def _member_orgs(course: TrainingCourse) -> list[Organisation]:
    visible = _org_choices()
    if course.organisation is None:
        return visible
    return [o for o in visible if o.path.startswith(course.organisation.path)]


@bp.route("/courses/<int:course_id>")
def course(course_id: int):
    course = found(lambda: courses.course_in_scope(current_user, course_id))
    org_form = MemberOrgForm()
    org_form.organisation.choices = [(str(o.id), f"{o.code} {o.name}")
                                     for o in _member_orgs(course)]  # fmt: skip
    return render_template(
        "training/course.html", course=course, members=courses.members(course),
        members_form=MembersForm(), org_form=org_form, hours_form=MemberHoursForm(),
        action_form=ActionForm(),
    )  # fmt: skip


def _back(course: TrainingCourse):
    return redirect(url_for("training.course", course_id=course.id))


@bp.post("/courses/<int:course_id>/members")
def add_members(course_id: int):
    course = found(lambda: courses.course_in_scope(current_user, course_id))
    form = MembersForm()
    if not form.validate_on_submit():
        flash(_("Enter the e-mail address or mobile number of at least one person."), "danger")
        return _back(course)
    added = run_action(lambda: courses.add_by_logins(current_user, course, form.logins.data), None)
    if added is not None:
        flash(_("%(n)s people added to the roster.", n=added), "success")
    return _back(course)


@bp.post("/courses/<int:course_id>/members/organisation")
def add_organisation(course_id: int):
    course = found(lambda: courses.course_in_scope(current_user, course_id))
    form = MemberOrgForm()
    form.organisation.choices = [(str(o.id), o.code) for o in _member_orgs(course)]
    if not form.validate_on_submit():
        flash(_("Choose an organisation from the list."), "danger")
        return _back(course)
    org = scope.org_or_404(current_user, int(form.organisation.data))
    added = run_action(lambda: courses.add_organisation(current_user, course, org), None)
    if added is not None:
        flash(_("%(n)s people added to the roster.", n=added), "success")
    return _back(course)


@bp.post("/courses/<int:course_id>/members/<int:member_id>/hours")
def member_hours(course_id: int, member_id: int):
    course = found(lambda: courses.course_in_scope(current_user, course_id))
    member = found(lambda: courses.member_in_course(course, member_id))
    form = MemberHoursForm()
    if not form.validate_on_submit():
        flash(_("The hours are a number such as 8 or 2.5, or empty."), "danger")
        return _back(course)
    run_action(lambda: courses.set_hours(current_user, course, member, form.hours.data),
               _("Hours saved."))  # fmt: skip
    return _back(course)


@bp.post("/courses/<int:course_id>/members/<int:member_id>/remove")
def remove_member(course_id: int, member_id: int):
    course = found(lambda: courses.course_in_scope(current_user, course_id))
    member = found(lambda: courses.member_in_course(course, member_id))
    if not ActionForm().validate_on_submit():
        abort(400)
    run_action(lambda: courses.remove_member(current_user, course, member),
               _("Removed from the roster."))  # fmt: skip
    return _back(course)


@bp.post("/courses/<int:course_id>/complete")
def complete_course(course_id: int):
    course = found(lambda: courses.course_in_scope(current_user, course_id))
    if not ActionForm().validate_on_submit():
        abort(400)
    before = course.completed_at
    written = run_action(lambda: courses.complete(current_user, course), None)
    if written is not None:
        message = (
            _("The course was completed before: nothing new was written.")
            if before is not None
            else _("Course completed: %(n)s records written into the archive.", n=written)
        )
        flash(message, "info" if before is not None else "success")
    return _back(course)

"""Training courses (培训班): their roster of people, the hours each attended, and completion,
which writes one record per member into the archive (source ``course``) in one transaction.

Admins run any course; org admins those of an organisation in their subtree. A course of an
organisation takes only people of that organisation's subtree, so an org admin's course never
holds anyone outside what they manage; an admin's course of no organisation takes anyone.
Completing is allowed once the course has ended, and is idempotent: the course is closed to
changes after it, and completing it again writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from examsvc.extensions import db
from examsvc.i18n import translate, translate_all
from examsvc.models import (
    Blueprint,
    CourseMember,
    ExamKind,
    Organisation,
    PersonStatus,
    RecordSource,
    Role,
    TrainingCourse,
    TrainingRecord,
    User,
    utcnow,
)
from examsvc.services import accounts, audit, orgs, scope
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.training.records import today_local
from question_bank.errors import Msg
from question_bank.training import KINDS, MAX_TEXT, hours_problems, most_hours

#: Most logins one "add people" form takes.
MAX_LOGINS = 500


@dataclass(frozen=True)
class CourseInput:
    name: str
    starts_on: date | None
    ends_on: date | None
    hours: Decimal | float | None
    kind: str = "central"
    organiser: str = ""
    organisation_id: int | None = None
    blueprint_id: int | None = None


def visible(actor: User) -> Select:
    """The courses ``actor`` may see and run, newest first."""
    query = db.select(TrainingCourse).order_by(TrainingCourse.starts_on.desc(),
                                               TrainingCourse.id.desc())  # fmt: skip
    ids = scope.visible_org_ids(actor)
    return query if ids is None else query.where(TrainingCourse.organisation_id.in_(ids))


def page(actor: User, page_no: int, per_page: int = 50):
    """One page of the courses ``actor`` may see."""
    return db.paginate(visible(actor), page=page_no, per_page=per_page, error_out=False)


def course_in_scope(actor: User, course_id: int) -> TrainingCourse:
    course = db.session.get(TrainingCourse, course_id)
    if course is None or not _may_run(actor, course):
        raise NotFound(_("No such training course."), code="unknown_course")
    return course


def _may_run(actor: User, course: TrainingCourse) -> bool:
    if actor.has_role(Role.ADMIN):
        return True
    return course.organisation is not None and scope.can_see_org(actor, course.organisation)


def training_blueprints() -> list[Blueprint]:
    """Blueprints a course's training test may use (exam kind ``training``)."""
    query = db.select(Blueprint).where(Blueprint.exam_kind == str(ExamKind.TRAINING))
    return list(db.session.scalars(query.order_by(Blueprint.name, Blueprint.id)))


def _problems(actor: User, data: CourseInput) -> list[Msg]:
    problems: list[Msg] = []
    name = " ".join((data.name or "").split())
    if not name:
        problems.append(Msg("no 培训名称 (name of the training)", code="training_no_course"))
    for value, label in ((name, "培训名称"), (data.organiser, "主办单位")):
        if len(value or "") > MAX_TEXT:
            problems.append(Msg("%(column)s is longer than %(most)s characters",
                                code="training_long_text", column=label,
                                most=MAX_TEXT))  # fmt: skip
    if data.kind not in KINDS:
        problems.append(Msg("unknown 培训形式 %(kind)s: 集中培训, 网络培训, 轮训 or 其他",
                            code="training_kind", kind=repr(data.kind)))  # fmt: skip
    if data.starts_on is None or data.ends_on is None:
        problems.append(Msg("a course needs its start and end dates", code="course_no_dates"))
    elif data.ends_on < data.starts_on:
        problems.append(
            Msg("the end date %(end)s is before the start date %(start)s",
                code="training_end_before_start", end=data.ends_on.isoformat(),
                start=data.starts_on.isoformat())
        )  # fmt: skip
    elif data.starts_on.year < 2000 or data.ends_on.year > 2100:
        problems.append(Msg("a course's dates lie between the years 2000 and 2100",
                            code="course_dates_range"))  # fmt: skip
    dated = all(p.code not in _DATE_CODES for p in problems)
    problems += hours_problems(data.hours, data.starts_on if dated else None, data.ends_on)
    return problems


_DATE_CODES = {"course_no_dates", "training_end_before_start", "course_dates_range"}


def _organisation(actor: User, organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        if not actor.has_role(Role.ADMIN):
            raise BadInput(_("Choose the organisation that runs the course."), code="no_org")
        return None
    org = db.session.get(Organisation, organisation_id)
    if org is None or not scope.can_see_org(actor, org):
        raise NotFound(_("No such organisation."), code="unknown_org")
    return org


def _blueprint(blueprint_id: int | None) -> Blueprint | None:
    if blueprint_id is None:
        return None
    blueprint = db.session.get(Blueprint, blueprint_id)
    if blueprint is None or blueprint.exam_kind != ExamKind.TRAINING:
        raise BadInput(_("The training test must use a blueprint of a training test."),
                       code="not_training_blueprint")  # fmt: skip
    return blueprint


def _check(actor: User, data: CourseInput) -> tuple[Organisation | None, Blueprint | None]:
    problems = _problems(actor, data)
    if problems:
        raise BadInput(translate_all(problems), code="invalid_course",
                       problems=[translate(p) for p in problems])  # fmt: skip
    return _organisation(actor, data.organisation_id), _blueprint(data.blueprint_id)


def snapshot(course: TrainingCourse) -> dict[str, Any]:
    return {
        "name": course.name,
        "organiser": course.organiser or None,
        "training_kind": course.kind,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "hours": float(course.hours),
        "org": course.organisation.code if course.organisation else None,
        "blueprint": course.blueprint_id,
    }


def _apply(course: TrainingCourse, data: CourseInput, org, blueprint) -> None:
    course.name = " ".join(data.name.split())
    course.organiser = (data.organiser or "").strip()
    course.kind = data.kind
    course.starts_on, course.ends_on = data.starts_on, data.ends_on  # type: ignore[assignment]
    course.hours = float(Decimal(str(data.hours)))
    course.organisation = org
    course.blueprint = blueprint


def create(actor: User, data: CourseInput) -> TrainingCourse:
    """A new course of an organisation the actor manages (admins: any, or none)."""
    org, blueprint = _check(actor, data)
    course = TrainingCourse(created_by_id=actor.id)
    _apply(course, data, org, blueprint)
    db.session.add(course)
    audit.record(actor, "training.course_created", course, **snapshot(course))
    db.session.commit()
    return course


def _open(course: TrainingCourse) -> None:
    if course.completed_at is not None:
        raise Conflict(_("The course is completed: its records are in the archive and it "
                         "takes no more changes."), code="course_completed")  # fmt: skip


def update(actor: User, course: TrainingCourse, data: CourseInput) -> dict[str, Any]:
    """Change a course that is not completed; people outside a new organisation stay refused."""
    _open(course)
    org, blueprint = _check(actor, data)
    if org is not None and _members_outside(course, org):
        raise Conflict(_("Some people on the roster do not belong to this organisation: remove "
                         "them first."), code="members_outside")  # fmt: skip
    before = snapshot(course)
    _apply(course, data, org, blueprint)
    after = snapshot(course)
    changes = {k: {"before": before[k], "after": v} for k, v in after.items() if before[k] != v}
    if changes:
        audit.record(actor, "training.course_updated", course, **changes)
    db.session.commit()
    return changes


def _members_outside(course: TrainingCourse, org: Organisation) -> bool:
    inside = orgs.subtree_ids(org)
    query = (
        db.select(CourseMember.id)
        .join(User, User.id == CourseMember.user_id)
        .where(CourseMember.course_id == course.id)
        .where(User.organisation_id.is_(None) | User.organisation_id.not_in(inside))
        .limit(1)
    )
    return db.session.scalar(query) is not None


def members(course: TrainingCourse) -> list[CourseMember]:
    query = (
        db.select(CourseMember)
        .join(User, User.id == CourseMember.user_id)
        .where(CourseMember.course_id == course.id)
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(query))


def _may_join(actor: User, course: TrainingCourse, person: User) -> bool:
    if not scope.can_see_person(actor, person):
        return False
    if course.organisation is None:
        return True
    return person.organisation is not None and orgs.in_subtree(
        person.organisation, course.organisation
    )


def _add(actor: User, course: TrainingCourse, people: list[User], how: dict) -> int:
    on_roster = db.select(CourseMember.user_id).where(CourseMember.course_id == course.id)
    present = set(db.session.scalars(on_roster))
    new = [p for p in people if p.id not in present]
    for person in new:
        db.session.add(CourseMember(course_id=course.id, user_id=person.id))
    if new:
        audit.record(actor, "training.members_added", course, count=len(new),
                     users=[p.id for p in new][:50], **how)  # fmt: skip
    db.session.commit()
    return len(new)


def add_by_logins(actor: User, course: TrainingCourse, text: str) -> int:
    """Put the people with these logins (e-mail or mobile, one a line or comma-separated) on
    the roster; all or none: an unknown login refuses the lot. Returns how many were new."""
    _open(course)
    logins = [w for w in re.split(r"[\s,，;；、]+", text or "") if w]
    if not logins:
        raise BadInput(_("Enter the e-mail address or mobile number of at least one person."),
                       code="no_logins")  # fmt: skip
    if len(logins) > MAX_LOGINS:
        raise BadInput(_("At most %(n)s people at a time.", n=MAX_LOGINS), code="too_many")
    people, unknown = [], []
    for login in logins:
        person = accounts.find_by_login(login)
        if person is None or not _may_join(actor, course, person):
            unknown.append(login[:60])
        else:
            people.append(person)
    if unknown:
        raise BadInput(
            _("No person of the course's organisation has the login %(logins)s; nobody was "
              "added.", logins=_("、").join(unknown[:20])),
            code="unknown_logins",
        )  # fmt: skip
    return _add(actor, course, list({p.id: p for p in people}.values()), {})


def add_organisation(actor: User, course: TrainingCourse, org: Organisation) -> int:
    """Put every active person of ``org``'s subtree on the roster (those already on it stay)."""
    _open(course)
    if not scope.can_see_org(actor, org) or (
        course.organisation is not None and not orgs.in_subtree(org, course.organisation)
    ):
        raise NotFound(_("No such organisation."), code="unknown_org")
    query = db.select(User).where(
        User.organisation_id.in_(orgs.subtree_ids(org)), User.status == str(PersonStatus.ACTIVE)
    )
    people = list(db.session.scalars(query.order_by(User.id)))
    if not people:
        raise BadInput(_("Nobody is registered in this organisation yet."), code="no_people")
    return _add(actor, course, people, {"org": org.code})


def member_in_course(course: TrainingCourse, member_id: int) -> CourseMember:
    member = db.session.get(CourseMember, member_id)
    if member is None or member.course_id != course.id:
        raise NotFound(_("This person is not on the course's roster."), code="unknown_member")
    return member


def remove_member(actor: User, course: TrainingCourse, member: CourseMember) -> None:
    _open(course)
    audit.record(actor, "training.member_removed", course, user=member.user_id)
    db.session.delete(member)
    db.session.commit()


def set_hours(actor: User, course: TrainingCourse, member: CourseMember,
              hours: Decimal | None) -> None:  # fmt: skip
    """The hours the member attended (None: the course's hours; 0: did not attend)."""
    _open(course)
    if hours is not None and hours != 0:  # 0 is allowed: did not attend
        problems = hours_problems(hours, course.starts_on, course.ends_on)
        if problems:
            raise BadInput(translate_all(problems), code="invalid_hours")
    before = member.hours
    member.hours = None if hours is None else float(hours)
    if before != member.hours:
        audit.record(actor, "training.member_hours_set", course, user=member.user_id,
                     hours={"before": before, "after": member.hours})  # fmt: skip
    db.session.commit()


def complete(actor: User, course: TrainingCourse, today: date | None = None) -> int:
    """Write each member's record (their hours, else the course's; none for 0 hours) in one
    transaction and close the course; returns the records written (0 when done before)."""
    locked = db.session.scalar(
        db.select(TrainingCourse)
        .where(TrainingCourse.id == course.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.completed_at is not None:
        db.session.commit()
        return 0
    if course.ends_on > (today or today_local()):
        raise Conflict(_("The course ends on %(date)s: complete it once it has ended.",
                         date=course.ends_on.isoformat()), code="course_not_ended")  # fmt: skip
    if most_hours(course.starts_on, course.ends_on) < course.hours:
        raise Conflict(_("The course's hours exceed 8 a day: correct them first."),
                       code="course_hours")  # fmt: skip
    written = _write_records(actor, course)
    course.completed_at = utcnow()
    audit.record(actor, "training.course_completed", course, written=written,
                 hours=float(course.hours))  # fmt: skip
    db.session.commit()
    return written


def _write_records(actor: User, course: TrainingCourse) -> int:
    # Members who have this training already (written before, or the same name and dates
    # entered by hand or imported) get no second record: its hours would count twice.
    recorded = set(
        db.session.scalars(
            db.select(TrainingRecord.user_id).where(
                (TrainingRecord.course_id == course.id)
                | (
                    (TrainingRecord.course_name == course.name)
                    & (TrainingRecord.starts_on == course.starts_on)
                    & (TrainingRecord.ends_on == course.ends_on)
                )
            )
        )
    )
    most = most_hours(course.starts_on, course.ends_on)
    roster = members(course)
    over = [m.user.name for m in roster if m.hours is not None and m.hours > most]
    if over:
        raise Conflict(_("The hours of %(names)s exceed 8 a day of the course: correct them "
                         "first.", names=_("、").join(over[:10])), code="member_hours")  # fmt: skip
    written = 0
    for member in roster:
        hours = course.hours if member.hours is None else member.hours
        if member.user_id in recorded or not hours:
            continue
        db.session.add(
            TrainingRecord(
                user_id=member.user_id, course_id=course.id, course_name=course.name,
                organiser=course.organiser, kind=course.kind, starts_on=course.starts_on,
                ends_on=course.ends_on, hours=float(hours), source=str(RecordSource.COURSE),
                created_by_id=actor.id,
            )
        )  # fmt: skip
        written += 1
    return written

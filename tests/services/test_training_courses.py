"""Training courses: roster, hours attended, and completion into the archive, idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Role, TrainingRecord
from examsvc.services import exams, training
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.training import courses
from examsvc.services.training.courses import CourseInput
from tests.training_helpers import org_admin, person, tree


@pytest.fixture
def world(app, make_user):
    orgs = tree()
    admin = make_user(Role.ADMIN)
    return orgs, admin


def course_input(org=None, **changes) -> CourseInput:
    values = {"name": "2025年书记轮训班", "starts_on": date(2025, 4, 7),
              "ends_on": date(2025, 4, 9), "hours": 24, "kind": "rotation",
              "organiser": "区委组织部", "organisation_id": org.id if org else None}  # fmt: skip
    values.update(changes)
    return CourseInput(**values)


def records_of_course(course) -> list[TrainingRecord]:
    query = db.select(TrainingRecord).where(TrainingRecord.course_id == course.id)
    return list(db.session.scalars(query.order_by(TrainingRecord.user_id)))


def test_completing_writes_one_record_per_member_once(world):
    orgs, admin = world
    course = courses.create(admin, course_input(orgs["root"]))
    a, b, c = (person(orgs["branch"], f"学员{n}") for n in "甲乙丙")
    courses.add_by_logins(admin, course, f"{a.email}\n{b.email}, {c.email}")
    members = {m.user_id: m for m in courses.members(course)}
    courses.set_hours(admin, course, members[b.id], 16)
    courses.set_hours(admin, course, members[c.id], 0)  # did not attend: no record
    assert courses.complete(admin, course) == 2
    written = records_of_course(course)
    assert [(r.user_id, r.hours, r.source, r.kind) for r in written] == [
        (a.id, 24.0, "course", "rotation"),
        (b.id, 16.0, "course", "rotation"),
    ]
    assert written[0].course_name == "2025年书记轮训班" and written[0].organiser == "区委组织部"
    assert course.completed_at is not None
    # Twice: nothing new, no second audit entry; the roster is closed.
    assert courses.complete(admin, course) == 0
    assert len(records_of_course(course)) == 2
    completed = db.select(db.func.count()).where(AuditEntry.action == "training.course_completed")
    assert db.session.scalar(completed.select_from(AuditEntry)) == 1
    with pytest.raises(Conflict):
        courses.add_by_logins(admin, course, c.email)
    # The hours count in the person's year, and the rotation is recorded.
    (year,) = training.yearly_hours(a.id, [2025])
    assert (year.hours, year.trainings) == (24.0, 1)


def test_a_course_completes_only_once_it_has_ended(world):
    orgs, admin = world
    today = date.today()
    course = courses.create(admin, course_input(orgs["root"], starts_on=today,
                                                ends_on=today + timedelta(days=2)))  # fmt: skip
    with pytest.raises(Conflict):
        courses.complete(admin, course, today=today)
    assert courses.complete(admin, course, today=today + timedelta(days=2)) == 0
    assert course.completed_at is not None


def test_course_input_is_checked(world, bank_of):
    orgs, admin = world
    with pytest.raises(BadInput) as refused:
        courses.create(admin, course_input(orgs["root"], hours=25))  # 3 days: at most 24
    assert "25" in refused.value.message and "24" in refused.value.message  # hours and most
    with pytest.raises(BadInput):
        courses.create(admin, course_input(orgs["root"], ends_on=date(2025, 4, 1)))
    with pytest.raises(BadInput):
        courses.create(admin, course_input(orgs["root"], name=" "))
    bank_of(1, "single")
    post = exams.create_blueprint(admin, name="上岗", exam_kind="post_qualification",
                                  duration_minutes=60, pass_mark=1,
                                  rows=[exams.RowSpec(None, "single", 1, 1.0)])  # fmt: skip
    with pytest.raises(BadInput):
        courses.create(admin, course_input(orgs["root"], blueprint_id=post.id))
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingRecord)) == 0


def test_member_hours_are_at_most_8_a_day_of_the_course(world):
    orgs, admin = world
    course = courses.create(admin, course_input(orgs["root"]))
    someone = person(orgs["branch"])
    courses.add_by_logins(admin, course, someone.email)
    (member,) = courses.members(course)
    with pytest.raises(BadInput):
        courses.set_hours(admin, course, member, 25)
    courses.set_hours(admin, course, member, None)
    assert member.hours is None


def test_the_roster_takes_only_people_of_the_course_organisation(world):
    orgs, admin = world
    course = courses.create(admin, course_input(orgs["street"]))
    inside = person(orgs["branch"])
    outside = person(orgs["street2"])
    with pytest.raises(BadInput):  # all or none: the unknown login refuses the lot
        courses.add_by_logins(admin, course, f"{inside.email} {outside.email} nobody@example.com")
    assert courses.members(course) == []
    assert courses.add_by_logins(admin, course, inside.email) == 1
    assert courses.add_by_logins(admin, course, inside.email) == 0  # already on it
    with pytest.raises(NotFound):
        courses.add_organisation(admin, course, orgs["street2"])
    person(orgs["branch"])
    assert courses.add_organisation(admin, course, orgs["street"]) == 1
    with pytest.raises(Conflict):  # a new organisation must hold everyone on the roster
        courses.update(admin, course, course_input(orgs["street2"]))


def test_an_org_admin_runs_courses_of_their_subtree_only(world):
    orgs, admin = world
    manager = org_admin(orgs["street"])
    with pytest.raises(BadInput):  # an org admin's course belongs to an organisation
        courses.create(manager, course_input(None))
    with pytest.raises(NotFound):
        courses.create(manager, course_input(orgs["street2"]))
    own = courses.create(manager, course_input(orgs["branch"]))
    theirs = courses.create(admin, course_input(orgs["street2"]))
    anyones = courses.create(admin, course_input(None))
    visible = list(db.session.scalars(courses.visible(manager)))
    assert visible == [own]
    for course in (theirs, anyones):
        with pytest.raises(NotFound):
            courses.course_in_scope(manager, course.id)
    assert courses.course_in_scope(manager, own.id) is own
    stranger = person(orgs["other"])
    with pytest.raises(BadInput):
        courses.add_by_logins(manager, own, stranger.email)


def test_changes_are_audited_with_before_and_after(world):
    orgs, admin = world
    course = courses.create(admin, course_input(orgs["root"]))
    changes = courses.update(admin, course, course_input(orgs["root"], hours=20))
    assert changes == {"hours": {"before": 24.0, "after": 20.0}}
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "training.course_updated")
    )
    assert entry.details == changes and entry.subject_id == course.id

"""Training records by hand: checked, never twice, audited, within the org admin's subtree."""

from __future__ import annotations

from datetime import date

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Role
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.training import courses, records
from examsvc.services.training.courses import CourseInput
from examsvc.services.training.records import RecordInput
from tests.training_helpers import org_admin, person, tree

TRAINING = RecordInput(course_name=" 支部书记 培训班 ", starts_on=date(2025, 3, 2),
                       ends_on=date(2025, 3, 3), hours=16, kind="central")  # fmt: skip


@pytest.fixture
def world(app, make_user):
    return tree(), make_user(Role.ADMIN)


def test_a_record_is_stored_normalised_and_audited(world):
    orgs, admin = world
    someone = person(orgs["branch"])
    saved = records.add(admin, someone, TRAINING)
    assert (saved.course_name, saved.hours, saved.source) == ("支部书记 培训班", 16.0, "manual")
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.subject_type == "trainingrecord")
    )
    assert (entry.action, entry.subject_id, entry.actor_id) == (
        "training.record_added",
        saved.id,
        admin.id,
    )
    assert (
        entry.details["starts_on"] == "2025-03-02" and entry.details["training_kind"] == "central"
    )


def test_the_same_training_is_never_recorded_twice(world):
    orgs, admin = world
    someone = person(orgs["branch"])
    first = records.add(admin, someone, TRAINING)
    with pytest.raises(Conflict):
        records.add(admin, someone, TRAINING)
    other = records.add(
        admin, someone, RecordInput(**{**TRAINING.__dict__, "course_name": "另一班"})
    )
    with pytest.raises(Conflict):
        records.update(admin, other, TRAINING)
    assert records.update(admin, first, TRAINING) == {}  # itself is no repeat
    # A course of the same name and dates writes nothing for a member who has it already.
    course = courses.create(admin, CourseInput(name="支部书记 培训班", starts_on=date(2025, 3, 2),
                                               ends_on=date(2025, 3, 3), hours=16))  # fmt: skip
    newcomer = person(orgs["branch"])
    courses.add_by_logins(admin, course, f"{someone.email} {newcomer.email}")
    assert courses.complete(admin, course) == 1
    assert len(records.records_of(someone.id)) == 2 and len(records.records_of(newcomer.id)) == 1


def test_bad_records_are_refused_with_every_reason(world):
    orgs, admin = world
    someone = person(orgs["branch"])
    bad = RecordInput(course_name="", starts_on=date(2025, 3, 3), ends_on=date(2025, 3, 2),
                      hours=-1, kind="lecture")  # fmt: skip
    with pytest.raises(BadInput) as refused:
        records.add(admin, someone, bad)
    assert len(refused.value.problems) == 4  # name, kind, dates, hours
    assert records.records_of(someone.id) == []


def test_an_org_admin_keeps_records_of_their_subtree_only(world):
    orgs, admin = world
    manager = org_admin(orgs["street"])
    mine, theirs = person(orgs["branch"]), person(orgs["street2"])
    assert records.person_in_scope(manager, mine.id) is mine
    with pytest.raises(NotFound):
        records.person_in_scope(manager, theirs.id)
    other = records.add(admin, theirs, TRAINING)
    with pytest.raises(NotFound):
        records.record_in_scope(manager, other.id)
    assert records.record_in_scope(admin, other.id) is other

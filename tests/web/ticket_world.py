"""The world of the ticket and export tests: a sitting, two subtrees, their people."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import Role
from examsvc.services import exams, identity, orgs
from question_bank.checksum import id_check_char


def id_number(n: int) -> str:
    """A valid ID number of its own for every n (Beijing, born 1980)."""
    first = f"110105198001{1 + n % 28:02d}{n % 1000:03d}"
    return first + id_check_char(first)


@pytest.fixture
def world(app, make_user, scheduled):
    """A sitting tomorrow; 甲街道 (two people) and 乙街道 (one person) enrolled; an org admin
    of 甲 and one of 乙's branch; everyone with an ID number."""
    sitting, admin = scheduled(candidates=0)
    root = orgs.create("000", "区委")
    a, b = orgs.create("A", "甲街道党工委", root), orgs.create("B", "乙街道党工委", root)
    a1 = orgs.create("A1", "甲第一支部", a)
    people = {}
    for i, (key, name, org) in enumerate(
        (("a1", "张三", a1), ("a2", "王五", a), ("b", "李四", b)), start=1
    ):
        person = make_user(name=name)
        person.organisation_id = org.id
        person.gender = "M"
        person.mobile = f"1380000000{i}"
        identity.assign_id_number(person, id_number(i))
        db.session.commit()
        exams.enrol(admin, sitting.id, person.email)
        people[key] = person
    org_admin = make_user(Role.ORG_ADMIN, name="甲管理员")
    org_admin.managed_organisation_id = a.id
    db.session.commit()
    by_user = {e.user_id: e for e in exams.enrolments_of(sitting)}
    enrolments = {key: by_user[p.id] for key, p in people.items()}
    return {
        "sitting": sitting,
        "admin": admin,
        "people": people,
        "enrolments": enrolments,
        "org_admin": org_admin,
        "orgs": {"A": a, "A1": a1, "B": b},
    }

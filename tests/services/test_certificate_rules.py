"""The certificate rules as data at issue, their versions, and changes of post."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Role, RuleSet, TrainingCourse, TrainingRecord, User
from examsvc.services import certificates, results
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.levels import posts, rules
from tests.services.level_world import member, tree
from tests.services.test_results import sit


def issue(admin, sitting):
    results.publish(admin, sitting.id)
    today = results.notice_ends_on(sitting) + timedelta(days=1)
    return certificates.issue_for_sitting(admin, sitting.id, today=today).as_json()


def course_for(sitting, admin: User, required: float) -> TrainingCourse:
    course = TrainingCourse(
        name="基层党务工作者培训班", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 3),
        hours=required, blueprint_id=sitting.blueprint_id, created_by_id=admin.id,
    )  # fmt: skip
    db.session.add(course)
    db.session.commit()
    return course


def attended(course: TrainingCourse, person: User, hours: float) -> None:
    db.session.add(
        TrainingRecord(
            user_id=person.id, course_id=course.id, course_name=course.name,
            starts_on=course.starts_on, ends_on=course.ends_on, hours=hours,
        )
    )  # fmt: skip
    db.session.commit()


def test_a_training_certificate_needs_the_whole_course_recorded(open_sitting, make_user):
    sitting, admin, (full, short) = open_sitting(candidates=2, kind="training")
    short.name = "吴学时"
    course = course_for(sitting, admin, 16)
    attended(course, full, 8)
    attended(course, full, 8)  # two records of one course add up
    attended(course, short, 12)
    for person in (full, short):
        sit(person, sitting)
    report = issue(admin, sitting)
    assert len(report["issued"]) == 1 and report["issued"][0].startswith("E0-")
    (refusal,) = report["refused"]
    assert (
        refusal["candidate"] == "吴学时" and "12" in refusal["reason"] and "16" in refusal["reason"]
    )


def test_a_training_test_with_no_course_gives_no_certificate_and_says_why(open_sitting):
    sitting, admin, (person,) = open_sitting(kind="training")
    sit(person, sitting)
    report = issue(admin, sitting)
    assert report["issued"] == [] and len(report["refused"]) == 1


def test_the_post_certificate_follows_the_rule_version_in_force(open_sitting, make_user):
    sitting, admin, (member_,) = open_sitting()
    outsider = make_user(Role.CANDIDATE, party_member=False, name="钱非党")
    from examsvc.services import exams

    exams.enrol(admin, sitting.id, outsider.email)
    sit(member_, sitting)
    sit(outsider, sitting)
    rules.ensure_defaults(admin)
    assert rules.current("post_qualification").version == 1
    report = issue(admin, sitting)
    assert report["refused"] == [{"candidate": "钱非党", "reason": "非中共党员"}]
    rules.new_version(admin, "post_qualification", [{"check": "passed_exam"}], "测试版本", 1)
    again = certificates.issue_for_sitting(
        admin, sitting.id, today=results.notice_ends_on(sitting) + timedelta(days=1)
    ).as_json()
    assert len(again["issued"]) == 1 and again["refused"] == []


def test_rule_versions_are_kept_checked_and_audited(app, make_user):
    admin = make_user(Role.ADMIN)
    assert rules.ensure_defaults(admin) == 6 and rules.ensure_defaults(admin) == 0
    first = rules.current("level", 2)
    new = [{"check": "level_held", "level": 1}, {"check": "months_in_level", "months": 12}]
    second = rules.new_version(admin, "L2", new, "依据2026年新办法", 1)
    db.session.refresh(first)
    assert second.version == 2 and first.superseded_at is not None and second.superseded_at is None
    assert rules.current("level", 2).id == second.id
    assert [v.version for v in rules.versions(second)] == [2, 1]
    with pytest.raises(Conflict) as info:  # someone edited version 1 meanwhile
        rules.new_version(admin, "L2", new + [{"check": "party_member"}], "迟到的修改", 1)
    assert info.value.code == "stale_version"
    with pytest.raises(BadInput) as info:
        rules.new_version(admin, "L2", [{"check": "months_in_level", "months": -3}], "坏", 2)
    assert info.value.code == "invalid_rules" and len(info.value.problems) == 1
    with pytest.raises(BadInput) as info:
        rules.new_version(admin, "L2", new, "没有变化", 2)
    assert info.value.code == "unchanged"
    with pytest.raises(BadInput):
        rules.new_version(admin, "L2", new + [{"check": "party_member"}], "  ", 2)
    with pytest.raises(NotFound):
        rules.new_version(admin, "L9", new, "x", 1)
    assert db.session.scalar(db.select(db.func.count(RuleSet.id))) == 7
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "rules.version_created")
    )
    assert entry.details["credential"] == "L2" and entry.details["conditions"] == new
    assert entry.details["previous_conditions"] == first.conditions


def test_a_change_of_post_is_recorded_by_the_persons_org_admin(app, make_user):
    found = tree(make_user)
    person = member(make_user, found["branch"])
    person.post = "组织委员"
    db.session.commit()
    with pytest.raises(NotFound):
        posts.record_change(found["stranger"], person.id, new_post="x", in_party_post=True,
                            effective_on=date(2026, 1, 1))  # fmt: skip
    with pytest.raises(NotFound):  # a candidate records no change, even their own
        posts.record_change(person, person.id, new_post="x", in_party_post=True,
                            effective_on=date(2026, 1, 1))  # fmt: skip
    with pytest.raises(BadInput):
        posts.record_change(found["org_admin"], person.id, new_post="  ", in_party_post=True,
                            effective_on=date(2026, 1, 1))  # fmt: skip
    with pytest.raises(BadInput):
        posts.record_change(found["org_admin"], person.id, new_post="书记", in_party_post=True,
                            effective_on=date(1900, 1, 1))  # fmt: skip
    posts.record_change(found["org_admin"], person.id, new_post="支部书记", in_party_post=True,
                        effective_on=date(2024, 3, 1), note="换届")  # fmt: skip
    change = posts.record_change(
        found["org_admin"], person.id, new_post="销售经理", in_party_post=False,
        effective_on=date(2025, 7, 1),
    )  # fmt: skip
    assert change.old_post == "支部书记" and person.post == "销售经理"
    assert [c.new_post for c in posts.history(person)] == ["销售经理", "支部书记"]
    other = member(make_user, found["branch"], name="未变动")
    in_post = posts.in_party_post([person.id, other.id], date(2024, 12, 31))
    assert in_post == {person.id: True, other.id: True}
    assert posts.in_party_post([person.id], date(2025, 12, 31)) == {person.id: False}
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "user.post_changed").order_by(
            AuditEntry.id.desc()).limit(1)
    )  # fmt: skip
    assert entry.details["new_post"] == "销售经理" and entry.details["in_party_post"] is False

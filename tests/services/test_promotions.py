"""Levels through services: the six steps in order, the L1 → L2 promotion end to end, the
rules at the last step, suspension and revocation in the level history, and who may act."""

from __future__ import annotations

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import (
    AuditEntry,
    Certificate,
    LevelRecord,
    Promotion,
    PromotionStepRecord,
    Role,
    utcnow,
)
from examsvc.services import certificates, enrolment, exams, levels
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from examsvc.services.levels import promotions, rules
from tests.services.level_world import hours, level_sitting, member, pass_and_issue, tree, walk


@pytest.fixture
def world(app, make_user, open_sitting):
    """The org tree, its admins, a candidate in the branch, and the bank of open_sitting."""
    _sitting, admin, _people = open_sitting()
    found = tree(make_user)
    found.update(admin=admin, person=member(make_user, found["branch"]))
    return found


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_l1_to_l2_end_to_end_through_the_six_steps(world):
    admin, org_admin, person = world["admin"], world["org_admin"], world["person"]
    first = promotions.declare(person, person.id, 1, "从事党务工作三年")
    assert (first.from_level, first.to_level, first.current_step) == (0, 1, "org_review")
    promotions.decide(org_admin, first.id, "org_review", "passed", "材料齐全")
    # the L1 exam's pass becomes the application's training test when certificates are issued
    sitting = level_sitting(admin, 1, [person])
    issued, refused = pass_and_issue(admin, sitting, [person])
    assert issued == [] and len(refused) == 1
    name, reason = refused[0]
    assert name == person.name and f"#{first.id}" in reason
    db.session.refresh(first)
    test_step = first.steps[-1]
    assert (test_step.step, test_step.outcome, first.current_step) == (
        "training_test", "passed", "field_visit",
    )  # fmt: skip
    assert test_step.evidence["sitting_id"] == sitting.id and test_step.evidence["attempt_id"]
    promotions.decide(admin, first.id, "field_visit", "passed", "走访支部")
    promotions.decide(admin, first.id, "assessment", "passed", "评定合格")
    done = promotions.decide(admin, first.id, "public_notice", "passed", "公示五个工作日无异议")
    assert done.state == "approved" and done.current_step is None
    l1 = db.session.get(Certificate, done.certificate_id)
    assert (l1.kind, l1.level, l1.status) == ("level", 1, "valid")
    assert l1.attempt_id == test_step.evidence["attempt_id"]  # the sitting's results show it
    assert enrolment.current_levels([person.id]) == {person.id: 1}
    # two years on, with the hours of the two years before: L2
    later = utcnow() + timedelta(days=800)
    for year in (later.year - 2, later.year - 1):
        hours(person, year, 24)
    second = promotions.declare(person, person.id, 2, "", now=later)
    walk(second, org_admin, admin, now=later)
    assert second.state == "approved"
    l2 = db.session.get(Certificate, second.certificate_id)
    db.session.refresh(l1)
    assert (l2.level, l2.replaces_id, l1.status) == (2, l1.id, "revoked")
    assert l2.number in l1.status_reason
    history = levels.history(person)
    assert [(r.decision, r.level) for r in history] == [("promoted", 2), ("certified", 1)]
    assert history[0].certificate_id == l2.id and history[0].promotion_id == second.id
    assert levels.standing(person).level == 2 and enrolment.current_levels([person.id]) == {
        person.id: 2
    }
    expected = {"promotion.declared", "promotion.step_recorded", "promotion.approved",
                "level.recorded", "certificate.issued", "certificate.revoked"}  # fmt: skip
    assert expected <= set(actions())


def test_steps_go_in_order_and_a_failed_step_closes_the_application(world):
    admin, org_admin, person = world["admin"], world["org_admin"], world["person"]
    promotion = promotions.declare(org_admin, person.id, 1, "")
    with pytest.raises(Conflict) as info:
        promotions.decide(admin, promotion.id, "field_visit", "passed", "")
    assert info.value.code == "out_of_order"
    with pytest.raises(Conflict):
        promotions.decide(admin, promotion.id, "declare", "passed", "")
    with pytest.raises(BadInput) as info:
        promotions.decide(org_admin, promotion.id, "org_review", "failed", "  ")
    assert info.value.code == "reason_required"
    with pytest.raises(BadInput):
        promotions.decide(org_admin, promotion.id, "org_review", "maybe", "x")
    assert db.session.scalar(db.select(db.func.count(PromotionStepRecord.id))) == 1
    promotions.decide(org_admin, promotion.id, "org_review", "failed", "任职不满一年")
    db.session.refresh(promotion)
    assert (promotion.state, promotion.current_step) == ("refused", None)
    assert promotion.steps[-1].note == "任职不满一年" and promotion.closed_at is not None
    with pytest.raises(Conflict) as info:
        promotions.decide(admin, promotion.id, "training_test", "passed", "x")
    assert info.value.code == "closed"
    again = promotions.declare(person, person.id, 1, "再次申报")  # a refusal ends one application
    assert again.state == "open"


def test_one_open_application_at_a_time_and_one_level_at_a_time(world):
    person, org_admin = world["person"], world["org_admin"]
    with pytest.raises(Conflict) as info:
        promotions.declare(person, person.id, 2, "")
    assert info.value.code == "level_missing"
    promotions.declare(person, person.id, 1, "")
    with pytest.raises(Conflict) as info:
        promotions.declare(org_admin, person.id, 1, "")
    assert info.value.code == "already_open"


def test_the_rules_refuse_the_last_step_with_every_reason_and_nothing_is_written(world):
    admin, org_admin, person = world["admin"], world["org_admin"], world["person"]
    levels.record(admin, person, 1, levels.CERTIFIED, "历史认证", utcnow().date())
    db.session.commit()
    promotion = promotions.declare(person, person.id, 2, "")
    with pytest.raises(Conflict) as info:
        walk(promotion, org_admin, admin)  # a fresh L1 and no hours: L2's defaults refuse
    assert info.value.code == "rules_refuse"
    assert any("24" in p for p in info.value.problems)  # months in level
    assert sum("hours" in p or "学时" in p for p in info.value.problems) == 2  # two years short
    db.session.refresh(promotion)
    assert (promotion.state, promotion.current_step) == ("open", "public_notice")
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    # a new version of the rules applies at once
    rules.new_version(admin, "L2", [{"check": "level_held", "level": 1}], "试点：取消年限要求", 1)
    promotions.decide(admin, promotion.id, "public_notice", "passed", "公示无异议")
    assert promotion.state == "approved" and promotion.rule_set_id is not None


def test_a_suspended_holder_keeps_the_level_but_is_not_promoted(world):
    admin, person = world["admin"], world["person"]
    cert = certificates.create(person, "level", 1, utcnow().date())
    levels.record(admin, person, 1, levels.CERTIFIED, "历史认证", utcnow().date(), certificate=cert)
    db.session.commit()
    certificates.suspend(admin, cert.number, "年检不合格")
    assert levels.standing(person).suspended and enrolment.current_levels([person.id]) == {
        person.id: 1
    }
    with pytest.raises(Conflict) as info:
        promotions.declare(person, person.id, 2, "")
    assert info.value.code == "suspended"
    l2 = level_sitting(admin, 2, [])
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, l2.id, person.email)
    assert info.value.code == "not_eligible"
    certificates.reinstate(admin, cert.number, "次年年检合格")
    assert [r.decision for r in levels.history(person)] == ["reinstated", "suspended", "certified"]
    assert promotions.declare(person, person.id, 2, "").state == "open"
    exams.enrol(admin, l2.id, person.email)


def test_revoking_the_level_certificate_leaves_no_level(world):
    admin, person = world["admin"], world["person"]
    cert = certificates.create(person, "level", 1, utcnow().date())
    db.session.commit()
    assert enrolment.current_levels([person.id]) == {person.id: 1}  # no history yet: the cert
    certificates.revoke(admin, cert.number, "连续两年年检不合格")
    (record,) = levels.history(person)
    assert (record.decision, record.level, record.certificate_id) == ("revoked", 0, cert.id)
    assert enrolment.current_levels([person.id]) == {}
    assert promotions.declare(person, person.id, 1, "").to_level == 1


def test_l4s_assessment_is_a_panels_decision(world, make_user):
    admin, org_admin = world["admin"], world["org_admin"]
    person = member(make_user, world["branch"], name="周特级")
    levels.record(admin, person, 3, levels.CERTIFIED, "历史认证", utcnow().date())
    db.session.commit()
    rules.new_version(admin, "L4", [
        {"check": "level_held", "level": 3}, {"check": "panel_assessment", "members": 3},
    ], "试点", 1)  # fmt: skip
    promotion = promotions.declare(person, person.id, 4, "")
    promotions.decide(org_admin, promotion.id, "org_review", "passed", "")
    promotions.decide(admin, promotion.id, "training_test", "passed", "省级培训测试合格")
    promotions.decide(admin, promotion.id, "field_visit", "passed", "")
    with pytest.raises(BadInput) as info:
        promotions.decide(admin, promotion.id, "assessment", "passed", "", panel_text="王一、李二")
    assert info.value.code == "panel_required"
    promotions.decide(admin, promotion.id, "assessment", "passed", "一致同意",
                      panel_text="王一\n李二\n张三")  # fmt: skip
    assert promotion.steps[-1].evidence == {"panel": ["王一", "李二", "张三"]}
    promotions.decide(admin, promotion.id, "public_notice", "passed", "")
    assert promotion.state == "approved" and levels.standing(person).level == 4


def test_who_records_which_step(world, make_user):
    admin, org_admin, stranger = world["admin"], world["org_admin"], world["stranger"]
    person = world["person"]
    with pytest.raises(NotFound):
        promotions.declare(stranger, person.id, 1, "")  # another subtree: not found
    staff = make_user(Role.EXAMINER)
    with pytest.raises(Forbidden):
        promotions.declare(staff, staff.id, 1, "")  # only candidates apply for themselves
    promotion = promotions.declare(person, person.id, 1, "")
    with pytest.raises(NotFound):
        promotions.decide(stranger, promotion.id, "org_review", "passed", "")
    with pytest.raises(Forbidden):
        promotions.decide(person, promotion.id, "org_review", "passed", "")  # their own
    promotions.decide(org_admin, promotion.id, "org_review", "passed", "")
    with pytest.raises(Forbidden):
        promotions.decide(org_admin, promotion.id, "training_test", "passed", "自测")
    with pytest.raises(BadInput) as info:  # a test needs evidence: an attempt or a note
        promotions.decide(admin, promotion.id, "training_test", "passed", "")
    assert info.value.code == "test_evidence_required"
    with pytest.raises(BadInput):
        promotions.decide(admin, promotion.id, "training_test", "passed", "", attempt_id=99999)
    with pytest.raises(NotFound):
        promotions.withdraw(stranger, promotion.id, "不再申报")
    promotions.withdraw(person, promotion.id, "工作调动，暂不申报")
    assert promotion.state == "withdrawn" and promotion.steps[-1].outcome == "withdrawn"


def test_a_pass_without_an_open_application_is_reported_and_counts_later(world):
    admin, org_admin, person = world["admin"], world["org_admin"], world["person"]
    sitting = level_sitting(admin, 1, [person])
    issued, ((name, reason),) = pass_and_issue(admin, sitting, [person])
    assert issued == [] and name == person.name
    assert "L1" in reason or "初级" in reason
    promotion = promotions.declare(person, person.id, 1, "")
    promotions.decide(org_admin, promotion.id, "org_review", "passed", "")
    from examsvc.services.levels import facts

    ((attempt, _sitting),) = facts.passed_level_attempts(person, 1)
    promotions.decide(admin, promotion.id, "training_test", "passed", "", attempt_id=attempt.id)
    assert promotion.steps[-1].evidence["attempt_id"] == attempt.id


def test_level_records_are_the_only_writers_of_the_current_level(world):
    """LevelRecord rows, not certificates, say the level of someone who has a history."""
    admin, person = world["admin"], world["person"]
    levels.record(admin, person, 2, levels.PROMOTED, "x", utcnow().date())
    db.session.commit()
    assert enrolment.current_levels([person.id]) == {person.id: 2}
    assert db.session.scalar(db.select(db.func.count(LevelRecord.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Promotion.id))) == 0

"""Eligibility at every enrolment path, enrolling an organisation, removing a candidate and
editing a sitting before it opens."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from examsvc.extensions import db
from examsvc.models import (
    Attempt,
    AuditEntry,
    Certificate,
    Enrolment,
    Paper,
    PaperItem,
    Role,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import (
    assembly,
    attempts,
    enrolment,
    exams,
    orgs,
    results,
    roster,
    sittings,
)
from examsvc.services.errors import Conflict
from tests.conftest import SCHEDULED_ROWS


def level_sitting(admin: User, level: int) -> Sitting:
    blueprint = exams.create_blueprint(
        admin, name=f"L{level}", exam_kind="level", level=level, duration_minutes=60,
        pass_mark=24, rows=SCHEDULED_ROWS,
    )  # fmt: skip
    now = utcnow()
    return exams.create_sitting(
        admin, blueprint.id, f"等级{level}", now + timedelta(days=1), now + timedelta(days=2)
    )


def passed(person: User, sitting: Sitting, *, published: bool = True) -> None:
    """Record that the person passed the sitting (its results published or not)."""
    row = Enrolment(sitting_id=sitting.id, user_id=person.id, admission_no=f"P{person.id}")
    db.session.add(row)
    db.session.flush()
    db.session.add(
        Attempt(enrolment_id=row.id, deadline=utcnow(), status="submitted", is_passed=True)
    )
    if published:
        sitting.results_published_at = utcnow()
    db.session.commit()


def level_certificate(person: User, level: int, status: str = "valid") -> None:
    db.session.add(
        Certificate(
            number=f"L{level}-{person.id}", kind="level", level=level, year=2026,
            serial=person.id * 10 + level, user_id=person.id, status=status,
            issued_on=date(2026, 1, 1), valid_until=date(2029, 1, 1),
        )
    )  # fmt: skip
    db.session.commit()


def enrolled(sitting: Sitting) -> set[int]:
    return set(
        db.session.scalars(db.select(Enrolment.user_id).where(Enrolment.sitting_id == sitting.id))
    )


@pytest.mark.parametrize(
    ("status", "reason"), [("pending", "报名尚未审核通过"), ("disabled", "账号已停用")]
)
def test_one_by_one_refuses_a_registration_not_approved_with_its_reason(
    app, scheduled, make_user, status, reason
):
    sitting, admin = scheduled(candidates=1)
    person = make_user(Role.CANDIDATE)
    person.status = status
    db.session.commit()
    with app.test_request_context(), pytest.raises(Conflict) as info:  # Chinese by default
        exams.enrol(admin, sitting.id, person.email)
    assert info.value.code == "not_eligible" and reason in info.value.message
    assert person.id not in enrolled(sitting)


def test_a_person_who_passed_the_same_exam_in_a_published_sitting_is_refused(scheduled, make_user):
    sitting, admin = scheduled(candidates=1)
    earlier, _ = scheduled(candidates=0)
    winner, waiting = make_user(Role.CANDIDATE), make_user(Role.CANDIDATE)
    passed(winner, earlier)
    passed(waiting, db.session.get(Sitting, _second_sitting(admin, earlier)), published=False)
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, sitting.id, winner.email)
    assert "already passed" in info.value.message or "已通过" in info.value.message
    exams.enrol(admin, sitting.id, waiting.email)  # results not published: not passed yet
    assert enrolled(sitting) >= {waiting.id} and winner.id not in enrolled(sitting)


def _second_sitting(admin: User, like: Sitting) -> int:
    return exams.create_sitting(
        admin, like.blueprint_id, "另一场", like.opens_at, like.closes_at
    ).id


def test_a_level_exam_needs_a_valid_certificate_of_the_level_below(scheduled, make_user):
    _sitting, admin = scheduled(candidates=0)
    l2 = level_sitting(admin, 2)
    holder, suspended, none = (make_user(Role.CANDIDATE) for _ in range(3))
    level_certificate(holder, 1)
    level_certificate(suspended, 1, status="suspended")
    exams.enrol(admin, l2.id, holder.email)
    for person in (suspended, none):
        with pytest.raises(Conflict) as info:
            exams.enrol(admin, l2.id, person.email)
        assert info.value.code == "not_eligible"
    assert enrolled(l2) == {holder.id}
    assert enrolment.current_levels([holder.id, suspended.id, none.id]) == {holder.id: 1}
    l1 = level_sitting(admin, 1)
    exams.enrol(admin, l1.id, none.email)  # level 1 needs no level
    with pytest.raises(Conflict):
        exams.enrol(admin, l1.id, holder.email)  # holds L1 already


def test_a_non_member_may_sit_the_post_exam(scheduled, make_user):
    sitting, admin = scheduled(candidates=0)
    outsider = make_user(Role.CANDIDATE, party_member=False)
    exams.enrol(admin, sitting.id, outsider.email)
    assert outsider.id in enrolled(sitting)


@pytest.fixture
def branch(app, make_user):
    """区委 → 支部 (people) and a second root with one person of its own."""
    root = orgs.create("100", "某区委")
    unit = orgs.create("100-1", "第一支部", root)
    other = orgs.create("200", "别的区委")
    people = {}
    for key, org, member, status in [
        ("member", root, True, "active"),
        ("outsider", unit, False, "active"),
        ("pending", unit, True, "pending"),
        ("disabled", unit, True, "disabled"),
        ("winner", unit, True, "active"),
        ("elsewhere", other, True, "active"),
    ]:
        person = make_user(Role.CANDIDATE, name=f"{key}者", party_member=member)
        person.organisation_id, person.status = org.id, status
        people[key] = person
    people["outsider"].category = "two_new"
    db.session.commit()
    return root, people


def test_enrolling_an_organisation_enrols_the_eligible_of_its_subtree_and_lists_the_rest(
    app, scheduled, branch
):
    sitting, admin = scheduled(candidates=0)
    root, people = branch
    earlier, _ = scheduled(candidates=0)
    passed(people["winner"], earlier)
    exams.enrol(admin, sitting.id, people["member"].email)
    with app.test_request_context():
        report = enrolment.enrol_organisation(admin, sitting.id, root.id)
    assert (report.enrolled, report.already) == (1, 1)
    assert report.non_members == 1  # the outsider: enrolled, told there is no certificate
    reasons = {r.user_id: r.reason for r in report.refused}
    assert set(reasons) == {people[k].id for k in ("pending", "disabled", "winner")}
    assert reasons[people["pending"].id] == "报名尚未审核通过"
    assert reasons[people["disabled"].id] == "账号已停用"
    assert "已通过" in reasons[people["winner"].id]
    assert enrolled(sitting) == {people["member"].id, people["outsider"].id}
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sitting.org_enrolled")
    )
    assert entry.details["enrolled"] == 1 and entry.details["refused"] == 3


def test_party_only_and_category_filters(scheduled, branch):
    root, people = branch
    sitting, admin = scheduled(candidates=0)
    report = enrolment.enrol_organisation(admin, sitting.id, root.id, party_only=True)
    assert enrolled(sitting) == {people["member"].id, people["winner"].id}  # active members
    assert report.enrolled == 2 and len(report.refused) == 2  # pending and disabled members
    other, admin = scheduled(candidates=0)
    enrolment.enrol_organisation(admin, other.id, root.id, category="two_new")
    assert enrolled(other) == {people["outsider"].id}


def test_enrolling_an_organisation_costs_the_same_statements_for_few_or_many(scheduled, make_user):
    """No statement per person: the count does not grow with the organisation."""
    counts = []
    for size in (3, 40):
        org = orgs.create(f"N{size}", f"{size}人支部")
        for _ in range(size):
            make_user(Role.CANDIDATE).organisation_id = org.id
        db.session.commit()
        sitting, admin = scheduled(candidates=0)
        statements: list[str] = []

        def count(*args, _log=statements):
            _log.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            report = enrolment.enrol_organisation(admin, sitting.id, org.id)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert report.enrolled == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_removal_before_opening_releases_the_paper_and_is_audited(scheduled):
    sitting, admin = scheduled(candidates=3)
    assembly.randomize(admin, sitting.id)
    first, second = exams.enrolments_of(sitting)[:2]
    paper_id, number = first.paper.id, first.admission_no
    assert db.session.scalar(db.select(db.func.count()).where(PaperItem.paper_id == paper_id))
    assert enrolment.remove(admin, sitting.id, first.id) == number
    assert db.session.get(Enrolment, first.id) is None
    assert db.session.get(Paper, paper_id) is None
    assert not db.session.scalar(db.select(db.func.count()).where(PaperItem.paper_id == paper_id))
    assert db.session.get(Enrolment, second.id).paper is not None  # the others keep theirs
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sitting.unenrolled")
    )
    assert entry.details["admission_no"] == number and entry.details["paper_released"] is True


def test_removal_is_refused_once_the_sitting_is_open(open_sitting):
    sitting, admin, (person,) = open_sitting()
    row = exams.enrolments_of(sitting)[0]
    with pytest.raises(Conflict) as info:
        enrolment.remove(admin, sitting.id, row.id)
    assert info.value.code == "sitting_opened"
    assert db.session.get(Enrolment, row.id) is not None


def test_removal_is_refused_when_an_attempt_exists(scheduled):
    sitting, admin = scheduled(candidates=1)
    row = exams.enrolments_of(sitting)[0]
    db.session.add(Attempt(enrolment_id=row.id, deadline=utcnow()))
    db.session.commit()
    with pytest.raises(Conflict) as info:
        enrolment.remove(admin, sitting.id, row.id)
    assert info.value.code == "attempt_exists"


def test_editing_before_opening_changes_the_sitting_and_is_audited(scheduled):
    sitting, admin = scheduled(candidates=1)
    opens = sitting.opens_at + timedelta(hours=2)
    sittings.edit(
        admin, sitting.id, name="改期场次", opens_at=opens, closes_at=opens + timedelta(hours=3),
        grace_seconds=60, place="区委党校二楼", focus_loss_limit=5,
    )  # fmt: skip
    sitting = db.session.get(Sitting, sitting.id)
    assert (sitting.name, sitting.opens_at, sitting.grace_seconds) == ("改期场次", opens, 60)
    assert sitting.place == "区委党校二楼"
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "sitting.edited"))
    assert entry.details["name"] == ["明日场次", "改期场次"] and "blueprint" not in entry.details
    assert entry.details["place"] == ["", "区委党校二楼"]
    assert sitting.focus_loss_limit == 5 and entry.details["focus_loss_limit"] == [None, 5]


def test_editing_is_refused_once_open(open_sitting):
    sitting, admin, _ = open_sitting()
    with pytest.raises(Conflict) as info:
        sittings.edit(
            admin, sitting.id, name="x", opens_at=sitting.opens_at,
            closes_at=sitting.closes_at, grace_seconds=30,
        )  # fmt: skip
    assert info.value.code == "sitting_opened"
    assert db.session.get(Sitting, sitting.id).name == "测试场次"


def test_the_blueprint_changes_only_while_no_paper_is_drawn(scheduled):
    sitting, admin = scheduled(candidates=2)
    original, other = sitting.blueprint_id, level_sitting(admin, 1).blueprint_id
    args = dict(name=sitting.name, opens_at=sitting.opens_at, closes_at=sitting.closes_at,
                grace_seconds=30)  # fmt: skip
    sittings.edit(admin, sitting.id, blueprint_id=other, **args)
    assert db.session.get(Sitting, sitting.id).blueprint_id == other
    assembly.randomize(admin, sitting.id)
    with pytest.raises(Conflict) as info:
        sittings.edit(admin, sitting.id, blueprint_id=original, **args)
    assert info.value.code == "papers_drawn"
    assert db.session.get(Sitting, sitting.id).blueprint_id == other


def test_an_attempt_starts_with_the_extra_time_of_the_ledger(open_sitting):
    from examsvc.services import extra_time

    sitting, admin, (person,) = open_sitting(duration=30)
    row = exams.enrolments_of(sitting)[0]
    extra_time.grant(admin, sitting.id, row.id, 15, "视力障碍")
    attempt = attempts.start_or_resume(person, sitting.id)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=45)


def test_a_roster_for_a_sitting_refuses_the_ineligible_with_their_reasons(app, scheduled):
    from tests.services.test_roster_import import HEADER, ID_A, ID_B

    _, admin = scheduled(candidates=0)
    l2 = level_sitting(admin, 2)
    orgs.create("500", "名单支部")
    data = "\n".join([HEADER, f"张三,{ID_A},13800138000,,,,,,", f"李四,{ID_B},13800138001,,,,,,"])
    with app.test_request_context():
        report = roster.import_roster(admin, data.encode(), "500", sitting_id=l2.id,
                                      filename="名单.csv")  # fmt: skip
    assert report.rejected and report.skipped == 2
    messages = [e["message"] for e in report.as_json()["errors"]]
    assert len(messages) == 2 and all("须先持有" in m for m in messages), messages
    assert enrolled(l2) == set()


@pytest.fixture
def published_while_open(open_sitting):
    """A sitting published while still open: its one candidate handed in early."""
    from tests.services.test_results import sit

    sitting, admin, (first,) = open_sitting(candidates=1)
    sit(first, sitting)
    results.publish(admin, sitting.id)  # everyone handed in; the sitting stays open 3 hours
    assert sitting.state(utcnow()) == "open"
    return sitting, admin


def test_nobody_is_enrolled_in_a_sitting_whose_results_are_published(
    app, published_while_open, make_user
):
    """Enrolled after the publication, a candidate would sit an exam whose results are out:
    never checked for marks, on the running public notice as soon as they hand in."""
    sitting, admin = published_while_open
    root = orgs.create("300", "晚到支部")
    late = make_user(Role.CANDIDATE)
    late.organisation_id = root.id
    db.session.commit()
    before = enrolled(sitting)
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, sitting.id, late.email)
    assert info.value.code == "results_published"
    with pytest.raises(Conflict) as info:
        enrolment.enrol_organisation(admin, sitting.id, root.id)
    assert info.value.code == "results_published"
    with pytest.raises(Conflict) as info:
        roster.enrol_people(admin, sitting.id, [late.id])
    assert info.value.code == "results_published"
    assert enrolled(sitting) == before


def test_a_roster_for_a_published_sitting_is_refused(app, published_while_open):
    from tests.services.test_roster_import import HEADER, ID_A

    sitting, admin = published_while_open
    orgs.create("500", "名单支部")
    data = "\n".join([HEADER, f"张三,{ID_A},13800138000,,,,,,"])
    with app.test_request_context():
        report = roster.import_roster(admin, data.encode(), "500", sitting_id=sitting.id,
                                      filename="名单.csv")  # fmt: skip
        with pytest.raises(Conflict) as info:
            roster.enrol_people(admin, sitting.id, [admin.id])
    assert report.rejected
    assert [e["message"] for e in report.as_json()["errors"]] == [info.value.message]
    assert db.session.scalar(db.select(User).where(User.mobile == "13800138000")) is None


def test_an_enrolment_made_while_publishing_stops_the_publication(
    app, open_sitting, make_user, monkeypatch
):
    """Someone is enrolled after publish() checked that everyone handed in (while it scores):
    the publication checks again under the sitting's lock and refuses."""
    from examsvc.services import marking
    from tests.services.test_results import sit

    sitting, admin, (first,) = open_sitting(candidates=1)
    sit(first, sitting)
    late = make_user(Role.CANDIDATE)
    real = marking.settle

    def settle(sitting_id):
        waiting = real(sitting_id)
        exams.enrol(admin, sitting_id, late.email)  # another admin, meanwhile
        return waiting

    monkeypatch.setattr(marking, "settle", settle)
    with pytest.raises(Conflict) as info:
        results.publish(admin, sitting.id)
    assert info.value.code == "sitting_not_finished"
    db.session.expire_all()
    assert db.session.get(Sitting, sitting.id).results_published_at is None


def test_an_exam_whose_results_are_published_cannot_be_started(open_sitting):
    """An enrolment without an attempt in a published sitting (made before publications
    refused them) does not open a paper."""
    sitting, admin, (person,) = open_sitting(candidates=1)
    sitting.results_published_at = utcnow()
    db.session.commit()
    with pytest.raises(Conflict) as info:
        attempts.start_or_resume(person, sitting.id)
    assert info.value.code == "results_published"
    assert db.session.scalar(db.select(Attempt.id)) is None

"""年检 batches end to end: facts from the archive, outcomes applied on closing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from examsvc.extensions import db
from examsvc.i18n import today_local, translate
from examsvc.models import AuditEntry, Inspection, LevelRecord, Notice
from examsvc.services import certificates, inspections, notices
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from examsvc.services.inspections import closing
from question_bank.inspection import Facts, judge
from tests.services.inspection_world import (
    assess_all,
    change_post,
    holder,
    inspect,
    make_world,
    result_of,
    status_of,
    train,
)


@pytest.fixture
def world(app, make_user):
    return make_world(make_user)


def history(person) -> list[tuple[str, int]]:
    return [
        (r.decision, r.level)
        for r in db.session.scalars(
            db.select(LevelRecord).where(LevelRecord.user_id == person.id).order_by(LevelRecord.id)
        )
    ]


def notices_of(person) -> list[tuple[str, str]]:
    """(the message's English template, the text shown) of each of the person's notices."""
    return [
        (n.message, notices.text(n))
        for n in db.session.scalars(
            db.select(Notice).where(Notice.user_id == person.id).order_by(Notice.id)
        )
    ]


def incompetent() -> str:
    """The reason an incompetent assessment gives, as shown (in the app's language)."""
    return translate(judge(Facts(True, 1, 24, 0, "incompetent")).reasons[0])


def test_a_first_failure_suspends_with_the_reason_the_year_and_a_notice(world, make_user):
    person, cert = holder(make_user, world.branch)
    train(person, 2024, 32, times=2)
    batch_id, report = inspect(world.admin, world.branch, 2024, "incompetent")
    assert report.counts["suspended"] == 1 and report.changed == [cert.number]
    assert status_of(cert) == "suspended"
    stored = db.session.get(type(cert), cert.id)
    assert "2024" in stored.status_reason and incompetent() in stored.status_reason
    result = result_of(batch_id, person)
    assert (result.passed, result.outcome) == (False, "suspended")
    assert [r["code"] for r in result.reasons] == ["incompetent"]
    assert (result.trainings, result.hours) == (2, 32.0)
    assert history(person) == [("suspended", 2)]
    audited = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "certificate.suspended")
    )
    assert audited.subject_id == cert.id and audited.actor_id == world.admin.id
    ((message, text),) = notices_of(person)
    assert "is suspended" in message
    assert cert.number in text and "2024" in text and incompetent() in text


def test_a_second_failure_in_consecutive_years_revokes(world, make_user):
    person, cert = holder(make_user, world.branch)
    inspect(world.admin, world.branch, 2023, "competent")  # no training in 2023: fails
    assert status_of(cert) == "suspended"
    batch_id, report = inspect(world.admin, world.branch, 2024, "competent")
    assert report.counts["revoked"] == 1
    assert status_of(cert) == "revoked"
    assert history(person) == [("suspended", 2), ("revoked", 0)]
    assert result_of(batch_id, person).outcome == "revoked"
    assert "is revoked" in notices_of(person)[-1][0]
    assert certificates.public_view(cert.number)["status"] == "revoked"


def test_passing_reinstates_a_suspended_certificate(world, make_user):
    person, cert = holder(make_user, world.branch)
    inspect(world.admin, world.branch, 2023, "competent")
    train(person, 2024, 24)
    _batch, report = inspect(world.admin, world.branch, 2024, "basically_competent")
    assert report.counts["reinstated"] == 1
    assert status_of(cert) == "valid"
    assert history(person) == [("suspended", 2), ("reinstated", 2)]
    assert "valid again" in notices_of(person)[-1][0]


def test_failures_in_years_that_are_not_consecutive_suspend_again(world, make_user):
    person, cert = holder(make_user, world.branch)
    inspect(world.admin, world.branch, 2022, "incompetent")
    train(person, 2023, 24)
    inspect(world.admin, world.branch, 2023, "excellent")
    assert status_of(cert) == "valid"
    _batch, report = inspect(world.admin, world.branch, 2024, "incompetent")
    assert report.counts == {"passed": 0, "reinstated": 0, "suspended": 1, "revoked": 0}
    assert status_of(cert) == "suspended"
    assert history(person) == [("suspended", 2), ("reinstated", 2), ("suspended", 2)]


def test_a_holder_who_passes_keeps_a_valid_certificate_and_is_told(world, make_user):
    person, cert = holder(make_user, world.branch)
    train(person, 2024, 24)
    _batch, report = inspect(world.admin, world.branch, 2024, "excellent")
    assert report.counts["passed"] == 1 and report.changed == []
    assert status_of(cert) == "valid" and history(person) == []
    ((message, text),) = notices_of(person)
    assert "stays valid" in message and cert.number in text


def test_facts_come_from_posts_hours_and_the_category_minimum(world, make_user):
    left, _ = holder(make_user, world.branch, name="离岗者")
    train(left, 2024, 40)
    change_post(left, date(2024, 6, 1), in_post=False)
    back, _ = holder(make_user, world.branch, name="复岗者")
    train(back, 2024, 40)
    change_post(back, date(2024, 3, 1), in_post=False)
    change_post(back, date(2024, 9, 1), in_post=True)
    later, _ = holder(make_user, world.branch, name="次年离岗者")
    train(later, 2024, 40)
    change_post(later, date(2025, 2, 1), in_post=False)  # after the year: still in post
    leader, _ = holder(make_user, world.branch, category="organ", leader=True, name="机关书记")
    train(leader, 2024, 32)  # the category needs 40
    train(leader, 2023, 100)  # another year counts nothing
    batch = inspections.open_batch(world.admin, world.branch.id, 2024)
    rows = {p: result_of(batch.id, p) for p in (left, back, later, leader)}
    assert [rows[p].in_party_post for p in (left, back, later, leader)] == [
        False, True, True, True]  # fmt: skip
    assert rows[leader].minimum_hours == 40 and rows[leader].hours == 32
    assert rows[left].minimum_hours == 16
    assert [r["code"] for r in rows[left].reasons] == ["left_post", "no_assessment"]
    assert [r["code"] for r in rows[leader].reasons] == ["hours_below_category", "no_assessment"]


def test_the_batch_lists_every_holder_of_the_subtree_once(world, make_user):
    valid, _ = holder(make_user, world.branch)
    suspended, _ = holder(make_user, world.branch, status="suspended")
    holder(make_user, world.branch, status="revoked")
    holder(make_user, world.other)  # another branch
    holder(make_user, world.branch, issued=date(2025, 1, 2))  # issued after the year
    expired, old = holder(make_user, world.branch)
    old.valid_until = date(2025, 12, 31)  # expired before today
    twice, first = holder(make_user, world.branch, level=1)
    second = certificates.create(twice, "level", 2, date(2023, 5, 1), valid_until=date(2031, 1, 1))
    _training_only, other_kind = holder(make_user, world.branch)
    other_kind.kind = "training"
    db.session.commit()
    batch = inspections.open_batch(world.admin, world.branch.id, 2024)
    page, rows = inspections.rows(batch)
    assert {r.result.user_id for r in rows} == {valid.id, suspended.id, twice.id}
    assert result_of(batch.id, twice).certificate_id == second.id
    assert page.total == 3
    whole = inspections.open_batch(world.admin, world.district.id, 2024)
    assert inspections.summary(whole)["people"] == 4  # the other branch's holder too


def test_one_batch_per_organisation_and_year_and_only_past_years(world):
    inspections.open_batch(world.admin, world.branch.id, 2024)
    with pytest.raises(Conflict):
        inspections.open_batch(world.admin, world.branch.id, 2024)
    for year in (1999, today_local().year, None):
        with pytest.raises(BadInput):
            inspections.open_batch(world.admin, world.branch.id, year)
    assert db.session.scalar(db.select(db.func.count()).select_from(Inspection)) == 1


def test_a_person_judged_in_a_closed_batch_is_not_judged_again_that_year(world, make_user):
    person, cert = holder(make_user, world.branch)
    outsider, _ = holder(make_user, world.other)
    parent = inspections.open_batch(world.admin, world.district.id, 2024)  # opened first
    inspect(world.admin, world.branch, 2024, "incompetent")  # the child's closes first
    assert status_of(cert) == "suspended"
    # The parent's batch drops the person on closing; its other people are judged.
    assess_all(world.admin, parent.id, "incompetent")
    report = closing.close(world.admin, parent.id)
    assert report.counts["suspended"] == 1 and report.changed != [cert.number]
    assert result_of(parent.id, person) is None and result_of(parent.id, outsider) is not None
    assert status_of(cert) == "suspended" and history(person) == [("suspended", 2)]
    assert len(notices_of(person)) == 1
    # A batch opened later leaves out whoever was judged that year; another year judges all.
    assert inspections.summary(inspections.open_batch(world.admin, world.other.id, 2024))[
        "people"] == 0  # fmt: skip
    assert inspections.summary(inspections.open_batch(world.admin, world.district.id, 2023))[
        "people"] == 2  # fmt: skip


def test_a_closed_batch_is_read_only(world, make_user):
    person, _ = holder(make_user, world.branch)
    batch_id, _report = inspect(world.admin, world.branch, 2024, "competent")
    result = result_of(batch_id, person)
    with pytest.raises(Conflict):
        inspections.set_assessment(world.admin, batch_id, result.id, "excellent")
    with pytest.raises(Conflict):
        inspections.refresh(world.admin, batch_id)
    with pytest.raises(Conflict):
        closing.close(world.admin, batch_id)
    from examsvc.services.inspections import assessments

    with pytest.raises(Conflict):
        assessments.import_sheet(world.admin, batch_id, b"x", "x.csv")
    assert result_of(batch_id, person).assessment == "competent"


def test_closing_waits_for_every_assessment_unless_told_they_fail(world, make_user):
    person, cert = holder(make_user, world.branch)
    train(person, 2024, 24)
    batch = inspections.open_batch(world.admin, world.branch.id, 2024)
    with pytest.raises(Conflict) as refused:
        closing.close(world.admin, batch.id)
    assert refused.value.code == "assessments_missing"
    db.session.expire_all()
    assert db.session.get(Inspection, batch.id).state == "open"
    assert status_of(cert) == "valid"
    report = closing.close(world.admin, batch.id, missing_fail=True)
    assert report.counts["suspended"] == 1
    assert [r["code"] for r in result_of(batch.id, person).reasons] == ["no_assessment"]


def test_org_admins_prepare_their_subtree_only_and_admins_close(world, make_user):
    person, _ = holder(make_user, world.branch)
    stranger, _ = holder(make_user, world.other)
    mine = inspections.open_batch(world.org_admin, world.branch.id, 2024)
    result = result_of(mine.id, person)
    inspections.set_assessment(world.org_admin, mine.id, result.id, "competent")
    with pytest.raises(NotFound):
        inspections.open_batch(world.org_admin, world.other.id, 2024)
    theirs = inspections.open_batch(world.admin, world.other.id, 2024)
    parent = inspections.open_batch(world.admin, world.district.id, 2024)
    for batch_id in (theirs.id, parent.id):
        with pytest.raises(NotFound):
            inspections.get(world.org_admin, batch_id)
        with pytest.raises(NotFound):
            inspections.refresh(world.org_admin, batch_id)
    with pytest.raises(NotFound):  # a row of another batch, through their own batch's id
        inspections.set_assessment(
            world.org_admin, mine.id, result_of(theirs.id, stranger).id, "competent"
        )
    with pytest.raises(Forbidden):
        closing.close(world.org_admin, mine.id)
    assert [b.id for b in inspections.visible(world.org_admin).items] == [mine.id]
    assert len(inspections.visible(world.admin).items) == 3


def test_refreshing_reads_new_trainings_and_new_holders(world, make_user):
    person, _ = holder(make_user, world.branch)
    batch = inspections.open_batch(world.admin, world.branch.id, 2024)
    inspections.set_assessment(world.admin, batch.id, result_of(batch.id, person).id, "competent")
    assert result_of(batch.id, person).passed is False
    train(person, 2024, 24)
    newcomer, _ = holder(make_user, world.branch)
    inspections.refresh(world.admin, batch.id)
    row = result_of(batch.id, person)
    assert (row.hours, row.passed, row.assessment) == (24.0, True, "competent")
    assert result_of(batch.id, newcomer) is not None


def test_notices_are_the_persons_own(world, make_user):
    person, _ = holder(make_user, world.branch)
    stranger = make_user()
    inspect(world.admin, world.branch, 2024, "competent")
    (notice,) = notices.mine(person).items
    assert notices.unread_count(person) == 1 and notices.unread_count(stranger) == 0
    with pytest.raises(NotFound):
        notices.mark_read(stranger, notice.id)
    assert notices.unread_count(person) == 1
    notices.mark_read(person, notice.id)
    assert notices.unread_count(person) == 0
    assert notices.mark_all_read(person) == 0


def cli(app, *args: str) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["inspections", "run", *args, "--json"])
    return result.exit_code, json.loads(result.output)


def test_the_cli_runs_a_batch_with_a_sheet_and_closes_it(app, world, make_user, tmp_path):
    person, cert = holder(make_user, world.branch, name="孙命令")
    train(person, 2024, 24)
    code, out = cli(app, "D1-1", "--year", "2024")
    assert code == 0 and out["state"] == "open" and out["people"] == 1 and out["missing"] == 1
    code, out = cli(app, "D1-1", "--year", "2024", "--close")
    assert code == 1 and out["error"] == "assessments_missing"
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,登录名,年度考核\n别人,nobody@example.com,称职\n", encoding="utf-8")
    code, out = cli(app, "D1-1", "--year", "2024", "--assessments", str(bad))
    assert code == 1 and out["error"] == "bad_sheet"
    good = tmp_path / "good.csv"
    good.write_text(f"姓名,登录名,年度考核\n孙命令,{person.email},优秀\n", encoding="utf-8")
    code, out = cli(app, "D1-1", "--year", "2024", "--assessments", str(good), "--close")
    assert code == 0 and out["state"] == "closed" and out["passed"] == 1 and out["changed"] == []
    assert cli(app, "NOPE", "--year", "2024")[1]["error"] == "unknown_org"
    assert cli(app, "D1-1", "--year", "2030")[1]["error"] == "bad_year"
    assert status_of(cert) == "valid"

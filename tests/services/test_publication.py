"""Publication (公示): refused while unmarked or sitting, counted on China's calendar with the
days admins add, and `examsvc results publish` as DESIGN.md §4 specifies."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Role, Sitting, utcnow
from examsvc.services import attempts, results
from examsvc.services.errors import Conflict
from examsvc.services.results import calendar
from tests.services.test_results import sit

#: 2026-09-30 10:00 in Beijing.
SEPT_30 = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


def test_publication_rescoring_repairs_a_stale_result(open_sitting):
    """Publication scores the sitting again first: a result left unknown without any answer
    to mark (a crash between scoring steps) is computed, not published as unknown.
    Waiting for real 简答 marks: tests/services/test_marking.py."""
    sitting, admin, (first, second) = open_sitting(candidates=2)
    sit(first, sitting)
    stale = sit(second, sitting, right=False)
    stale.is_passed = None
    db.session.commit()
    assert results.publish(admin, sitting.id).results_published_at is not None
    assert db.session.get(type(stale), stale.id).is_passed is False


def test_the_notice_skips_national_day_through_the_service(open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    results.publish(admin, sitting.id, now=SEPT_30)
    assert results.notice_ends_on(sitting) == date(2026, 10, 13)  # not 10-07, mid-holiday
    with pytest.raises(Conflict) as info:
        results.issue_certificates(admin, sitting.id, today=date(2026, 10, 13))
    assert info.value.code == "notice_period"
    issued, _ = results.issue_certificates(admin, sitting.id, today=date(2026, 10, 14))
    assert len(issued) == 1


def test_the_notice_skips_the_spring_festival(open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    # Friday 13 February 2026 in Beijing; 春节 runs 15–23 February, 14th and 28th are worked.
    results.publish(admin, sitting.id, now=datetime(2026, 2, 13, 2, 0, tzinfo=UTC))
    assert results.notice_ends_on(sitting) == date(2026, 2, 27)


def test_days_an_admin_adds_shift_the_notice_and_are_audited(open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    results.publish(admin, sitting.id, now=SEPT_30)
    closed = calendar.add_day(admin, date(2026, 10, 12), is_workday=False, note="台风停工")
    assert results.notice_ends_on(sitting) == date(2026, 10, 14)
    worked = calendar.add_day(admin, date(2026, 10, 11), is_workday=True, note="补班")
    assert results.notice_ends_on(sitting) == date(2026, 10, 13)
    with pytest.raises(Conflict):
        calendar.add_day(admin, date(2026, 10, 11), is_workday=False)
    calendar.remove_day(admin, closed.id)
    calendar.remove_day(admin, worked.id)
    assert results.notice_ends_on(sitting) == date(2026, 10, 13)
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.action.like("calendar.%"))
    ).all()
    assert sorted(actions) == ["calendar.day_added"] * 2 + ["calendar.day_removed"] * 2


@pytest.fixture
def publish_cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["results", "publish", *map(str, args)])


def test_results_publish_prints_the_contract_json(open_sitting, publish_cli):
    sitting, _, (passing, failing, absent) = open_sitting(candidates=3)
    sit(passing, sitting)
    sit(failing, sitting, right=False)
    left_open = attempts.start_or_resume(absent, sitting.id)
    # time passes: the sitting closes, and the attempt left open is closed at publication
    sitting.closes_at = left_open.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    result = publish_cli(sitting.id, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"sitting", "published_at", "candidates", "passed", "notice_ends_on"}
    assert body["sitting"] == sitting.id
    assert (body["candidates"], body["passed"]) == (3, 1)
    db.session.expire_all()
    published = db.session.get(Sitting, sitting.id)
    assert body["published_at"] == published.results_published_at.isoformat()
    assert body["notice_ends_on"] == results.notice_ends_on(published).isoformat()


@pytest.mark.parametrize("problem", ["unmarked", "sitting_not_finished", "already_published"])
def test_results_publish_exits_1_with_an_error_object(
    open_sitting, publish_cli, problem, monkeypatch
):
    sitting, admin, (first, second) = open_sitting(candidates=2)
    sit(first, sitting)
    if problem != "sitting_not_finished":
        sit(second, sitting)
    if problem == "unmarked":  # a 简答 waiting for its mark (marking: test_marking.py)
        from examsvc.services import marking

        monkeypatch.setattr(marking, "settle", lambda sitting_id: 1)
    if problem == "already_published":
        results.publish(admin, sitting.id)
    result = publish_cli(sitting.id, "--json")
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["error"] == problem and body["message"]


def test_results_publish_of_an_unknown_sitting_exits_1(app, publish_cli, make_user):
    make_user(Role.ADMIN)
    result = publish_cli(999, "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["error"] == "not_found"

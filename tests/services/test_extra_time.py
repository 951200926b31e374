"""Extra time: never for an exam whose time is over, and no ID number kept in its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Attempt, AuditEntry, TimeExtension, utcnow
from examsvc.services import attempts, exams, extra_time
from examsvc.services.errors import Conflict
from tests.at_rest import assert_no_id_number, stored_bytes


def test_a_grant_after_the_time_is_over_closes_the_attempt_and_is_refused(open_sitting):
    sitting, admin, (person,) = open_sitting(duration=30)
    row = exams.enrolments_of(sitting)[0]
    attempt = attempts.start_or_resume(person, sitting.id)
    # The time ran out a minute ago (beyond the grace) and no sweep has closed it yet.
    attempt.deadline = utcnow() - timedelta(seconds=sitting.grace_seconds + 60)
    db.session.commit()
    with pytest.raises(Conflict) as info:
        extra_time.grant(admin, sitting.id, row.id, 15, "停电")
    assert info.value.code == "time_over"
    assert "已" in str(info.value)  # a Chinese message
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.status == "submitted" and attempt.auto_submitted
    assert attempt.score is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(TimeExtension)) == 0
    with pytest.raises(Conflict):  # the candidate cannot resume it either
        attempts.start_or_resume(person, sitting.id)


def test_a_grant_in_time_still_moves_the_deadline(open_sitting):
    sitting, admin, (person,) = open_sitting(duration=30)
    row = exams.enrolments_of(sitting)[0]
    attempt = attempts.start_or_resume(person, sitting.id)
    before = attempt.deadline
    extra_time.grant(admin, sitting.id, row.id, 10, "视力障碍")
    assert db.session.get(Attempt, attempt.id).deadline == before + timedelta(minutes=10)


def test_an_id_number_in_the_reason_is_masked_in_the_ledger_and_the_audit(
    app, backend, open_sitting
):
    sitting, admin, _ = open_sitting()
    row = exams.enrolments_of(sitting)[0]
    extra_time.grant(admin, sitting.id, row.id, 15, "考生 11010519491231002X 视力障碍")
    entry = db.session.scalar(db.select(TimeExtension))
    assert entry.reason == "考生 1101**********002X 视力障碍"
    audit = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "enrolment.time_extended")
    )
    assert audit.details["reason"] == entry.reason
    assert_no_id_number(stored_bytes(app, backend), "11010519491231002X")

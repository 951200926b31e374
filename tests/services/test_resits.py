"""Resits (补考): only for those who failed, attempt numbered 2, latest or better counts."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Role, Sitting, utcnow
from examsvc.services import attempts, exams, results
from examsvc.services.errors import Conflict
from examsvc.services.results import resits
from tests.services.test_attempts import correct_response
from tests.services.test_results import sit


def sit_partly(candidate, sitting, right_items: int):
    """Answer only the first ``right_items`` items, correctly."""
    attempt = attempts.start_or_resume(candidate, sitting.id)
    items = attempt.enrolment.paper.items[:right_items]
    answers = {str(i.id): correct_response(None, i) for i in items}
    attempts.save_answers(candidate, attempt.id, answers, seq=1)
    return attempts.submit(candidate, attempt.id)


@pytest.fixture
def failed_once(open_sitting, make_user):
    """A published sitting: one passed, one failed with 1 point, and an outsider never sat."""
    sitting, admin, (passer, failer) = open_sitting(candidates=2)
    sit(passer, sitting)
    first = sit_partly(failer, sitting, 1)
    assert first.is_passed is False and first.score == 1
    with pytest.raises(Conflict):  # not before publication
        resits.create_resit(admin, sitting.id, "补考", utcnow(), utcnow() + timedelta(hours=2))
    results.publish(admin, sitting.id)
    now = utcnow()
    resit = resits.create_resit(
        admin, sitting.id, "补考场", now - timedelta(minutes=5), now + timedelta(hours=3)
    )
    return sitting, resit, admin, passer, failer


def test_only_those_who_failed_are_enrolled_in_the_resit(failed_once, make_user):
    sitting, resit, admin, passer, failer = failed_once
    assert resit.resit_of_id == sitting.id and resit.blueprint_id == sitting.blueprint_id
    enrolled, refused = resits.enrol_failed(admin, resit.id)
    assert (enrolled, refused) == (1, 0)
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, resit.id, passer.email)
    assert info.value.code == "not_eligible"
    outsider = make_user(Role.CANDIDATE)
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, resit.id, outsider.email)
    assert "补考" in info.value.message or "failed" in info.value.message


def test_the_resit_attempt_is_number_2_and_the_latest_counts_by_default(failed_once):
    sitting, resit, admin, _, failer = failed_once
    resits.enrol_failed(admin, resit.id)
    second = sit(failer, resit, right=False)
    assert second.number == 2 and second.score == 0
    assert resits.counted_attempt(failer.id, resit).id == second.id


def test_the_better_result_counts_when_the_blueprint_says_so(failed_once):
    sitting, resit, admin, _, failer = failed_once
    sitting.blueprint.resit_counts = "better"
    db.session.commit()
    resits.enrol_failed(admin, resit.id)
    second = sit(failer, resit, right=False)
    counted = resits.counted_attempt(failer.id, resit)
    assert counted.number == 1 and counted.score == 1 and counted.id != second.id


def test_one_resit_by_default_more_when_the_blueprint_allows(failed_once):
    sitting, resit, admin, _, failer = failed_once
    resits.enrol_failed(admin, resit.id)
    sit(failer, resit, right=False)
    results.publish(admin, resit.id)
    now = utcnow()
    with pytest.raises(Conflict) as info:
        resits.create_resit(admin, resit.id, "二次补考", now, now + timedelta(hours=2))
    assert info.value.code == "no_more_resits"
    sitting.blueprint.resits_allowed = 2
    db.session.commit()
    again = resits.create_resit(
        admin, resit.id, "二次补考", now - timedelta(minutes=5), now + timedelta(hours=2)
    )
    assert resits.enrol_failed(admin, again.id) == (1, 0)
    third = sit(failer, again)
    assert third.number == 3 and third.is_passed
    issued_from = results.certificates_from
    results.publish(admin, again.id)
    issued, _ = results.issue_certificates(admin, again.id, today=issued_from(again))
    assert [c.user_id for c in issued] == [failer.id]


def test_a_sitting_gets_one_resit_not_two(failed_once):
    """A second resit of the same sitting would enrol the same failed people again: with one
    resit allowed, they could sit it twice."""
    sitting, resit, admin, _, failer = failed_once
    now = utcnow()
    with pytest.raises(Conflict) as info:
        resits.create_resit(
            admin, sitting.id, "补考二", now - timedelta(minutes=5), now + timedelta(hours=3)
        )
    assert info.value.code == "resit_exists"
    assert resit.name in info.value.message  # it names the resit that exists
    assert resits.resits_of(sitting) == [resit]


def _sibling_resit(admin, sitting, name):
    """A second resit of the same sitting, as stored before create_resit refused them."""
    now = utcnow()
    sibling = Sitting(
        name=name, blueprint=sitting.blueprint, opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=3), seed=7, created_by_id=admin.id,
        resit_of_id=sitting.id,
    )  # fmt: skip
    db.session.add(sibling)
    db.session.commit()
    return sibling


def test_the_resits_allowed_count_across_every_resit_of_the_same_sitting(failed_once):
    """Eligibility counts the person's resits over the whole chain, not only the sittings a
    resit follows: sitting (or being enrolled in) one resit uses the one resit allowed."""
    sitting, resit, admin, _, failer = failed_once
    sibling = _sibling_resit(admin, sitting, "补考（重复）")
    assert resits.enrol_failed(admin, resit.id) == (1, 0)
    assert resits.enrol_failed(admin, sibling.id) == (0, 1)  # booked in the first resit
    sit(failer, resit, right=False)
    later = _sibling_resit(admin, sitting, "补考（再重复）")
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, later.id, failer.email)  # sat the first resit: none left
    assert info.value.code == "not_eligible"
    sitting.blueprint.resits_allowed = 2
    db.session.commit()
    assert resits.enrol_failed(admin, later.id) == (1, 0)  # two allowed: one left

"""The rules that decide a result, each tested at its boundary (so an off-by-one fails)."""

from datetime import date, timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Answer, Attempt
from examsvc.services import attempts, exams, results
from examsvc.services.errors import Conflict
from tests.services.test_attempts import correct_response

TICK = timedelta(microseconds=1)


def stored(item_id: int) -> Answer:
    db.session.expire_all()
    return db.session.scalar(db.select(Answer).where(Answer.paper_item_id == item_id))


def test_a_retry_with_the_same_seq_leaves_the_first_answer(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    item = next(i for i in attempt.enrolment.paper.items if i.question.type == "single")
    first = attempts.save_answers(candidate, attempt.id, {str(item.id): "C"}, seq=3)
    retry = attempts.save_answers(candidate, attempt.id, {str(item.id): "A"}, seq=3)
    assert (first.saved, first.stale) == (1, 0)
    assert (retry.saved, retry.stale) == (0, 1)
    assert (stored(item.id).response, stored(item.id).seq) == ("C", 3)
    later = attempts.save_answers(candidate, attempt.id, {str(item.id): "B"}, seq=4)
    assert later.saved == 1 and stored(item.id).response == "B"


def answer_judges(candidate, sitting, right: int) -> Attempt:
    """Answer only the judge items (1 point each), ``right`` of them correctly; hand in."""
    attempt = attempts.start_or_resume(candidate, sitting.id)
    judges = [i for i in attempt.enrolment.paper.items if i.question.type == "judge"]
    answers = {
        str(item.id): item.question.key if n < right else not item.question.key
        for n, item in enumerate(judges)
    }
    attempts.save_answers(candidate, attempt.id, answers, seq=1)
    return attempts.submit(candidate, attempt.id)


def test_a_candidate_scoring_exactly_the_pass_mark_passes(open_sitting):
    sitting, _, (at_mark, below) = open_sitting(candidates=2, pass_mark=2)
    passed = answer_judges(at_mark, sitting, right=2)
    failed = answer_judges(below, sitting, right=1)
    assert (passed.score, passed.is_passed) == (2.0, True)
    assert (failed.score, failed.is_passed) == (1.0, False)


def test_a_score_just_under_the_pass_mark_is_not_rounded_up_to_a_pass(open_sitting):
    sitting, _, (candidate,) = open_sitting(pass_mark=2)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    judges = [i for i in attempt.enrolment.paper.items if i.question.type == "judge"]
    for item in judges:  # 0.999 + 0.996 = 1.995: shown as 2 by rounding, but short of it
        item.points = 0.999 if item is judges[0] else 0.996
    db.session.commit()
    answer_judges(candidate, sitting, right=2)
    assert (attempt.score, attempt.is_passed) == (1.99, False)


def test_a_save_exactly_at_deadline_plus_grace_counts_and_a_moment_later_does_not(open_sitting):
    sitting, _, (candidate,) = open_sitting(duration=10)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    item = attempt.enrolment.paper.items[0]
    last = attempt.deadline + timedelta(seconds=sitting.grace_seconds)
    saved = attempts.save_answers(candidate, attempt.id, {str(item.id): "A"}, seq=1, now=last)
    assert saved.saved == 1
    with pytest.raises(Conflict) as info:
        attempts.save_answers(candidate, attempt.id, {str(item.id): "B"}, seq=2, now=last + TICK)
    assert info.value.code == "attempt_closed"
    assert stored(item.id).response == "A"


def test_handing_in_at_the_last_moment_is_the_candidate_s_own_submission(open_sitting):
    sitting, _, (on_time, late) = open_sitting(duration=10, candidates=2)
    first = attempts.start_or_resume(on_time, sitting.id)
    second = attempts.start_or_resume(late, sitting.id)
    last = first.deadline + timedelta(seconds=sitting.grace_seconds)
    attempts.submit(on_time, first.id, now=last)
    assert (first.auto_submitted, first.submitted_at) == (False, last)
    attempts.submit(late, second.id, now=second.deadline + timedelta(seconds=30) + TICK)
    assert second.auto_submitted and second.submitted_at == second.deadline


def test_the_server_closes_an_attempt_only_after_deadline_plus_grace(open_sitting):
    sitting, _, (candidate,) = open_sitting(duration=10)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    last = attempt.deadline + timedelta(seconds=sitting.grace_seconds)
    assert attempts.close_expired(now=last) == 0
    assert attempts.close_expired(now=last + TICK) == 1


def test_a_sitting_opens_at_its_opening_instant_and_closes_at_its_closing_one(open_sitting):
    sitting, admin, (early, punctual, late) = open_sitting(candidates=3)
    with pytest.raises(Conflict) as info:
        attempts.start_or_resume(early, sitting.id, now=sitting.opens_at - TICK)
    assert info.value.code == "sitting_scheduled"
    attempt = attempts.start_or_resume(punctual, sitting.id, now=sitting.opens_at)
    assert attempt.started_at == sitting.opens_at
    with pytest.raises(Conflict) as info:
        attempts.start_or_resume(late, sitting.id, now=sitting.closes_at)
    assert info.value.code == "sitting_closed"
    near_close = sitting.closes_at - timedelta(minutes=1)
    attempt = attempts.start_or_resume(early, sitting.id, now=near_close)
    assert attempt.deadline == sitting.closes_at  # the sitting's close caps the duration


def pass_all(candidate, sitting) -> Attempt:
    attempt = attempts.start_or_resume(candidate, sitting.id)
    answers = {str(i.id): correct_response(None, i) for i in attempt.enrolment.paper.items}
    attempts.save_answers(candidate, attempt.id, answers, seq=1)
    return attempts.submit(candidate, attempt.id)


def complete_course(sitting, people) -> None:
    """The training course behind the sitting's test, completed by ``people``."""
    from examsvc.models import TrainingCourse, TrainingRecord

    day = date(2026, 3, 2)
    course = TrainingCourse(name="党务实务培训班", starts_on=day, ends_on=day, hours=8.0,
                            blueprint_id=sitting.blueprint_id)  # fmt: skip
    db.session.add(course)
    db.session.flush()
    for person in people:
        db.session.add(TrainingRecord(user_id=person.id, course_id=course.id,
                                      course_name=course.name, starts_on=day, ends_on=day,
                                      hours=8.0, source="course"))  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize(
    ("kind", "member_only"), [("post_qualification", True), ("training", False)]
)
def test_only_the_post_certificate_requires_party_membership(
    open_sitting, make_user, kind, member_only
):
    sitting, admin, (member,) = open_sitting(kind=kind)
    outsider = make_user("candidate", party_member=False, name="孙群众")
    exams.enrol(admin, sitting.id, outsider.email)
    if kind == "training":  # a training certificate also needs its course completed
        complete_course(sitting, [member, outsider])
    pass_all(member, sitting)
    pass_all(outsider, sitting)
    results.publish(admin, sitting.id)
    issued, refused = results.issue_certificates(
        admin, sitting.id, today=results.notice_ends_on(sitting) + timedelta(days=1)
    )
    holders = {c.user_id for c in issued}
    assert holders == ({member.id} if member_only else {member.id, outsider.id})
    assert len(refused) == (1 if member_only else 0)


def test_the_notice_ends_on_its_last_working_day_over_a_weekend(open_sitting):
    from datetime import UTC, datetime

    sitting, admin, (candidate,) = open_sitting()
    pass_all(candidate, sitting)
    # Published on Friday 20 November (Beijing): five working days end on Friday 27th.
    results.publish(admin, sitting.id, now=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    assert results.notice_ends_on(sitting) == date(2026, 11, 27)
    with pytest.raises(Conflict) as info:
        results.issue_certificates(admin, sitting.id, today=date(2026, 11, 27))
    assert info.value.code == "notice_period"
    (cert,), _ = results.issue_certificates(admin, sitting.id, today=date(2026, 11, 28))
    view = results.public_certificate(cert.number, today=cert.valid_until)
    assert view["status"] == "valid"
    after = results.public_certificate(cert.number, today=cert.valid_until + timedelta(days=1))
    assert after["status"] == "expired"


@pytest.mark.parametrize(
    ("published", "days", "ends"),
    [
        ("2026-11-20", 0, "2026-11-20"),
        ("2026-11-21", 1, "2026-11-23"),
        ("2026-11-23", 1, "2026-11-24"),
    ],
)
def test_working_days_at_their_edges(published, days, ends):
    assert results.add_working_days(date.fromisoformat(published), days) == date.fromisoformat(ends)

"""Publication and marking together: an appeal sent back for re-marking reopens marking,
examiners find that work although the sitting is published, the dispute is decided only
once the re-mark is in, and an admin's correction survives the attempt being scored again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Attempt, AttemptAreaScore, DisputeState, Role, utcnow
from examsvc.services import marking, results
from examsvc.services.errors import Conflict
from examsvc.services.results import disputes
from tests.services.test_marking import examiners, mark_all, short_sitting  # noqa: F401


@pytest.fixture
def published_short(short_sitting, make_user):  # noqa: F811 - the fixture imported above
    """Two candidates: 2 singles right (2 points) and a 简答 marked 5 of 5; pass mark 4."""
    sitting, admin, people, handed = short_sitting(candidates=2)
    sitting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    (first,) = examiners(make_user, 1)
    assert mark_all(first, sitting.id, ["3", "2"]) == 2
    results.publish(admin, sitting.id)
    return sitting, admin, [db.session.get(Attempt, a) for a in handed]


def single_item(attempt: Attempt):
    return next(i for i in attempt.enrolment.paper.items if i.content.type == "single")


def test_a_dispute_sent_back_is_decided_only_once_the_re_mark_is_in(published_short, make_user):
    sitting, admin, (attempt, _other) = published_short
    appeal = disputes.lodge_appeal(attempt.enrolment.user, attempt.id, "请重新评阅简答题。")
    objection = disputes.lodge_objection(
        make_user(Role.CANDIDATE), sitting.id, attempt.id, "该考生成绩与实际不符。"
    )
    disputes.send_back(admin, appeal.id, "另请一位阅卷人评阅")
    for decide in (
        lambda: disputes.reject(admin, appeal.id, "维持原成绩"),
        lambda: disputes.correct(admin, appeal.id, single_item(attempt).id, 1, "更正第一题"),
        # nor another dispute of the same attempt: its result is not known either
        lambda: disputes.correct(admin, objection.id, single_item(attempt).id, 0, "更正第一题"),
    ):
        with pytest.raises(Conflict) as info:
            decide()
        assert info.value.code == "remarking"
        db.session.rollback()
    assert disputes.get(appeal.id).state == DisputeState.REMARKING
    assert disputes.get(objection.id).state == DisputeState.OPEN
    after = results.notice_ends_on(sitting) + timedelta(days=1)
    with pytest.raises(Conflict):  # certificates still wait
        results.issue_certificates(admin, sitting.id, today=after)
    (second,) = examiners(make_user, 1)
    assert mark_all(second, sitting.id, ["1", "0"]) == 1
    disputes.reject(admin, appeal.id, "复评后成绩为3分，以复评为准。")
    disputes.reject(admin, objection.id, "已复评，成绩以复评为准。")
    db.session.expire_all()
    appeal = disputes.get(appeal.id)
    assert appeal.state == DisputeState.REJECTED
    assert (appeal.score_before, appeal.score_after) == (7.0, 3.0)  # what the raiser is shown
    assert appeal.attempt.is_passed is False


def test_examiners_find_re_marking_work_of_a_published_sitting(published_short, make_user):
    sitting, admin, (attempt, _other) = published_short
    (second,) = examiners(make_user, 1)
    assert marking.marking_sittings(second) == []  # published and fully marked: nothing
    appeal = disputes.lodge_appeal(attempt.enrolment.user, attempt.id, "请重新评阅简答题。")
    disputes.send_back(admin, appeal.id)
    ((found, progress),) = marking.marking_sittings(second)
    assert found.id == sitting.id and progress.mine and progress.unmarked_attempts == 1
    mark_all(second, sitting.id, ["2", "2"])
    assert marking.marking_sittings(second) == []


def test_a_correction_survives_a_re_mark_and_moves_the_area_scores(published_short, make_user):
    sitting, admin, (attempt, _other) = published_short
    objection = disputes.lodge_objection(
        make_user(Role.CANDIDATE), sitting.id, attempt.id, "第一题系他人代答，不应得分。"
    )
    item = single_item(attempt)
    disputes.correct(admin, objection.id, item.id, 0, "经核实第一题不得分。")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.score == 6.0
    assert db.session.get(AttemptAreaScore, attempt.id).areas == {
        "constitution": 1.0,
        "practice": 5.0,
    }
    appeal = disputes.lodge_appeal(attempt.enrolment.user, attempt.id, "请重新评阅简答题。")
    disputes.send_back(admin, appeal.id)
    (second,) = examiners(make_user, 1)
    mark_all(second, sitting.id, ["2", "1"])  # the 简答: 3 instead of 5
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.score, attempt.is_passed) == (4.0, True)  # 1 single + 3, not 2 + 3
    assert db.session.get(AttemptAreaScore, attempt.id).areas == {
        "constitution": 1.0,
        "practice": 3.0,
    }

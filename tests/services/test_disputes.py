"""Appeals (复核) and objections (异议): lodged in the notice, resolved, shown to the raiser,
and holding back certificates while open."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, DisputeState, Role
from examsvc.services import results
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.results import disputes
from tests.services.test_results import sit


@pytest.fixture
def published(open_sitting, make_user):
    sitting, admin, (winner, loser) = open_sitting(candidates=2)
    won, lost = sit(winner, sitting), sit(loser, sitting, right=False)
    results.publish(admin, sitting.id)
    return sitting, admin, won, lost


def test_a_candidate_appeals_and_a_correction_recomputes_the_result(published):
    sitting, admin, _, lost = published
    loser = lost.enrolment.user
    appeal = disputes.lodge_appeal(loser, lost.id, "第五题我答的是正确答案，请复核。")
    assert appeal.state == DisputeState.OPEN
    item = lost.enrolment.paper.items[0]
    with pytest.raises(BadInput):
        disputes.correct(admin, appeal.id, item.id, item.points + 1, "超出满分的更正")
    assert disputes.get(appeal.id).state == DisputeState.OPEN
    before = lost.score
    disputes.correct(admin, appeal.id, item.id, item.points, "经复核，第一题应得分。")
    db.session.expire_all()
    appeal = disputes.get(appeal.id)
    assert appeal.state == DisputeState.CORRECTED
    assert (appeal.score_before, appeal.score_after) == (before, before + item.points)
    assert appeal.attempt.score == before + item.points
    assert [d.outcome for d in disputes.raised_by(loser)] == ["经复核，第一题应得分。"]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "dispute.corrected"))
    assert entry.details["score"] == before + item.points and entry.details["reason"]
    with pytest.raises(Conflict):  # resolved once
        disputes.reject(admin, appeal.id, "再次处理此复核")
    with pytest.raises(Conflict) as info:  # and asked once
        disputes.lodge_appeal(loser, lost.id, "再申请一次复核。")
    assert info.value.code == "already_appealed"


def test_a_correction_can_turn_a_fail_into_a_pass(published):
    sitting, admin, _, lost = published
    appeal = disputes.lodge_appeal(lost.enrolment.user, lost.id, "请复核我的全部答案。")
    big = max(lost.enrolment.paper.items, key=lambda i: i.points)
    sitting.blueprint.pass_mark = big.points
    db.session.commit()
    disputes.correct(admin, appeal.id, big.id, big.points, "该题判分有误。")
    db.session.expire_all()
    assert disputes.get(appeal.id).attempt.is_passed is True


def test_nobody_appeals_someone_elses_result(published):
    _, _, won, lost = published
    with pytest.raises(NotFound):
        disputes.lodge_appeal(lost.enrolment.user, won.id, "我想看看别人的成绩。")


def test_an_objection_is_rejected_with_a_reason_shown_to_its_raiser(published, make_user):
    sitting, admin, won, _ = published
    neighbour = make_user(Role.CANDIDATE)
    objection = disputes.lodge_objection(neighbour, sitting.id, won.id, "该考生考试时有人代考。")
    with pytest.raises(Conflict) as info:
        disputes.lodge_objection(neighbour, sitting.id, won.id, "再提一次同样的异议。")
    assert info.value.code == "already_open"
    with pytest.raises(BadInput):
        disputes.reject(admin, objection.id, "")
    disputes.reject(admin, objection.id, "经核查监考记录，无代考情况。")
    (mine,) = disputes.raised_by(neighbour)
    assert mine.state == DisputeState.REJECTED and mine.outcome == "经核查监考记录，无代考情况。"
    assert mine.attempt.score == won.score


def test_sending_back_an_attempt_without_answers_to_mark_is_refused(published):
    _, admin, won, _ = published
    appeal = disputes.lodge_appeal(won.enrolment.user, won.id, "请重新评阅简答题。")
    with pytest.raises(Conflict) as info:
        disputes.send_back(admin, appeal.id, "请第二位阅卷人评阅")
    assert info.value.code == "nothing_to_mark"
    db.session.rollback()
    assert disputes.get(appeal.id).state == DisputeState.OPEN


def test_certificates_wait_for_every_dispute_to_close(published, make_user):
    sitting, admin, won, _ = published
    objection = disputes.lodge_objection(make_user(Role.CANDIDATE), sitting.id, won.id,
                                         "成绩与平时水平不符。")  # fmt: skip
    after = results.notice_ends_on(sitting) + timedelta(days=1)
    with pytest.raises(Conflict) as info:
        results.issue_certificates(admin, sitting.id, today=after)
    assert info.value.code == "disputes_open"
    disputes.reject(admin, objection.id, "成绩核对无误。")
    issued, _ = results.issue_certificates(admin, sitting.id, today=after)
    assert [c.user_id for c in issued] == [won.enrolment.user_id]


def test_nothing_is_lodged_outside_the_notice(published, make_user):
    sitting, _, won, _ = published
    late = results.notice_ends_on(sitting) + timedelta(days=1)
    with pytest.raises(Conflict) as info:
        disputes.lodge_appeal(won.enrolment.user, won.id, "公示结束后才提出。", today=late)
    assert info.value.code == "notice_ended"
    with pytest.raises(BadInput):
        disputes.lodge_objection(make_user(Role.CANDIDATE), sitting.id, won.id, "短")


def test_nothing_is_lodged_before_publication(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = sit(candidate, sitting)
    with pytest.raises(Conflict) as info:
        disputes.lodge_appeal(candidate, attempt.id, "还没公布就想复核。")
    assert info.value.code == "not_published"

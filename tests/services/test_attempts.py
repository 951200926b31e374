"""Taking an exam through the services, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, AuditEntry, Paper, Question, Role, utcnow
from examsvc.services import attempts, exams, papers
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank.model import OPTION_LABELS


def correct_response(item_json, paper_item):
    """The right answer in display labels, worked out from the stored key (as a grader would)."""
    q = paper_item.question
    if q.type == "single":
        return OPTION_LABELS[paper_item.option_order.index(OPTION_LABELS.index(q.key))]
    if q.type == "multiple":
        return sorted(
            OPTION_LABELS[paper_item.option_order.index(OPTION_LABELS.index(k))] for k in q.key
        )
    if q.type == "judge":
        return q.key
    return [accepted[0] for accepted in q.key]


def test_enrolment_draws_a_paper_meeting_the_blueprint(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    paper = db.session.scalar(db.select(Paper))
    types = [i.question.type for i in paper.items]
    assert types == ["single"] * 3 + ["multiple"] * 2 + ["judge"] * 2 + ["fill"]
    assert all(i.question.area == "constitution" for i in paper.items[:3])
    assert len({i.question_id for i in paper.items}) == 8
    assert paper.seed and len(paper.bank_hash) == 64
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "sitting.enrolled"))
    assert entry.details["paper_seed"] == paper.seed


def test_payload_never_carries_the_key(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    payload = papers.attempt_payload(attempt, utcnow())
    text = repr(payload)
    assert "key" not in {k for item in payload["items"] for k in item}
    assert "explanation" not in text
    for item in payload["items"]:
        assert set(item) == {"id", "type", "stem", "options", "points", "blanks", "section"}


def test_full_marks_with_shuffled_options(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    items = {i.id: i for i in attempt.enrolment.paper.items}
    answers = {str(i): correct_response(None, item) for i, item in items.items()}
    attempts.save_answers(candidate, attempt.id, answers, seq=1)
    attempts.submit(candidate, attempt.id)
    assert (attempt.score, attempt.max_score, attempt.is_passed) == (11.0, 11.0, True)


def test_wrong_answers_score_zero_and_fail(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    judge_items = [i for i in attempt.enrolment.paper.items if i.question.type == "judge"]
    attempts.save_answers(
        candidate, attempt.id, {str(i.id): not i.question.key for i in judge_items}, seq=1
    )
    attempts.submit(candidate, attempt.id)
    assert attempt.score == 0.0 and attempt.is_passed is False


def test_resume_returns_the_same_attempt_and_answers(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    first = attempts.start_or_resume(candidate, sitting.id)
    item = first.enrolment.paper.items[0]
    attempts.save_answers(candidate, first.id, {str(item.id): "B"}, seq=3)
    again = attempts.start_or_resume(candidate, sitting.id)
    payload = papers.attempt_payload(again, utcnow())
    assert again.id == first.id
    assert payload["answers"] == {str(item.id): "B"}
    assert payload["seq"] == 3


def test_lower_seq_never_overwrites_higher_seq(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    item = attempt.enrolment.paper.items[0]
    attempts.save_answers(candidate, attempt.id, {str(item.id): "C"}, seq=10)
    late = attempts.save_answers(candidate, attempt.id, {str(item.id): "A"}, seq=9)
    assert (late.saved, late.stale) == (0, 1)
    stored = db.session.scalar(db.select(Answer).where(Answer.paper_item_id == item.id))
    assert (stored.response, stored.seq) == ("C", 10)


@pytest.mark.parametrize(
    ("answers", "seq", "code"),
    [
        ({"999999": "A"}, 1, "unknown_item"),
        ({"abc": "A"}, 1, "unknown_item"),
        ([], 1, "invalid_answers"),
        ({}, -1, "invalid_seq"),
        ({}, "1", "invalid_seq"),
        ({}, True, "invalid_seq"),
    ],
)
def test_bad_saves_are_refused_and_store_nothing(open_sitting, answers, seq, code):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    with pytest.raises(BadInput) as info:
        attempts.save_answers(candidate, attempt.id, answers, seq=seq)
    assert info.value.code == code
    assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 0


def test_a_bad_item_in_a_batch_stores_none_of_the_batch(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    first = attempt.enrolment.paper.items[0]
    with pytest.raises(BadInput) as info:
        attempts.save_answers(candidate, attempt.id, {str(first.id): "A", "x": "B"}, seq=1)
    assert info.value.code == "unknown_item"
    with pytest.raises(BadInput, match="答案应为 A、B、C、D 之一"):
        attempts.save_answers(candidate, attempt.id, {str(first.id): "Z"}, seq=1)
    assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 0


def test_saving_after_deadline_plus_grace_is_refused_and_closes_the_attempt(open_sitting):
    sitting, _, (candidate,) = open_sitting(duration=10)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    item = attempt.enrolment.paper.items[0]
    within_grace = attempt.deadline + timedelta(seconds=sitting.grace_seconds - 1)
    assert (
        attempts.save_answers(
            candidate, attempt.id, {str(item.id): "A"}, seq=1, now=within_grace
        ).saved
        == 1
    )
    too_late = attempt.deadline + timedelta(seconds=sitting.grace_seconds + 1)
    with pytest.raises(Conflict) as info:
        attempts.save_answers(candidate, attempt.id, {str(item.id): "B"}, seq=2, now=too_late)
    assert info.value.code == "attempt_closed"
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt.id)
    assert (
        closed.status == "submitted"
        and closed.auto_submitted
        and closed.submitted_at == closed.deadline
    )
    stored = db.session.scalar(db.select(Answer).where(Answer.paper_item_id == item.id))
    assert stored.response == "A"


def test_expired_attempts_are_closed_with_their_answers_when_the_browser_is_gone(open_sitting):
    sitting, _, (candidate,) = open_sitting(duration=10)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    item = next(i for i in attempt.enrolment.paper.items if i.question.type == "judge")
    attempts.save_answers(candidate, attempt.id, {str(item.id): item.question.key}, seq=1)
    assert attempts.close_expired(now=attempt.deadline) == 0
    assert attempts.close_expired(now=attempt.deadline + timedelta(minutes=1)) == 1
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt.id)
    assert closed.status == "submitted" and closed.auto_submitted
    assert closed.score == 1.0


def test_submit_is_idempotent(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    first = attempts.submit(candidate, attempt.id).submitted_at
    again = attempts.submit(candidate, attempt.id, now=utcnow() + timedelta(minutes=5))
    assert again.submitted_at == first
    with pytest.raises(Conflict) as info:
        attempts.save_answers(candidate, attempt.id, {}, seq=5)
    assert info.value.code == "attempt_closed"
    with pytest.raises(Conflict):
        attempts.start_or_resume(candidate, sitting.id)


def test_deadline_is_capped_by_the_sitting_close(open_sitting):
    sitting, _, (candidate,) = open_sitting(duration=600)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    assert attempt.deadline == sitting.closes_at


def test_other_candidates_cannot_touch_an_attempt(open_sitting, make_user):
    sitting, _, (owner, other) = open_sitting(candidates=2)
    attempt = attempts.start_or_resume(owner, sitting.id)
    item = attempt.enrolment.paper.items[0]
    for call in (
        lambda: attempts.save_answers(other, attempt.id, {str(item.id): "A"}, seq=1),
        lambda: attempts.submit(other, attempt.id),
        lambda: attempts.own_attempt(other, attempt.id),
    ):
        with pytest.raises(NotFound):
            call()
    stranger = make_user(Role.CANDIDATE)
    with pytest.raises(NotFound) as info:
        attempts.start_or_resume(stranger, sitting.id)
    assert info.value.code == "not_enrolled"


def test_sitting_not_yet_open_cannot_be_started(open_sitting):
    sitting, _, (candidate,) = open_sitting()
    with pytest.raises(Conflict) as info:
        attempts.start_or_resume(candidate, sitting.id, now=sitting.opens_at - timedelta(minutes=1))
    assert info.value.code == "sitting_scheduled"


def test_enrolment_is_refused_when_the_bank_is_too_small(open_sitting, make_user):
    sitting, admin, _ = open_sitting()
    db.session.execute(db.update(Question).where(Question.type == "fill").values(status="retired"))
    db.session.commit()
    late = make_user(Role.CANDIDATE)
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, sitting.id, late.email)
    assert info.value.code == "assembly_infeasible"
    assert "第 4 行（不限领域 × 填空题）：需要 1 题，题库仅有 0 题" in info.value.message
    assert exams.feasibility(sitting.blueprint) == ["不限领域 × 填空题：0/1"]


def test_sweep_closes_every_expired_attempt_across_short_batches(open_sitting, monkeypatch):
    monkeypatch.setattr(attempts, "CLOSE_BATCH", 2)
    sitting, _, candidates = open_sitting(duration=10, candidates=5)
    started = [attempts.start_or_resume(c, sitting.id) for c in candidates]
    # The second candidate got an extension: still in time when the others are swept.
    started[1].deadline += timedelta(hours=1)
    db.session.commit()
    late = max(a.deadline for a in (started[0], *started[2:])) + timedelta(minutes=1)
    commits = []
    monkeypatch.setattr(db.session, "commit", _counting(db.session.commit, commits))
    assert attempts.close_expired(now=late) == 4
    assert len(commits) >= 3  # five attempts in batches of two: never one long transaction
    db.session.expire_all()
    states = [db.session.get(Attempt, a.id).status for a in started]
    assert states == ["submitted", "in_progress", "submitted", "submitted", "submitted"]
    assert attempts.close_expired(now=late) == 0


def test_publishing_closes_the_attempts_left_open_before_it_publishes(open_sitting, make_user):
    from examsvc.services import results

    sitting, _, candidates = open_sitting(duration=10, candidates=3)
    started = [attempts.start_or_resume(c, sitting.id) for c in candidates]
    sitting.closes_at = utcnow() - timedelta(seconds=1)
    for attempt in started:
        attempt.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    admin = make_user(Role.ADMIN)
    results.publish(admin, sitting.id)
    db.session.expire_all()
    assert {db.session.get(Attempt, a.id).status for a in started} == {"submitted"}


def _counting(commit, calls):
    def counted():
        calls.append(1)
        return commit()

    return counted

"""Marking 简答 blind, double marking with reconciliation, own-organisation exclusion,
progress, results waiting for marks, re-scoring after a key correction."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    AttemptAreaScore,
    AuditEntry,
    Mark,
    PaperItem,
    Role,
    utcnow,
)
from examsvc.services import attempts, bank, exams, marking, orgs, review, scoring
from examsvc.services.errors import BadInput, Conflict, NotFound
from tests.conftest import distinct_text, question_fields
from tests.services.test_attempts import correct_response

RUBRIC = [["说明党支部的基本任务", 3], ["结合实际举例", 2]]


def short_fields(tag: str, area: str = "practice") -> dict:
    return {
        "type": "short",
        "area": area,
        "stem": f"{distinct_text(tag, 14)}，请简要回答。",
        "key": "党支部是党的基础组织。",
        "rubric": RUBRIC,
        "difficulty": 3,
    }


@pytest.fixture
def short_sitting(app, make_user):
    """A sitting of 2 single (1 point) + 1 short (5 points), pass mark 4, candidates handed in."""

    def factory(
        candidates: int = 3, answer: str | list[str] = "党支部直接联系群众，是党的战斗堡垒。"
    ):
        admin = make_user(Role.ADMIN)
        contributor, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
        for i in range(2):
            fields = question_fields("single", f"s-{i}-{uuid.uuid4().hex[:6]}")
            q = bank.submit_question(contributor, "public", fields)
            review.review(examiner, q.id, "approve")
        q = bank.submit_question(contributor, "public", short_fields(uuid.uuid4().hex[:6]))
        review.review(examiner, q.id, "approve")
        blueprint = exams.create_blueprint(
            admin,
            name="含简答",
            exam_kind="training",
            duration_minutes=30,
            pass_mark=4,
            rows=[
                exams.RowSpec("constitution", "single", 2, 1.0),
                exams.RowSpec("practice", "short", 1, 5.0),
            ],
        )
        now = utcnow()
        sitting = exams.create_sitting(
            admin, blueprint.id, "简答场次", now - timedelta(minutes=5), now + timedelta(hours=3)
        )
        people = [make_user(Role.CANDIDATE) for _ in range(candidates)]
        handed = []
        texts = answer if isinstance(answer, list) else [answer] * candidates
        for person, text in zip(people, texts, strict=True):
            exams.enrol(admin, sitting.id, person.email)
            attempt = attempts.start_or_resume(person, sitting.id)
            answers = {}
            for item in attempt.enrolment.paper.items:
                if item.content.type == "short":
                    answers[str(item.id)] = text
                else:
                    answers[str(item.id)] = correct_response(None, item)
            attempts.save_answers(person, attempt.id, answers, seq=1)
            handed.append(attempts.submit(person, attempt.id).id)
        return sitting, admin, people, handed

    return factory


def examiners(make_user, n: int) -> list:
    return [make_user(Role.EXAMINER) for _ in range(n)]


def mark_all(marker, sitting_id: int, values: list[str]) -> int:
    done = 0
    while (answer_id := marking.next_answer(marker, sitting_id)) is not None:
        marking.give_mark(marker, answer_id, values)
        done += 1
    return done


def test_an_unmarked_short_answer_holds_the_result_back_until_its_mark(short_sitting, make_user):
    sitting, _admin, _people, handed = short_sitting(candidates=2)
    assert all(db.session.get(Attempt, a).is_passed is None for a in handed)
    assert marking.unmarked_attempts(sitting.id) == 2
    (marker,) = examiners(make_user, 1)
    answer_id = marking.next_answer(marker, sitting.id)
    marking.give_mark(marker, answer_id, ["2.5", "1"])
    answer = db.session.get(Answer, answer_id)
    assert answer.points == 3.5
    attempt = db.session.get(Attempt, answer.attempt_id)
    assert (attempt.score, attempt.max_score, attempt.is_passed) == (5.5, 7.0, True)
    areas = db.session.get(AttemptAreaScore, attempt.id).areas
    assert areas == {"constitution": 2.0, "practice": 3.5}
    other = next(a for a in handed if a != attempt.id)
    assert db.session.get(Attempt, other).is_passed is None
    assert marking.unmarked_attempts(sitting.id) == 1


def test_the_marker_sees_no_name_and_criteria_are_checked(short_sitting, make_user):
    sitting, _admin, people, _handed = short_sitting(candidates=1)
    (marker,) = examiners(make_user, 1)
    blind = marking.blind_answer(marker, marking.next_answer(marker, sitting.id))
    assert blind.round == 1 and blind.points == 5.0
    assert not hasattr(blind, "user") and people[0].name not in repr(vars(blind))
    with pytest.raises(BadInput, match="0至3|0 to 3"):
        marking.give_mark(marker, blind.answer_id, ["4", "1"])
    with pytest.raises(BadInput):
        marking.give_mark(marker, blind.answer_id, ["1"])  # one criterion missing
    assert db.session.scalar(db.select(db.func.count()).select_from(Mark)) == 0


def test_marking_order_is_random_per_marker_but_stable(short_sitting, make_user):
    sitting, *_ = short_sitting(candidates=8)
    first, second = examiners(make_user, 2)
    order_a = marking.next_answer(first, sitting.id)
    assert marking.next_answer(first, sitting.id) == order_a  # stable
    orders = {marking.next_answer(m, sitting.id) for m in examiners(make_user, 6) + [second]}
    assert len(orders) > 1  # not everybody gets the same first answer


def test_double_marking_takes_the_mean_within_tolerance_and_a_third_examiner_beyond(
    short_sitting, make_user, app
):
    sitting, admin, _people, handed = short_sitting(candidates=2)
    marking.save_plan(admin, sitting.id, is_double=True, tolerance=1.0, exclude_own_org=False)
    one, two, three = examiners(make_user, 3)
    first = marking.next_answer(one, sitting.id)
    marking.give_mark(one, first, ["3", "1"])  # 4
    assert marking.next_answer(one, sitting.id) != first  # never the same answer twice
    assert db.session.get(Answer, first).points is None  # one mark is not enough
    # the second examiner marks both answers: the first within the tolerance, the other not
    blind = marking.blind_answer(two, first)
    assert blind.round == 2 and blind.earlier == []  # independent: earlier marks not shown
    marking.give_mark(two, first, ["2", "1.25"])  # 3.25: |4 − 3.25| ≤ 1
    assert db.session.get(Answer, first).points == 3.62  # mean 3.625, cut once
    second = next(a for a in [marking.next_answer(one, sitting.id)] if a)
    marking.give_mark(one, second, ["3", "2"])  # 5
    marking.give_mark(two, second, ["1", "0"])  # 1: beyond the tolerance
    assert db.session.get(Answer, second).points is None
    with pytest.raises(NotFound):
        marking.blind_answer(one, second)  # the two first examiners cannot reconcile
    assert marking.next_answer(two, sitting.id) is None
    third = marking.blind_answer(three, second)
    assert third.round == 3 and {m.points for m in third.earlier} == {5.0, 1.0}
    marking.give_mark(three, second, ["2", "1"])
    assert db.session.get(Answer, second).points == 3.0
    progress = marking.progress(sitting.id)
    assert (progress.answers, progress.settled, progress.unmarked_attempts) == (2, 2, 0)
    rounds = {u.id: r for u, r in progress.by_marker}
    assert rounds[one.id] == {1: 2} and rounds[two.id] == {2: 2} and rounds[three.id] == {3: 1}
    assert all(db.session.get(Attempt, a).is_passed is not None for a in handed)
    with pytest.raises(Conflict):  # the plan is fixed once marking started
        marking.save_plan(admin, sitting.id, is_double=False, tolerance=1, exclude_own_org=False)


def test_progress_per_question_counts_what_waits(short_sitting, make_user):
    sitting, admin, _people, _handed = short_sitting(candidates=3)
    marking.save_plan(admin, sitting.id, is_double=True, tolerance=0, exclude_own_org=False)
    one, two = examiners(make_user, 2)
    marking.give_mark(one, marking.next_answer(one, sitting.id), ["1", "1"])
    (question,) = marking.progress(sitting.id).by_question
    assert (question.answers, question.settled, question.second_due) == (3, 0, 1)
    assert marking.progress(sitting.id, two).mine == {question.question_id: 3}
    assert marking.progress(sitting.id, one).mine == {question.question_id: 2}


def test_a_marker_never_gets_candidates_of_their_own_organisation(short_sitting, make_user):
    sitting, admin, people, _handed = short_sitting(candidates=2)
    branch, other = orgs.create("901", "一支部"), orgs.create("902", "二支部")
    people[0].organisation_id, people[1].organisation_id = branch.id, other.id
    marker = make_user(Role.EXAMINER)
    marker.organisation_id = branch.id
    db.session.commit()
    own = db.session.scalar(
        db.select(Answer.id)
        .join(Attempt)
        .where(Attempt.enrolment.has(user_id=people[0].id))
        .join(PaperItem, PaperItem.id == Answer.paper_item_id)
        .where(PaperItem.points == 5.0)
    )
    marking.save_plan(admin, sitting.id, is_double=False, tolerance=1, exclude_own_org=True)
    assert mark_all(marker, sitting.id, ["1", "1"]) == 1
    with pytest.raises(NotFound):
        marking.blind_answer(marker, own)
    assert db.session.get(Answer, own).points is None


def test_reopen_voids_the_marks_and_the_result_waits_again(short_sitting, make_user):
    sitting, _admin, _people, handed = short_sitting(candidates=1)
    one, two = examiners(make_user, 2)
    mark_all(one, sitting.id, ["3", "2"])
    assert db.session.get(Attempt, handed[0]).is_passed is True
    marking.reopen(handed[0], "复核申请：重新评阅")
    db.session.commit()
    assert db.session.get(Attempt, handed[0]).is_passed is None
    assert mark_all(two, sitting.id, ["0", "0"]) == 1
    attempt = db.session.get(Attempt, handed[0])
    assert (attempt.score, attempt.is_passed) == (2.0, False)
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "marking.reopened"))


def test_a_key_correction_rescores_with_a_diff_of_who_changes_result(open_sitting, make_user):
    sitting, admin, people = open_sitting(candidates=3, pass_mark=11)
    for person in people:
        attempt = attempts.start_or_resume(person, sitting.id)
        answers = {str(i.id): correct_response(None, i) for i in attempt.enrolment.paper.items}
        attempts.save_answers(person, attempt.id, answers, seq=1)
        attempts.submit(person, attempt.id)
    single = db.session.scalar(
        db.select(PaperItem).where(PaperItem.points == 1.0).order_by(PaperItem.id).limit(1)
    )
    question = single.question
    new_key = "B" if question.key != "B" else "C"
    bank.edit_approved(
        make_user(Role.EXAMINER), question.id, {**_fields_of(question), "key": new_key}, "答案更正"
    )
    assert [c.question_id for c in scoring.corrections(sitting)] == [question.id]
    applied, changes = scoring.preview(sitting.id, [question.id])
    assert changes and all(c.before == 11.0 and c.after == 10.0 for c in changes)
    assert all(c.passed_before is True and c.passed_after is False for c in changes)
    assert all(c.result_changes for c in changes)
    before = {c.attempt_id for c in changes}
    with pytest.raises(Conflict):
        scoring.apply(admin, sitting.id, [question.id], "stale")
    scoring.apply(admin, sitting.id, [question.id], scoring.digest(applied, changes))
    db.session.expire_all()
    rescored = {a.id for a in db.session.scalars(db.select(Attempt)) if a.score == 10.0}
    assert rescored == before and len(before) >= 1
    assert all(not db.session.get(Attempt, a).is_passed for a in before)
    assert scoring.corrections(sitting) == []  # the papers now pin the corrected version
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "sitting.rescored"))
    assert entry.details["changed"] == len(before)
    assert len(entry.details["results_changed"]) == len(before)


def _fields_of(question) -> dict:
    return {
        "type": question.type,
        "area": question.area,
        "stem": question.stem,
        "options": list(question.options or []),
        "key": question.key,
        "explanation": question.explanation,
        "difficulty": question.difficulty,
        "point": question.point,
        "source": question.source,
    }


def test_the_bulk_reader_agrees_with_the_row_by_row_reader(open_sitting):
    sitting, _admin, people = open_sitting(candidates=3)
    for n, person in enumerate(people):
        attempt = attempts.start_or_resume(person, sitting.id)
        items = attempt.enrolment.paper.items
        kept = items[n:] if n < 2 else items  # some left blank
        answers = {str(i.id): correct_response(None, i) for i in kept}
        if n == 2:  # a wrong single choice and a partial multiple choice
            single = next(i for i in items if i.content.type == "single")
            multiple = next(i for i in items if i.content.type == "multiple")
            answers[str(single.id)] = "D" if answers[str(single.id)] != "D" else "C"
            answers[str(multiple.id)] = answers[str(multiple.id)][:1]
        attempts.save_answers(person, attempt.id, answers, seq=1)
        attempts.submit(person, attempt.id)
    compiled = scoring.sitting_items(sitting)
    ids = scoring.submitted_attempt_ids(sitting.id)
    bulk = scoring.load_sheets(compiled, ids)
    rows = scoring.load_sheets(compiled, ids, watch={0})  # watching: always row by row
    assert (bulk.codes == rows.codes).all() and (bulk.presented == rows.presented).all()
    stored = [db.session.get(Attempt, a).score for a in ids]
    assert (scoring.score(compiled, bulk).totals == stored).all()


def test_settle_gives_a_result_to_attempts_whose_short_answers_were_left_blank(
    short_sitting, make_user
):
    sitting, _admin, _people, handed = short_sitting(candidates=2, answer="  ")
    assert marking.unmarked_attempts(sitting.id) == 0  # nothing to mark
    assert all(db.session.get(Attempt, a).is_passed is None for a in handed)  # not yet scored
    assert marking.settle(sitting.id) == 0
    db.session.expire_all()
    results = {(a.score, a.is_passed) for a in map(lambda i: db.session.get(Attempt, i), handed)}
    assert results == {(2.0, False)}  # the blank answer scores 0: 2 of 7, below 4
    assert marking.next_answer(make_user(Role.EXAMINER), sitting.id) is None


def test_option_curve_labels_never_overlap_nor_leave_the_chart():
    from examsvc.services.stat_charts import _spread

    placed = _spread([200.0, 201.0, 203.0, 100.0], gap=13, highest=204)
    ends = sorted(placed)
    assert all(b - a >= 13 for a, b in zip(ends, ends[1:], strict=False))
    assert max(placed) <= 204 and placed[3] == 100.0


def test_publication_waits_for_marks_and_an_appeal_sends_the_answer_back(
    short_sitting, make_user, app
):
    from examsvc.models import DisputeState
    from examsvc.services import results
    from examsvc.services.errors import Conflict
    from examsvc.services.results import disputes

    app.config["NOTICE_WORKING_DAYS"] = 5
    sitting, admin, people, handed = short_sitting(candidates=2)
    sitting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Conflict) as info:
        results.publish(admin, sitting.id)
    assert info.value.code == "unmarked"
    one, two = examiners(make_user, 2)
    assert mark_all(one, sitting.id, ["3", "2"]) == 2
    results.publish(admin, sitting.id)
    attempt = db.session.get(Attempt, handed[0])
    appeal = disputes.lodge_appeal(attempt.enrolment.user, attempt.id, "请重新评阅简答题。")
    disputes.send_back(admin, appeal.id, "请另一位阅卷人复评")
    assert disputes.get(appeal.id).state == DisputeState.REMARKING
    assert db.session.get(Attempt, handed[0]).is_passed is None
    assert mark_all(two, sitting.id, ["1", "0"]) == 1  # only the appealed answer comes back
    attempt = db.session.get(Attempt, handed[0])
    assert (attempt.score, attempt.is_passed) == (3.0, False)


def test_a_mark_posted_from_a_second_mark_page_never_becomes_the_reconciliation(
    short_sitting, make_user
):
    """An examiner opened the answer as the blind second mark; another examiner's second mark,
    far from the first, came in meanwhile: the page's round no longer holds, and the mark is
    refused instead of being stored as the final third one given without seeing the two."""
    sitting, admin, _people, _handed = short_sitting(candidates=1)
    marking.save_plan(admin, sitting.id, is_double=True, tolerance=1.0, exclude_own_org=False)
    first, second, third = examiners(make_user, 3)
    answer_id = marking.next_answer(first, sitting.id)
    marking.give_mark(first, answer_id, ["3", "2"])
    page = marking.blind_answer(second, answer_id)
    assert page.round == 2 and page.earlier == []
    marking.give_mark(third, answer_id, ["0", "0"], expected_round=2)
    with pytest.raises(Conflict) as refused:
        marking.give_mark(second, answer_id, ["1", "0"], expected_round=page.round)
    assert refused.value.code == "marked_meanwhile"
    now = marking.blind_answer(second, answer_id)
    assert now.round == 3 and len(now.earlier) == 2  # shown to them as the reconciliation
    assert marking.give_mark(second, answer_id, ["1", "0"], expected_round=3).round == 3

"""Randomizing a whole sitting's papers ahead of the exam, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Enrolment, Paper, Question, Role, Sitting, utcnow
from examsvc.services import assembly as assembly_service
from examsvc.services import exams, fairness
from examsvc.services.errors import BadInput, Conflict
from question_bank import assembly
from question_bank.model import OPTION_LABELS


def papers_of(sitting_id: int) -> list[Paper]:
    return list(
        db.session.scalars(
            db.select(Paper)
            .join(Enrolment)
            .where(Enrolment.sitting_id == sitting_id)
            .order_by(Enrolment.id)
        )
    )


def test_enrolling_before_the_draw_draws_nothing_and_the_draw_draws_all(scheduled):
    sitting, admin = scheduled()
    assert papers_of(sitting.id) == []
    assembly_service.randomize(admin, sitting.id)
    papers = papers_of(sitting.id)
    assert len(papers) == 6
    for paper in papers:
        items = paper.items
        assert [i.content.type for i in items] == ["single", "single", "judge", "judge"]
        assert all(i.content.area == "constitution" for i in items[:2])
        assert all(1 <= i.content.difficulty <= 3 for i in items[2:])
        assert len({i.question_id for i in items}) == 4
    report = db.session.get(Sitting, sitting.id).assembly_report
    assert report["papers"] == 6 and report["score_spread"] <= 2 * report["tolerance"]
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sitting.papers_drawn")
    )
    assert entry.details["seed"] == sitting.seed and len(entry.details["bank_hash"]) == 64


def test_the_stored_papers_are_reproduced_from_seed_and_bank(scheduled):
    sitting, admin = scheduled()
    assembly_service.randomize(admin, sitting.id)
    sitting = db.session.get(Sitting, sitting.id)
    blueprint = sitting.blueprint
    again = assembly.assemble_sitting(
        exams.row_specs(blueprint),
        assembly_service._bank(sitting),
        sitting.seed,
        6,
        exposure_cap=blueprint.exposure_cap,
        tolerance_points=blueprint.tolerance_points,
    )
    stored = [[(i.question_id, i.option_order) for i in p.items] for p in papers_of(sitting.id)]
    assert stored == [
        [(s.question_id, list(s.option_order)) for s in paper] for paper in again.papers
    ]
    assert again.bank_hash == sitting.bank_hash


def test_drawing_again_before_opening_changes_seed_and_papers_but_not_after(scheduled):
    sitting, admin = scheduled()
    assembly_service.randomize(admin, sitting.id)
    first_seed = db.session.get(Sitting, sitting.id).seed
    first = [[i.question_id for i in p.items] for p in papers_of(sitting.id)]
    assembly_service.randomize(admin, sitting.id)
    db.session.expire_all()
    assert db.session.get(Sitting, sitting.id).seed != first_seed
    assert [[i.question_id for i in p.items] for p in papers_of(sitting.id)] != first
    assert db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sitting.papers_redrawn")
    )
    with pytest.raises(Conflict) as info:
        assembly_service.randomize(admin, sitting.id, now=sitting.opens_at + timedelta(minutes=1))
    assert info.value.code == "sitting_opened"


def test_a_late_candidate_gets_a_paper_of_the_same_difficulty(scheduled, make_user):
    sitting, admin = scheduled()
    assembly_service.randomize(admin, sitting.id)
    late = make_user(Role.CANDIDATE)
    enrolment = exams.enrol(admin, sitting.id, late.email)
    paper = db.session.scalar(db.select(Paper).where(Paper.enrolment_id == enrolment.id))
    target = db.session.get(Sitting, sitting.id).assembly_report["target"]
    assert len(paper.items) == 4 and abs(paper.expected_score - target) <= 1.0


def test_shared_mode_gives_everyone_the_same_items_in_their_own_order(scheduled):
    sitting, admin = scheduled(candidates=8, paper_mode="shared")
    assembly_service.randomize(admin, sitting.id)
    papers = papers_of(sitting.id)
    item_sets = {frozenset(i.question_id for i in p.items) for p in papers}
    orders = {tuple(i.question_id for i in p.items) for p in papers}
    assert len(item_sets) == 1 and len(orders) > 1
    for paper in papers:  # sections stay in place: the singles first
        assert [i.content.type for i in paper.items] == ["single", "single", "judge", "judge"]


def test_no_candidates_and_a_short_bank_are_refused(scheduled, make_user):
    sitting, admin = scheduled(candidates=0)
    with pytest.raises(BadInput) as info:
        assembly_service.randomize(admin, sitting.id)
    assert info.value.code == "no_candidates"
    exams.enrol(admin, sitting.id, make_user(Role.CANDIDATE).email)
    # The bank shrinks after the sitting was scheduled: one single-choice question is left.
    singles = db.select(Question.id).where(Question.type == "single").offset(1)
    db.session.execute(db.update(Question).where(Question.id.in_(singles)).values(status="retired"))
    db.session.commit()
    with pytest.raises(Conflict) as info:
        assembly_service.randomize(admin, sitting.id)
    assert (
        info.value.code == "assembly_infeasible"
        and "需要 2 题，题库仅有 1 题" in info.value.message
    )
    assert papers_of(sitting.id) == []


def test_fairness_report_and_paper_preview_with_the_key(scheduled):
    sitting, admin = scheduled()
    assembly_service.randomize(admin, sitting.id)
    report = fairness.report(db.session.get(Sitting, sitting.id))
    assert report.papers == 6 and report.items_per_paper == 4
    assert len(report.expected_scores) == 6 and max(report.exposure) <= 1.0
    enrolment = papers_of(sitting.id)[0].enrolment
    _, items = fairness.paper_preview(sitting.id, enrolment.id)
    for item, stored in zip(items, enrolment.paper.items, strict=True):
        if item.type == "single":
            key_display = OPTION_LABELS[
                stored.option_order.index(OPTION_LABELS.index(stored.content.key))
            ]
            assert item.key_text == key_display
            assert [text for _, text, _ in item.options] == [
                stored.content.options[k] for k in stored.option_order
            ]


def test_check_rows_reports_availability_and_lowest_cap(scheduled):
    scheduled(candidates=0)
    report = exams.check_rows(
        [exams.RowSpec("constitution", "single", 2, 1.0), exams.RowSpec("law", "single", 1, 1.0)],
        "post_qualification",
        0,
        0.2,
    )
    assert report[0] == {
        "available": 8,
        "needed": 2,
        "enough": True,
        "lowest_cap": 0.25,
        "cap_ok": False,
    }
    assert report[1]["available"] == 0 and not report[1]["enough"]


def test_candidates_see_the_section_titles_of_the_blueprint(scheduled):
    from examsvc.models import User
    from examsvc.services import attempts, papers

    sitting, admin = scheduled(candidates=1)
    assembly_service.randomize(admin, sitting.id)
    enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.sitting_id == sitting.id))
    user = db.session.get(User, enrolment.user_id)
    attempt = attempts.start_or_resume(
        user, sitting.id, now=sitting.opens_at + timedelta(minutes=1)
    )
    payload = papers.attempt_payload(attempt, utcnow())
    assert [i["section"] for i in payload["items"]] == ["一、单项选择题"] * 2 + ["二、判断题"] * 2


def test_a_late_candidate_in_shared_mode_gets_the_shared_paper(scheduled, make_user):
    sitting, admin = scheduled(candidates=3, paper_mode="shared")
    assembly_service.randomize(admin, sitting.id)
    enrolment = exams.enrol(admin, sitting.id, make_user(Role.CANDIDATE).email)
    items = {frozenset(i.question_id for i in p.items) for p in papers_of(sitting.id)}
    assert len(items) == 1 and len(papers_of(sitting.id)) == 4
    assert db.session.scalar(db.select(Paper).where(Paper.enrolment_id == enrolment.id)) is not None


def test_admission_numbers_come_from_the_enrolment(scheduled):
    sitting, _ = scheduled(candidates=2)
    numbers = list(
        db.session.scalars(
            db.select(Enrolment.admission_no).where(Enrolment.sitting_id == sitting.id)
        )
    )
    assert len(set(numbers)) == 2 and all(
        n.startswith(f"{sitting.opens_at:%Y}{sitting.id:05d}") for n in numbers
    )

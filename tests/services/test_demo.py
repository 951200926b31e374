"""The demo: a valid, realistic bank and a seed that can run twice."""

import json
from collections import Counter

import pytest

from examsvc.extensions import db
from examsvc.models import Enrolment, Paper, Question, Sitting, User
from examsvc.services import demo
from question_bank.model import AREAS, build_question


def test_every_demo_question_is_valid_and_distinct():
    questions = demo.load_questions()
    assert len(questions) >= 300
    stems = Counter()
    for raw in questions:
        q = build_question(
            type=raw["type"],
            area=raw["area"],
            stem=raw["stem"],
            options=raw.get("options", []),
            key=raw["answer"],
            explanation=raw.get("explanation", ""),
            difficulty=raw["difficulty"],
        )
        stems[q.stem] += 1
        assert raw.get("explanation") and raw.get("source"), raw["stem"]
    assert [s for s, n in stems.items() if n > 1] == []
    assert {q["area"] for q in questions} == set(AREAS)
    assert {q["type"] for q in questions} >= {"single", "multiple", "judge", "fill"}


def test_single_choice_keys_are_not_biased_to_one_letter():
    keys = Counter(q["answer"] for q in demo.load_questions() if q["type"] == "single")
    total = sum(keys.values())
    assert all(keys[letter] / total > 0.15 for letter in "ABCD"), keys


def test_demo_seed_builds_everything_once(app, runner_factory):
    result = runner_factory().invoke(args=["demo", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {tuple(u["roles"]) for u in report["users"]} >= {
        ("admin",),
        ("examiner",),
        ("contributor",),
        ("org_admin",),
    }
    assert all(u["email"] and u["password"] for u in report["users"])
    (sitting,) = report["sittings"]
    counts = (
        db.session.scalar(
            db.select(db.func.count()).select_from(Question).where(Question.status == "approved")
        ),
        db.session.scalar(db.select(db.func.count()).select_from(User)),
        db.session.scalar(
            db.select(db.func.count()).select_from(Paper).join(Enrolment)
            .where(Enrolment.sitting_id == sitting["id"])
        ),
    )  # fmt: skip
    # the demo candidate and the four members of the demo's organisations (demo_people.py)
    assert counts[0] >= 300 and counts[2] == 5
    paper = db.session.scalar(
        db.select(Paper).join(Enrolment).where(Enrolment.sitting_id == sitting["id"]).limit(1)
    )
    assert sum(i.points for i in paper.items) == 100 and len(paper.items) == 80
    assert db.session.get(Sitting, sitting["id"]).blueprint.pass_mark == 60

    from examsvc.models import (
        Inspection,
        InspectionResult,
        LevelRecord,
        Notice,
        Organisation,
        TrainingRecord,
    )
    from examsvc.services import archive, certificates, notices

    trainings = db.session.scalar(db.select(db.func.count()).select_from(TrainingRecord))
    root = db.session.scalar(db.select(Organisation).where(Organisation.code == "000"))
    board = archive.dashboard(root, certificates.today_local().year - 1)
    assert trainings > 300 and board.hours_met and board.hours_short
    assert board.by_level[1] and board.by_level[2] and board.suspended
    assert db.session.scalar(db.select(Inspection.state)) == "closed"
    from examsvc.models import Certificate

    kinds = set(db.session.scalars(db.select(Certificate.kind).distinct()))
    assert kinds == {"training", "post_qualification", "level"}
    # every inspected holder was told the outcome, as closing a 年检 tells them
    inspected = db.session.scalar(db.select(db.func.count()).select_from(InspectionResult))
    told = db.session.scalars(db.select(Notice).where(Notice.kind == "inspection")).all()
    assert inspected and len(told) == inspected
    assert any("暂停" in notices.text(n) for n in told)
    levels = db.session.scalar(db.select(db.func.count()).select_from(LevelRecord))

    again = runner_factory().invoke(args=["demo", "--json"])
    assert again.exit_code == 0 and json.loads(again.output) == report
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingRecord)) == trainings
    assert db.session.scalar(db.select(db.func.count()).select_from(LevelRecord)) == levels
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(Question)),
        db.session.scalar(db.select(db.func.count()).select_from(User)),
        db.session.scalar(
            db.select(db.func.count()).select_from(Enrolment)
            .where(Enrolment.sitting_id == sitting["id"])
        ),
    ) == (counts[0], counts[1], 5)  # fmt: skip


@pytest.fixture
def runner_factory(app):
    return app.test_cli_runner

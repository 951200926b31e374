"""Marking, re-scoring and item statistics through the pages: blind, Chinese, guarded."""

from __future__ import annotations

import re

import pytest

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    ItemAnalysis,
    ItemFlag,
    MarkingPlan,
    QuestionFacility,
    Role,
    Sitting,
)
from examsvc.services import assembly, bank, demo, demo_results, item_stats, scoring
from tests import snapshots
from tests.conftest import csrf_token, form_token, log_in
from tests.services.test_marking import _fields_of, short_sitting  # noqa: F401 (fixture)
from tests.web.test_chinese_walk import _user_data as walk_user_data
from tests.web.test_chinese_walk import english_in, visible_text


def _user_data() -> list[str]:
    """The page walk's user data (names, every field of a question: the demo mis-keys a
    random question, whose explanation may name "SWOT" or "KPI"), and the demo's answers."""
    answers = [a for answers in demo_results.SHORT_ANSWERS for a in answers]
    return walk_user_data() + [a for a in answers if len(a.strip()) > 1]


def test_an_examiner_marks_blind_through_the_pages(app, short_sitting, make_user):  # noqa: F811
    sitting, _admin, people, handed = short_sitting(candidates=1)
    examiner = make_user(Role.EXAMINER)
    client = log_in(app.test_client(), examiner)
    assert sitting.name in client.get("/marking/").get_data(as_text=True)
    progress = client.get(f"/marking/sittings/{sitting.id}").get_data(as_text=True)
    assert "评阅下一份" in progress
    response = client.get(f"/marking/sittings/{sitting.id}/next")
    assert response.status_code == 302
    path = response.headers["Location"]
    page = client.get(path).get_data(as_text=True)
    assert "党支部直接联系群众" in page and "说明党支部的基本任务" in page
    person = people[0]
    admission = db.session.get(Attempt, handed[0]).enrolment.admission_no
    assert person.name not in page and person.email not in page and admission not in page
    bad = client.post(
        path, data={"csrf_token": form_token(page), "criteria-0": "9", "criteria-1": "1"}
    )
    assert bad.status_code == 400 and "0至3分" in bad.get_data(as_text=True)
    saved = client.post(
        path, data={"csrf_token": form_token(page), "criteria-0": "3", "criteria-1": "1.5"}
    )
    assert saved.status_code == 302
    attempt = db.session.get(Attempt, handed[0])
    db.session.refresh(attempt)
    assert (attempt.score, attempt.is_passed) == (6.5, True)
    assert client.get(path).status_code == 404  # marked: no longer waiting for this examiner


def test_the_admin_sets_the_plan_and_re_scores_after_a_key_correction(app, open_sitting, make_user):
    from examsvc.models import PaperItem
    from examsvc.services import attempts
    from tests.services.test_attempts import correct_response

    sitting, admin, people = open_sitting(candidates=2, pass_mark=11)
    for person in people:
        attempt = attempts.start_or_resume(person, sitting.id)
        answers = {str(i.id): correct_response(None, i) for i in attempt.enrolment.paper.items}
        attempts.save_answers(person, attempt.id, answers, seq=1)
        attempts.submit(person, attempt.id)
    client = log_in(app.test_client(), admin)
    page = client.get(f"/marking/sittings/{sitting.id}").get_data(as_text=True)
    plan = client.post(
        f"/marking/sittings/{sitting.id}/plan",
        data={"csrf_token": form_token(page), "is_double": "y", "tolerance": "1.5"},
    )
    assert plan.status_code == 302
    saved = db.session.get(MarkingPlan, sitting.id)
    assert (saved.is_double, saved.tolerance, saved.exclude_own_org) == (True, 1.5, False)
    assert "本场次试题没有答案更正" in client.get(
        f"/marking/sittings/{sitting.id}/rescore"
    ).get_data(as_text=True)
    single = db.session.scalar(db.select(PaperItem).where(PaperItem.points == 1.0).limit(1))
    question = single.question
    bank.edit_approved(
        make_user(Role.EXAMINER),
        question.id,
        {**_fields_of(question), "key": "B" if question.key != "B" else "C"},
        "更正",
    )
    preview = client.get(f"/marking/sittings/{sitting.id}/rescore?questions={question.id}")
    text = preview.get_data(as_text=True)
    assert "合格结论变化" in text and "11.00" in text and "10.00" in text
    assert db.session.scalar(db.select(db.func.max(Attempt.score))) == 11.0  # nothing yet
    seen = re.search(r'name="seen" value="([^"]+)"', text).group(1)
    done = client.post(
        f"/marking/sittings/{sitting.id}/rescore",
        data={"csrf_token": form_token(text), "questions": str(question.id), "seen": seen},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.min(Attempt.score))) == 10.0
    job = client.post(
        f"/marking/sittings/{sitting.id}/score", data={"csrf_token": form_token(text)}
    )
    assert job.status_code == 302 and "/marking/jobs/" in job.headers["Location"]
    assert "已计分2份答卷" in client.get(job.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def seeded(app):
    snapshots.cached("demo", demo.seed)  # seeded once per test process (tests/snapshots.py)
    sitting = db.session.scalar(db.select(Sitting).where(Sitting.name == demo_results.SITTING_NAME))
    return sitting


def _demo_client(app, email: str, password: str):
    client = app.test_client()
    response = client.post(
        "/api/v1/session",
        json={"email": email, "password": password},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 200
    return client


def test_the_demo_sitting_has_item_statistics_and_a_mis_keyed_item_reaches_review(app, seeded):
    analysis = db.session.scalar(
        db.select(ItemAnalysis).where(ItemAnalysis.sitting_id == seeded.id)
    )
    assert analysis.candidates == demo_results.CANDIDATES
    assert analysis.data["shared"] and 0 < analysis.data["test"]["alpha"] < 1
    suspects = [r for r in analysis.data["items"] if "key_suspect" in r["flags"]]
    assert len(suspects) == 1 and suspects[0]["suggest"] not in (None, suspects[0]["key"])
    flag = db.session.scalar(
        db.select(ItemFlag).where(ItemFlag.question_id == suspects[0]["question_id"])
    )
    assert flag.resolved_at is None and flag.evidence["groups"]
    assert flag in item_stats.open_flags(limit=1000)
    assert all(
        db.session.get(Attempt, a).is_passed is not None
        for a in scoring.submitted_attempt_ids(seeded.id)
    )
    examiner = _demo_client(app, "examiner@demo.examsvc.cn", "Shenti-2026-demo")
    table = examiner.get(f"/stats/sittings/{seeded.id}").get_data(as_text=True)
    links = re.findall(r'/stats/sittings/\d+/questions/(\d+)"', table)
    assert len(links) == len(analysis.data["items"])  # every item listed, the suspect first
    assert int(links[0]) == suspects[0]["question_id"]
    queue = examiner.get("/review/").get_data(as_text=True)
    assert "试题统计退回的试题" in queue and f"#{flag.question_id}" in queue
    detail = examiner.get(f"/review/{flag.question_id}").get_data(as_text=True)
    assert "答案存疑" in detail and "<svg" in detail and "<polyline" in detail
    resolved = examiner.post(
        f"/stats/flags/{flag.id}/resolve",
        data={"csrf_token": form_token(detail), "note": "答案已更正为B"},
    )
    assert resolved.status_code == 302
    db.session.refresh(flag)
    assert flag.resolution == "答案已更正为B" and flag not in item_stats.open_flags(limit=1000)


def test_measured_facility_is_written_back_and_used_by_assembly(app, seeded):
    measured = dict(
        db.session.execute(db.select(QuestionFacility.question_id, QuestionFacility.facility)).all()
    )
    analysis = item_stats.stored(seeded.id)
    rows = {r["question_id"]: r for r in analysis.data["items"]}
    assert set(measured) == set(rows)  # 300 candidates each: all measured
    assert all(abs(measured[q] - rows[q]["facility"]) < 1e-12 for q in measured)
    bank_items = {i.id: i for i in assembly._bank(seeded)}
    from question_bank.bank_arrays import facility_of

    for qid, facility in measured.items():
        assert facility_of(bank_items[qid]) == facility  # not the 1–5 rating's facility
    unmeasured = next(i for i in bank_items.values() if i.id not in measured)
    assert unmeasured.facility is None


def test_item_statistics_of_a_sitting_whose_papers_differ(app, open_sitting, login_as):
    from examsvc.services import attempts
    from tests.services.test_attempts import correct_response

    sitting, admin, people = open_sitting(candidates=4)
    for n, person in enumerate(people):
        attempt = attempts.start_or_resume(person, sitting.id)
        items = attempt.enrolment.paper.items
        answers = {str(i.id): correct_response(None, i) for i in items[: 3 + n]}
        attempts.save_answers(person, attempt.id, answers, seq=1)
        attempts.submit(person, attempt.id)
    client, _ = login_as(Role.EXAMINER)
    page = client.get(f"/stats/sittings/{sitting.id}").get_data(as_text=True)
    assert "尚无统计" in page
    computed = client.post(
        f"/stats/sittings/{sitting.id}/compute", data={"csrf_token": form_token(page)}
    )
    assert computed.status_code == 302
    analysis = item_stats.stored(sitting.id)
    assert analysis.candidates == 4 and analysis.data["test"]["alpha"] is None
    assert sum(r["n"] for r in analysis.data["items"]) == 4 * 8  # each counts who had it
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionFacility)) == 0
    row = analysis.data["items"][0]
    assert (
        client.get(f"/stats/sittings/{sitting.id}/questions/{row['question_id']}").status_code
        == 200
    )


def test_marking_and_statistics_pages_are_chinese(app, seeded):
    flagged = next(f for f in item_stats.open_flags(limit=1000) if "key_suspect" in f.flags)
    paths = {
        ("admin@demo.examsvc.cn", "Zuzhibu-2026-demo"): [
            "/marking/",
            f"/marking/sittings/{seeded.id}",
            f"/marking/sittings/{seeded.id}/rescore",
            f"/stats/sittings/{seeded.id}",
            f"/stats/sittings/{seeded.id}/questions/{flagged.question_id}",
            f"/admin/sittings/{seeded.id}",
        ],
        ("examiner@demo.examsvc.cn", "Shenti-2026-demo"): [
            "/marking/",
            f"/marking/sittings/{seeded.id}",
            "/review/",
            f"/review/{flagged.question_id}",
            f"/stats/sittings/{seeded.id}",
        ],
    }
    user_data = _user_data()
    problems = []
    for (email, password), pages in paths.items():
        client = _demo_client(app, email, password)
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            english = english_in(visible_text(response.get_data(as_text=True)), user_data)
            if english:
                problems.append(f"{path}: {sorted(set(english))}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.EXAMINER)])
def test_nobody_else_reaches_marking_or_statistics(login_as, role):
    client, _ = login_as(role)
    token = csrf_token(client)
    for path in (
        "/marking/",
        "/marking/sittings/1",
        "/stats/sittings/1",
        "/marking/jobs/1",
        "/stats/sittings/1/questions/1",
        "/marking/answers/1",
    ):
        assert client.get(path).status_code == 403, path
    for path in ("/stats/sittings/1/compute", "/stats/flags/1/resolve", "/marking/answers/1"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_an_admin_cannot_mark_and_an_examiner_cannot_rescore(login_as, short_sitting):  # noqa: F811
    sitting, *_ = short_sitting(candidates=1)
    answer_id = db.session.scalar(db.select(Answer.id).where(Answer.points.is_(None)))
    admin, _ = login_as(Role.ADMIN)
    assert admin.get(f"/marking/answers/{answer_id}").status_code == 403
    assert admin.get(f"/marking/sittings/{sitting.id}/next").status_code == 403
    examiner, _ = login_as(Role.EXAMINER)
    assert examiner.get(f"/marking/sittings/{sitting.id}/rescore").status_code == 403
    token = csrf_token(examiner)
    for action in ("plan", "score", "rescore"):
        response = examiner.post(
            f"/marking/sittings/{sitting.id}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 403, action

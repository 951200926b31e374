"""Starting, resuming and handing in cost a few statements, however big the paper."""

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, utcnow
from examsvc.services import attempts, papers
from question_bank.model import OPTION_LABELS
from tests.services.test_save_cost import StatementCounter


def kinds(statements: list[str]) -> list[str]:
    """The data statements, by their first word (no BEGIN, COMMIT, SAVEPOINT)."""
    words = [s.split()[0].upper() for s in statements]
    return [w for w in words if w in ("SELECT", "INSERT", "UPDATE", "DELETE")]


def payload_of(candidate, sitting_id: int) -> tuple[dict, list[str]]:
    with StatementCounter(db.engine) as counter:
        attempt = attempts.start_or_resume(candidate, sitting_id)
        payload = papers.attempt_payload(attempt, utcnow())
    db.session.rollback()  # the request's end: drop the enrolment's row lock
    return payload, counter.statements


def test_a_resume_reads_the_enrolment_row_and_the_answers(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    sitting_id = sitting.id
    first, _ = payload_of(candidate, sitting_id)
    judges = [i["id"] for i in first["items"] if i["type"] == "judge"]
    attempts.save_answers(candidate, first["attempt_id"], {str(judges[0]): True}, seq=3)
    assert candidate.roles  # the user is loaded, as the request's login has loaded it
    again, statements = payload_of(candidate, sitting_id)
    assert kinds(statements) == ["SELECT", "SELECT"], statements
    assert again["items"] == first["items"] and len(first["items"]) == 8
    assert (again["seq"], again["answers"]) == (3, {str(judges[0]): True})
    assert again["attempt_id"] == first["attempt_id"]


def test_the_cached_items_are_those_of_the_stored_paper(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    paper = attempt.enrolment.paper
    papers._PAPERS.clear()
    cold = papers.attempt_payload(attempt, utcnow())["items"]
    warm = papers.attempt_payload(attempt, utcnow())["items"]
    assert cold == warm
    assert (paper.id, paper.drawn_at) in papers._PAPERS
    for shown, item in zip(cold, paper.items, strict=True):
        content = item.content
        assert (shown["id"], shown["type"], shown["stem"]) == (item.id, content.type, content.stem)
        assert shown["points"] == item.points
        if content.type in ("single", "multiple"):
            expected = [content.options[i] for i in item.option_order]
            assert [o["text"] for o in shown["options"]] == expected
            assert [o["key"] for o in shown["options"]] == list(OPTION_LABELS[: len(expected)])
        expected_blanks = content.to_domain().blank_count() if content.type == "fill" else 0
        assert shown["blanks"] == expected_blanks
    assert [i["section"] for i in cold] == papers.section_titles(sitting.blueprint)


def test_a_start_loads_the_paper_once_then_a_resume_from_memory(app, open_sitting):
    sitting, _, (one, two) = open_sitting(candidates=2)
    sitting_id = sitting.id
    papers._PAPERS.clear()
    payload_of(one, sitting_id)
    cached = len(papers._PAPERS)
    payload_of(two, sitting_id)
    assert len(papers._PAPERS) == cached + 1  # each candidate's own paper


def submit_statements(candidate, attempt_id: int) -> list[str]:
    db.session.expire_all()
    assert candidate.roles  # loaded, as the request's login loads it
    with StatementCounter(db.engine) as counter:
        attempts.submit(candidate, attempt_id)
    return kinds(counter.statements)


def test_a_hand_in_reads_attempt_answers_and_items_once(app, open_sitting):
    sitting, _, (few, many) = open_sitting(candidates=2)
    counts = []
    for candidate, how_many in ((few, 1), (many, 4)):
        attempt = attempts.start_or_resume(candidate, sitting.id)
        judges_and_singles = [
            i for i in attempt.enrolment.paper.items if i.content.type in ("judge", "single")
        ][:how_many]
        answers = {
            str(i.id): True if i.content.type == "judge" else "A" for i in judges_and_singles
        }
        attempts.save_answers(candidate, attempt.id, answers, seq=1)
        statements = submit_statements(candidate, attempt.id)
        counts.append(statements)
        assert statements == ["SELECT", "SELECT", "SELECT", "UPDATE", "INSERT", "UPDATE"]
    assert counts[0] == counts[1]  # the answers' points are written in one UPDATE
    attempt = db.session.scalar(db.select(Attempt).where(Attempt.id == attempt.id))
    assert attempt.status == "submitted" and attempt.max_score == 11.0
    scored = db.session.scalars(db.select(Answer.points).where(Answer.attempt_id == attempt.id))
    assert all(points is not None for points in scored)


def test_a_second_hand_in_only_reads_the_attempt(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    attempts.submit(candidate, attempt.id)
    assert submit_statements(candidate, attempt.id) == ["SELECT"]


def test_a_first_start_reads_nothing_again_after_its_commit(app, open_sitting):
    """The new attempt, its enrolment, sitting and paper stay loaded across the start's
    commit; an original sitting's attempt is numbered without a query."""
    sitting, _, (candidate,) = open_sitting()
    papers._PAPERS.clear()
    db.session.expire_all()  # a request of its own: nothing but the user loaded
    assert candidate.roles  # the user is loaded, as the request's login has loaded it
    payload, statements = payload_of(candidate, sitting.id)
    # enrolment row, extra minutes; attempt, audit; answers, paper items
    assert kinds(statements) == [
        "SELECT", "SELECT", "INSERT", "INSERT", "SELECT", "SELECT"
    ], " | ".join(s[:40] for s in statements)  # fmt: skip
    attempt = db.session.get(Attempt, payload["attempt_id"])
    assert (attempt.number, attempt.status) == (1, "in_progress")


def test_the_answer_to_a_hand_in_reads_nothing_after_its_commit(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    attempt_id = attempt.id
    db.session.expire_all()
    assert candidate.roles
    with StatementCounter(db.engine) as counter:
        handed_in = attempts.submit(candidate, attempt_id)
        statements = len(counter.statements)
        assert (handed_in.status, handed_in.submitted_at is not None) == ("submitted", True)
        assert len(counter.statements) == statements  # what the API answers was kept

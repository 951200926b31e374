"""What a candidate's browser receives of a paper: never the key before results are out."""

from __future__ import annotations

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, PaperItem
from question_bank.model import OPTION_LABELS, QuestionType

JUDGE_OPTIONS = [{"key": True, "text": "正确"}, {"key": False, "text": "错误"}]


def section_titles(blueprint) -> list[str]:
    """The section title of every position on the blueprint's papers (rows are in order)."""
    return [row.section for row in blueprint.rows for _ in range(row.count)]


def item_for_candidate(item: PaperItem, section: str = "") -> dict:
    """One item as shown: display labels after the option shuffle, no key, no explanation."""
    question = item.content
    qtype = QuestionType(question.type)
    options: list[dict] = []
    if qtype.has_options:
        options = [
            {"key": OPTION_LABELS[i], "text": question.options[original]}
            for i, original in enumerate(item.option_order)
        ]
    elif qtype is QuestionType.JUDGE:
        options = JUDGE_OPTIONS
    return {
        "id": item.id,
        "type": qtype.value,
        "stem": question.stem,
        "options": options,
        "points": item.points,
        "blanks": question.to_domain().blank_count() if qtype is QuestionType.FILL else 0,
        "section": section,
    }


def attempt_payload(attempt: Attempt, now) -> dict:
    """The body of POST /api/v1/sittings/{id}/attempt."""
    answers = list(db.session.scalars(db.select(Answer).where(Answer.attempt_id == attempt.id)))
    return {
        "attempt_id": attempt.id,
        "sitting": {"id": attempt.enrolment.sitting.id, "name": attempt.enrolment.sitting.name},
        "status": attempt.status,
        "deadline": attempt.deadline.isoformat(),
        "server_time": now.isoformat(),
        "seq": max((a.seq for a in answers), default=0),
        "items": _items(attempt),
        "answers": {str(a.paper_item_id): a.response for a in answers},
    }


def _items(attempt: Attempt) -> list[dict]:
    titles = section_titles(attempt.enrolment.sitting.blueprint)
    return [
        item_for_candidate(item, titles[item.position] if item.position < len(titles) else "")
        for item in attempt.enrolment.paper.items
    ]


def attempt_state(attempt: Attempt, now) -> dict:
    """The body of GET /api/v1/attempts/{id}: the result only once published."""
    sitting = attempt.enrolment.sitting
    published = sitting.results_published_at is not None
    body = {
        "attempt_id": attempt.id,
        "sitting_id": sitting.id,
        "status": attempt.status,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat(),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "server_time": now.isoformat(),
        "results_published": published,
        "result": None,
    }
    if published and attempt.status == "submitted":
        body["result"] = {
            "score": attempt.score,
            "max_score": attempt.max_score,
            "passed": attempt.is_passed,
            "pass_mark": sitting.blueprint.pass_mark,
        }
    return body

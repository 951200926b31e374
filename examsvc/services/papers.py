"""What a candidate's browser receives of a paper: never the key before results are out."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, Paper, PaperItem, QuestionVersion
from question_bank.model import BLANK_RE, OPTION_LABELS, QuestionType

JUDGE_OPTIONS = [{"key": True, "text": "正确"}, {"key": False, "text": "错误"}]
OPTION_TYPES = frozenset(t.value for t in QuestionType if t.has_options)


def section_titles(blueprint) -> list[str]:
    """The section title of every position on the blueprint's papers (rows are in order)."""
    return [row.section for row in blueprint.rows for _ in range(row.count)]


def attempt_payload(attempt: Attempt, now) -> dict:
    """The body of POST /api/v1/sittings/{id}/attempt.

    Two reads at most once the paper is cached: the paper (none when the attempt was
    loaded with it, as start_or_resume does) and the answers.
    """
    enrolment = attempt.enrolment
    answers = db.session.execute(
        db.select(Answer.paper_item_id, Answer.response, Answer.seq).where(
            Answer.attempt_id == attempt.id
        )
    ).all()
    return {
        "attempt_id": attempt.id,
        "sitting": {"id": enrolment.sitting.id, "name": enrolment.sitting.name},
        "status": attempt.status,
        "deadline": attempt.deadline.isoformat(),
        "server_time": now.isoformat(),
        "seq": max((seq for _, _, seq in answers), default=0),
        "items": candidate_items(enrolment.paper, enrolment.sitting.blueprint),
        "answers": {str(item_id): response for item_id, response, _ in answers},
    }


#: Papers and question versions never change once written (a released paper is deleted,
#: never edited), so what a candidate sees of them is cached per process: a paper's items
#: by paper id and draw time (SQLite may reuse a deleted id), each question version's
#: text once, by its id and creation time, shared by every paper that holds it.
_PAPERS: OrderedDict[tuple[int, datetime], tuple[_PaperItemView, ...]] = OrderedDict()
_QUESTIONS: OrderedDict[tuple[int, datetime], _QuestionView] = OrderedDict()
PAPER_CACHE_SIZE = 8192
_CACHE_LOCK = threading.Lock()  # the threads of a gunicorn worker share the caches
QUESTION_CACHE_SIZE = 50_000


@dataclass(frozen=True, slots=True)
class _QuestionView:
    type: str
    stem: str
    options: tuple[str, ...]
    blanks: int


@dataclass(frozen=True, slots=True)
class _PaperItemView:
    id: int
    question: _QuestionView
    option_order: tuple[int, ...]
    points: float
    section: str


def candidate_items(paper: Paper, blueprint) -> list[dict]:
    """The paper's items as the candidate sees them, in order: display labels after the
    option shuffle, never the key. One query the first time, then from memory."""
    key = (paper.id, paper.drawn_at)
    with _CACHE_LOCK:
        views = _PAPERS.get(key)
        if views is not None:
            _PAPERS.move_to_end(key)
    if views is None:
        views = _load_paper(paper.id, section_titles(blueprint))
        _remember(_PAPERS, key, views, PAPER_CACHE_SIZE)
    return [_item_json(view) for view in views]


def _load_paper(paper_id: int, titles: list[str]) -> tuple[_PaperItemView, ...]:
    rows = db.session.execute(
        db.select(PaperItem.id, PaperItem.position, PaperItem.option_order, PaperItem.points,
                  QuestionVersion.id, QuestionVersion.created_at, QuestionVersion.type,
                  QuestionVersion.stem, QuestionVersion.options)
        .join(QuestionVersion, db.and_(QuestionVersion.question_id == PaperItem.question_id,
                                       QuestionVersion.version == PaperItem.question_version))
        .where(PaperItem.paper_id == paper_id)
        .order_by(PaperItem.position)
    )  # fmt: skip
    views = []
    for item_id, position, order, points, version_id, created, qtype, stem, options in rows:
        question = _QUESTIONS.get((version_id, created))
        if question is None:
            question = _question_view(QuestionType(qtype), stem, options)
            _remember(_QUESTIONS, (version_id, created), question, QUESTION_CACHE_SIZE)
        section = titles[position] if position < len(titles) else ""
        views.append(_PaperItemView(item_id, question, tuple(order or ()), points, section))
    return tuple(views)


def _question_view(qtype: QuestionType, stem: str, options) -> _QuestionView:
    blanks = len(BLANK_RE.findall(stem)) if qtype is QuestionType.FILL else 0
    return _QuestionView(qtype.value, stem, tuple(options or ()), blanks)


def _item_json(view: _PaperItemView) -> dict:
    question = view.question
    options: list[dict] = []
    if question.type in OPTION_TYPES:
        options = [
            {"key": OPTION_LABELS[i], "text": question.options[original]}
            for i, original in enumerate(view.option_order)
        ]
    elif question.type == QuestionType.JUDGE.value:
        options = JUDGE_OPTIONS
    return {
        "id": view.id,
        "type": question.type,
        "stem": question.stem,
        "options": options,
        "points": view.points,
        "blanks": question.blanks,
        "section": view.section,
    }


def _remember(cache: OrderedDict, key, value, size: int) -> None:
    with _CACHE_LOCK:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)


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

"""The near-duplicate index kept in the database (LSH band keys per question)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, tuple_

from examsvc.extensions import db
from examsvc.models import Question, QuestionBand, QuestionStatus
from question_bank import dedup

#: Questions that take part in duplicate checks: everything but rejected ones (and those an
#: import is still writing, which nothing sees).
LIVE = [
    s.value for s in QuestionStatus if s not in (QuestionStatus.REJECTED, QuestionStatus.STAGED)
]


@dataclass(frozen=True)
class Similar:
    question: Question
    score: float


def shown_to(match: Similar, user_id: int, examiner: bool) -> dict:
    """What the look-alike lookup tells one user about one match.

    Examiners and the question's own author get its number and text. Everybody else learns
    only that a look-alike exists: its status and a similarity rounded down to a tenth, too
    coarse to steer a guess towards the hidden text.
    """
    question = match.question
    own = question.contributor_id == user_id
    coarse = math.floor(match.score * 10) / 10
    if own and not examiner and question.version > 1:  # revised by an examiner: the bank's text
        return {"id": question.id, "score": coarse, "status": question.status, "own": True}
    if examiner or own:
        return {
            "id": question.id,
            "score": match.score,
            "status": question.status,
            "stem": question.stem,
            "own": question.contributor_id == user_id,
        }
    return {"score": coarse, "status": question.status, "own": False}


def comparable(stem: str, options: Sequence[str]) -> str:
    return dedup.comparable_text(stem, options)


def signature(stem: str, options: Sequence[str]) -> tuple[str, list[int]]:
    """The fingerprint and the LSH band keys of a question's content."""
    text = comparable(stem, options)
    return dedup.fingerprint(text), dedup.band_keys(dedup.minhash(dedup.shingles(text)))


def index_question(question: Question) -> None:
    """(Re)write the question's fingerprint and band keys (flush only)."""
    question.fingerprint, keys = signature(question.stem, question.options or ())
    db.session.execute(
        db.delete(QuestionBand).where(QuestionBand.question_id == question.id),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(insert(QuestionBand), band_rows(question.id, keys))


def band_rows(question_id: int, keys: list[int]) -> list[dict]:
    return [
        {"question_id": question_id, "band": band, "value": value}
        for band, value in enumerate(keys)
    ]


def live_fingerprints(fingerprints: set[str]) -> dict[str, int]:
    """Which of these fingerprints live questions already have: fingerprint → question id."""
    found: dict[str, int] = {}
    chunk = sorted(fingerprints)
    for start in range(0, len(chunk), 500):
        rows = db.session.execute(
            db.select(Question.fingerprint, Question.id).where(
                Question.fingerprint.in_(chunk[start : start + 500]), Question.status.in_(LIVE)
            )
        )
        found.update(dict(rows.all()))
    return found


def exact_duplicate(stem: str, options: Sequence[str], exclude_id: int | None = None) -> int | None:
    """The id of a live question with the same comparable text, if any."""
    query = db.select(Question.id).where(
        Question.fingerprint == dedup.fingerprint(comparable(stem, options)),
        Question.status.in_(LIVE),
    )
    if exclude_id is not None:
        query = query.where(Question.id != exclude_id)
    return db.session.scalar(query.limit(1))


def similar_questions(
    stem: str,
    options: Sequence[str],
    *,
    exclude_id: int | None = None,
    threshold: float = dedup.NEAR_DUPLICATE,
    limit: int = 5,
) -> list[Similar]:
    """Live questions near-duplicating the text, most similar first, with exact scores."""
    text = comparable(stem, options)
    keys = dedup.band_keys(dedup.minhash(dedup.shingles(text)))
    ids = set(
        db.session.scalars(
            db.select(QuestionBand.question_id).where(
                tuple_(QuestionBand.band, QuestionBand.value).in_(list(enumerate(keys)))
            )
        )
    )
    ids.discard(exclude_id)
    if not ids:
        return []
    rows = {
        q.id: q
        for q in db.session.scalars(
            db.select(Question).where(Question.id.in_(ids), Question.status.in_(LIVE))
        )
    }
    ranked = dedup.rank(
        dedup.shingle_set(text),
        ((qid, dedup.shingle_set(comparable(q.stem, q.options or ()))) for qid, q in rows.items()),
        threshold,
        limit,
    )
    return [Similar(rows[m.question_id], m.score) for m in ranked]

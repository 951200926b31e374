"""The near-duplicate index kept in the database (LSH band keys per question)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import tuple_

from examsvc.extensions import db
from examsvc.models import Question, QuestionBand, QuestionStatus
from question_bank import dedup

#: Questions that take part in duplicate checks: everything but rejected ones.
LIVE = [s.value for s in QuestionStatus if s is not QuestionStatus.REJECTED]


@dataclass(frozen=True)
class Similar:
    question: Question
    score: float


def comparable(stem: str, options: Sequence[str]) -> str:
    return dedup.comparable_text(stem, options)


def index_question(question: Question) -> None:
    """(Re)write the question's fingerprint and band keys (flush only)."""
    text = comparable(question.stem, question.options or ())
    question.fingerprint = dedup.fingerprint(text)
    db.session.execute(db.delete(QuestionBand).where(QuestionBand.question_id == question.id))
    keys = dedup.band_keys(dedup.minhash(dedup.shingles(text)))
    db.session.add_all(
        QuestionBand(question_id=question.id, band=band, value=value)
        for band, value in enumerate(keys)
    )


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
        dedup.shingles(text),
        ((qid, dedup.shingles(comparable(q.stem, q.options or ()))) for qid, q in rows.items()),
        threshold,
        limit,
    )
    return [Similar(rows[m.question_id], m.score) for m in ranked]

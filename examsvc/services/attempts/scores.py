"""Scoring a handed-in attempt: one read of its answers, one of its items, one UPDATE."""

from __future__ import annotations

from sqlalchemy import bindparam, text

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, Paper, PaperItem, QuestionVersion, utcnow
from question_bank.model import OPTION_LABELS, QuestionType
from question_bank.scoring import MultipleRule, passes, score_response, total_score

#: Every answer's points in one statement of constant text, built once. On PostgreSQL an
#: UPDATE from two arrays (prepared once per connection: a hand-in storm neither builds
#: nor parses a statement per answer); on SQLite (in-process, no round trips) one UPDATE
#: per answer through executemany.
_POINTS_FROM_ARRAYS = text(
    "UPDATE answers SET points = given.points"
    " FROM unnest(CAST(:answer_ids AS integer[]), CAST(:given_points AS double precision[]))"
    " AS given(id, points) WHERE answers.id = given.id"
)
_POINTS_ONE = (
    db.update(Answer.__table__)
    .where(Answer.__table__.c.id == bindparam("answer_id"))
    .values(points=bindparam("given_points"))
)


def _store_points(points: dict[int, float]) -> None:
    """Every answer's points (answer id → points) in one statement."""
    if not points:
        return
    with db.session.no_autoflush:  # the attempt's status goes with its score, in one UPDATE
        if db.session.get_bind().dialect.name == "postgresql":
            arrays = {"answer_ids": list(points), "given_points": list(points.values())}
            db.session.execute(_POINTS_FROM_ARRAYS, arrays)
        else:
            rows = [{"answer_id": k, "given_points": v} for k, v in points.items()]
            db.session.execute(_POINTS_ONE, rows)
    for loaded in list(db.session.identity_map.values()):  # answers a caller holds: re-read
        if isinstance(loaded, Answer) and loaded.id in points:
            db.session.expire(loaded, ["points"])


def original_labels(qtype: str, order: list[int], response: object) -> object:
    """Map display labels (after the option shuffle) back to the question's own labels."""
    if isinstance(response, str) and qtype == QuestionType.SINGLE:
        return OPTION_LABELS[order[OPTION_LABELS.index(response)]]
    if isinstance(response, list) and qtype == QuestionType.MULTIPLE:
        return sorted(OPTION_LABELS[order[OPTION_LABELS.index(r)]] for r in response)
    return response


def _domain_key(qtype: QuestionType, key: object) -> object:
    """The stored JSON key as question_bank holds it (QuestionContent.to_domain's key)."""
    if qtype is QuestionType.MULTIPLE:
        return tuple(key)
    if qtype is QuestionType.FILL:
        return tuple(tuple(k) for k in key)
    return key


def score(attempt: Attempt) -> None:
    """Score the attempt: one read for its answers, one for its items' points and keys, one
    UPDATE for every answer's points (plain columns: a hand-in storm builds no ORM object per
    answer, and the database runs one statement, not one per answer)."""
    blueprint = attempt.enrolment.sitting.blueprint
    rule = MultipleRule(blueprint.multiple_rule)
    with db.session.no_autoflush:  # the attempt's new status is written with its score
        answers = {
            item_id: (answer_id, response)
            for answer_id, item_id, response in db.session.execute(
                db.select(Answer.id, Answer.paper_item_id, Answer.response).where(
                    Answer.attempt_id == attempt.id
                )
            )
        }
        items = db.session.execute(
            db.select(PaperItem.id, PaperItem.option_order, PaperItem.points,
                      QuestionVersion.type, QuestionVersion.key)
            .join(Paper, Paper.id == PaperItem.paper_id)
            .join(QuestionVersion, db.and_(
                QuestionVersion.question_id == PaperItem.question_id,
                QuestionVersion.version == PaperItem.question_version))
            .where(Paper.enrolment_id == attempt.enrolment_id)
        ).all()  # fmt: skip
    earned: list[float] = []
    stored: dict[int, float] = {}
    pending = False
    for item_id, order, item_points, qtype, key in items:
        kind = QuestionType(qtype)
        answer_id, response = answers.get(item_id, (None, None))
        if answer_id is not None:
            response = original_labels(qtype, order, response)
        points = score_response(
            kind, _domain_key(kind, key), response, item_points, rule, blueprint.partial_share
        )
        if points is None:
            pending = True
            continue
        earned.append(points)
        if answer_id is not None:
            stored[answer_id] = points
    _store_points(stored)
    attempt.score = total_score(earned)
    attempt.max_score = total_score(points for _, _, points, _, _ in items)
    attempt.is_passed = None if pending else passes(attempt.score, blueprint.pass_mark)
    attempt.scored_at = utcnow()

"""Question submission and examiner review (the skeleton of the curation pipeline)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import TRANSITIONS, Question, QuestionStatus, Role, User, utcnow
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from question_bank.errors import InvalidQuestion
from question_bank.model import Channel, build_question


def key_to_json(key: object) -> object:
    if isinstance(key, tuple):
        return [key_to_json(k) for k in key]
    return key


def new_question(
    contributor: User, channel: str, fields: dict[str, Any], status: QuestionStatus
) -> Question:
    """Validate and add a question (flush only); exact duplicates are refused."""
    if channel not in set(Channel):
        raise BadInput(
            _("unknown channel %(channel)s", channel=repr(channel)), code="invalid_channel"
        )
    try:
        domain = build_question(**fields)
    except InvalidQuestion as exc:
        raise BadInput(str(exc), code="invalid_question", problems=exc.problems) from None
    existing = db.session.scalar(
        db.select(Question.id).where(
            Question.stem == domain.stem,
            Question.type == domain.type.value,
            Question.status.not_in([QuestionStatus.REJECTED.value]),
        )
    )
    if existing is not None:
        raise Conflict(
            _("the same question is already in the bank as #%(id)s", id=existing),
            code="duplicate",
        )
    question = Question(
        type=domain.type.value,
        area=domain.area,
        point=domain.point,
        difficulty=domain.difficulty,
        stem=domain.stem,
        options=list(domain.options),
        key=key_to_json(domain.key),
        explanation=domain.explanation,
        source=domain.source,
        channel=channel,
        status=status.value,
        contributor_id=contributor.id,
    )
    db.session.add(question)
    db.session.flush()
    return question


def submit_question(contributor: User, channel: str, fields: dict[str, Any]) -> Question:
    """A contributor submits a question; it waits for an examiner."""
    question = new_question(contributor, channel, fields, QuestionStatus.SUBMITTED)
    audit.record(contributor, "question.submitted", question, type=question.type, channel=channel)
    db.session.commit()
    return question


def _transition(question: Question, target: QuestionStatus) -> None:
    current = QuestionStatus(question.status)
    if target not in TRANSITIONS[current]:
        raise Conflict(
            _(
                "a question that is %(current)s cannot become %(target)s",
                current=current.value,
                target=target.value,
            ),
            code="invalid_transition",
        )
    question.status = target.value


def _reviewable(examiner: User, question_id: int) -> Question:
    if not examiner.has_role(Role.EXAMINER):
        raise Forbidden(_("only examiners review questions"))
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("no such question"))
    if question.contributor_id == examiner.id:
        raise Forbidden(_("nobody reviews their own question"), code="own_question")
    return question


def review(examiner: User, question_id: int, decision: str, reason: str = "") -> Question:
    """Approve, return (for editing) or reject a submitted question."""
    targets = {
        "approve": QuestionStatus.APPROVED,
        "return": QuestionStatus.RETURNED,
        "reject": QuestionStatus.REJECTED,
    }
    if decision not in targets:
        raise BadInput(_("unknown decision %(decision)s", decision=repr(decision)))
    reason = reason.strip()
    if decision != "approve" and not reason:
        raise BadInput(
            _("a reason is required to return or reject a question"), code="reason_required"
        )
    question = _reviewable(examiner, question_id)
    _transition(question, targets[decision])
    question.reviewer_id = examiner.id
    question.reviewed_at = utcnow()
    audit.record(examiner, f"question.{targets[decision].value}", question, reason=reason)
    db.session.commit()
    return question


def review_queue(limit: int = 200) -> list[Question]:
    """Submitted questions, oldest first."""
    query = (
        db.select(Question)
        .where(
            Question.status.in_([QuestionStatus.SUBMITTED.value, QuestionStatus.IN_REVIEW.value])
        )
        .order_by(Question.created_at, Question.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def submissions_of(user: User) -> list[Question]:
    query = (
        db.select(Question).where(Question.contributor_id == user.id).order_by(Question.id.desc())
    )
    return list(db.session.scalars(query))


def get_for_review(examiner: User, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("no such question"))
    return question


def approved_counts() -> dict[tuple[str, str], int]:
    """Approved questions per (area, type)."""
    rows = db.session.execute(
        db.select(Question.area, Question.type, db.func.count())
        .where(Question.status == QuestionStatus.APPROVED.value)
        .group_by(Question.area, Question.type)
    )
    return {(area, qtype): n for area, qtype, n in rows}

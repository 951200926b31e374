"""Examiner curation: decisions with reasons, the comment thread, retiring."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import TRANSITIONS, Question, QuestionStatus, ReviewComment, Role, User, utcnow
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from question_bank.model import CERTIFICATION_EXAMS

DECISIONS = ("approve", "return", "reject", "duplicate")
AUDIT_ACTIONS = {
    "approve": "question.approved",
    "first_approval": "question.first_approval",
    "return": "question.returned",
    "reject": "question.rejected",
    "duplicate": "question.marked_duplicate",
}


def transition(question: Question, target: QuestionStatus) -> None:
    """Move a question along the one table of allowed review transitions."""
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


def needs_second_approval(question: Question) -> bool:
    """With the setting on, questions serving certification exams need two examiners."""
    return second_approval_for(question.exams)


def second_approval_for(exams: frozenset[str]) -> bool:
    """Whether a question serving these exams needs a second examiner's approval."""
    return bool(current_app.config["REVIEW_SECOND_APPROVAL"]) and bool(exams & CERTIFICATION_EXAMS)


def _reviewable(examiner: User, question_id: int) -> Question:
    if not examiner.has_role(Role.EXAMINER):
        raise Forbidden(_("only examiners review questions"))
    question = db.session.get(Question, question_id)
    if question is None or question.status == QuestionStatus.STAGED:
        raise NotFound(_("no such question"))
    if question.contributor_id == examiner.id:
        raise Forbidden(_("nobody reviews their own question"), code="own_question")
    return question


def review(
    examiner: User,
    question_id: int,
    decision: str,
    reason: str = "",
    duplicate_of: int | None = None,
) -> Question:
    """Approve, return for editing, reject, or mark as a duplicate of an existing question."""
    if decision not in DECISIONS:
        raise BadInput(_("unknown decision %(decision)s", decision=repr(decision)))
    reason = reason.strip()
    if decision in ("return", "reject") and not reason:
        raise BadInput(
            _("a reason is required to return or reject a question"), code="reason_required"
        )
    question = _reviewable(examiner, question_id)
    kind = decision
    if decision == "approve":
        kind = _approve(examiner, question)
    elif decision == "duplicate":
        original = _duplicate_target(question, duplicate_of)
        transition(question, QuestionStatus.REJECTED)
        question.duplicate_of_id = original.id
        reason = reason or _("duplicate of question #%(id)s", id=original.id)
    else:
        transition(
            question, QuestionStatus.RETURNED if decision == "return" else QuestionStatus.REJECTED
        )
    if kind != "first_approval":
        question.reviewer_id, question.reviewed_at = examiner.id, utcnow()
    db.session.add(
        ReviewComment(question_id=question.id, author_id=examiner.id, kind=kind, body=reason)
    )
    audit.record(
        examiner,
        AUDIT_ACTIONS[kind],
        question,
        reason=reason,
        duplicate_of=question.duplicate_of_id,
    )
    db.session.commit()
    return question


def _approve(examiner: User, question: Question) -> str:
    if question.status == QuestionStatus.APPROVED or not needs_second_approval(question):
        # (approving an approved question is refused here, not sent back to review)
        transition(question, QuestionStatus.APPROVED)
        return "approve"
    if question.first_approver_id is None:
        transition(question, QuestionStatus.IN_REVIEW)
        question.first_approver_id = examiner.id
        return "first_approval"
    if question.first_approver_id == examiner.id:
        raise Conflict(
            _("the second approval must come from another examiner"), code="same_approver"
        )
    transition(question, QuestionStatus.APPROVED)
    return "approve"


def _duplicate_target(question: Question, duplicate_of: int | None) -> Question:
    original = db.session.get(Question, duplicate_of) if duplicate_of else None
    hidden = (QuestionStatus.REJECTED, QuestionStatus.STAGED)
    if original is None or original.id == question.id or original.status in hidden:
        raise BadInput(
            _("name the existing question this one duplicates"), code="invalid_duplicate"
        )
    return original


def comment(user: User, question_id: int, body: str) -> ReviewComment:
    """Add to a question's thread: its contributor or an examiner."""
    question = db.session.get(Question, question_id)
    if (
        question is None
        or question.status == QuestionStatus.STAGED
        or (question.contributor_id != user.id and not user.has_role(Role.EXAMINER))
    ):
        raise NotFound(_("no such question"))
    body = body.strip()
    if not body or len(body) > 2000:
        raise BadInput(_("a comment needs 1 to 2000 characters"), code="invalid_comment")
    entry = ReviewComment(question_id=question.id, author_id=user.id, kind="comment", body=body)
    db.session.add(entry)
    audit.record(user, "question.commented", question)
    db.session.commit()
    return entry


def retire(examiner: User, question_id: int, reason: str) -> Question:
    """Take an approved question out of the bank for good; its history stays."""
    if not examiner.has_role(Role.EXAMINER):
        raise Forbidden(_("only examiners review questions"))
    question = db.session.get(Question, question_id)
    if question is None or question.status == QuestionStatus.STAGED:
        raise NotFound(_("no such question"))
    if not reason.strip():
        raise BadInput(_("a reason is required to retire a question"), code="reason_required")
    transition(question, QuestionStatus.RETIRED)
    db.session.add(
        ReviewComment(
            question_id=question.id, author_id=examiner.id, kind="retire", body=reason.strip()
        )
    )
    audit.record(examiner, "question.retired", question, reason=reason.strip())
    db.session.commit()
    return question


def set_institution(admin: User, user_id: int, verified: bool) -> User:
    """An admin verifies (or unverifies) a contributor as a professional institution."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("no such user"))
    user.is_institution = verified
    audit.record(
        admin, "user.institution_verified" if verified else "user.institution_revoked", user
    )
    db.session.commit()
    return user

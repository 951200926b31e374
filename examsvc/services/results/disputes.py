"""Appeals (复核) and objections (异议) during the public notice, and their resolution."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import (
    OPEN_DISPUTE_STATES,
    Answer,
    Attempt,
    AttemptStatus,
    Dispute,
    DisputeKind,
    DisputeState,
    Enrolment,
    PaperItem,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict, NotFound

REASON_MIN, REASON_MAX = 4, 1000
#: Open objections one person may have against one sitting at a time.
OBJECTIONS_PER_PERSON = 10
#: Called with (attempt, dispute) when an admin sends an attempt back for marking; the
#: marking area registers its queue here.
REMARK_HOOKS: list[Callable[[Attempt, Dispute], None]] = []


def open_disputes(sitting_id: int) -> int:
    """How many appeals and objections of the sitting are still open."""
    return db.session.scalar(
        db.select(db.func.count(Dispute.id)).where(
            Dispute.sitting_id == sitting_id, Dispute.state.in_(OPEN_DISPUTE_STATES)
        )
    )


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise BadInput(
            _("Give a reason of %(low)s to %(high)s characters.", low=REASON_MIN, high=REASON_MAX),
            code="reason",
        )
    return text


def _check_window(sitting: Sitting, today: date | None) -> None:
    from examsvc.services.results import notice_is_running

    if sitting.results_published_at is None:
        raise Conflict(_("the results are not published yet"), code="not_published")
    if not notice_is_running(sitting, today):
        raise Conflict(_("the public notice has ended"), code="notice_ended")


def lodge_appeal(user: User, attempt_id: int, reason: str, today: date | None = None) -> Dispute:
    """The candidate asks for a re-check of their own published result."""
    attempt = db.session.scalar(
        db.select(Attempt).join(Enrolment).where(Attempt.id == attempt_id,
                                                 Enrolment.user_id == user.id)
    )  # fmt: skip
    if attempt is None or attempt.status != AttemptStatus.SUBMITTED:
        raise NotFound(_("no such attempt"))
    if db.session.scalar(
        db.select(Dispute.id).where(Dispute.attempt_id == attempt.id,
                                    Dispute.kind == DisputeKind.APPEAL.value)
    ):  # fmt: skip
        raise Conflict(_("A result is checked again once; you have asked already."),
                       code="already_appealed")  # fmt: skip
    return _lodge(user, DisputeKind.APPEAL, attempt, reason, today)


def lodge_objection(
    user: User, sitting_id: int, attempt_id: int, reason: str, today: date | None = None
) -> Dispute:
    """Anyone logged in objects to a result listed on the sitting's public notice."""
    attempt = db.session.scalar(
        db.select(Attempt).join(Enrolment).where(Attempt.id == attempt_id,
                                                 Enrolment.sitting_id == sitting_id)
    )  # fmt: skip
    if attempt is None or attempt.status != AttemptStatus.SUBMITTED:
        raise NotFound(_("no such result on this notice"))
    mine = db.session.scalar(
        db.select(db.func.count(Dispute.id)).where(
            Dispute.sitting_id == sitting_id, Dispute.raised_by_id == user.id,
            Dispute.kind == DisputeKind.OBJECTION.value, Dispute.state.in_(OPEN_DISPUTE_STATES),
        )
    )  # fmt: skip
    if mine >= OBJECTIONS_PER_PERSON:
        raise Conflict(
            _("You have %(n)s open objections on this notice; wait for their outcome.",
              n=mine),
            code="too_many_objections",
        )  # fmt: skip
    return _lodge(user, DisputeKind.OBJECTION, attempt, reason, today)


def _lodge(
    user: User, kind: DisputeKind, attempt: Attempt, reason: str, today: date | None
) -> Dispute:
    text = _reason(reason)
    sitting = attempt.enrolment.sitting
    _check_window(sitting, today)
    duplicate = db.session.scalar(
        db.select(Dispute.id).where(
            Dispute.attempt_id == attempt.id, Dispute.raised_by_id == user.id,
            Dispute.kind == kind.value, Dispute.state.in_(OPEN_DISPUTE_STATES),
        )
    )  # fmt: skip
    if duplicate:
        raise Conflict(_("You raised this already; it is still open."), code="already_open")
    dispute = Dispute(
        kind=kind.value, sitting_id=sitting.id, attempt_id=attempt.id, raised_by=user,
        reason=text, state=DisputeState.OPEN.value,
    )  # fmt: skip
    db.session.add(dispute)
    audit.record(user, f"dispute.{kind.value}_lodged", dispute, sitting=sitting.id, reason=text)
    db.session.commit()
    return dispute


def sitting_disputes(sitting_id: int) -> list[Dispute]:
    """The sitting's appeals and objections, open ones first."""
    return list(
        db.session.scalars(
            db.select(Dispute)
            .where(Dispute.sitting_id == sitting_id)
            .order_by(Dispute.state.in_(OPEN_DISPUTE_STATES).desc(), Dispute.id)
        )
    )


def raised_by(user: User) -> list[Dispute]:
    """What ``user`` raised, newest first, with the outcome once resolved."""
    return list(
        db.session.scalars(
            db.select(Dispute).where(Dispute.raised_by_id == user.id).order_by(Dispute.id.desc())
        )
    )


def appeals_of_attempt(user: User, attempt_id: int) -> list[Dispute]:
    return list(
        db.session.scalars(
            db.select(Dispute)
            .where(Dispute.attempt_id == attempt_id, Dispute.raised_by_id == user.id)
            .order_by(Dispute.id)
        )
    )


def get(dispute_id: int) -> Dispute:
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound(_("no such appeal or objection"))
    return dispute


def _locked(dispute_id: int) -> Dispute:
    dispute = db.session.scalar(
        db.select(Dispute).where(Dispute.id == dispute_id).with_for_update(of=Dispute)
    )
    if dispute is None:
        raise NotFound(_("no such appeal or objection"))
    return dispute


def _move(dispute: Dispute, state: DisputeState) -> None:
    try:
        dispute.move_to(state)
    except ValueError:
        raise Conflict(_("This has been resolved already."), code="resolved") from None


def send_back(admin: User, dispute_id: int, note: str = "") -> Dispute:
    """Send the attempt back for marking (re-mark); the dispute stays open until decided."""
    dispute = _locked(dispute_id)
    _move(dispute, DisputeState.REMARKING)
    dispute.outcome = note.strip()[:REASON_MAX]
    dispute.score_before = dispute.attempt.score  # what the raiser saw, before the re-mark
    from examsvc.services import marking  # imports results: import when used

    # The attempt's 简答 marks are voided and marked again; an attempt without any answer
    # to mark is refused (nothing a re-mark could change: correct or reject it instead).
    marking.reopen(dispute.attempt_id, dispute.outcome or dispute.reason, actor=admin)
    for hook in REMARK_HOOKS:
        hook(dispute.attempt, dispute)
    audit.record(admin, "dispute.sent_back", dispute, attempt=dispute.attempt_id, note=note)
    db.session.commit()
    return dispute


def reject(admin: User, dispute_id: int, outcome: str) -> Dispute:
    """Close the dispute leaving the result as it is, with the reason shown to the raiser."""
    dispute = _locked(dispute_id)
    text = _reason(outcome)
    _refuse_while_remarking(dispute)
    remarked = dispute.state == DisputeState.REMARKING
    _move(dispute, DisputeState.REJECTED)
    if remarked:  # the re-mark's result stands: show the raiser what it changed
        dispute.score_after = dispute.attempt.score
    _close(admin, dispute, text)
    audit.record(admin, "dispute.rejected", dispute, attempt=dispute.attempt_id, reason=text)
    db.session.commit()
    return dispute


def correct(
    admin: User, dispute_id: int, paper_item_id: int, points: float, outcome: str
) -> Dispute:
    """Give one item of the attempt new points; the total and the pass are recomputed."""
    dispute = _locked(dispute_id)
    text = _reason(outcome)
    _refuse_while_remarking(dispute)
    attempt = dispute.attempt
    item = db.session.get(PaperItem, paper_item_id)
    if item is None or item.paper_id != attempt.enrolment.paper.id:
        raise BadInput(_("That item is not on this candidate's paper."), code="unknown_item")
    if not 0 <= points <= item.points:
        raise BadInput(
            _("Points must be between 0 and %(max)s.", max=f"{item.points:g}"), code="points"
        )
    _move(dispute, DisputeState.CORRECTED)
    answer = db.session.scalar(
        db.select(Answer).where(Answer.attempt_id == attempt.id, Answer.paper_item_id == item.id)
    )
    if answer is None:  # nothing was answered: the correction is the only record of the item
        answer = Answer(attempt_id=attempt.id, paper_item_id=item.id, response=None, seq=0)
        db.session.add(answer)
    before = {"points": answer.points, "score": attempt.score, "passed": attempt.is_passed}
    answer.points, answer.is_corrected = points, True  # kept when the attempt is scored again
    db.session.flush()
    from examsvc.services import marking  # imports results: import when used

    marking.finish_attempts(attempt.enrolment.sitting, [attempt.id])  # total, pass, areas
    if dispute.score_before is None:  # a re-marked dispute keeps the score before re-marking
        dispute.score_before = before["score"]
    dispute.score_after = attempt.score
    _close(admin, dispute, text)
    audit.record(
        admin, "dispute.corrected", dispute, attempt=attempt.id, item=item.position + 1,
        points_before=before["points"], points=points, score_before=before["score"],
        score=attempt.score, passed_before=before["passed"], passed=attempt.is_passed,
        reason=text,
    )  # fmt: skip
    db.session.commit()
    return dispute


def _refuse_while_remarking(dispute: Dispute) -> None:
    """A dispute is decided once the answers of its attempt sent back for re-marking (by it
    or another dispute) are marked again: deciding earlier closes it on a result not yet
    known, and lets certificates go out."""
    from examsvc.services import marking  # imports results: import when used

    if marking.waiting_answers(dispute.attempt_id):
        raise Conflict(
            _("The answers sent back are not marked again yet; decide once they are."),
            code="remarking",
        )


def _close(admin: User, dispute: Dispute, outcome: str) -> None:
    dispute.outcome = outcome
    dispute.resolved_by_id = admin.id
    dispute.resolved_at = utcnow()

"""Marks: an examiner's points per rubric criterion, settling an answer once its marks are
complete (scoring the attempt), publication's check, and re-opening after an appeal."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, Mark, MarkingPlan, Sitting, User
from examsvc.services import audit, scoring
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.marking.plan import plan_of
from examsvc.services.marking.queue import apart, blind_answer, next_round, short_answers


def parse_criteria(values: list[str], rubric: list, points: float) -> tuple[list[float], float]:
    """Points per criterion (each 0 to the criterion's points, to the hundredth); their sum
    capped at the item's points."""
    if len(values) != len(rubric):
        raise BadInput(_("give points for every criterion of the rubric"), code="criteria_missing")
    given = []
    for (criterion, most), raw in zip(rubric, values, strict=True):
        try:
            value = Decimal(str(raw).strip().replace("，", ".").replace(",", "."))
        except InvalidOperation:
            raise BadInput(
                _("“%(c)s”: write the points as a number", c=criterion), code="criteria_number"
            ) from None
        if (
            not value.is_finite()
            or value < 0
            or value > Decimal(str(most))
            or value != value.quantize(Decimal("0.01"))
        ):
            raise BadInput(
                _(
                    "“%(c)s”: 0 to %(most)s points, to the hundredth",
                    c=criterion,
                    most=f"{float(most):g}",
                ),
                code="criteria_range",
            )
        given.append(value)
    total = min(sum(given, Decimal(0)), Decimal(str(points)))
    return [float(v) for v in given], float(total)


def give_mark(
    marker: User,
    answer_id: int,
    values: list[str],
    comment: str = "",
    *,
    expected_round: int | None = None,
) -> Mark:
    """Record the examiner's mark; settle the answer, and the attempt, when it is complete.

    ``expected_round``: the round the marking page showed. When another examiner's mark came
    in meanwhile the answer waits for another round (a blind second mark would otherwise
    become the third, reconciling one, given without seeing the two before): refused."""
    blind = blind_answer(marker, answer_id)
    if expected_round is not None and expected_round != blind.round:
        raise Conflict(
            _("another examiner marked this answer meanwhile; it is shown as it is now"),
            code="marked_meanwhile",
        )
    criteria, total = parse_criteria(values, blind.question.rubric or [], blind.points)
    mark = Mark(
        answer_id=answer_id,
        marker_id=marker.id,
        round=blind.round,
        criteria=criteria,
        points=total,
        comment=comment.strip()[:2000],
    )
    db.session.add(mark)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            _("another examiner marked this answer a moment ago"), code="marked_meanwhile"
        ) from None
    audit.record(marker, "marking.marked", mark, answer=answer_id, round=blind.round, points=total)
    _settle(blind.sitting, answer_id)
    db.session.commit()
    return mark


def settled_points(marks: dict[int, Mark], plan: MarkingPlan) -> float | None:
    """The answer's final points from its marks, or None while it waits for one."""
    if 3 in marks:
        return marks[3].points
    if 1 not in marks:
        return None
    if not plan.is_double:
        return marks[1].points
    if 2 not in marks or apart(marks[1].points, marks[2].points, plan.tolerance):
        return None
    mean = (Decimal(str(marks[1].points)) + Decimal(str(marks[2].points))) / 2
    return float(mean.quantize(Decimal("0.01"), rounding=ROUND_FLOOR))


def _settle(sitting: Sitting, answer_id: int) -> None:
    """Set the answer's final points when its marks are complete; score a finished attempt."""
    answer = db.session.get(Answer, answer_id)
    marks = {
        m.round: m
        for m in db.session.scalars(
            db.select(Mark).where(Mark.answer_id == answer_id, Mark.void_key == 0)
        )
    }
    final = settled_points(marks, plan_of(sitting.id))
    if final is None or answer is None:
        return
    answer.points = final
    db.session.flush()
    finish_attempts(sitting, [answer.attempt_id])


def finish_attempts(sitting: Sitting, attempt_ids: list[int]) -> None:
    """Score these attempts again and reload them (flush only): a result once every subjective
    answer is settled, None while one waits."""
    scores = scoring.score_attempts(sitting, attempt_ids)
    if scores is not None:
        for attempt_id in attempt_ids:
            attempt = db.session.get(Attempt, attempt_id)
            if attempt is not None:
                db.session.refresh(attempt)


def unmarked_attempts(sitting_id: int) -> int:
    """Handed-in attempts of the sitting with a subjective answer still waiting for a mark."""
    plan = plan_of(sitting_id)
    return len({s.attempt_id for s in short_answers(sitting_id) if next_round(s, plan) is not None})


def waiting_answers(attempt_id: int) -> int:
    """How many subjective answers of the attempt wait for a mark."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        return 0
    sitting_id = attempt.enrolment.sitting_id
    plan = plan_of(sitting_id)
    return sum(
        1
        for s in short_answers(sitting_id)
        if s.attempt_id == attempt_id and next_round(s, plan) is not None
    )


def settle(sitting_id: int) -> int:
    """Score every handed-in attempt of the sitting (attempts whose subjective answers were
    all left blank get their result here) and return how many still wait for a mark: what
    publication checks (0 means every result is known)."""
    scoring.score_sitting(sitting_id)
    return unmarked_attempts(sitting_id)


def reopen(attempt_id: int, reason: str, actor: User | None = None) -> Attempt:
    """Void the marks of an attempt's subjective answers so they are marked again (a re-mark
    after an appeal); the result waits for the new marks. The caller commits."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound(_("no such attempt"))
    if not reason.strip():
        raise BadInput(_("say why the answers are marked again"), code="reason_required")
    answer_ids = [
        s.answer_id
        for s in short_answers(attempt.enrolment.sitting_id)
        if s.attempt_id == attempt_id
    ]
    if not answer_ids:
        raise Conflict(_("this attempt has no answer to mark"), code="nothing_to_mark")
    for mark in db.session.scalars(
        db.select(Mark).where(Mark.answer_id.in_(answer_ids), Mark.void_key == 0)
    ):
        mark.void_key = mark.id
    db.session.execute(
        # A correction an admin made to these answers gives way to the new marks.
        db.update(Answer).where(Answer.id.in_(answer_ids)).values(points=None, is_corrected=False),
        execution_options={"synchronize_session": False},
    )
    attempt.is_passed = None
    audit.record(actor, "marking.reopened", attempt, reason=reason.strip(), answers=len(answer_ids))
    db.session.flush()
    return attempt

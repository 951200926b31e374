"""Which subjective answers wait for a mark, in each examiner's own order, and the answer
as its marker sees it: the question, its rubric and the text, never who wrote it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Enrolment,
    Mark,
    MarkingPlan,
    PaperItem,
    QuestionVersion,
    Role,
    Sitting,
    User,
)
from examsvc.services.errors import Forbidden, NotFound
from examsvc.services.marking.plan import plan_of
from examsvc.services.scoring import get_sitting
from question_bank.model import QuestionType


@dataclass
class AnswerState:
    """One subjective answer of a sitting and the marks that count."""

    answer_id: int
    attempt_id: int
    question_id: int
    position: int
    points: float  #: the item's points on the paper
    organisation_id: int | None
    settled: float | None
    marks: list[Mark] = field(default_factory=list)

    def rounds(self) -> dict[int, Mark]:
        return {m.round: m for m in self.marks}


def short_answers(sitting_id: int) -> list[AnswerState]:
    """Every non-empty subjective answer of the sitting's handed-in attempts, with its marks."""
    rows = db.session.execute(
        db.select(
            Answer.id,
            Answer.attempt_id,
            PaperItem.question_id,
            PaperItem.position,
            PaperItem.points,
            User.organisation_id,
            Answer.points,
            Answer.response,
        )
        .join(PaperItem, PaperItem.id == Answer.paper_item_id)
        .join(
            QuestionVersion,
            db.and_(
                QuestionVersion.question_id == PaperItem.question_id,
                QuestionVersion.version == PaperItem.question_version,
            ),
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.sitting_id == sitting_id,
            QuestionVersion.type == QuestionType.SHORT.value,
            Attempt.status == AttemptStatus.SUBMITTED.value,
        )
        .order_by(Answer.id)
    ).all()
    states = {
        r[0]: AnswerState(r[0], r[1], r[2], r[3], float(r[4]), r[5], r[6])
        for r in rows
        if r[7] is not None and str(r[7]).strip()
    }
    if states:
        for mark in db.session.scalars(
            db.select(Mark)
            .join(Answer, Answer.id == Mark.answer_id)
            .join(Attempt, Attempt.id == Answer.attempt_id)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .where(Enrolment.sitting_id == sitting_id, Mark.void_key == 0)
            .order_by(Mark.id)
        ):
            if mark.answer_id in states:
                states[mark.answer_id].marks.append(mark)
    return list(states.values())


def next_round(state: AnswerState, plan: MarkingPlan) -> int | None:
    """The round this answer waits for: 1, 2 or 3 (reconciliation); None when settled."""
    rounds = state.rounds()
    if 3 in rounds:
        return None
    if 1 not in rounds:
        return 1
    if not plan.is_double:
        return None
    if 2 not in rounds:
        return 2
    return 3 if apart(rounds[1].points, rounds[2].points, plan.tolerance) else None


def apart(a: float, b: float, tolerance: float) -> bool:
    return abs(Decimal(str(a)) - Decimal(str(b))) > Decimal(str(tolerance))


def _order_key(marker_id: int, answer_id: int, seed: int) -> bytes:
    return hashlib.sha256(f"{seed}:{marker_id}:{answer_id}".encode()).digest()


def may_mark(marker: User, state: AnswerState, plan: MarkingPlan) -> bool:
    if any(m.marker_id == marker.id for m in state.marks):
        return False  # every mark of an answer comes from another examiner
    own = marker.organisation_id is not None and marker.organisation_id == state.organisation_id
    return not (plan.exclude_own_org and own)


def require_marker(marker: User) -> None:
    if not marker.has_role(Role.EXAMINER):
        raise Forbidden(_("only examiners mark answers"))


def next_answer(marker: User, sitting_id: int, question_id: int | None = None) -> int | None:
    """The next answer this examiner should mark (their own stable random order), or None."""
    require_marker(marker)
    sitting = get_sitting(sitting_id)
    plan = plan_of(sitting.id)
    waiting = [
        s
        for s in short_answers(sitting.id)
        if (question_id is None or s.question_id == question_id)
        and next_round(s, plan) is not None
        and may_mark(marker, s, plan)
    ]
    if not waiting:
        return None
    # Reconciliations first: they hold a result back the longest.
    waiting.sort(
        key=lambda s: (next_round(s, plan) != 3, _order_key(marker.id, s.answer_id, sitting.seed))
    )
    return waiting[0].answer_id


@dataclass
class BlindAnswer:
    """What the marker sees: the question, its rubric, the answer text; never who wrote it."""

    answer_id: int
    sitting: Sitting
    question: QuestionVersion
    points: float
    text: str
    round: int
    earlier: list[Mark]  #: shown to the reconciler only
    left: int = 1  #: answers of the sitting waiting for this marker, this one included

    def earlier_by_criterion(self) -> list[tuple[str, list[float]]]:
        """For the reconciler: each criterion of the rubric with the earlier marks' points."""
        rubric = self.question.rubric or []
        return [
            (criterion, [m.criteria[i] if i < len(m.criteria) else 0.0 for m in self.earlier])
            for i, (criterion, _most) in enumerate(rubric)
        ]


def blind_answer(marker: User, answer_id: int) -> BlindAnswer:
    """The answer as its marker sees it; NotFound when it is not theirs to mark now."""
    require_marker(marker)
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        raise NotFound(_("no such answer"))
    item = db.session.get(PaperItem, answer.paper_item_id)
    sitting = answer.attempt.enrolment.sitting
    plan = plan_of(sitting.id)
    waiting = [
        s
        for s in short_answers(sitting.id)
        if next_round(s, plan) is not None and may_mark(marker, s, plan)
    ]
    state = next((s for s in waiting if s.answer_id == answer_id), None)
    due = next_round(state, plan) if state is not None else None
    if state is None or due is None or item is None:
        raise NotFound(_("this answer is not waiting for your mark"), code="not_yours")
    return BlindAnswer(
        answer.id,
        sitting,
        item.content,
        item.points,
        str(answer.response),
        due,
        state.marks if due == 3 else [],
        len(waiting),
    )

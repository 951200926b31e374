"""Marking 简答 blind, against the rubric, singly or doubly with reconciliation.

An examiner sees an answer without the candidate's name, organisation or admission number,
in an order of their own (random, stable: a hash of the marker and the answer). With double
marking two examiners mark each answer independently; marks within the sitting's tolerance
count as their mean (cut once to the hundredth, like every score), marks further apart go
to a third examiner, whose mark is final. When the last subjective answer of an attempt is
settled, the attempt's total and pass are computed (services/scoring.py); until then its
``is_passed`` stays None, which publication checks.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

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
    utcnow,
)
from examsvc.services import audit, scoring
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from question_bank.model import QuestionType

#: Most points a tolerance may allow.
MAX_TOLERANCE = 100.0


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


def plan_of(sitting_id: int) -> MarkingPlan:
    """The sitting's marking plan; the defaults (single marking) when none was saved."""
    plan = db.session.get(MarkingPlan, sitting_id)
    return (
        plan
        if plan is not None
        else MarkingPlan(
            sitting_id=sitting_id, is_double=False, tolerance=2.0, exclude_own_org=False
        )
    )


def save_plan(
    admin: User, sitting_id: int, *, is_double: bool, tolerance: float, exclude_own_org: bool
) -> MarkingPlan:
    """Set how the sitting is marked; the plan is fixed once its first mark is given."""
    sitting = _sitting(sitting_id)
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise BadInput(_("the tolerance must be 0 to 100 points"), code="invalid_tolerance")
    if _marks_query(sitting.id).limit(1).first() is not None:
        raise Conflict(
            _("marking has started: the plan can no longer change"), code="marking_started"
        )
    plan = db.session.get(MarkingPlan, sitting.id) or MarkingPlan(sitting_id=sitting.id)
    plan.is_double, plan.tolerance, plan.exclude_own_org = is_double, tolerance, exclude_own_org
    plan.updated_at = utcnow()
    db.session.add(plan)
    audit.record(
        admin,
        "marking.plan_saved",
        sitting,
        is_double=is_double,
        tolerance=tolerance,
        exclude_own_org=exclude_own_org,
    )
    db.session.commit()
    return plan


def _sitting(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    return sitting


def _marks_query(sitting_id: int):
    return (
        db.session.query(Mark.id)
        .join(Answer, Answer.id == Mark.answer_id)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .filter(Enrolment.sitting_id == sitting_id, Mark.void_key == 0)
    )


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
    return 3 if _apart(rounds[1].points, rounds[2].points, plan.tolerance) else None


def _apart(a: float, b: float, tolerance: float) -> bool:
    return abs(Decimal(str(a)) - Decimal(str(b))) > Decimal(str(tolerance))


def _order_key(marker_id: int, answer_id: int, seed: int) -> bytes:
    return hashlib.sha256(f"{seed}:{marker_id}:{answer_id}".encode()).digest()


def _may_mark(marker: User, state: AnswerState, plan: MarkingPlan) -> bool:
    if any(m.marker_id == marker.id for m in state.marks):
        return False  # every mark of an answer comes from another examiner
    own = marker.organisation_id is not None and marker.organisation_id == state.organisation_id
    return not (plan.exclude_own_org and own)


def _require_marker(marker: User) -> None:
    if not marker.has_role(Role.EXAMINER):
        raise Forbidden(_("only examiners mark answers"))


def next_answer(marker: User, sitting_id: int, question_id: int | None = None) -> int | None:
    """The next answer this examiner should mark (their own stable random order), or None."""
    _require_marker(marker)
    sitting = _sitting(sitting_id)
    plan = plan_of(sitting.id)
    waiting = [
        s
        for s in short_answers(sitting.id)
        if (question_id is None or s.question_id == question_id)
        and next_round(s, plan) is not None
        and _may_mark(marker, s, plan)
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


def blind_answer(marker: User, answer_id: int) -> BlindAnswer:
    """The answer as its marker sees it; NotFound when it is not theirs to mark now."""
    _require_marker(marker)
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        raise NotFound(_("no such answer"))
    item = db.session.get(PaperItem, answer.paper_item_id)
    sitting = answer.attempt.enrolment.sitting
    state = next((s for s in short_answers(sitting.id) if s.answer_id == answer_id), None)
    plan = plan_of(sitting.id)
    due = next_round(state, plan) if state is not None else None
    if state is None or due is None or not _may_mark(marker, state, plan):
        raise NotFound(_("this answer is not waiting for your mark"), code="not_yours")
    return BlindAnswer(
        answer.id,
        sitting,
        item.content,
        item.points,
        str(answer.response),
        due,
        state.marks if due == 3 else [],
    )


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


def give_mark(marker: User, answer_id: int, values: list[str], comment: str = "") -> Mark:
    """Record the examiner's mark; settle the answer, and the attempt, when it is complete."""
    blind = blind_answer(marker, answer_id)
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
    if 2 not in marks or _apart(marks[1].points, marks[2].points, plan.tolerance):
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
    if final is None:
        return
    answer.points = final
    db.session.flush()
    finish_attempts(sitting, [answer.attempt_id])


def finish_attempts(sitting: Sitting, attempt_ids: list[int]) -> None:
    """Score the attempts whose subjective answers are all settled (flush only)."""
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
        db.update(Answer).where(Answer.id.in_(answer_ids)).values(points=None),
        execution_options={"synchronize_session": False},
    )
    attempt.is_passed = None
    audit.record(actor, "marking.reopened", attempt, reason=reason.strip(), answers=len(answer_ids))
    db.session.flush()
    return attempt


# -- progress ----------------------------------------------------------------------------


@dataclass
class QuestionProgress:
    question_id: int
    stem: str
    answers: int = 0
    settled: int = 0
    second_due: int = 0
    reconcile_due: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.settled / self.answers) if self.answers else 100


@dataclass
class Progress:
    answers: int
    settled: int
    by_question: list[QuestionProgress]
    by_marker: list[tuple[User, dict[int, int]]]  #: marker, {round: marks}
    mine: dict[int, int]  #: for the one asking: waiting answers they may mark, per question
    unmarked_attempts: int

    @property
    def percent(self) -> int:
        return round(100 * self.settled / self.answers) if self.answers else 100


def progress(sitting_id: int, viewer: User | None = None) -> Progress:
    """Marking progress of the sitting per question and per marker."""
    sitting = _sitting(sitting_id)
    plan = plan_of(sitting.id)
    states = short_answers(sitting.id)
    stems = (
        dict(
            db.session.execute(
                db.select(QuestionVersion.question_id, QuestionVersion.stem).where(
                    QuestionVersion.question_id.in_({s.question_id for s in states})
                )
            ).all()
        )
        if states
        else {}
    )
    questions: dict[int, QuestionProgress] = {}
    marker_rounds: dict[int, Counter] = defaultdict(Counter)
    mine: Counter = Counter()
    open_attempts = set()
    for s in states:
        q = questions.setdefault(
            s.question_id, QuestionProgress(s.question_id, stems.get(s.question_id, ""))
        )
        q.answers += 1
        due = next_round(s, plan)
        if due is None:
            q.settled += 1
        else:
            open_attempts.add(s.attempt_id)
            q.second_due += due == 2
            q.reconcile_due += due == 3
            if viewer is not None and _may_mark(viewer, s, plan):
                mine[s.question_id] += 1
        for m in s.marks:
            marker_rounds[m.marker_id][m.round] += 1
    markers = (
        {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(marker_rounds)))}
        if marker_rounds
        else {}
    )
    return Progress(
        answers=len(states),
        settled=sum(q.settled for q in questions.values()),
        by_question=sorted(questions.values(), key=lambda q: q.question_id),
        by_marker=[(markers[m], dict(r)) for m, r in sorted(marker_rounds.items())],
        mine=dict(mine),
        unmarked_attempts=len(open_attempts),
    )


def marking_sittings(marker: User) -> list[tuple[Sitting, Progress]]:
    """Opened sittings not yet published that have subjective answers, with their progress."""
    now = utcnow()
    sittings = db.session.scalars(
        db.select(Sitting)
        .where(Sitting.results_published_at.is_(None), Sitting.opens_at <= now)
        .order_by(Sitting.closes_at.desc())
        .limit(50)
    )
    out = []
    for sitting in sittings:
        p = progress(sitting.id, marker)
        if p.answers:
            out.append((sitting, p))
    return out

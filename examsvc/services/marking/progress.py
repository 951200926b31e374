"""Marking progress of a sitting, per question and per examiner, and the sittings an
examiner has work in."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from examsvc.extensions import db
from examsvc.models import Dispute, DisputeState, QuestionVersion, Role, Sitting, User, utcnow
from examsvc.services.marking.plan import plan_of
from examsvc.services.marking.queue import may_mark, next_round, short_answers
from examsvc.services.scoring import get_sitting


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
    sitting = get_sitting(sitting_id)
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
    # Only examiners mark: an admin's page offers them nothing to mark.
    marker = viewer if viewer is not None and viewer.has_role(Role.EXAMINER) else None
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
            if marker is not None and may_mark(marker, s, plan):
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
    """Opened sittings that have subjective answers, with their progress: those not yet
    published, and published ones with an appeal or objection sent back for re-marking."""
    now = utcnow()
    remarking = db.select(Dispute.sitting_id).where(Dispute.state == DisputeState.REMARKING.value)
    sittings = db.session.scalars(
        db.select(Sitting)
        .where(
            db.or_(Sitting.results_published_at.is_(None), Sitting.id.in_(remarking)),
            Sitting.opens_at <= now,
        )
        .order_by(Sitting.closes_at.desc())
        .limit(50)
    )
    out = []
    for sitting in sittings:
        p = progress(sitting.id, marker)
        published = sitting.results_published_at is not None
        if p.answers and (not published or p.unmarked_attempts):
            out.append((sitting, p))
    return out

"""What the certificate rules need to know of people, gathered in a few queries
(question_bank.certification.Facts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func

from examsvc.extensions import db
from examsvc.i18n import to_local
from examsvc.models import (
    Attempt,
    Blueprint,
    Enrolment,
    ExamKind,
    Promotion,
    PromotionStep,
    Sitting,
    TrainingCourse,
    TrainingRecord,
    User,
)
from examsvc.services import levels
from question_bank.certification import CourseHours, Facts

#: Years of training hours read for the hours rules (no rule asks for more).
HOUR_YEARS = 10


def course_hours(user_ids: Sequence[int], blueprint_id: int) -> dict[int, tuple[CourseHours, ...]]:
    """For each person, the training courses whose test is this blueprint, with the hours the
    person has recorded on each (TrainingRecords of the course). A person with no hours still
    gets the courses (0 hours); no course at all gives every person an empty tuple."""
    courses = list(
        db.session.scalars(
            db.select(TrainingCourse)
            .where(TrainingCourse.blueprint_id == blueprint_id)
            .order_by(TrainingCourse.id)
        )
    )
    found: dict[int, tuple[CourseHours, ...]] = {i: () for i in user_ids}
    if not courses or not user_ids:
        return found
    attended: dict[tuple[int, int], float] = {}
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), levels.CHUNK):
        rows = db.session.execute(
            db.select(
                TrainingRecord.user_id,
                TrainingRecord.course_id,
                func.coalesce(func.sum(TrainingRecord.hours), 0.0),
            )
            .where(
                TrainingRecord.course_id.in_([c.id for c in courses]),
                TrainingRecord.user_id.in_(ids[start : start + levels.CHUNK]),
            )
            .group_by(TrainingRecord.user_id, TrainingRecord.course_id)
        )
        attended.update({(u, c): float(h) for u, c, h in rows})
    for user_id in user_ids:
        found[user_id] = tuple(
            CourseHours(c.name, float(c.hours), attended.get((user_id, c.id), 0.0)) for c in courses
        )
    return found


def hours_by_year(user: User, today: date) -> dict[int, float]:
    """Training hours recorded per calendar year over the years before ``today``'s."""
    first = date(today.year - HOUR_YEARS, 1, 1)
    totals: dict[int, float] = {}
    for ends_on, hours in db.session.execute(
        db.select(TrainingRecord.ends_on, TrainingRecord.hours).where(
            TrainingRecord.user_id == user.id, TrainingRecord.ends_on >= first
        )
    ):
        totals[ends_on.year] = totals.get(ends_on.year, 0.0) + float(hours or 0)
    return {year: round(hours, 1) for year, hours in totals.items()}


def _step(promotion: Promotion, step: PromotionStep):
    """The passed record of a step of the promotion, if it has one."""
    for row in promotion.steps:
        if row.step == step and row.outcome == "passed":
            return row
    return None


def training_test_on(promotion: Promotion) -> date | None:
    """The day the promotion's training test was passed (its evidence, else the decision)."""
    row = _step(promotion, PromotionStep.TRAINING_TEST)
    if row is None:
        return None
    passed_on = (row.evidence or {}).get("passed_on")
    if isinstance(passed_on, str):
        try:
            return date.fromisoformat(passed_on)
        except ValueError:
            pass
    return to_local(row.decided_at).date()


def panel(promotion: Promotion) -> tuple[str, ...]:
    """The panel that decided the promotion's comprehensive assessment (综合评定)."""
    row = _step(promotion, PromotionStep.ASSESSMENT)
    members = (row.evidence or {}).get("panel") if row is not None else None
    return tuple(str(m) for m in members) if isinstance(members, list) else ()


def for_promotion(promotion: Promotion, today: date) -> Facts:
    """What the level's rules check when the promotion completes (or would, today)."""
    user = promotion.user
    held = levels.standing(user)
    return Facts(
        today=today,
        party_member=user.is_party_member,
        level=held.level,
        level_since=held.since,
        suspended=held.suspended,
        hours_by_year=hours_by_year(user, today),
        training_test_on=training_test_on(promotion),
        panel=panel(promotion),
    )


def passed_level_attempts(user: User, level: int) -> list[tuple[Attempt, Sitting]]:
    """The person's passed attempts at the L(level) exam in published sittings, newest first."""
    return [
        (attempt, sitting)
        for attempt, sitting in db.session.execute(
            db.select(Attempt, Sitting)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .join(Sitting, Sitting.id == Enrolment.sitting_id)
            .join(Blueprint, Blueprint.id == Sitting.blueprint_id)
            .where(
                Enrolment.user_id == user.id,
                Attempt.is_passed.is_(True),
                Sitting.results_published_at.is_not(None),
                Blueprint.exam_kind == ExamKind.LEVEL.value,
                Blueprint.level == level,
            )
            .order_by(Attempt.id.desc())
        )
    ]

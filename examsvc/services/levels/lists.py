"""Level applications as pages list them: one page of those a viewer may see, how many wait
at each step, a person's applications, and what the rules would say today."""

from __future__ import annotations

from datetime import date

from examsvc.extensions import db
from examsvc.models import Certificate, ExamKind, Promotion, User
from examsvc.services import levels, scope
from examsvc.services.levels import facts, rules
from examsvc.services.levels.promotions import OPEN, STATES
from examsvc.services.queries import contains
from question_bank import certification
from question_bank import promotion as steps
from question_bank.errors import Msg


def of_person(person: User) -> list[Promotion]:
    """The person's applications, newest first."""
    return list(
        db.session.scalars(
            db.select(Promotion).where(Promotion.user_id == person.id).order_by(Promotion.id.desc())
        )
    )


def page(
    viewer: User,
    *,
    step: str | None = None,
    state: str | None = None,
    level: int | None = None,
    text: str = "",
    page_no: int = 1,
    per_page: int = 50,
):
    """One page of the applications the viewer may see, newest first."""
    query = (
        db.select(Promotion)
        .join(User, User.id == Promotion.user_id)
        .where(scope.org_condition(viewer, User.organisation_id))
        .order_by(Promotion.id.desc())
    )
    if step in steps.STEPS:
        query = query.where(Promotion.current_step == step)
    if state in STATES:
        query = query.where(Promotion.state == state)
    if level is not None and 1 <= level <= steps.TOP_LEVEL:
        query = query.where(Promotion.to_level == level)
    if text.strip():
        query = query.where(contains(User.name, text.strip()))
    return db.paginate(query, page=page_no, per_page=per_page, error_out=False)


def waiting_counts(viewer: User) -> dict[str, int]:
    """Open applications the viewer may see, per step they wait for."""
    rows = db.session.execute(
        db.select(Promotion.current_step, db.func.count(Promotion.id))
        .join(User, User.id == Promotion.user_id)
        .where(Promotion.state == OPEN, scope.org_condition(viewer, User.organisation_id))
        .group_by(Promotion.current_step)
    )
    return {step: count for step, count in rows if step}


def certificate_of(promotion: Promotion) -> Certificate | None:
    """The level certificate the approved application issued."""
    if promotion.certificate_id is None:
        return None
    return db.session.get(Certificate, promotion.certificate_id)


def preview(promotion: Promotion, today: date | None = None) -> list[Msg]:
    """What the level's rules would refuse if the application completed today."""
    today = today or levels.today_local()
    rule = rules.current(ExamKind.LEVEL.value, promotion.to_level, seed=False)
    return certification.evaluate(rule.conditions, facts.for_promotion(promotion, today))

"""The marking plan of a sitting: single or double marking, the tolerance beyond which a
third examiner reconciles, and whether examiners skip candidates of their own organisation."""

from __future__ import annotations

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, Enrolment, Mark, MarkingPlan, User, utcnow
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict
from examsvc.services.scoring import get_sitting

#: Most points a tolerance may allow.
MAX_TOLERANCE = 100.0


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
    sitting = get_sitting(sitting_id)
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise BadInput(_("the tolerance must be 0 to 100 points"), code="invalid_tolerance")
    if marks_query(sitting.id).limit(1).first() is not None:
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


def marks_query(sitting_id: int):
    return (
        db.session.query(Mark.id)
        .join(Answer, Answer.id == Mark.answer_id)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .filter(Enrolment.sitting_id == sitting_id, Mark.void_key == 0)
    )

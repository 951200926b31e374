"""What a candidate sees of their own published result: areas, sections, re-checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from examsvc.models import Attempt, AttemptStatus, Dispute, User
from examsvc.services.results import notice_ends_on, notice_is_running, reports
from examsvc.services.results.disputes import appeals_of_attempt
from examsvc.services.results.resits import chain, counted_attempt


@dataclass
class MyResult:
    breakdown: reports.Breakdown | None = None
    appeals: list[Dispute] = field(default_factory=list)
    can_appeal: bool = False
    notice_ends: date | None = None
    #: After a resit: the attempt that counts when it is not this one.
    counted: Attempt | None = None
    rule: str = ""


def my_result(user: User, attempt: Attempt) -> MyResult:
    """Only once published: points per area and section (never the items), the re-checks the
    candidate asked for, whether they may ask now, and which attempt counts after a resit."""
    sitting = attempt.enrolment.sitting
    if sitting.results_published_at is None or attempt.status != AttemptStatus.SUBMITTED:
        return MyResult()
    appeals = [d for d in appeals_of_attempt(user, attempt.id) if d.kind == "appeal"]
    counted = None
    if len(chain(sitting)) > 1:
        counted = counted_attempt(user.id, sitting)
    return MyResult(
        breakdown=reports.breakdown(attempt),
        appeals=appeals,
        can_appeal=notice_is_running(sitting) and not appeals,  # one re-check per result
        notice_ends=notice_ends_on(sitting),
        counted=counted if counted is not None and counted.id != attempt.id else None,
        rule=sitting.blueprint.resit_counts,
    )

"""The training archive (培训档案): what each person trained, and hours per calendar year.

A record's hours count in the calendar year of its ``ends_on``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func

from examsvc.extensions import db
from examsvc.models import TrainingRecord

#: Ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


@dataclass(frozen=True)
class YearTotal:
    trainings: int
    hours: float


def year_totals(user_ids: Sequence[int], year: int) -> dict[int, YearTotal]:
    """Trainings and hours recorded in ``year`` for each person; people with none are left
    out (read a missing id as ``YearTotal(0, 0.0)``)."""
    ids = sorted(set(user_ids))
    totals: dict[int, YearTotal] = {}
    first, last = date(year, 1, 1), date(year, 12, 31)
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            db.select(
                TrainingRecord.user_id,
                func.count(TrainingRecord.id),
                func.coalesce(func.sum(TrainingRecord.hours), 0.0),
            )
            .where(
                TrainingRecord.user_id.in_(ids[start : start + CHUNK]),
                TrainingRecord.ends_on.between(first, last),
            )
            .group_by(TrainingRecord.user_id)
        )
        for user_id, count, hours in rows:
            totals[user_id] = YearTotal(int(count), round(float(hours), 1))
    return totals


# The area's read side for the views and for other areas' pages (the person's archive, the
# organisation dashboard); imported last, as these modules use the totals above.
from examsvc.services.training.compliance import (  # noqa: E402
    OrgCompliance,
    YearHours,
    org_compliance,
    yearly_hours,
)
from examsvc.services.training.records import records_of  # noqa: E402

__all__ = [
    "CHUNK",
    "OrgCompliance",
    "YearHours",
    "YearTotal",
    "org_compliance",
    "records_of",
    "year_totals",
    "yearly_hours",
]

"""The training archive (培训档案): what each person trained, and hours per calendar year.

A record's hours count in the calendar year of its ``ends_on``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func

from examsvc.extensions import db
from examsvc.models import Organisation, TrainingRecord, User
from examsvc.services import orgs

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
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(year_totals_of(ids[start : start + CHUNK], year))
        totals.update(_totals(rows))
    return totals


def subtree_year_totals(org: Organisation, year: int) -> dict[int, YearTotal]:
    """``year_totals`` of everyone in ``org``'s subtree, in one grouped query."""
    people = db.select(User.id).where(User.organisation_id.in_(orgs.subtree_ids(org)))
    return _totals(db.session.execute(year_totals_of(people, year)))


def year_totals_of(people: Select | Sequence[int], year: int) -> Select:
    """The SELECT of (user_id, trainings, hours) of ``year`` for the people ``people`` names
    (ids, or a SELECT of ids), grouped by person: to join into a larger query."""
    return (
        db.select(
            TrainingRecord.user_id,
            func.count(TrainingRecord.id).label("trainings"),
            func.coalesce(func.sum(TrainingRecord.hours), 0.0).label("hours"),
        )
        .where(
            TrainingRecord.user_id.in_(people),
            TrainingRecord.ends_on.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .group_by(TrainingRecord.user_id)
    )


def _totals(rows) -> dict[int, YearTotal]:
    return {
        user_id: YearTotal(int(trainings), round(float(hours), 1))
        for user_id, trainings, hours in rows
    }


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
    "subtree_year_totals",
    "year_totals",
    "year_totals_of",
    "yearly_hours",
]

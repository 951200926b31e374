"""The archive of one person (培训档案) and an organisation's dashboard, read in one place.

A person's archive: trainings and hours per year against the minimum for their category,
exams and their published results, certificates, level history and 年检 results. An
organisation's dashboard: its people by level, who meets the year's hour minimum, and
certificates expiring soon. Read only: every figure comes from the tables the training
archive, results, certificates, levels and 年检 write.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func

from examsvc.extensions import db
from examsvc.models import (
    Attempt,
    Blueprint,
    Certificate,
    CertificateStatus,
    Enrolment,
    Inspection,
    InspectionResult,
    LevelRecord,
    Organisation,
    Sitting,
    TrainingRecord,
    User,
)
from examsvc.services import certificates, orgs
from examsvc.services.training import YearTotal, subtree_year_totals, year_totals
from question_bank import hours as hour_rules

#: Years shown on a person's archive: this one and the ones before it.
YEARS_SHOWN = 3
#: A certificate "expires soon" within this many days.
EXPIRING_DAYS = 90
#: Level decisions after which the person holds the record's level (a suspended holder
#: keeps it, suspended; a revocation records level 0).
HOLDING = ("certified", "promoted", "reinstated", "suspended")


@dataclass(frozen=True)
class YearHours:
    year: int
    trainings: int
    hours: float
    minimum: int
    basis: str  #: question_bank.hours.Minimum.basis

    @property
    def met(self) -> bool:
        return self.hours >= self.minimum

    @property
    def short(self) -> float:
        return max(0.0, round(self.minimum - self.hours, 1))


@dataclass(frozen=True)
class ExamRow:
    sitting: Sitting
    exam_kind: str
    level: int
    attempt: Attempt | None
    published: bool


@dataclass
class PersonArchive:
    person: User
    level: int
    level_suspended: bool
    years: list[YearHours]
    trainings: list[TrainingRecord]
    exams: list[ExamRow]
    certificates: list[Certificate]
    levels: list[LevelRecord]
    inspections: list[tuple[InspectionResult, Inspection]]
    today: date = field(default_factory=certificates.today_local)


def year_hours(person: User, year: int, total: YearTotal | None) -> YearHours:
    total = total or YearTotal(0, 0.0)
    rule = hour_rules.minimum(person.category, person.leader, person.party_joined_on, year)
    return YearHours(year, total.trainings, total.hours, rule.hours, rule.basis)


def current_level(user_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """user id → (level held, suspended) from each person's latest level record; people
    with none are left out."""
    latest = (
        db.select(LevelRecord.user_id, func.max(LevelRecord.id).label("last"))
        .where(LevelRecord.user_id.in_(user_ids))
        .group_by(LevelRecord.user_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(LevelRecord.user_id, LevelRecord.level, LevelRecord.decision).join(
            latest, LevelRecord.id == latest.c.last
        )
    )
    return {
        user_id: (level if decision in HOLDING else 0, decision == "suspended")
        for user_id, level, decision in rows
    }


def person(person: User, today: date | None = None) -> PersonArchive:
    """Everything the archive page shows of one person (the caller checked who may see)."""
    today = today or certificates.today_local()
    years = list(range(today.year, today.year - YEARS_SHOWN, -1))
    totals = {year: year_totals([person.id], year).get(person.id) for year in years}
    level, suspended = current_level([person.id]).get(person.id, (0, False))
    trainings = db.session.scalars(
        db.select(TrainingRecord)
        .where(TrainingRecord.user_id == person.id)
        .order_by(TrainingRecord.ends_on.desc(), TrainingRecord.id.desc())
    ).all()
    exams = [
        ExamRow(sitting, kind, lvl, attempt, sitting.results_published_at is not None)
        for sitting, kind, lvl, attempt in db.session.execute(
            db.select(Sitting, Blueprint.exam_kind, Blueprint.level, Attempt)
            .join(Enrolment, Enrolment.sitting_id == Sitting.id)
            .join(Blueprint, Blueprint.id == Sitting.blueprint_id)
            .outerjoin(Attempt, Attempt.enrolment_id == Enrolment.id)
            .where(Enrolment.user_id == person.id)
            .order_by(Sitting.opens_at.desc())
        )
    ]
    certs = db.session.scalars(
        db.select(Certificate)
        .where(Certificate.user_id == person.id)
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()
    levels = db.session.scalars(
        db.select(LevelRecord)
        .where(LevelRecord.user_id == person.id)
        .order_by(LevelRecord.effective_on.desc(), LevelRecord.id.desc())
    ).all()
    inspections = db.session.execute(
        db.select(InspectionResult, Inspection)
        .join(Inspection, Inspection.id == InspectionResult.inspection_id)
        .where(InspectionResult.user_id == person.id)
        .order_by(Inspection.year.desc())
    ).all()
    return PersonArchive(
        person=person,
        level=level,
        level_suspended=suspended,
        years=[year_hours(person, year, totals[year]) for year in years],
        trainings=list(trainings),
        exams=exams,
        certificates=list(certs),
        levels=list(levels),
        inspections=[tuple(row) for row in inspections],
        today=today,
    )


@dataclass
class Dashboard:
    organisation: Organisation
    year: int
    people: int
    by_level: dict[int, int]  #: level 0–4 → people
    suspended: int
    hours_met: int
    hours_short: int
    no_minimum: int
    by_category: dict[str, tuple[int, int]]  #: category → (met, short)
    expiring: list[Certificate]
    short_people: list[tuple[User, YearHours]]


def dashboard(org: Organisation, year: int, today: date | None = None) -> Dashboard:
    """The organisation's subtree at a glance (the caller checked who may see it)."""
    today = today or certificates.today_local()
    people = db.session.scalars(
        db.select(User)
        .where(User.organisation_id.in_(orgs.subtree_ids(org)), User.status != "disabled")
        .order_by(User.name, User.id)
    ).all()
    ids = [p.id for p in people]
    totals = subtree_year_totals(org, year)  # one grouped query, however big the subtree
    levels = current_level(ids) if ids else {}
    by_level = Counter(levels.get(i, (0, False))[0] for i in ids)
    met = short = none = 0
    by_category: dict[str, list[int]] = {}
    short_people = []
    for p in people:
        hours = year_hours(p, year, totals.get(p.id))
        if hours.minimum == 0:
            none += 1
            continue
        counts = by_category.setdefault(p.category or "", [0, 0])
        if hours.met:
            met += 1
            counts[0] += 1
        else:
            short += 1
            counts[1] += 1
            short_people.append((p, hours))
    expiring = db.session.scalars(
        db.select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(
            User.organisation_id.in_(orgs.subtree_ids(org)),
            Certificate.status == CertificateStatus.VALID.value,
            Certificate.valid_until.between(today, today + timedelta(days=EXPIRING_DAYS)),
        )
        .order_by(Certificate.valid_until, Certificate.id)
    ).all()
    return Dashboard(
        organisation=org,
        year=year,
        people=len(people),
        by_level={level: by_level.get(level, 0) for level in range(5)},
        suspended=sum(1 for level, suspended in levels.values() if suspended and level),
        hours_met=met,
        hours_short=short,
        no_minimum=none,
        by_category={k: (v[0], v[1]) for k, v in sorted(by_category.items())},
        expiring=list(expiring),
        short_people=sorted(short_people, key=lambda row: -row[1].short),
    )

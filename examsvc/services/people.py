"""People as org admins and admins see them: lists of a subtree, a person's exams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func

from examsvc.extensions import db
from examsvc.models import Attempt, Enrolment, Organisation, Sitting, User
from examsvc.services import orgs, scope
from examsvc.services.queries import contains


def search(viewer: User, text: str, page: int, org: Organisation | None = None, per_page=50):
    """The people ``viewer`` may see (of ``org``'s subtree if given), by name, e-mail or mobile."""
    query = search_query(viewer, text, org)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def search_query(viewer: User, text: str, org: Organisation | None = None):
    """The SELECT behind ``search`` (the people export uses it too), by name and id."""
    query = scope.people_query(viewer).order_by(User.name, User.id)
    if org is not None:
        query = query.where(User.organisation_id.in_(orgs.subtree_ids(org)))
    text = text.strip()
    if text:
        conditions = [contains(User.name, text), contains(User.email, text)]
        if any(ch.isdigit() for ch in text):
            digits = "".join(ch for ch in text if ch.isdigit())
            conditions.append(contains(User.mobile, digits))
        query = query.where(db.or_(*conditions))
    return query


@dataclass(frozen=True)
class ExamRow:
    sitting: str
    admission_no: str
    opens_at: datetime
    status: str | None  #: the latest attempt's status, None before a start
    score: float | None  #: only once the sitting's results are published
    max_score: float | None
    is_passed: bool | None


def exam_history(person: User) -> list[ExamRow]:
    """The person's sittings, newest first, with results once they are published."""
    enrolments = db.session.scalars(
        db.select(Enrolment).where(Enrolment.user_id == person.id).order_by(Enrolment.id.desc())
    ).all()
    latest: dict[int, Attempt] = {}
    attempts = db.session.scalars(
        db.select(Attempt)
        .where(Attempt.enrolment_id.in_([e.id for e in enrolments]))
        .order_by(Attempt.number)
    )
    for attempt in attempts:
        latest[attempt.enrolment_id] = attempt
    rows = []
    for e in enrolments:
        attempt = latest.get(e.id)
        shown = attempt if e.sitting.results_published_at is not None else None
        rows.append(
            ExamRow(
                sitting=e.sitting.name,
                admission_no=e.admission_no,
                opens_at=e.sitting.opens_at,
                status=attempt.status if attempt else None,
                score=shown.score if shown else None,
                max_score=shown.max_score if shown else None,
                is_passed=shown.is_passed if shown else None,
            )
        )
    return rows


@dataclass(frozen=True)
class SittingRow:
    sitting: Sitting
    enrolled: int
    passed: int | None  #: None until the results are published


def sittings_of_people(viewer: User) -> list[SittingRow]:
    """Sittings in which people ``viewer`` may see are enrolled, newest first, with counts."""
    visible = scope.org_condition(viewer, User.organisation_id)
    enrolled = dict(
        db.session.execute(
            db.select(Enrolment.sitting_id, func.count())
            .join(User, User.id == Enrolment.user_id)
            .where(visible)
            .group_by(Enrolment.sitting_id)
        ).all()
    )
    passed = dict(
        db.session.execute(
            db.select(Enrolment.sitting_id, func.count(func.distinct(Enrolment.id)))
            .join(User, User.id == Enrolment.user_id)
            .join(Attempt, Attempt.enrolment_id == Enrolment.id)
            .where(visible, Attempt.is_passed.is_(True))
            .group_by(Enrolment.sitting_id)
        ).all()
    )
    sittings = db.session.scalars(
        db.select(Sitting).where(Sitting.id.in_(list(enrolled))).order_by(Sitting.opens_at.desc())
    )
    return [
        SittingRow(s, enrolled[s.id], passed.get(s.id, 0) if s.results_published_at else None)
        for s in sittings
    ]


def sitting_people(viewer: User, sitting: Sitting, page: int, per_page: int = 50):
    """``viewer``'s people enrolled in ``sitting`` (a page of Enrolment) and their attempts."""
    visible = scope.org_condition(viewer, User.organisation_id)
    query = (
        db.select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.sitting_id == sitting.id, visible)
        .order_by(User.name, Enrolment.id)
    )
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    latest: dict[int, Attempt] = {}
    for attempt in db.session.scalars(
        db.select(Attempt)
        .where(Attempt.enrolment_id.in_([e.id for e in result.items]))
        .order_by(Attempt.number)
    ):
        latest[attempt.enrolment_id] = attempt
    return result, latest

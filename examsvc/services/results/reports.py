"""Results of a sitting for admins and org admins: filtered lists, breakdowns, charts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Enrolment,
    Organisation,
    Paper,
    PaperItem,
    QuestionVersion,
    Sitting,
    User,
)
from examsvc.services import orgs, scope
from examsvc.services.papers import section_titles
from examsvc.services.results import ResultRow, _result_rows
from question_bank.scoring import exact_value, total_score


@dataclass(frozen=True)
class Filters:
    """What the results list is narrowed to; empty values keep everyone."""

    org_id: int | None = None
    outcome: str = ""  #: "pass", "fail", "absent" or ""
    score_min: float | None = None
    score_max: float | None = None

    @property
    def any(self) -> bool:
        return bool(self.org_id or self.outcome or self.score_min is not None
                    or self.score_max is not None)  # fmt: skip


@dataclass
class Share:
    """Points earned of points possible in one area or section."""

    earned: Fraction = Fraction(0)
    possible: Fraction = Fraction(0)

    @property
    def earned_points(self) -> float:
        return total_score([self.earned])

    @property
    def possible_points(self) -> float:
        return total_score([self.possible])

    @property
    def percent(self) -> int:
        return round(100 * self.earned / self.possible) if self.possible else 0


@dataclass
class Breakdown:
    areas: dict[str, Share] = field(default_factory=dict)
    sections: dict[str, Share] = field(default_factory=dict)


def visible(viewer: User, sitting: Sitting) -> bool:
    """Admins see every sitting; an org admin one where people of their subtree sit."""
    condition = scope.org_condition(viewer, User.organisation_id)
    found = db.session.scalar(
        db.select(Enrolment.id).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.sitting_id == sitting.id, condition).limit(1)
    )  # fmt: skip
    return found is not None


def _query(viewer: User, sitting: Sitting, filters: Filters):
    query = (
        db.select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Attempt, Attempt.enrolment_id == Enrolment.id)
        .where(Enrolment.sitting_id == sitting.id,
               scope.org_condition(viewer, User.organisation_id))
        .order_by(Enrolment.id)
    )  # fmt: skip
    if filters.org_id:
        org = db.session.get(Organisation, filters.org_id)
        if org is not None:
            query = query.where(User.organisation_id.in_(orgs.subtree_ids(org)))
    submitted = Attempt.status == AttemptStatus.SUBMITTED.value
    if filters.outcome == "pass":
        query = query.where(submitted, Attempt.is_passed.is_(True))
    elif filters.outcome == "fail":
        query = query.where(submitted, Attempt.is_passed.is_(False))
    elif filters.outcome == "absent":
        query = query.where(Attempt.id.is_(None))
    if filters.score_min is not None:
        query = query.where(Attempt.score >= filters.score_min)
    if filters.score_max is not None:
        query = query.where(Attempt.score <= filters.score_max)
    return query


def results_page(viewer: User, sitting: Sitting, filters: Filters, page: int, per_page: int = 50):
    """One page of the filtered candidates; ``items`` are ResultRows, ``breakdowns`` theirs."""
    result = db.paginate(
        _query(viewer, sitting, filters), page=page, per_page=per_page, error_out=False
    )
    enrolments = list(result.items)
    result.items = _result_rows(enrolments, Enrolment.id.in_([e.id for e in enrolments]))
    result.breakdowns = breakdowns(sitting, [e.id for e in enrolments])
    return result


def all_rows(viewer: User, sitting: Sitting, filters: Filters = Filters()) -> list[ResultRow]:
    enrolments = list(db.session.scalars(_query(viewer, sitting, filters)).unique())
    return _result_rows(enrolments, Enrolment.sitting_id == sitting.id)


def candidate_row(viewer: User, sitting: Sitting, enrolment_id: int) -> ResultRow | None:
    """One candidate's row when they sit the sitting and the viewer may see them."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.sitting_id != sitting.id:
        return None
    if not scope.can_see_person(viewer, enrolment.user):
        return None
    return _result_rows([enrolment], Enrolment.id == enrolment.id)[0]


def scores(viewer: User, sitting: Sitting, filters: Filters) -> list[float]:
    """Scores of the filtered candidates who handed in."""
    query = (
        _query(viewer, sitting, filters)
        .with_only_columns(Attempt.score)
        .where(Attempt.status == AttemptStatus.SUBMITTED.value, Attempt.score.is_not(None))
    )
    return [float(s) for s in db.session.scalars(query)]


def summary(values: list[float], pass_mark: float) -> dict:
    if not values:
        return {"count": 0, "passed": 0, "mean": None, "high": None, "low": None}
    return {
        "count": len(values),
        "passed": sum(1 for v in values if v >= pass_mark),
        "mean": round(sum(values) / len(values), 2),
        "high": max(values),
        "low": min(values),
    }


def breakdowns(sitting: Sitting, enrolment_ids: list[int]) -> dict[int, Breakdown]:
    """Per knowledge area and per paper section: points earned of points possible, for each
    enrolment, from its paper's items and its answers' points (one query)."""
    if not enrolment_ids:
        return {}
    titles = section_titles(sitting.blueprint)
    rows = db.session.execute(
        db.select(Paper.enrolment_id, PaperItem.position, PaperItem.points,
                  QuestionVersion.area, Answer.points)
        .join(PaperItem, PaperItem.paper_id == Paper.id)
        .join(QuestionVersion, db.and_(QuestionVersion.question_id == PaperItem.question_id,
                                       QuestionVersion.version == PaperItem.question_version))
        .outerjoin(Attempt, Attempt.enrolment_id == Paper.enrolment_id)
        .outerjoin(Answer, db.and_(Answer.attempt_id == Attempt.id,
                                   Answer.paper_item_id == PaperItem.id))
        .where(Paper.enrolment_id.in_(enrolment_ids))
    )  # fmt: skip
    found: dict[int, Breakdown] = defaultdict(Breakdown)
    for enrolment_id, position, possible, area, earned in rows:
        section = titles[position] if position < len(titles) else ""
        for key, table in ((area, found[enrolment_id].areas),
                           (section, found[enrolment_id].sections)):  # fmt: skip
            share = table.setdefault(key or "", Share())
            share.possible += exact_value(possible)
            share.earned += exact_value(earned or 0)
    return dict(found)


def breakdown(attempt: Attempt) -> Breakdown:
    sitting = attempt.enrolment.sitting
    return breakdowns(sitting, [attempt.enrolment_id]).get(attempt.enrolment_id, Breakdown())


def organisations(viewer: User, sitting: Sitting) -> list[Organisation]:
    """The organisations of the sitting's candidates the viewer may see (the filter's list)."""
    ids = (
        db.select(User.organisation_id)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.sitting_id == sitting.id, scope.org_condition(viewer, User.organisation_id)
        )
    )
    return list(
        db.session.scalars(
            db.select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.code)
        )
    )

"""年检: the yearly inspection of level certificates, one batch per organisation and year.

An admin (any organisation) or an org admin (their subtree) opens the batch of an
organisation for a past calendar year (default: last year). It lists every holder of a
level certificate in the subtree with the facts read from the archive (facts.py); the org
admin enters each person's 年度考核 (a form per row, or a sheet: assessments.py); every row
shows its outcome with the reasons before anything happens. Closing (closing.py, admins
only: it suspends and revokes certificates, which only admins do) applies the outcomes in
one transaction. A closed batch is read-only; an organisation has one batch a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from examsvc.extensions import db
from examsvc.models import (
    Assessment,
    Certificate,
    Inspection,
    InspectionResult,
    Organisation,
    Role,
    User,
)
from examsvc.services import audit, scope
from examsvc.services.certificates import today_local
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.inspections.facts import failed_in, preview, shown_reasons, sync
from examsvc.services.queries import contains
from question_bank.inspection import Facts, Outcome, judge

#: The earliest year a batch may inspect.
MIN_YEAR = 2000
PER_PAGE = 50


def default_year(today: date | None = None) -> int:
    """The past calendar year: 年检 looks back on a whole year."""
    return (today or today_local()).year - 1


def check_year(year: int | None, today: date | None = None) -> int:
    last = default_year(today)
    if year is None or not MIN_YEAR <= year <= last:
        raise BadInput(
            _("the year inspected is a past calendar year from %(first)s to %(last)s",
              first=MIN_YEAR, last=last),
            code="bad_year",
        )  # fmt: skip
    return year


def organisations(actor: User) -> list[Organisation]:
    """The organisations the actor may open a batch for."""
    query = db.select(Organisation).where(Organisation.is_closed.is_(False))
    query = query.where(scope.org_condition(actor, Organisation.id))
    return list(db.session.scalars(query.order_by(Organisation.path)))


def visible(actor: User, page_no: int = 1, per_page: int = PER_PAGE):
    """The batches of the organisations the actor may see, the newest year first."""
    query = (
        db.select(Inspection)
        .where(scope.org_condition(actor, Inspection.organisation_id))
        .order_by(Inspection.year.desc(), Inspection.id.desc())
    )
    return db.paginate(query, page=page_no, per_page=per_page, error_out=False)


def _sees(actor: User | None, org: Organisation) -> bool:
    """None is the system (the CLI): every organisation."""
    return actor is None or scope.can_see_org(actor, org)


def get(actor: User | None, inspection_id: int) -> Inspection:
    """The batch when the actor may see it (its organisation in their subtree); else NotFound."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or not _sees(actor, inspection.organisation):
        raise NotFound(_("no such annual inspection"), code="unknown_inspection")
    return inspection


def _open_batch(inspection: Inspection) -> Inspection:
    if inspection.state != "open":
        raise Conflict(_("this annual inspection is closed"), code="inspection_closed")
    return inspection


def open_batch(actor: User | None, org_id: int, year: int | None, today: date | None = None):
    """Open the batch of an organisation for a year, with its holders and their facts."""
    today = today or today_local()
    year = check_year(year, today)
    org = db.session.get(Organisation, org_id)
    if org is None or not _sees(actor, org):
        raise NotFound(_("no such organisation"), code="unknown_org")
    if _exists(org.id, year):
        raise _taken(org, year)
    inspection = Inspection(organisation=org, year=year, state="open",
                            created_by_id=actor and actor.id)  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(inspection)
            db.session.flush()
    except IntegrityError:
        raise _taken(org, year) from None
    sync(inspection, today)
    audit.record(actor, "inspection.opened", inspection, org=org.code, year=year)
    db.session.commit()
    return inspection


def _exists(org_id: int, year: int) -> bool:
    query = db.select(Inspection.id).where(
        Inspection.organisation_id == org_id, Inspection.year == year
    )
    return db.session.scalar(query) is not None


def _taken(org: Organisation, year: int) -> Conflict:
    return Conflict(
        _("%(org)s already has the annual inspection of %(year)s", org=org.name, year=year),
        code="inspection_exists",
    )


def refresh(actor: User | None, inspection_id: int, today: date | None = None) -> Inspection:
    """Read the holders and their facts again (trainings recorded or posts changed since)."""
    inspection = _open_batch(get(actor, inspection_id))
    sync(inspection, today or today_local())
    db.session.commit()
    return inspection


def set_assessment(
    actor: User | None, inspection_id: int, result_id: int, assessment: str | None
) -> InspectionResult:
    """Enter (or clear, with None) one person's 年度考核."""
    inspection = _open_batch(get(actor, inspection_id))
    result = db.session.get(InspectionResult, result_id)
    if result is None or result.inspection_id != inspection.id:
        raise NotFound(_("this person is not in the annual inspection"), code="unknown_result")
    if assessment is not None and assessment not in set(Assessment):
        raise BadInput(_("choose the annual assessment from the list"), code="bad_assessment")
    previous = result.assessment
    result.assessment = assessment
    facts = (result.certificate_id, result.in_party_post, result.trainings, result.hours,
             result.minimum_hours)  # fmt: skip
    result.passed, result.reasons = preview(facts, assessment)
    audit.record(actor, "inspection.assessed", inspection, user=result.user_id,
                 previous=previous, assessment=assessment)  # fmt: skip
    db.session.commit()
    return result


# --- reading a batch -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    result: InspectionResult
    name: str
    login: str
    number: str
    level: int
    status: str
    #: The outcome closing would give now (open batch) or gave (closed batch).
    outcome: str
    reasons: list


def rows(inspection: Inspection, page_no: int = 1, text: str = "", per_page: int = PER_PAGE):
    """A page of the batch's people (by name, optionally searched) and their rows, each with
    its outcome: projected while the batch is open, decided once closed."""
    query = (
        db.select(InspectionResult)
        .join(User, User.id == InspectionResult.user_id)
        .where(InspectionResult.inspection_id == inspection.id)
        .order_by(User.name, User.id)
    )
    text = text.strip()[:100]
    if text:
        query = query.where(contains(User.name, text) | contains(User.email, text)
                            | contains(User.mobile, text))  # fmt: skip
    page = db.paginate(query, page=page_no, per_page=per_page, error_out=False)
    results = list(page.items)
    people = _by_id(User, [r.user_id for r in results])
    certs = _by_id(Certificate, [r.certificate_id for r in results])
    before = failed_in(inspection.year - 1, user_ids=[r.user_id for r in results])
    shown = []
    for result in results:
        person, cert = people[result.user_id], certs.get(result.certificate_id)
        status = cert.status if cert is not None else ""
        outcome = result.outcome or judge(Facts(
            bool(result.in_party_post), result.trainings, result.hours, result.minimum_hours,
            result.assessment, status, result.user_id in before,
        )).outcome.value  # fmt: skip
        shown.append(Row(result, person.name, person.login, cert.number if cert else "",
                         cert.level if cert else 0, status, outcome,
                         shown_reasons(result.reasons)))  # fmt: skip
    return page, shown


def _by_id(model, ids: list) -> dict:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {o.id: o for o in db.session.scalars(db.select(model).where(model.id.in_(wanted)))}


def summary(inspection: Inspection) -> dict[str, int]:
    """How many people, how many with no assessment, and by outcome (projected while open)."""
    base = (
        db.select(func.count())
        .select_from(InspectionResult)
        .where(InspectionResult.inspection_id == inspection.id)
    )
    counts = {
        "people": db.session.scalar(base) or 0,
        "missing": db.session.scalar(base.where(InspectionResult.assessment.is_(None))) or 0,
    }
    if inspection.state == "closed":
        grouped = db.session.execute(
            db.select(InspectionResult.outcome, func.count())
            .where(InspectionResult.inspection_id == inspection.id)
            .group_by(InspectionResult.outcome)
        )
        counts.update({str(outcome): n for outcome, n in grouped})
        return {**{o.value: 0 for o in Outcome}, **counts}
    return {**counts, **_projected(inspection)}


def _projected(inspection: Inspection) -> dict[str, int]:
    before = db.select(InspectionResult.user_id).join(Inspection).where(
        Inspection.year == inspection.year - 1, Inspection.state == "closed",
        InspectionResult.passed.is_(False),
    )  # fmt: skip
    suspended = Certificate.status == "suspended"
    failing = InspectionResult.passed.is_(False)
    query = (
        db.select(
            func.count().filter(~failing & ~suspended),
            func.count().filter(~failing & suspended),
            func.count().filter(failing & ~InspectionResult.user_id.in_(before)),
            func.count().filter(failing & InspectionResult.user_id.in_(before)),
        )
        .select_from(InspectionResult)
        .join(Certificate, Certificate.id == InspectionResult.certificate_id)
        .where(InspectionResult.inspection_id == inspection.id)
    )
    values = db.session.execute(query).one()
    keys = (Outcome.PASSED, Outcome.REINSTATED, Outcome.SUSPENDED, Outcome.REVOKED)
    return {k.value: int(v or 0) for k, v in zip(keys, values, strict=True)}


def may_close(actor: User | None) -> bool:
    """Admins close a batch (and the system, through the CLI)."""
    return actor is None or actor.has_role(Role.ADMIN)

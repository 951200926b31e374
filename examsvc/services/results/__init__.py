"""Results: the admin's view, publication (公示) and certificates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from examsvc.extensions import db
from examsvc.i18n import to_local
from examsvc.models import (
    Attempt,
    AttemptStatus,
    Certificate,
    Enrolment,
    ExamKind,
    Paper,
    PaperItem,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import attempts, audit
from examsvc.services.errors import Conflict, NotFound
from examsvc.services.queries import contains
from question_bank import calendar as working_days


@dataclass
class ResultRow:
    enrolment: Enrolment
    attempt: Attempt | None
    certificate: Certificate | None
    items: int = 0  #: items on the candidate's paper; 0 before it is drawn


def mask_name(name: str) -> str:
    """张三 → 张*, 张三丰 → 张*丰: the surname and last character stay readable."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def add_working_days(
    start: date, days: int, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
) -> date:
    """The date ``days`` working days after ``start``: China's official calendar (法定节假日,
    调休) plus the days given (those an admin added: services/results/calendar.py)."""
    return working_days.add_working_days(start, days, extra_holidays, extra_workdays)


def notice_ends_on(sitting: Sitting) -> date | None:
    """The last day of the public notice (公示): its working days count after publication."""
    if sitting.results_published_at is None:
        return None
    from examsvc.services.results.calendar import added_days

    published = to_local(sitting.results_published_at).date()  # working days are local days
    holidays_added, workdays_added = added_days()
    return add_working_days(
        published, current_app.config["NOTICE_WORKING_DAYS"], holidays_added, workdays_added
    )


def certificates_from(sitting: Sitting) -> date | None:
    """The first day certificates may be issued: the day after the notice's last day (the
    same day when the notice is configured to last no working day at all)."""
    ends = notice_ends_on(sitting)
    if ends is None or current_app.config["NOTICE_WORKING_DAYS"] == 0:
        return ends
    return ends + timedelta(days=1)


def notice_is_running(sitting: Sitting, today: date | None = None) -> bool:
    """Whether appeals and objections are taken: from publication through the last day."""
    ends = notice_ends_on(sitting)
    if ends is None:
        return False
    today = today or to_local(utcnow()).date()
    return to_local(sitting.results_published_at).date() <= today <= ends


def sitting_results(sitting: Sitting) -> list[ResultRow]:
    """Every enrolment of the sitting with its attempt and certificate (one query each kind)."""
    enrolments = list(
        db.session.scalars(
            db.select(Enrolment).where(Enrolment.sitting_id == sitting.id).order_by(Enrolment.id)
        )
    )
    return _result_rows(enrolments, Enrolment.sitting_id == sitting.id)


def sitting_results_page(sitting: Sitting, page: int, text: str = "", per_page: int = 50):
    """One page of the sitting's candidates (``text``: name, e-mail or admission number), with
    ``items`` holding their result rows."""
    query = db.select(Enrolment).where(Enrolment.sitting_id == sitting.id).order_by(Enrolment.id)
    if text.strip():
        found = text.strip()
        people = db.select(User.id).where(
            db.or_(contains(User.name, found), contains(User.email, found))
        )
        query = query.where(
            db.or_(Enrolment.user_id.in_(people), contains(Enrolment.admission_no, found))
        )
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    enrolments = list(result.items)
    result.items = _result_rows(enrolments, Enrolment.id.in_([e.id for e in enrolments]))
    return result


def _result_rows(enrolments: list[Enrolment], scope) -> list[ResultRow]:
    """Result rows of these enrolments; ``scope`` selects them (or a superset) in SQL."""
    if not enrolments:
        return []
    by_enrolment = {
        a.enrolment_id: a
        for a in db.session.scalars(db.select(Attempt).join(Enrolment).where(scope))
    }
    attempt_ids = [a.id for a in by_enrolment.values()]
    certs = (
        {
            c.attempt_id: c
            for c in db.session.scalars(
                db.select(Certificate).where(Certificate.attempt_id.in_(attempt_ids))
            )
        }
        if attempt_ids
        else {}
    )
    items = dict(
        db.session.execute(
            db.select(Paper.enrolment_id, db.func.count(PaperItem.id))
            .join(PaperItem, PaperItem.paper_id == Paper.id)
            .join(Enrolment, Enrolment.id == Paper.enrolment_id)
            .where(scope)
            .group_by(Paper.enrolment_id)
        ).all()
    )
    return [
        ResultRow(
            e,
            by_enrolment.get(e.id),
            certs.get(by_enrolment[e.id].id) if e.id in by_enrolment else None,
            items.get(e.id, 0),
        )
        for e in enrolments
    ]


def publication_report(sitting: Sitting) -> dict:
    """What `examsvc results publish --json` prints: who sat (handed in) and who passed."""
    done = [
        r.attempt
        for r in sitting_results(sitting)
        if r.attempt is not None and r.attempt.status == AttemptStatus.SUBMITTED
    ]
    ends = notice_ends_on(sitting)
    return {
        "sitting": sitting.id,
        "published_at": sitting.results_published_at.isoformat()
        if sitting.results_published_at
        else None,
        "candidates": len(done),
        "passed": sum(1 for a in done if a.is_passed),
        "notice_ends_on": ends.isoformat() if ends else None,
    }


def publish(admin: User | None, sitting_id: int, now: datetime | None = None) -> Sitting:
    """Publish the results: candidates see them, and the objection window starts (``admin``
    None: from the command line). An open sitting may be published once everyone enrolled
    has handed in; nobody is enrolled in it, nor starts it, afterwards."""
    now = now or utcnow()
    # Score the attempts left open at their deadline in short transactions first; the
    # publication itself then only closes the few that expired meanwhile.
    attempts.close_expired(now, sitting_id)
    attempts.finalize_expired(now, sitting_id)
    _refuse_unfinished(_unpublished(sitting_id), now)  # before scoring: say it at once
    from examsvc.services import marking  # marking scores through results' helpers

    waiting = marking.settle(sitting_id)  # scores the sitting; answers still to mark
    # Again under the row lock that enrolments share (roster.writes.check_enrollable): a
    # candidate enrolled while the sitting was scored is counted, and none comes after.
    sitting = _unpublished(sitting_id, lock=True)
    rows = _refuse_unfinished(sitting, now)
    unmarked = [r for r in rows if r.attempt is not None and r.attempt.is_passed is None]
    if waiting or unmarked:
        raise Conflict(
            _("%(n)s answer sheets still have answers to mark", n=max(waiting, len(unmarked))),
            code="unmarked",
        )
    sitting.results_published_at = now
    sat = [r.attempt for r in rows if r.attempt is not None]
    audit.record(
        admin, "sitting.results_published", sitting, candidates=len(sat),
        passed=sum(1 for a in sat if a.is_passed),
    )  # fmt: skip
    db.session.commit()
    return sitting


def _unpublished(sitting_id: int, *, lock: bool = False) -> Sitting:
    query = db.select(Sitting).where(Sitting.id == sitting_id)
    if lock:
        query = query.with_for_update(of=Sitting).execution_options(populate_existing=True)
    sitting = db.session.scalar(query)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    if sitting.results_published_at is not None:
        raise Conflict(_("the results are already published"), code="already_published")
    return sitting


def _refuse_unfinished(sitting: Sitting, now: datetime) -> list[ResultRow]:
    """The sitting's result rows; Conflict while anyone sits the exam or, the sitting still
    open, has not started it."""
    rows = sitting_results(sitting)
    closed = sitting.state(now) == "closed"
    still_sitting = [
        r
        for r in rows
        if (r.attempt is None and not closed)
        or (r.attempt is not None and r.attempt.status == AttemptStatus.IN_PROGRESS)
    ]
    if still_sitting:
        message = (
            _("%(n)s candidates are still sitting the exam", n=len(still_sitting))
            if closed
            else _(
                "%(n)s candidates have not finished and the sitting is still open",
                n=len(still_sitting),
            )
        )
        raise Conflict(message, code="sitting_not_finished")
    return rows


def issue_certificates(
    admin: User, sitting_id: int, today: date | None = None
) -> tuple[list[Certificate], list[str]]:
    """Issue a certificate to every candidate who passed, once the objection window has ended;
    those who passed but get none as "name: reason" texts."""
    issued, refused = issue_certificates_detailed(admin, sitting_id, today)
    return issued, [_("%(label)s: %(value)s", label=name, value=reason) for name, reason in refused]


def issue_certificates_detailed(
    admin: User | None, sitting_id: int, today: date | None = None
) -> tuple[list[Certificate], list[tuple[str, str]]]:
    """As ``issue_certificates``, the refusals as (name, reason) pairs."""
    sitting = db.session.scalar(
        db.select(Sitting).where(Sitting.id == sitting_id).with_for_update(of=Sitting)
    )
    if sitting is None:
        raise NotFound(_("no such sitting"))
    ends = notice_ends_on(sitting)
    start = certificates_from(sitting)
    today = today or to_local(utcnow()).date()
    if ends is None or start is None:
        raise Conflict(_("publish the results first"), code="not_published")
    if today < start:
        raise Conflict(
            _("the public notice runs until %(date)s", date=ends.isoformat()),
            code="notice_period",
        )
    from examsvc.services.results.disputes import open_disputes

    still_open = open_disputes(sitting.id)
    if still_open:
        raise Conflict(
            _("%(n)s appeals or objections are still open", n=still_open), code="disputes_open"
        )
    try:
        issued, refused = _issue(admin, sitting, today)
        db.session.commit()
    except IntegrityError:
        # Another run took this attempt's certificate at the same moment.
        db.session.rollback()
        raise Conflict(
            _("certificates are being issued elsewhere at this moment; try again"), code="busy"
        ) from None
    return issued, refused


def _issue(
    admin: User | None, sitting: Sitting, today: date
) -> tuple[list[Certificate], list[tuple[str, str]]]:
    """Certificates for the passed candidates the credential's rules allow (services/levels:
    rules as data); the others with the reasons. A level exam's passes are recorded as the
    training test of the person's application instead: its certificate follows the
    promotion's six steps."""
    from examsvc.services import certificates
    from examsvc.services.levels import issue as rules_at_issue

    blueprint = sitting.blueprint
    passed = [
        row
        for row in sitting_results(sitting)
        if row.attempt is not None and row.attempt.is_passed and row.certificate is None
    ]
    refusals = rules_at_issue.refusals(admin, sitting, passed, today)
    issued: list[Certificate] = []
    refused: list[tuple[str, str]] = []
    for row in passed:
        user, attempt = row.enrolment.user, row.attempt
        assert attempt is not None  # ``passed`` holds rows with a passed attempt
        if row.enrolment.id in refusals:
            refused.append((user.name, refusals[row.enrolment.id]))
            continue
        issued.append(
            certificates.create(
                user,
                ExamKind(blueprint.exam_kind),
                blueprint.level,
                today,
                attempt_id=attempt.id,
            )  # fmt: skip
        )
    for cert in issued:
        audit.record(admin, "certificate.issued", cert, number=cert.number, user=cert.user_id)
    db.session.flush()
    return issued, refused


def public_certificate(number: str, today: date | None = None) -> dict:
    """What anyone may see of a certificate (services/certificates.py)."""
    from examsvc.services import certificates

    return certificates.public_view(number, today)


def my_sittings(user: User, now: datetime | None = None) -> list[dict]:
    """The caller's sittings with their state and own attempt."""
    now = now or utcnow()
    rows = db.session.execute(
        db.select(Enrolment, Attempt)
        .outerjoin(Attempt, Attempt.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id == user.id)
        .order_by(Enrolment.id.desc())
    )
    result = []
    for enrolment, attempt in rows:
        sitting = enrolment.sitting
        published = sitting.results_published_at is not None
        status = attempt.status if attempt else None
        if attempt and status == AttemptStatus.IN_PROGRESS and now > attempts.close_time(attempt):
            status = AttemptStatus.SUBMITTED.value  # time over; the next sweep records it
        result.append(
            {
                "id": sitting.id,
                "name": sitting.name,
                "state": sitting.state(now),
                "opens_at": sitting.opens_at,
                "closes_at": sitting.closes_at,
                "duration_minutes": sitting.blueprint.duration_minutes,
                "admission_no": enrolment.admission_no,
                "attempt_id": attempt.id if attempt else None,
                "attempt_status": status,
                "results_published": published,
                "score": attempt.score if attempt and published else None,
                "passed": attempt.is_passed if attempt and published else None,
            }
        )
    return result

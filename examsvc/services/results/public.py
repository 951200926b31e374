"""The public notice (公示) of a published sitting: masked names, organisation, result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import to_local
from examsvc.models import Attempt, AttemptStatus, Enrolment, Organisation, Sitting, User, utcnow
from examsvc.services.errors import NotFound
from examsvc.services.results import mask_name, notice_ends_on


@dataclass(frozen=True)
class NoticeRow:
    attempt_id: int  #: what an objection names; no personal data
    name: str  #: masked: 张*华
    organisation: str
    passed: bool | None


@dataclass
class Notice:
    sitting: Sitting
    published_on: date
    ends_on: date
    running: bool


def notice(sitting_id: int, today: date | None = None, *, page: int = 1, per_page: int = 100):
    """The notice of a published sitting; its rows only while it runs. NotFound otherwise."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or sitting.results_published_at is None:
        raise NotFound(_("no published results for this sitting"))
    today = today or to_local(utcnow()).date()
    published = to_local(sitting.results_published_at).date()
    ends = notice_ends_on(sitting)
    assert ends is not None
    running = published <= today <= ends
    found = None
    if running:
        ids = (
            db.select(Attempt.id)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .join(User, User.id == Enrolment.user_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(Enrolment.sitting_id == sitting.id,
                   Attempt.status == AttemptStatus.SUBMITTED.value)
            .order_by(Organisation.name, Enrolment.id)
        )  # fmt: skip
        found = db.paginate(ids, page=page, per_page=per_page, error_out=False)
        rows = {r.attempt_id: r for r in _rows([a for a in found.items])}
        found.items = [rows[a] for a in found.items if a in rows]
    return Notice(sitting, published, ends, running), found


def running_notices(today: date | None = None) -> list[tuple[Sitting, date]]:
    """Published sittings whose notice runs today, with its last day (newest first)."""
    today = today or to_local(utcnow()).date()
    recent = db.session.scalars(
        db.select(Sitting)
        .where(Sitting.results_published_at.is_not(None))
        .order_by(Sitting.results_published_at.desc())
        .limit(200)
    )
    found = []
    for sitting in recent:
        ends = notice_ends_on(sitting)
        if ends is not None and to_local(sitting.results_published_at).date() <= today <= ends:
            found.append((sitting, ends))
    return found


def _rows(attempt_ids: list[int]) -> list[NoticeRow]:
    if not attempt_ids:
        return []
    rows = db.session.execute(
        db.select(Attempt.id, User.name, Organisation.name, Attempt.is_passed)
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Attempt.id.in_(attempt_ids), Attempt.status == AttemptStatus.SUBMITTED.value)
    ).all()
    return [NoticeRow(a, mask_name(name or ""), org or "", passed) for a, name, org, passed in rows]


def notice_row(sitting_id: int, attempt_id: int) -> NoticeRow | None:
    """One row of the sitting's notice (a handed-in attempt of that sitting), masked."""
    in_sitting = db.session.scalar(
        db.select(Attempt.id).join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .where(Attempt.id == attempt_id, Enrolment.sitting_id == sitting_id)
    )  # fmt: skip
    found = _rows([in_sitting]) if in_sitting else []
    return found[0] if found else None

"""Training records entered by hand: add, edit and delete one, audited with before and after.

Admins record for anyone; org admins for the people of their subtree (another subtree's
person or record is not found). Dates and hours follow question_bank/training.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import today_local, translate, translate_all
from examsvc.models import RecordSource, TrainingRecord, User
from examsvc.services import audit, scope
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank.errors import Msg
from question_bank.training import KINDS, MAX_TEXT, record_problems

MAX_NOTE = 1000


@dataclass(frozen=True)
class RecordInput:
    """What a form (or a sheet row) says about one training of one person."""

    course_name: str
    starts_on: date | None
    ends_on: date | None
    hours: Decimal | float | None
    kind: str = "central"
    organiser: str = ""
    attendance_certificate: str = ""
    note: str = ""


def checked(data: RecordInput, today: date | None = None) -> list[Msg]:
    """Every reason ``data`` cannot be recorded (empty when it can)."""
    problems: list[Msg] = []
    name = " ".join((data.course_name or "").split())
    if not name:
        problems.append(Msg("no 培训名称 (name of the training)", code="training_no_course"))
    for value, label in ((name, "培训名称"), (data.organiser, "主办单位"),
                         (data.attendance_certificate, "结业证书编号")):  # fmt: skip
        if len(value or "") > MAX_TEXT:
            problems.append(Msg("%(column)s is longer than %(most)s characters",
                                code="training_long_text", column=label,
                                most=MAX_TEXT))  # fmt: skip
    if data.kind not in KINDS:
        problems.append(Msg("unknown 培训形式 %(kind)s: 集中培训, 网络培训, 轮训 or 其他",
                            code="training_kind", kind=repr(data.kind)))  # fmt: skip
    if len(data.note or "") > MAX_NOTE:
        problems.append(Msg("the note is longer than %(most)s characters",
                            code="training_long_note", most=MAX_NOTE))  # fmt: skip
    return problems + record_problems(
        data.starts_on, data.ends_on, data.hours, today or today_local()
    )


def _refuse(problems: list[Msg]) -> BadInput:
    return BadInput(
        translate_all(problems), code="invalid_training", problems=[translate(p) for p in problems]
    )


def snapshot(record: TrainingRecord) -> dict[str, Any]:
    """The audited fields of a record as plain JSON values."""
    return {
        "course_name": record.course_name,
        "organiser": record.organiser or None,
        "training_kind": record.kind,
        "starts_on": record.starts_on.isoformat(),
        "ends_on": record.ends_on.isoformat(),
        "hours": float(record.hours),
        "attendance_certificate": record.attendance_certificate or None,
        "note": record.note or None,
    }


def _apply(record: TrainingRecord, data: RecordInput) -> None:
    record.course_name = " ".join(data.course_name.split())
    record.organiser = (data.organiser or "").strip()
    record.kind = data.kind
    record.starts_on, record.ends_on = data.starts_on, data.ends_on  # type: ignore[assignment]
    record.hours = float(Decimal(str(data.hours)))
    record.attendance_certificate = (data.attendance_certificate or "").strip()
    record.note = (data.note or "").strip() or None


def person_in_scope(actor: User, person_id: int) -> User:
    """The person ``actor`` may keep records of; NotFound otherwise (another subtree too)."""
    person = db.session.get(User, person_id)
    if person is None or not scope.can_see_person(actor, person):
        raise NotFound(_("No such person."), code="unknown_person")
    return person


def record_in_scope(actor: User, record_id: int) -> TrainingRecord:
    """The record when ``actor`` may see its person; NotFound otherwise."""
    record = db.session.get(TrainingRecord, record_id)
    if record is None or not scope.can_see_person(actor, record.user):
        raise NotFound(_("No such training record."), code="unknown_record")
    return record


def _refuse_repeat(user_id: int, data: RecordInput, own_id: int | None = None) -> None:
    """The same training (name and dates) twice in one archive would count its hours twice."""
    query = db.select(TrainingRecord.id).where(
        TrainingRecord.user_id == user_id,
        TrainingRecord.course_name == " ".join(data.course_name.split()),
        TrainingRecord.starts_on == data.starts_on,
        TrainingRecord.ends_on == data.ends_on,
    )
    if own_id is not None:
        query = query.where(TrainingRecord.id != own_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise Conflict(_("This training (same name and dates) is already in the archive."),
                       code="training_recorded")  # fmt: skip


def add(actor: User, person: User, data: RecordInput) -> TrainingRecord:
    """Record a training of ``person`` (the caller checked ``actor`` may: person_in_scope)."""
    problems = checked(data)
    if problems:
        raise _refuse(problems)
    _refuse_repeat(person.id, data)
    record = TrainingRecord(user_id=person.id, source=str(RecordSource.MANUAL),
                            created_by_id=actor.id)  # fmt: skip
    _apply(record, data)
    db.session.add(record)
    audit.record(actor, "training.record_added", record, user=person.id, **snapshot(record))
    db.session.commit()
    return record


def update(actor: User, record: TrainingRecord, data: RecordInput) -> dict[str, Any]:
    """Change a record; returns what changed ({field: {before, after}})."""
    problems = checked(data)
    if problems:
        raise _refuse(problems)
    _refuse_repeat(record.user_id, data, own_id=record.id)
    before = snapshot(record)
    _apply(record, data)
    after = snapshot(record)
    changes = {k: {"before": before[k], "after": v} for k, v in after.items() if before[k] != v}
    if changes:
        audit.record(actor, "training.record_updated", record, user=record.user_id, **changes)
    db.session.commit()
    return changes


def delete(actor: User, record: TrainingRecord) -> None:
    """Remove a record from the person's archive; the audit log keeps what it held."""
    details = {**snapshot(record), "user": record.user_id, "source": record.source}
    if record.course_id is not None:
        details["course"] = record.course_id
    audit.record(actor, "training.record_deleted", record, **details)
    db.session.delete(record)
    db.session.commit()


def records_of(user_id: int) -> list[TrainingRecord]:
    """A person's training records, the latest training first."""
    return list(
        db.session.scalars(
            db.select(TrainingRecord)
            .where(TrainingRecord.user_id == user_id)
            .order_by(TrainingRecord.ends_on.desc(), TrainingRecord.id.desc())
        )
    )

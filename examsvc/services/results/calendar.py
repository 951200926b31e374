"""Days an admin adds to the official calendar (question_bank/calendar.py) for the notice."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import CalendarDay, User
from examsvc.services import audit
from examsvc.services.errors import Conflict, NotFound
from question_bank import calendar


def added_days() -> tuple[list[date], list[date]]:
    """(holidays, working days) the admins added."""
    rows = db.session.execute(db.select(CalendarDay.day, CalendarDay.is_workday)).all()
    return [d for d, work in rows if not work], [d for d, work in rows if work]


def all_days() -> list[CalendarDay]:
    return list(db.session.scalars(db.select(CalendarDay).order_by(CalendarDay.day.desc())))


def official_workdays(year: int) -> list[date]:
    """The 调休 working weekends the official calendar knows for ``year``."""
    return calendar.official_workdays(year)


def add_day(admin: User, day: date, is_workday: bool, note: str = "") -> CalendarDay:
    """Add a holiday or a working day to the notice calendar (one per date)."""
    if db.session.scalar(db.select(CalendarDay.id).where(CalendarDay.day == day)):
        raise Conflict(_("%(day)s is in the list already", day=day.isoformat()), code="day_taken")
    entry = CalendarDay(day=day, is_workday=is_workday, note=note.strip()[:200], created_by=admin)
    db.session.add(entry)
    audit.record(
        admin, "calendar.day_added", entry, day=day.isoformat(), workday=is_workday, note=note
    )
    db.session.commit()
    return entry


def remove_day(admin: User, day_id: int) -> date:
    entry = db.session.get(CalendarDay, day_id)
    if entry is None:
        raise NotFound(_("no such day in the list"))
    day = entry.day
    audit.record(
        admin, "calendar.day_removed", entry, day=day.isoformat(), workday=entry.is_workday
    )
    db.session.delete(entry)
    db.session.commit()
    return day

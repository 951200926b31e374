"""Rules of the training archive (培训档案) on plain values: what makes a training record
valid, the kinds of training, compliance with the yearly minimum, and secretaries' rotation
training (seed 004).

The yearly minimums themselves are in ``question_bank/hours.py`` (seed 003).

Rotation training (轮训, seed 004 《关于对基层党组织书记进行集中轮训的通知》): the secretaries
of village and community organisations train "每期3至5天" and those of other fields "每期一般
掌握在3天左右，年内普遍轮训一遍". So the **period is the calendar year**: a secretary is
rotated once a year, and one rotation (a record of kind ``rotation``) lasting at least
``ROTATION_MIN_DAYS`` days (the dates' span, both ends included) ending in the year counts.
Jiangsu's rule (seed 001, DOMAIN.md) asks the same: at least once a year, 3 days in total.
Who owes it: leaders (书记, 副书记, 委员: ``User.leader``) and the secretary categories.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from question_bank.errors import Msg
from question_bank.hours import HOURS_PER_DAY

#: 培训形式: code → the names sheets use (the first is the label).
KIND_NAMES: dict[str, tuple[str, ...]] = {
    "central": ("集中培训", "集中", "集中学习", "面授", "面授培训", "脱产培训", "党校培训",
                "线下", "线下培训", "集中办班"),
    "online": ("网络培训", "网络", "网络学习", "网上培训", "网上学习", "在线", "在线学习",
               "在线培训", "线上", "线上培训", "线上学习", "远程教育", "远程培训"),
    "rotation": ("轮训", "集中轮训", "书记轮训", "轮训班"),
    "other": ("其他", "其它", "专题讲座", "实地考察", "现场教学", "观摩"),
}  # fmt: skip
KINDS = tuple(KIND_NAMES)
_KIND_OF = {name: code for code, names in KIND_NAMES.items() for name in names}
#: One rotation must last this many days (seed 004: 每期3至5天, 3天左右).
ROTATION_MIN_DAYS = 3
#: Categories whose people are secretaries whatever their 职务 says.
SECRETARY_CATEGORIES = frozenset({"village_secretary", "two_new_secretary"})
#: No training record before the founding of the Party.
EARLIEST = date(1921, 7, 1)
#: A name of a course or organiser, an attendance certificate's number: at most this long.
MAX_TEXT = 200


def kind_code(text: str) -> str | None:
    """The kind a cell names (a code or a Chinese name), None if unknown."""
    value = "".join((text or "").split()).lower()
    return value if value in KIND_NAMES else _KIND_OF.get(value)


def training_days(starts_on: date, ends_on: date) -> int:
    """Days a training spans, both ends included."""
    return (ends_on - starts_on).days + 1


#: More hours than any training holds (a whole year is 8,784).
MAX_HOURS = 10_000


def most_hours(starts_on: date, ends_on: date) -> int:
    """The most hours a training can hold: a day of training is 8 hours (DOMAIN.md)."""
    return HOURS_PER_DAY * max(training_days(starts_on, ends_on), 0)


def parse_hours(text: str) -> Decimal | None:
    """学时 as written ("16", "2.5", "１６"), None when it is no finite number."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value or len(value) > 12:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def record_problems(
    starts_on: date | None, ends_on: date | None, hours: Decimal | float | None, today: date
) -> list[Msg]:
    """Why a training's dates and hours cannot be recorded (empty when they can)."""
    problems = date_problems(starts_on, ends_on, today)
    dated = not problems and starts_on is not None and ends_on is not None
    return problems + hours_problems(hours, starts_on if dated else None, ends_on)


def date_problems(starts_on: date | None, ends_on: date | None, today: date) -> list[Msg]:
    """Why a training's dates are not possible: missing, in the wrong order, in the future."""
    problems: list[Msg] = []
    if starts_on is None:
        problems.append(Msg("no start date", code="training_no_start"))
    if ends_on is None:
        problems.append(Msg("no end date", code="training_no_end"))
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(
            Msg("the end date %(end)s is before the start date %(start)s",
                code="training_end_before_start", end=ends_on.isoformat(),
                start=starts_on.isoformat())
        )  # fmt: skip
    for day in (starts_on, ends_on):
        if day is not None and day > today:
            problems.append(
                Msg("%(date)s is in the future: record a training once it has taken place",
                    code="training_future", date=day.isoformat())
            )  # fmt: skip
            break
        if day is not None and day < EARLIEST:
            problems.append(Msg("%(date)s is before July 1921", code="training_too_early",
                                date=day.isoformat()))  # fmt: skip
            break
    return problems


def hours_problems(
    hours: Decimal | float | None, starts_on: date | None = None, ends_on: date | None = None
) -> list[Msg]:
    """Why a number of hours is not possible (for a training from ``starts_on`` to ``ends_on``
    when both are given)."""
    if hours is None:
        return [Msg("no hours (学时): a number above 0", code="training_no_hours")]
    value = Decimal(str(hours))
    if not value.is_finite() or value <= 0:
        return [Msg("the hours must be more than 0", code="training_hours_not_positive")]
    if value > MAX_HOURS:  # also keeps quantize below from overflowing its precision
        return [Msg("%(hours)s hours is more than any training holds", code="training_hours_over",
                    hours=format(value, "g"))]  # fmt: skip
    if value != value.quantize(Decimal("0.1")):
        return [Msg("the hours take at most one decimal place (such as 2.5)",
                    code="training_hours_decimals")]  # fmt: skip
    if starts_on is not None and ends_on is not None:
        most = most_hours(starts_on, ends_on)
        if value > most:
            shown = format(value, "f")
            return [
                Msg("%(hours)s hours is more than %(most)s: a day of training is 8 hours and "
                    "this one lasts %(days)s days", code="training_hours_over",
                    hours=shown, most=most, days=training_days(starts_on, ends_on))
            ]  # fmt: skip
    return []


def needs_rotation(is_leader: bool, category: str | None) -> bool:
    """Whether the person owes a secretaries' rotation training each year (seed 004)."""
    return is_leader or category in SECRETARY_CATEGORIES


@dataclass(frozen=True)
class Rotation:
    """The rotation training a person recorded in a year: the longest one's days."""

    days: int

    @property
    def done(self) -> bool:
        return self.days >= ROTATION_MIN_DAYS


def rotation_in_year(spans: Iterable[tuple[str, date, date]], year: int) -> Rotation:
    """The longest rotation among (kind, starts_on, ends_on) spans ending in ``year``."""
    days = [
        training_days(start, end)
        for kind, start, end in spans
        if kind == "rotation" and end.year == year
    ]
    return Rotation(max(days, default=0))


@dataclass(frozen=True)
class Compliance:
    hours: float
    minimum: int
    ok: bool
    #: Hours still missing (0 when the minimum is met).
    shortfall: float


def compliance(hours: float, minimum: int) -> Compliance:
    """Hours recorded in a year against the year's minimum."""
    short = round(max(minimum - hours, 0.0), 1)
    return Compliance(round(hours, 1), minimum, short == 0, short)

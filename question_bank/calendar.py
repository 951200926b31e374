"""Working days in mainland China: statutory holidays (法定节假日) and make-up working
weekends (调休), plus days an administrator adds.

The State Council publishes each year's holiday schedule late in the year before; the
``holidays`` package carries it (``China``: its holidays and its ``weekend_workdays``) and is
updated when a schedule is published. For a year whose schedule it does not have yet it
still knows the statutory days themselves, but not the 调休 swaps: an administrator adds
those as extra holidays or working days until the package catches up.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta

import holidays


@functools.cache
def _china() -> holidays.HolidayBase:
    # The years around now are filled in at once; others are added when first asked for.
    this_year = date.today().year
    return holidays.China(years=range(this_year - 5, this_year + 3))


def is_working_day(
    day: date,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
) -> bool:
    """Whether ``day`` is a working day: an added holiday is not, an added working day is,
    otherwise the official calendar decides (weekends off except 调休 Saturdays and Sundays).
    A day added as both counts as a holiday."""
    if day in set(extra_holidays):
        return False
    if day in set(extra_workdays):
        return True
    return _china().is_working_day(day)


def add_working_days(
    start: date,
    n: int,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted; 0 → ``start``).

    Results published on 2026-09-30 with a notice of 5 working days: the 国庆 holiday runs
    to 10-07, 10-10 (a Saturday) is worked, so the notice ends on 2026-10-13.
    """
    if n < 0:
        raise ValueError(f"a number of working days is never negative, not {n}")
    holidays_added, workdays_added = set(extra_holidays), set(extra_workdays)
    current = start
    while n > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays_added, workdays_added):
            n -= 1
    return current


def official_workdays(year: int) -> list[date]:
    """The 调休 weekend days worked in ``year`` as the package knows them (empty while that
    year's schedule is not in it: then the administrator has to add them)."""
    china = _china()
    china.get(date(year, 1, 1))  # fills in the year
    return sorted(d for d in china.weekend_workdays if d.year == year)

"""Yearly training-hour minimums (DOMAIN.md "Training hours per year", seed 003).

Plain values in, the minimum and its basis out; the services count the hours recorded.
Hours are counted per calendar year; a day of training is 8 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: A day of training in hours.
HOURS_PER_DAY = 8
#: The minimum of a new member (the first year after joining), whatever the category.
NEW_MEMBER_HOURS = 24
#: category → (members, leaders/secretaries); None: the category has no leader minimum.
MINIMUMS: dict[str, tuple[int, int | None]] = {
    "community": (16, 24),
    "organ": (24, 40),
    "soe": (24, 40),
    "two_new": (16, 24),
    "student": (16, None),
    "floating": (16, 24),
    "village_secretary": (56, None),
    "two_new_secretary": (40, None),
    "village_official": (64, None),
}


@dataclass(frozen=True)
class Minimum:
    hours: int
    #: Why: "category" (the member minimum), "leader", "new_member" or "none" (no category).
    basis: str


def is_new_member(joined_on: date | None, year: int) -> bool:
    """``year`` holds part of the first twelve months after joining (joined 2025-06-01: new
    in 2025 and 2026; joined 2025-01-01: new in 2025 only)."""
    if joined_on is None or joined_on.year > year:
        return False
    try:
        anniversary = joined_on.replace(year=joined_on.year + 1)
    except ValueError:  # 29 February
        anniversary = date(joined_on.year + 1, 3, 1)
    return anniversary > date(year, 1, 1)


def minimum(category: str | None, is_leader: bool, joined_on: date | None, year: int) -> Minimum:
    """The hours a person must record in ``year``; the higher of the rules that apply."""
    options: list[Minimum] = []
    if category in MINIMUMS:
        members, leaders = MINIMUMS[category]
        if is_leader and leaders is not None:
            options.append(Minimum(leaders, "leader"))
        else:
            options.append(Minimum(members, "category"))
    if is_new_member(joined_on, year):
        options.append(Minimum(NEW_MEMBER_HOURS, "new_member"))
    if not options:
        return Minimum(0, "none")
    return max(options, key=lambda m: m.hours)

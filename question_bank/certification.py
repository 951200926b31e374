"""Certificate rules as data: conditions an admin can read, checked with a reason for every
refusal (the steps of a level promotion: question_bank/promotion.py).

A rule set is a list of conditions, each a JSON object naming its ``check`` and its settings:
``{"check": "party_member"}``, ``{"check": "hours_per_year", "hours": 24, "years": 2}``.
``evaluate`` checks the conditions against what the service gathered about a person
(``Facts``), returning every reason it refuses (empty: the credential may be issued);
question_bank/rule_sets.py says what is wrong with a list an admin wrote and turns each
condition into a sentence.

The defaults follow the seeds: 000 for the training and post-qualification certificates,
001 for the four levels (the months in a level and the yearly hours are this deployment's
assumptions, to be set by the admins as their own rules say: DEFAULT_RULES).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from question_bank.errors import Code, Msg

#: The credentials a rule set may be for (examsvc.models.ExamKind values).
TRAINING, POST, LEVEL = "training", "post_qualification", "level"
KINDS = (TRAINING, POST, LEVEL)
#: The highest level (特级, L4).
TOP_LEVEL = 4
#: No rule set holds more conditions than this.
MAX_CONDITIONS = 20


@dataclass(frozen=True)
class Param:
    """A setting of a check: whole numbers between ``low`` and ``high``; ``default`` None
    means the setting is required."""

    name: str
    low: int
    high: int
    default: int | None = None


@dataclass(frozen=True)
class Check:
    name: str
    kinds: frozenset[str]
    params: tuple[Param, ...] = ()


CHECKS: dict[str, Check] = {
    c.name: c
    for c in (
        Check("party_member", frozenset(KINDS)),
        Check("passed_exam", frozenset({TRAINING, POST})),
        Check("course_hours", frozenset({TRAINING})),
        Check("level_held", frozenset({LEVEL}), (Param("level", 0, TOP_LEVEL - 1),)),
        Check("months_in_level", frozenset({LEVEL}), (Param("months", 0, 240),)),
        Check(
            "hours_per_year",
            frozenset({LEVEL}),
            (Param("hours", 1, 2000), Param("years", 1, 10)),
        ),
        Check("training_test_passed", frozenset({LEVEL}), (Param("within_months", 0, 120, 0),)),
        Check("panel_assessment", frozenset({LEVEL}), (Param("members", 1, 50, 3),)),
        Check("certificate_not_suspended", frozenset({LEVEL})),
    )
}

#: (kind, level) → the conditions a deployment starts with (version 1 of each rule set).
DEFAULT_RULES: dict[tuple[str, int], list[dict]] = {
    # seed 000: completed the whole course (its hours recorded) and passed its test
    (TRAINING, 0): [{"check": "course_hours"}, {"check": "passed_exam"}],
    # seed 000: passed the post exam and is a party member
    (POST, 0): [{"check": "passed_exam"}, {"check": "party_member"}],
    # seed 001: a training test before certification and each promotion, one level at a
    # time; the months and hours below are assumptions for the admins to set
    (LEVEL, 1): [
        {"check": "level_held", "level": 0},
        {"check": "training_test_passed", "within_months": 12},
    ],
    (LEVEL, 2): [
        {"check": "level_held", "level": 1},
        {"check": "certificate_not_suspended"},
        {"check": "months_in_level", "months": 24},
        {"check": "hours_per_year", "hours": 24, "years": 2},
        {"check": "training_test_passed", "within_months": 12},
    ],
    (LEVEL, 3): [
        {"check": "level_held", "level": 2},
        {"check": "certificate_not_suspended"},
        {"check": "months_in_level", "months": 36},
        {"check": "hours_per_year", "hours": 24, "years": 3},
        {"check": "training_test_passed", "within_months": 12},
    ],
    (LEVEL, 4): [
        {"check": "level_held", "level": 3},
        {"check": "certificate_not_suspended"},
        {"check": "months_in_level", "months": 36},
        {"check": "hours_per_year", "hours": 40, "years": 3},
        {"check": "training_test_passed", "within_months": 12},
        {"check": "panel_assessment", "members": 3},
    ],
}


def _level(n: int) -> Code:
    return Code(f"L{n}", "exam")


def credential_code(kind: str, level: int) -> str:
    """The code a rule set is shown by: "training", "post_qualification", "L1"…"L4"."""
    return f"L{level}" if kind == LEVEL else kind


def rule_keys() -> list[tuple[str, int]]:
    """Every (kind, level) that has a rule set, in the order pages list them."""
    return list(DEFAULT_RULES)


def whole(value: object) -> int | None:
    """A JSON number as a whole number; None for anything else (true and false included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def setting(condition: Mapping, name: str) -> int:
    """A setting of a stored condition, its default when absent."""
    check = CHECKS[condition["check"]]
    param = next(p for p in check.params if p.name == name)
    value = condition.get(name, param.default)
    return whole(value) or 0


# --- evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseHours:
    """A training course behind a training test, and the hours a person has recorded on it."""

    name: str
    required: float
    attended: float


@dataclass(frozen=True)
class Facts:
    """What the service knows of a person when a credential is checked."""

    today: date
    party_member: bool = False
    #: Passed the exam behind the credential (training / post-qualification).
    passed_exam: bool = False
    #: The training courses whose test this is (training certificates).
    courses: tuple[CourseHours, ...] = ()
    #: The level held now (0: none), since when, and whether its certificate is suspended.
    level: int = 0
    level_since: date | None = None
    suspended: bool = False
    #: Training hours recorded per calendar year.
    hours_by_year: Mapping[int, float] = field(default_factory=dict)
    #: The day the level's training test was passed (None: not passed).
    training_test_on: date | None = None
    #: Members of the panel that decided the comprehensive assessment (综合评定).
    panel: tuple[str, ...] = ()


def evaluate(conditions: list[Mapping], facts: Facts) -> list[Msg]:
    """Every reason the conditions refuse the credential; empty when they all hold."""
    reasons: list[Msg] = []
    for condition in conditions:
        reasons += _refusals(condition, facts)
    return reasons


def _refusals(condition: Mapping, facts: Facts) -> list[Msg]:
    name = condition.get("check")
    if name == "party_member":
        return [] if facts.party_member else [Msg("not a party member", code="not_party_member")]
    if name == "passed_exam":
        return [] if facts.passed_exam else [Msg("did not pass the exam", code="exam_not_passed")]
    if name == "course_hours":
        return _course_refusals(facts)
    if name == "level_held":
        return _held_refusals(setting(condition, "level"), facts)
    if name == "months_in_level":
        return _months_refusals(setting(condition, "months"), facts)
    if name == "hours_per_year":
        return _hours_refusals(setting(condition, "hours"), setting(condition, "years"), facts)
    if name == "training_test_passed":
        return _test_refusals(setting(condition, "within_months"), facts)
    if name == "panel_assessment":
        needed = setting(condition, "members")
        if len(facts.panel) >= needed:
            return []
        return [Msg("the comprehensive assessment names %(n)s panel members, at least "
                    "%(needed)s are needed", code="no_panel", n=len(facts.panel),
                    needed=needed)]  # fmt: skip
    if name == "certificate_not_suspended":
        if not facts.suspended:
            return []
        return [Msg("the level certificate is suspended (a failed annual inspection): a "
                    "suspended holder cannot be promoted", code="suspended")]  # fmt: skip
    return [Msg("unknown condition %(check)s", code="unknown_check", check=str(name))]


def hours_text(hours: float) -> str:
    """Hours as people write them: 16, 12.5."""
    rounded = round(float(hours), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def _course_refusals(facts: Facts) -> list[Msg]:
    if not facts.courses:
        return [Msg("no training course uses this test, so its hours cannot be checked",
                    code="no_course")]  # fmt: skip
    if any(c.attended >= c.required for c in facts.courses):
        return []
    best = max(facts.courses, key=lambda c: c.attended / c.required if c.required else 1)
    return [Msg("recorded %(attended)s of the %(required)s hours of the course %(course)s",
                code="hours_short", attended=hours_text(best.attended),
                required=hours_text(best.required), course=best.name)]  # fmt: skip


def _held_refusals(needed: int, facts: Facts) -> list[Msg]:
    if facts.level == needed:
        return []
    held = _level(facts.level) if facts.level else Msg("no level", code="no_level")
    if needed == 0:
        return [Msg("already holds %(held)s", code="level_held", held=held)]
    return [Msg("holds %(held)s; this needs %(level)s held now (one level at a time)",
                code="level_missing", held=held, level=_level(needed))]  # fmt: skip


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (2024-03-31 → 2024-04-30: 0; → 05-01: 1)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _months_refusals(needed: int, facts: Facts) -> list[Msg]:
    if facts.level == 0 or facts.level_since is None:
        return [Msg("holds no level, so has no months in a level", code="no_level")]
    held = months_between(facts.level_since, facts.today)
    if held >= needed:
        return []
    return [Msg("has held %(level)s for %(held)s months since %(since)s; %(months)s are needed",
                code="months_short", level=_level(facts.level), held=held,
                since=facts.level_since.isoformat(), months=needed)]  # fmt: skip


def _hours_refusals(needed: int, years: int, facts: Facts) -> list[Msg]:
    reasons = []
    for year in range(facts.today.year - years, facts.today.year):
        hours = facts.hours_by_year.get(year, 0.0)
        if hours < needed:
            reasons.append(
                Msg("recorded %(hours)s training hours in %(year)s; %(needed)s are needed",
                    code="hours_short", hours=hours_text(hours), year=year, needed=needed)
            )  # fmt: skip
    return reasons


def _test_refusals(within_months: int, facts: Facts) -> list[Msg]:
    if facts.training_test_on is None:
        return [Msg("has not passed the training test", code="test_not_passed")]
    if within_months and months_between(facts.training_test_on, facts.today) >= within_months:
        return [Msg("passed the training test on %(date)s, %(months)s or more months ago",
                    code="test_too_old", date=facts.training_test_on.isoformat(),
                    months=within_months)]  # fmt: skip
    return []

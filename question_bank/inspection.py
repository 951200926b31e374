"""年检: the yearly inspection of a level certificate (DOMAIN.md "年检", seed 001).

Plain values in, a verdict out: whether the holder passed the inspection of the past
calendar year, every reason they did not, and what happens to the certificate.

Passing needs, for that year: still in a party-affairs post, at least one training and
24 hours (3 days of 8 hours), the hours minimum of the person's category (seed 003,
question_bank/hours.py), and the annual assessment 优秀, 称职 or 基本称职. A missing
assessment is a failure too (the batch refuses to close with one unless told to).

Outcomes: ``passed`` (a valid certificate stays valid), ``reinstated`` (a suspended one is
valid again), ``suspended`` (a first failure) and ``revoked`` (a failure in the year after a
failed inspection: a second failure in consecutive years).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from question_bank.errors import Msg
from question_bank.hours import HOURS_PER_DAY

#: At least one training a year (seed 001: 每年至少参加1次培训).
MIN_TRAININGS = 1
#: 累计培训时间不少于3天 (seed 001), a day being 8 hours.
MIN_HOURS = 3 * HOURS_PER_DAY


class Outcome(enum.StrEnum):
    PASSED = "passed"  #: passed; the certificate stays valid
    REINSTATED = "reinstated"  #: passed; the suspended certificate is valid again
    SUSPENDED = "suspended"  #: a first failure
    REVOKED = "revoked"  #: a second failure in consecutive years


#: Assessment values (examsvc.models.Assessment) that pass, and their Chinese names.
ASSESSMENTS = {
    "excellent": "优秀",
    "competent": "称职",
    "basically_competent": "基本称职",
    "incompetent": "不称职",
}
PASSING_ASSESSMENTS = frozenset({"excellent", "competent", "basically_competent"})


@dataclass(frozen=True)
class Facts:
    """What the inspection knows of one holder for the inspected year."""

    #: Still in a party-affairs post on 31 December (the latest 职务变动 up to then).
    in_post: bool
    trainings: int
    hours: float
    #: The category's yearly minimum (question_bank.hours.minimum).
    minimum_hours: float
    #: An ASSESSMENTS key, or None when none was entered.
    assessment: str | None
    #: The certificate's stored status now: "valid" or "suspended".
    status: str = "valid"
    #: The holder failed the inspection of the year before (a closed batch said so).
    failed_last_year: bool = False


@dataclass(frozen=True)
class Verdict:
    passed: bool
    outcome: Outcome
    #: Every reason the inspection failed; empty when it passed.
    reasons: tuple[Msg, ...]


def reasons(facts: Facts) -> list[Msg]:
    """Every reason the holder fails the inspection; empty when they pass."""
    found: list[Msg] = []
    if not facts.in_post:
        found.append(Msg("no longer in a party-affairs post", code="left_post"))
    if facts.trainings < MIN_TRAININGS:
        found.append(Msg("no training in the year", code="no_training"))
    if facts.hours < MIN_HOURS:
        found.append(
            Msg("%(hours)s training hours, fewer than the %(minimum)s (3 days) every holder needs",
                code="hours_below_three_days", hours=_hours(facts.hours), minimum=MIN_HOURS)
        )  # fmt: skip
    if facts.minimum_hours > MIN_HOURS and facts.hours < facts.minimum_hours:
        found.append(
            Msg("%(hours)s training hours, fewer than the %(minimum)s of the person's category",
                code="hours_below_category", hours=_hours(facts.hours),
                minimum=_hours(facts.minimum_hours))
        )  # fmt: skip
    found += _assessment_reasons(facts.assessment)
    return found


def _assessment_reasons(assessment: str | None) -> list[Msg]:
    if assessment is None or assessment == "":
        return [Msg("no annual assessment was entered", code="no_assessment")]
    if assessment not in ASSESSMENTS:
        return [
            Msg("the annual assessment %(value)s is unknown", code="unknown_assessment",
                value=assessment)
        ]  # fmt: skip
    if assessment not in PASSING_ASSESSMENTS:
        return [Msg("the annual assessment is 不称职 (incompetent)", code="incompetent")]
    return []


def _hours(value: float) -> str:
    """Hours as people write them: 24, 23.5 (never 24.0)."""
    return f"{value:g}"


def judge(facts: Facts) -> Verdict:
    """The verdict of one holder's inspection."""
    found = reasons(facts)
    if not found:
        outcome = Outcome.REINSTATED if facts.status == "suspended" else Outcome.PASSED
        return Verdict(True, outcome, ())
    outcome = Outcome.REVOKED if facts.failed_last_year else Outcome.SUSPENDED
    return Verdict(False, outcome, tuple(found))


def assessment_code(text: str) -> str | None:
    """The assessment a cell names (优秀/称职/基本称职/不称职 or the code); None if unknown."""
    cleaned = "".join(text.split()).lower()
    for code, chinese in ASSESSMENTS.items():
        if cleaned in (code, chinese):
            return code
    return None

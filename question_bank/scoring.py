"""Scoring of objective responses; never negative, pure and deterministic."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from question_bank.errors import InvalidResponse, Msg
from question_bank.fill_match import fold_answer, right_blanks
from question_bank.model import OPTION_LABELS, QuestionType


class MultipleRule(enum.StrEnum):
    #: 多选、少选、错选均不得分: the norm in party-knowledge tests.
    ALL_OR_NOTHING = "all_or_nothing"
    #: Each correct option chosen earns a share; any wrong pick scores 0.
    PER_OPTION = "per_option"
    #: A correct subset without wrong picks earns a fixed share of the points (by default
    #: half: 少选得一半).
    FIXED_PARTIAL = "fixed_partial"


def check_response(qtype: QuestionType, response: object, option_count: int, blanks: int) -> object:
    """Return the response in canonical form, or raise InvalidResponse; None means unanswered."""
    if response is None:
        return None
    labels = list(OPTION_LABELS[:option_count])
    if qtype is QuestionType.SINGLE:
        if not isinstance(response, str) or response.upper() not in labels:
            raise InvalidResponse(
                Msg("expected one of %(labels)s", code="single_response", labels=tuple(labels))
            )
        return response.upper()
    if qtype is QuestionType.MULTIPLE:
        if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
            raise InvalidResponse(
                Msg("expected a list of option letters", code="multiple_response")
            )
        picked = sorted({r.upper() for r in response})
        if any(p not in labels for p in picked):
            raise InvalidResponse(
                Msg(
                    "expected letters among %(labels)s",
                    code="option_letters",
                    labels=tuple(labels),
                )
            )
        return picked
    if qtype is QuestionType.JUDGE:
        if not isinstance(response, bool):
            raise InvalidResponse(Msg("expected true or false", code="judge_response"))
        return response
    if qtype is QuestionType.FILL:
        if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
            raise InvalidResponse(
                Msg("expected a list of strings, one per blank", code="fill_response")
            )
        if len(response) != blanks:
            raise InvalidResponse(
                Msg("expected %(n)s answers, one per blank", code="fill_count", n=blanks)
            )
        if any(len(r) > 500 for r in response):
            raise InvalidResponse(
                Msg("an answer is longer than %(most)s characters", code="fill_too_long", most=500)
            )
        return list(response)
    if not isinstance(response, str):
        raise InvalidResponse(Msg("expected text", code="short_response"))
    if len(response) > 20000:
        raise InvalidResponse(
            Msg("the answer is longer than %(most)s characters", code="short_too_long", most=20000)
        )
    return response


#: The share of the points a correct subset of the key earns under ``fixed_partial`` (少选得一半).
DEFAULT_PARTIAL_SHARE = Fraction(1, 2)


def item_score(
    qtype: QuestionType,
    key: object,
    response: object,
    points: float | Decimal | Fraction,
    rule: MultipleRule = MultipleRule.ALL_OR_NOTHING,
    share: float | Decimal | Fraction = DEFAULT_PARTIAL_SHARE,
) -> Fraction | None:
    """The exact points a canonical response earns; None for subjective items (graded by people).

    Nothing is rounded here: a third of a point stays a third, so that a paper's total is
    rounded once (``total_score``) and three thirds make a whole point again.
    """
    if qtype is QuestionType.SHORT:
        return None
    exact = exact_value(points)
    if response is None:
        return Fraction(0)
    if qtype is QuestionType.SINGLE:
        return exact if response == key else Fraction(0)
    if qtype is QuestionType.JUDGE:
        return exact if response is key else Fraction(0)
    if qtype is QuestionType.MULTIPLE:
        fraction = multiple_credit(tuple(key), response, rule, share)  # type: ignore[arg-type]
        return exact * fraction
    if not key:
        return Fraction(0)
    return exact * Fraction(right_blanks(key, response), len(key))  # type: ignore[arg-type]


def score_response(
    qtype: QuestionType,
    key: object,
    response: object,
    points: float,
    rule: MultipleRule = MultipleRule.ALL_OR_NOTHING,
    share: float | Decimal | Fraction = DEFAULT_PARTIAL_SHARE,
) -> float | None:
    """Points earned by a canonical response, unrounded; None for subjective items.

    The float is the nearest to the exact value (2/3 of a point is 0.666…); ``total_score``
    recovers the exact value, so summing these floats there loses nothing.
    """
    exact = item_score(qtype, key, response, points, rule, share)
    return None if exact is None else float(exact)


def multiple_credit(
    key: Sequence[str],
    response: Sequence[str],
    rule: str,
    share: float | Decimal | Fraction = DEFAULT_PARTIAL_SHARE,
) -> Fraction:
    """The share of a multiple-choice item's points a response earns under ``rule``."""
    picked = set(response)
    correct = set(key)
    if picked == correct:
        return Fraction(1)
    if not picked or picked - correct or rule == MultipleRule.ALL_OR_NOTHING:
        return Fraction(0)
    if rule == MultipleRule.PER_OPTION:
        return Fraction(len(picked), len(correct))
    return partial_share(share)


def partial_share(share: float | Decimal | Fraction) -> Fraction:
    """A ``fixed_partial`` share as an exact fraction between 0 and 1; else ValueError."""
    exact = exact_value(share)
    if not 0 <= exact <= 1:
        raise ValueError(f"a partial share lies between 0 and 1, not {share}")
    return exact


def fill_match_key(text: str) -> str:
    """How fill-in answers are compared (see ``question_bank.fill_match``): ２／３ = 2/3."""
    return fold_answer(text)


def exact_value(value: float | int | Decimal | Fraction) -> Fraction:
    """The exact number a score or a points value stands for.

    Points are written to the hundredth and partial credit divides them by small numbers
    (options in the key, blanks, a share), so a float here is the nearest float to a fraction
    with a small denominator: that fraction is taken (0.1 is 1/10, 0.666… is 2/3). Any other
    float is taken as the decimal it prints as.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | Decimal):
        return Fraction(value)
    guess = Fraction(value).limit_denominator(_DENOMINATOR_LIMIT)
    return guess if float(guess) == value else Fraction(Decimal(repr(value)))


_DENOMINATOR_LIMIT = 10**6


def total_score(points: Iterable[float | Decimal | Fraction]) -> float:
    """A paper's score: the exact sum of its items' points, cut (never rounded up) to 0.01.

    The only rounding of a score: summed exactly, 0.1 × 600 stays 60 and three thirds of a
    point make one; cutting keeps 4.995 at 4.99, so the score shown is never above what was
    earned and a pass is never made by rounding.
    """
    values = list(points)
    cents = _whole_cents(values)
    if cents is not None:  # the usual paper: every item's points a whole number of cents
        return cents / 100
    exact = sum((exact_value(p) for p in values), Fraction(0))
    return float(Decimal(exact.numerator * 100 // exact.denominator) / 100)


def _whole_cents(values: list) -> int | None:
    """The sum in cents when every value is a whole number of cents (as exact_value would
    read it); None as soon as one is not (2/3 of a point), for the exact path."""
    total = 0
    for value in values:
        if isinstance(value, Fraction | Decimal):
            return None
        scaled = value * 100
        whole = round(scaled)
        if abs(scaled - whole) > 1e-7 * max(1.0, abs(scaled)):
            return None
        total += whole
    return total


def passes(score: float, pass_mark: float) -> bool:
    """Reaching the pass mark exactly is a pass."""
    return Decimal(str(score)) >= Decimal(str(pass_mark))

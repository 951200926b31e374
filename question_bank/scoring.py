"""Scoring of objective responses; never negative, pure and deterministic."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_DOWN, Decimal

from question_bank.errors import InvalidResponse, Msg
from question_bank.model import OPTION_LABELS, QuestionType, normalize_text


class MultipleRule(enum.StrEnum):
    #: 多选、少选、错选均不得分: the norm in party-knowledge tests.
    ALL_OR_NOTHING = "all_or_nothing"
    #: Each correct option chosen earns a share; any wrong pick scores 0.
    PER_OPTION = "per_option"
    #: A correct subset without wrong picks earns half the points.
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


def score_response(
    qtype: QuestionType,
    key: object,
    response: object,
    points: float,
    rule: MultipleRule = MultipleRule.ALL_OR_NOTHING,
) -> float | None:
    """Points earned by a canonical response; None for subjective items (graded by people)."""
    if qtype is QuestionType.SHORT:
        return None
    if response is None:
        return 0.0
    if qtype is QuestionType.SINGLE:
        return float(points) if response == key else 0.0
    if qtype is QuestionType.JUDGE:
        return float(points) if response is key else 0.0
    if qtype is QuestionType.MULTIPLE:
        return _score_multiple(tuple(key), response, points, rule)  # type: ignore[arg-type]
    return _score_fill(key, response, points)  # type: ignore[arg-type]


def _score_multiple(
    key: tuple[str, ...], response: Sequence[str], points: float, rule: str
) -> float:
    picked = set(response)
    correct = set(key)
    if picked == correct:
        return float(points)
    if not picked or picked - correct or rule == MultipleRule.ALL_OR_NOTHING:
        return 0.0
    if rule == MultipleRule.PER_OPTION:
        return round(points * len(picked) / len(correct), 2)
    return round(points / 2, 2)


def fill_match_key(text: str) -> str:
    """How fill-in answers are compared: width, case and spacing do not matter (２／３ = 2/3)."""
    return "".join(unicodedata.normalize("NFKC", normalize_text(text)).casefold().split())


def _score_fill(key: Sequence[Sequence[str]], response: Sequence[str], points: float) -> float:
    if not key:
        return 0.0
    right = 0
    for accepted, given in zip(key, response, strict=False):
        given_key = fill_match_key(given)
        if given_key and given_key in {fill_match_key(a) for a in accepted}:
            right += 1
    return round(points * right / len(key), 2)


def total_score(points: Iterable[float]) -> float:
    """A paper's score: the exact sum of its items' points, cut (never rounded up) to 0.01.

    Summing in decimal keeps 0.1 × 600 at exactly 60; cutting keeps 4.995 at 4.99, so the
    score shown is never above what was earned and a pass is never made by rounding.
    """
    exact = sum((Decimal(str(p)) for p in points), Decimal(0))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def passes(score: float, pass_mark: float) -> bool:
    """Reaching the pass mark exactly is a pass."""
    return Decimal(str(score)) >= Decimal(str(pass_mark))

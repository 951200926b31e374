"""Scoring a whole sitting at once: many answer sheets of the same items, as numpy arrays.

Each response is first encoded as a small integer (``encode_response``): for single and
multiple choice the bit mask of the options picked (bit 0 = A), for judge 1 (true) or 2
(false), for fill-in the number of blanks answered right; 0 is no answer. A table per item
then gives, for every code, the exact credit ``item_score`` gives that answer, in integer
units of 1/(100·L) point (L the least common multiple of the denominators that partial credit
needs), so a sheet's total is an exact integer sum, cut once to the hundredth: the same
number ``total_score`` gives for the same answers, for 100,000 sheets in one pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from question_bank.fill_match import alternatives, right_blanks
from question_bank.model import OPTION_LABELS, QuestionType
from question_bank.scoring import (
    DEFAULT_PARTIAL_SHARE,
    MultipleRule,
    exact_value,
    item_score,
)
from question_bank.statistics import Analysis, Choices, analyse

#: Codes are bytes: eight options make 256 bit masks; judge and fill-in use the low codes.
CODES = 256
JUDGE_TRUE, JUDGE_FALSE = 1, 2


@dataclass(frozen=True)
class SheetItem:
    """One item of the set every sheet answers: its type, canonical key, points and area."""

    type: QuestionType
    key: object
    points: float | Decimal | Fraction
    area: str = ""


@dataclass(frozen=True)
class ItemSet:
    """Items compiled for bulk scoring: ``table[i, code]`` is item i's credit in units."""

    items: tuple[SheetItem, ...]
    table: np.ndarray  # (items, CODES) int64
    unit: int  # units per hundredth of a point
    areas: tuple[str, ...]
    short: np.ndarray  # (items,) bool: marked by people, not by the table

    @property
    def max_score(self) -> float:
        """The most a sheet can score, cut to the hundredth like every total."""
        exact = sum((exact_value(i.points) for i in self.items), Fraction(0))
        return math.floor(exact * 100) / 100


@dataclass(frozen=True)
class SheetScores:
    """Totals, pass and per-area sums of every sheet, each cut once to the hundredth."""

    hundredths: np.ndarray  # (sheets,) int64: the total in hundredths of a point
    passed: np.ndarray  # (sheets,) bool; False where pending
    pending: np.ndarray  # (sheets,) bool: a subjective item is still unmarked
    areas: tuple[str, ...]
    area_hundredths: np.ndarray  # (sheets, areas) int64
    item_units: np.ndarray  # (sheets, items) int64: exact credit in units
    unit: int

    @property
    def totals(self) -> np.ndarray:
        """Each sheet's total in points (two decimals)."""
        return self.hundredths / 100

    @property
    def area_totals(self) -> np.ndarray:
        """Each sheet's score per area in points, in the order of ``areas``."""
        return self.area_hundredths / 100

    def item_scores(self) -> np.ndarray:
        """Each sheet's exact credit per item as floats (for item statistics)."""
        return self.item_units / (100 * self.unit)


def compile_items(
    items: Sequence[SheetItem],
    rule: MultipleRule = MultipleRule.ALL_OR_NOTHING,
    share: float | Decimal | Fraction = DEFAULT_PARTIAL_SHARE,
) -> ItemSet:
    """Work out each item's credit for every possible code, exactly, with ``item_score``."""
    credits = [_credits(item, rule, share) for item in items]
    unit = math.lcm(1, *(c.denominator for row in credits for c in row.values()))
    table = np.zeros((len(items), CODES), dtype=np.int64)
    for i, row in enumerate(credits):
        for code, credit in row.items():
            table[i, code] = int(credit * unit)
    areas = tuple(dict.fromkeys(item.area for item in items))
    short = np.array([item.type is QuestionType.SHORT for item in items], dtype=bool)
    return ItemSet(tuple(items), table, unit, areas, short)


def _credits(item: SheetItem, rule: MultipleRule, share) -> dict[int, Fraction]:
    """Credit in hundredths of a point for each code the item can receive."""
    if item.type is QuestionType.SHORT:
        return {}
    if exact_value(item.points) * 100 % 1:
        raise ValueError(f"points are given to the hundredth, not {item.points}")
    out = {}
    for code in _codes_of(item):
        response = decode_response(item, code)
        credit = item_score(item.type, item.key, response, item.points, rule, share)
        out[code] = (credit or Fraction(0)) * 100
    return out


def _codes_of(item: SheetItem) -> range:
    if item.type is QuestionType.JUDGE:
        return range(3)
    if item.type is QuestionType.FILL:
        return range(len(item.key) + 1)  # type: ignore[arg-type]
    return range(CODES)


def decode_response(item: SheetItem, code: int) -> object:
    """A canonical response standing for ``code`` (for fill-in: the first blanks right)."""
    if code == 0:
        return None
    if item.type is QuestionType.JUDGE:
        return code == JUDGE_TRUE
    if item.type is QuestionType.FILL:
        firsts = [alternatives(accepted[0])[0] for accepted in item.key]  # type: ignore[attr-defined,index]
        return [first if n < code else "" for n, first in enumerate(firsts)]
    picked = [OPTION_LABELS[b] for b in range(len(OPTION_LABELS)) if code >> b & 1]
    if item.type is QuestionType.SINGLE:
        return picked[0] if len(picked) == 1 else "?"  # several picks on a single: no credit
    return picked


def encode_response(item: SheetItem, response: object) -> int:
    """The code of a canonical response (see the module docstring); 0 for no answer."""
    if response is None or item.type is QuestionType.SHORT:
        return 0
    if item.type is QuestionType.JUDGE:
        return JUDGE_TRUE if response is True else JUDGE_FALSE
    if item.type is QuestionType.FILL:
        return right_blanks(item.key, response)  # type: ignore[arg-type]
    picked: list[str] = [response] if isinstance(response, str) else list(response)  # type: ignore[call-overload]
    return sum(1 << OPTION_LABELS.index(p) for p in set(picked))


def encode_column(item: SheetItem, responses: Iterable[object]) -> np.ndarray:
    """The codes of many responses to one item; equal responses are encoded once."""
    cache: dict[object, int] = {}
    out = []
    for response in responses:
        hashable = tuple(response) if isinstance(response, list) else response
        code = cache.get(hashable)
        if code is None:
            code = cache[hashable] = encode_response(item, response)
        out.append(code)
    return np.array(out, dtype=np.uint8)


def score_sheets(
    item_set: ItemSet,
    codes: np.ndarray,
    pass_mark: float | Decimal | Fraction,
    marks: np.ndarray | None = None,
    overrides: np.ndarray | None = None,
) -> SheetScores:
    """Score every sheet: ``codes`` is (sheets, items) of ``encode_response`` codes.

    ``marks`` (sheets, items), optional, holds the points examiners gave subjective items
    (to the hundredth; NaN while unmarked); a sheet with an unmarked one is pending and
    neither passes nor fails yet. ``overrides`` (sheets, items), optional, holds points that
    replace whatever the key or the marks give (an admin's correction after an appeal, to
    the hundredth); NaN where there is none.
    """
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != len(item_set.items):
        raise ValueError(f"codes must be (sheets, {len(item_set.items)}), not {codes.shape}")
    units = item_set.table[np.arange(codes.shape[1])[None, :], codes.astype(np.intp)]
    fixed = np.zeros(codes.shape, dtype=bool)
    if overrides is not None:
        fixed = ~np.isnan(np.asarray(overrides, dtype=np.float64))
    pending = np.zeros(codes.shape[0], dtype=bool)
    if item_set.short.any():
        given = np.full((codes.shape[0], int(item_set.short.sum())), np.nan)
        if marks is not None:
            given = np.asarray(marks, dtype=np.float64)[:, item_set.short]
        pending = (np.isnan(given) & ~fixed[:, item_set.short]).any(axis=1)
        marked = np.rint(np.nan_to_num(given) * 100).astype(np.int64) * item_set.unit
        units[:, item_set.short] = marked
    if fixed.any():
        corrected = np.asarray(overrides, dtype=np.float64)[fixed]
        units[fixed] = np.rint(corrected * 100).astype(np.int64) * item_set.unit
    hundredths = units.sum(axis=1) // item_set.unit
    pass_h = math.ceil(exact_value(pass_mark) * 100)
    passed = (hundredths >= pass_h) & ~pending
    area_of = np.array([item_set.areas.index(i.area) for i in item_set.items], dtype=np.intp)
    area_units = np.zeros((codes.shape[0], len(item_set.areas)), dtype=np.int64)
    for a in range(len(item_set.areas)):
        area_units[:, a] = units[:, area_of == a].sum(axis=1)
    return SheetScores(
        hundredths=hundredths,
        passed=passed,
        pending=pending,
        areas=item_set.areas,
        area_hundredths=area_units // item_set.unit,
        item_units=units,
        unit=item_set.unit,
    )


#: The options of a judge item as item analysis names them: code 1 (bit 0) and 2 (bit 1).
JUDGE_LABELS = ("true", "false")


def analyse_sitting(
    item_set: ItemSet,
    codes: np.ndarray,
    scores: SheetScores,
    names: Sequence[str],
    option_counts: Sequence[int],
) -> Analysis:
    """Item analysis of a scored sitting: item scores from ``scores``, option choices from
    ``codes`` (every option of an item is listed, chosen or not; fill-in and subjective
    items have none)."""
    labels: list[tuple[str, ...]] = []
    key_masks: list[int] = []
    keys: list[str] = []
    for item, count in zip(item_set.items, option_counts, strict=True):
        if item.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            labels.append(tuple(OPTION_LABELS[:count]))
            key_masks.append(encode_response(item, item.key))
            keys.append("".join(item.key))  # type: ignore[arg-type]
        elif item.type is QuestionType.JUDGE:
            labels.append(JUDGE_LABELS)
            key_masks.append(encode_response(item, item.key))
            keys.append(JUDGE_LABELS[0] if item.key is True else JUDGE_LABELS[1])
        else:
            labels.append(())
            key_masks.append(0)
            keys.append(_key_text(item))
    choices = Choices(codes=codes, labels=labels, key_masks=key_masks)
    max_marks = [float(exact_value(item.points)) for item in item_set.items]
    return analyse(scores.item_scores(), names, keys, max_marks=max_marks, choices=choices)


def _key_text(item: SheetItem) -> str:
    if item.type is QuestionType.FILL:
        return " / ".join("|".join(accepted) for accepted in item.key)  # type: ignore[attr-defined]
    return str(item.key)

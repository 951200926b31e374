"""Item analysis with the definitions of Moodle's quiz statistics report, in numpy.

For S candidates and P items, with x_i the score on item i, T = Σ x_i the test score and
X_i = T − x_i the rest score (everything but item i); variances and covariances divide by
S − 1:

- facility F_i = mean(x_i) / max_i (Moodle's facility index, as a fraction);
- sd_i = SD(x_i) / max_i;
- discrimination index = item–rest correlation r(x_i, X_i) = C(x_i, X_i) / √(V(x_i)·V(X_i));
- discriminative efficiency = C(x_i, X_i) / C_max(x_i, X_i), where C_max pairs the sorted
  scores of the item with the sorted rest scores (the largest covariance those scores allow);
- per option: the share of all candidates who chose it and r(chose it, X_i);
- test: mean and SD of T, coefficient alpha (Moodle's CIC; KR-20 when items score 0/1)
  α = P/(P − 1) · (1 − Σ V(x_i) / V(T)), and SEM = SD(T) · √(1 − α).

A statistic that cannot be computed (one candidate, a constant score) is None.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

#: Facility above which an item says nothing about who knows more.
TOO_EASY = 0.95
#: Facility below which an item is flagged too hard.
TOO_HARD = 0.20
#: A distractor chosen by fewer than this share of candidates does not work.
DISTRACTOR_MIN_SHARE = 0.05


class Flag(enum.StrEnum):
    """Why an item goes back to review (DESIGN.md §4 codes)."""

    #: A distractor's option–rest r exceeds the key's: probably the real answer.
    KEY_SUSPECT = "key_suspect"
    NEGATIVE_DISCRIMINATION = "negative_discrimination"
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    NON_FUNCTIONAL_DISTRACTOR = "non_functional_distractor"


@dataclass(frozen=True)
class OptionStats:
    option: str
    share: float
    rest_r: float | None
    is_key: bool


@dataclass(frozen=True)
class ItemStats:
    item: str
    key: str
    facility: float | None
    sd: float | None
    item_rest_r: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    options: tuple[OptionStats, ...]
    flags: tuple[Flag, ...]
    suggest: str | None


@dataclass(frozen=True)
class TestStats:
    mean: float | None
    sd: float | None
    alpha: float | None
    sem: float | None


@dataclass(frozen=True)
class Analysis:
    candidates: int
    items: tuple[ItemStats, ...]
    test: TestStats

    def as_json(self) -> dict:
        """The shape ``examsvc stats items --json`` prints (DESIGN.md §4)."""
        items = []
        for item in self.items:
            row = asdict(item)
            row["flags"] = [str(f) for f in item.flags]
            row["options"] = [
                {"option": o.option, "share": o.share, "rest_r": o.rest_r} for o in item.options
            ]
            items.append(row)
        return {"candidates": self.candidates, "items": items, "test": asdict(self.test)}


@dataclass(frozen=True)
class Choices:
    """Which options each candidate chose: ``codes[s, i]`` has bit b set when candidate s
    chose ``labels[i][b]`` on item i; ``key_masks[i]`` has the key's bits (0: no options)."""

    codes: np.ndarray  # (candidates, items) unsigned int bit masks
    labels: Sequence[Sequence[str]]
    key_masks: Sequence[int]


def analyse(
    scores: np.ndarray,
    names: Sequence[str],
    keys: Sequence[str],
    max_marks: Sequence[float] | None = None,
    choices: Choices | None = None,
) -> Analysis:
    """Item and test statistics of ``scores`` (candidates × items); see the module docstring."""
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(names) or len(keys) != len(names):
        raise ValueError(f"scores must be (candidates, {len(names)}), not {x.shape}")
    n, p = x.shape
    top = np.ones(p) if max_marks is None else np.asarray(max_marks, dtype=np.float64)
    total = x.sum(axis=1)
    rest = total[:, None] - x
    cov = _column_cov(x, rest)
    var_x, var_rest = _column_cov(x, x), _column_cov(rest, rest)
    r = _ratio(cov, np.sqrt(var_x * var_rest))
    cov_max = _column_cov(np.sort(x, axis=0), np.sort(rest, axis=0))
    efficiency = _ratio(cov, cov_max)
    facility = x.mean(axis=0) / top if n else np.full(p, np.nan)
    sd = np.sqrt(var_x) / top
    options = _option_stats(choices, rest, n) if choices is not None else [()] * p
    items = tuple(
        _item(names[i], keys[i], facility[i], sd[i], r[i], efficiency[i], options[i])
        for i in range(p)
    )
    return Analysis(n, items, _test_stats(total, var_x, p))


def _column_cov(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Covariance of each column of ``a`` with the same column of ``b`` (n − 1); NaN if n < 2."""
    n = a.shape[0]
    if n < 2:
        return np.full(a.shape[1], np.nan)
    return ((a - a.mean(axis=0)) * (b - b.mean(axis=0))).sum(axis=0) / (n - 1)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(den) > 1e-12, num / np.where(den == 0, 1, den), np.nan)


def _option_stats(choices: Choices, rest: np.ndarray, n: int) -> list[tuple[OptionStats, ...]]:
    codes = np.asarray(choices.codes).astype(np.int64)
    widest = max((len(labels) for labels in choices.labels), default=0)
    shares, rs = [], []
    for bit in range(widest):
        chose = ((codes >> bit) & 1).astype(np.float64)
        shares.append(chose.mean(axis=0) if n else np.zeros(codes.shape[1]))
        cov = _column_cov(chose, rest)
        rs.append(_ratio(cov, np.sqrt(_column_cov(chose, chose) * _column_cov(rest, rest))))
    out = []
    for i, labels in enumerate(choices.labels):
        key_mask = choices.key_masks[i]
        out.append(
            tuple(
                OptionStats(label, float(shares[b][i]), _num(rs[b][i]), bool(key_mask >> b & 1))
                for b, label in enumerate(labels)
            )
        )
    return out


def _item(name, key, facility, sd, r, efficiency, options) -> ItemStats:
    flags, suggest = _flags(_num(facility), _num(r), options)
    return ItemStats(
        item=name,
        key=key,
        facility=_num(facility),
        sd=_num(sd),
        item_rest_r=_num(r),
        discrimination_index=_num(r),
        discriminative_efficiency=_num(efficiency),
        options=options,
        flags=flags,
        suggest=suggest,
    )


def _flags(
    facility: float | None, r: float | None, options: tuple[OptionStats, ...]
) -> tuple[tuple[Flag, ...], str | None]:
    flags: list[Flag] = []
    suggest = _suspect_key(options)
    if suggest is not None:
        flags.append(Flag.KEY_SUSPECT)
    if r is not None and r < 0:
        flags.append(Flag.NEGATIVE_DISCRIMINATION)
    if facility is not None and facility > TOO_EASY:
        flags.append(Flag.TOO_EASY)
    if facility is not None and facility < TOO_HARD:
        flags.append(Flag.TOO_HARD)
    if any(not o.is_key and o.share < DISTRACTOR_MIN_SHARE for o in options):
        flags.append(Flag.NON_FUNCTIONAL_DISTRACTOR)
    return tuple(flags), suggest


def _suspect_key(options: tuple[OptionStats, ...]) -> str | None:
    """The distractor whose option–rest r exceeds the key's (the weakest key option's when
    several are keyed), if any: the best of them. A key nobody chose counts as r = −∞."""
    keyed = [o for o in options if o.is_key]
    rivals = [o for o in options if not o.is_key and o.rest_r is not None]
    if not keyed or not rivals:
        return None
    if any(o.rest_r is None and o.share > 0 for o in keyed):
        return None  # everybody chose the key: nothing to compare with
    key_r = min(-math.inf if o.rest_r is None else o.rest_r for o in keyed)
    best = max(rivals, key=lambda o: o.rest_r)  # type: ignore[arg-type,return-value]
    return best.option if best.rest_r > key_r else None  # type: ignore[operator]


def _test_stats(total: np.ndarray, var_x: np.ndarray, p: int) -> TestStats:
    n = total.shape[0]
    if n == 0:
        return TestStats(None, None, None, None)
    mean = float(total.mean())
    if n < 2:
        return TestStats(mean, None, None, None)
    var_t = float(total.var(ddof=1))
    sd = math.sqrt(var_t)
    alpha = p / (p - 1) * (1 - float(var_x.sum()) / var_t) if p > 1 and var_t > 0 else None
    sem = sd * math.sqrt(1 - alpha) if alpha is not None and alpha <= 1 else None
    return TestStats(mean, sd, alpha, sem)


def _num(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value

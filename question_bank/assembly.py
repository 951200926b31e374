"""Drawing a paper from the bank to a blueprint, reproducibly from a seed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from question_bank.errors import AssemblyInfeasible, Shortfall
from question_bank.model import QuestionType


@dataclass(frozen=True)
class BlueprintRow:
    area: str | None  #: None means any area
    type: QuestionType
    count: int
    points: float


@dataclass(frozen=True)
class BankItem:
    id: int
    version: int
    area: str
    type: QuestionType
    option_count: int = 0


@dataclass(frozen=True)
class PaperSlot:
    question_id: int
    version: int
    points: float
    #: Display position i shows the original option option_order[i].
    option_order: tuple[int, ...]


def paper_seed(sitting_seed: int, candidate_id: int) -> int:
    """Derive one candidate's seed from the sitting's; stable across platforms."""
    state = np.random.SeedSequence([sitting_seed, candidate_id]).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


def snapshot_hash(items: Iterable[BankItem]) -> str:
    """Hash of the bank as the draw saw it: the ids and versions of every eligible item."""
    digest = hashlib.sha256()
    for item in sorted(items, key=lambda i: i.id):
        digest.update(f"{item.id}:{item.version};".encode())
    return digest.hexdigest()


def check_feasible(rows: Sequence[BlueprintRow], bank: Sequence[BankItem]) -> list[Shortfall]:
    """Rows the bank cannot fill, counting items already claimed by earlier rows."""
    shortfalls: list[Shortfall] = []
    used: set[int] = set()
    for index, row in enumerate(rows):
        eligible = [
            i.id for i in sorted(bank, key=lambda i: i.id) if _fits(i, row) and i.id not in used
        ]
        if len(eligible) < row.count:
            shortfalls.append(Shortfall(index, row.area, row.type.value, row.count, len(eligible)))
        used.update(eligible[: row.count])
    return shortfalls


def draw_paper(
    rows: Sequence[BlueprintRow],
    bank: Sequence[BankItem],
    seed: int,
    *,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> list[PaperSlot]:
    """Draw one paper meeting every row exactly; the same inputs give the same paper."""
    ordered = sorted(bank, key=lambda i: i.id)
    shortfalls = check_feasible(rows, ordered)
    if shortfalls:
        raise AssemblyInfeasible(shortfalls)
    rng = np.random.default_rng(seed)
    used: set[int] = set()
    slots: list[PaperSlot] = []
    for row in rows:
        eligible = [i for i in ordered if _fits(i, row) and i.id not in used]
        picks = rng.choice(len(eligible), size=row.count, replace=False)
        if not shuffle_questions:
            picks = np.sort(picks)
        for pick in picks:
            item = eligible[int(pick)]
            used.add(item.id)
            slots.append(
                PaperSlot(
                    item.id, item.version, row.points, _option_order(item, rng, shuffle_options)
                )
            )
    return slots


def _fits(item: BankItem, row: BlueprintRow) -> bool:
    return item.type == row.type and (row.area is None or item.area == row.area)


def _option_order(item: BankItem, rng: np.random.Generator, shuffle: bool) -> tuple[int, ...]:
    # Judge items have fixed 正确/错误 options; only choice items are shuffled.
    if not item.type.has_options or not shuffle:
        return tuple(range(item.option_count))
    return tuple(int(i) for i in rng.permutation(item.option_count))

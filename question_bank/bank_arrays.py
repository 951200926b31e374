"""The bank as the arrays a sitting's assembly works on, and each item's facility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from question_bank.assembly import BankItem, BlueprintRow

#: Facility assumed from the examiner's difficulty rating until statistics measure it.
DIFFICULTY_FACILITY: dict[int, float] = {1: 0.9, 2: 0.8, 3: 0.65, 4: 0.5, 5: 0.35}


def facility_of(item: BankItem) -> float:
    """The item's measured facility, else the one its difficulty rating stands for."""
    if item.facility is not None:
        if not 0.0 <= item.facility <= 1.0:
            raise ValueError(f"item {item.id}: facility {item.facility} is not within 0–1")
        return float(item.facility)
    if item.difficulty not in DIFFICULTY_FACILITY:
        raise ValueError(f"item {item.id}: difficulty {item.difficulty} is not 1–5")
    return DIFFICULTY_FACILITY[item.difficulty]


@dataclass(frozen=True, eq=False)
class BankArrays:
    """The bank sorted by id, as arrays the assembly works on."""

    items: list[BankItem]
    ids: np.ndarray
    versions: np.ndarray
    facility: np.ndarray
    prior: np.ndarray
    #: Enemy group of each item as a dense code, -1 for none.
    gid: np.ndarray
    option_count: np.ndarray
    has_options: np.ndarray

    @classmethod
    def of(cls, bank: Sequence[BankItem]) -> BankArrays:
        items = sorted(bank, key=lambda i: i.id)
        ids = np.array([i.id for i in items], dtype=np.int64)
        if len(ids) > 1 and (ids[1:] == ids[:-1]).any():
            raise ValueError("the bank lists an item twice")
        groups = sorted({i.enemy_group for i in items if i.enemy_group is not None})
        code: dict[int | None, int] = {g: k for k, g in enumerate(groups)}
        return cls(
            items,
            ids,
            np.array([i.version for i in items], dtype=np.int64),
            np.array([facility_of(i) for i in items], dtype=float),
            np.array([i.prior_exposure for i in items], dtype=np.int64),
            np.array([code.get(i.enemy_group, -1) for i in items], dtype=np.int64),
            np.array([i.option_count for i in items], dtype=np.int64),
            np.array([i.type.has_options for i in items], dtype=bool),
        )

    def fits(self, rows: Sequence[BlueprintRow]) -> np.ndarray:
        """Rows × items: whether the item may fill the row (as ``assembly._fits``)."""
        types = np.array([i.type.value for i in self.items])
        areas = np.array([i.area for i in self.items])
        rating = np.array([i.difficulty for i in self.items], dtype=np.int64)
        out = np.zeros((len(rows), len(self.items)), dtype=bool)
        for r, row in enumerate(rows):
            out[r] = types == row.type.value
            if row.area is not None:
                out[r] &= areas == row.area
            if row.difficulty is not None:
                out[r] &= (rating >= row.difficulty[0]) & (rating <= row.difficulty[1])
        return out

"""Cell pools, exposure caps and per-item use counts for assembling a whole sitting.

Pure array code: every item is an index into the id-sorted bank, ``gid`` holds its enemy
group (-1: none). ``assembly.assemble_sitting`` turns bank items into these arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Cell:
    """One blueprint row with the bank items reserved for it."""

    row: int
    count: int
    points: float
    #: Indices into the id-sorted bank, ascending; no item is in two cells.
    pool: np.ndarray


def partition(fits: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """Give each item to one row it fits, keeping pool size per needed item level across rows."""
    fits = fits & (counts > 0)[:, None]
    n_fit = fits.sum(axis=0)
    owner = np.where(n_fit == 1, fits.argmax(axis=0), -1)
    size = np.bincount(owner[owner >= 0], minlength=len(counts)).astype(float)
    weight = np.maximum(counts, 1)
    # Items fitting several rows (an "any area" row beside an area row) go, in id order, to
    # whichever row has the fewest items per needed item so far: that minimises the cap.
    for item in np.flatnonzero(n_fit > 1):
        options = np.flatnonzero(fits[:, item])
        row = options[np.argmin(size[options] / weight[options])]
        owner[item] = row
        size[row] += 1
    return [np.flatnonzero(owner == r) for r in range(len(counts))]


def group_sizes(pool: np.ndarray, gid: np.ndarray) -> np.ndarray:
    """Sizes of the enemy groups in a pool; an item of no group is a group of one."""
    groups = gid[pool]
    grouped = np.unique(groups[groups >= 0], return_counts=True)[1]
    return np.concatenate([grouped, np.ones(int((groups < 0).sum()), dtype=np.int64)])


def lowest_cap(sizes: np.ndarray, count: int, n_papers: int) -> int:
    """Fewest papers per item that lets the cell fill every paper; needs len(sizes) >= count."""
    need = count * n_papers
    lo, hi = 1, n_papers
    while lo < hi:
        mid = (lo + hi) // 2
        if np.minimum(n_papers, mid * sizes).sum() >= need:
            hi = mid
        else:
            lo = mid + 1
    return lo


def cap_papers(cells: list[Cell], gid: np.ndarray, n_papers: int, cap: float) -> tuple[int, int]:
    """Papers per item allowed (the cap, or the lowest the bank allows) and that lowest."""
    lowest = max(
        (lowest_cap(group_sizes(c.pool, gid), c.count, n_papers) for c in cells),
        default=1,
    )
    return max(math.ceil(cap * n_papers - 1e-9), lowest), lowest


def allocate(
    cell: Cell,
    gid: np.ndarray,
    prior: np.ndarray,
    cap: int,
    n_papers: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Uses of each pool item: as level as the cap and enemy groups allow, extras to fresh items."""
    need = cell.count * n_papers
    # Preference: least prior exposure first, ties broken at random.
    pref = np.lexsort((rng.random(len(cell.pool)), prior[cell.pool]))
    rank = np.empty(len(cell.pool), dtype=np.int64)
    rank[pref] = np.arange(len(cell.pool))
    size, within = _group_layout(gid[cell.pool], rank)
    lo, hi = 1, cap
    while lo < hi:
        mid = (lo + hi) // 2
        if _uses_at(mid, size, within, n_papers).sum() >= need:
            hi = mid
        else:
            lo = mid + 1
    uses = _uses_at(lo, size, within, n_papers)
    # Raising the level by one added at most one use per item: take the surplus back from
    # the least preferred of the items that gained.
    gained = np.flatnonzero(uses > _uses_at(lo - 1, size, within, n_papers))
    surplus = int(uses.sum()) - need
    uses[gained[np.argsort(-rank[gained], kind="stable")[:surplus]]] -= 1
    return uses


def _group_layout(groups: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item: the size of its enemy group (1 if none) and its preference rank inside it."""
    size = np.ones(len(groups), dtype=np.int64)
    within = np.zeros(len(groups), dtype=np.int64)
    members = np.flatnonzero(groups >= 0)
    if len(members):
        order = members[np.lexsort((rank[members], groups[members]))]
        g = groups[order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        lengths = np.diff(np.r_[starts, len(g)])
        within[order] = np.arange(len(g)) - np.repeat(starts, lengths)
        size[order] = np.repeat(lengths, lengths)
    return size, within


def _uses_at(level: int, size: np.ndarray, within: np.ndarray, n_papers: int) -> np.ndarray:
    # A group may be used at most once per paper, so on at most n_papers papers in all.
    total = np.minimum(n_papers, size * level)
    return total // size + (within < total % size)


def tilt(
    cells: list[Cell],
    uses: list[np.ndarray],
    facility: np.ndarray,
    gid: np.ndarray,
    cap: int,
    n_papers: int,
    shift: float,
) -> list[np.ndarray] | None:
    """Move uses inside cells so Σ points × uses × facility changes by ``shift`` (None: can't)."""
    reach = [
        _transfer(c, u.copy(), facility, gid, cap, n_papers, math.copysign(math.inf, shift))
        for c, u in zip(cells, uses, strict=True)
    ]
    # Every cell takes the same share of its own reach, so no one cell carries the whole tilt.
    total = sum(r for _, r in reach)
    if abs(total) + 1e-9 < abs(shift):
        return None
    share = shift / total if total else 0.0
    return [
        _transfer(c, u.copy(), facility, gid, cap, n_papers, r * share)[0]
        for c, u, (_, r) in zip(cells, uses, reach, strict=True)
    ]


def _transfer(
    cell: Cell,
    uses: np.ndarray,
    facility: np.ndarray,
    gid: np.ndarray,
    cap: int,
    n_papers: int,
    budget: float,
) -> tuple[np.ndarray, float]:
    """Shift uses from one end of the facility range to the other, up to ``budget``."""
    f = facility[cell.pool]
    groups = gid[cell.pool]
    order = np.argsort(f, kind="stable")
    givers, takers = (order[::-1], order) if budget < 0 else (order, order[::-1])
    group_use: dict[int, int] = {}
    for g, u in zip(groups.tolist(), uses.tolist(), strict=True):
        group_use[g] = group_use.get(g, 0) + u
    done, gi, ti = 0.0, 0, 0
    while gi < len(order) and ti < len(order):
        a, b = int(givers[gi]), int(takers[ti])
        gain = cell.points * float(f[b] - f[a])
        if gain == 0 or (gain > 0) != (budget > 0):
            break
        room = cap - int(uses[b])
        if groups[b] >= 0 and groups[b] != groups[a]:
            room = min(room, n_papers - group_use[int(groups[b])])
        limit = (budget - done) / gain
        amount = min(int(uses[a]), room, limit if math.isinf(limit) else math.floor(limit))
        if uses[a] == 0 or (amount <= 0 and room > 0):
            gi += 1  # giver spent, or its step is too coarse for what is left of the budget
            continue
        if room <= 0:
            ti += 1
            continue
        amount = int(amount)
        uses[a] -= amount
        uses[b] += amount
        group_use[int(groups[a])] -= amount
        group_use[int(groups[b])] += amount
        done += amount * gain
    return uses, done

"""Deal a sitting's papers from per-cell decks, then repair them into valid parallel forms.

Pure array code. ``slots`` is papers × columns of item indices into the id-sorted bank;
each blueprint row owns a run of columns (``Layout``). Every step either keeps each item's
use count (swaps between papers) or says which use it moved, so exposure stays as allocated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Candidate swaps checked against enemy groups per pair of papers and round.
TOP_SWAPS = 4
#: At most this many slot pairs per cell are priced per round (a c×c grid for small cells).
MAX_CELL_PAIRS = 256


@dataclass(frozen=True, eq=False)
class Layout:
    """Which columns of a paper belong to which cell, and the points of each column."""

    starts: np.ndarray
    counts: np.ndarray
    col_cell: np.ndarray
    col_points: np.ndarray

    @classmethod
    def of(cls, counts: list[int], points: list[float]) -> Layout:
        """Lay cells out one after another in blueprint order."""
        c = np.asarray(counts, dtype=np.int64)
        starts = np.cumsum(c) - c
        col_cell = np.repeat(np.arange(len(c)), c)
        return cls(starts, c, col_cell, np.asarray(points, dtype=float)[col_cell])


def deal(
    pools: list[np.ndarray], uses: list[np.ndarray], n_papers: int, rng: np.random.Generator
) -> np.ndarray:
    """Lay each cell's deck across the papers: every item's uses spread evenly down the deck."""
    columns = []
    for pool, use in zip(pools, uses, strict=True):
        copies = np.repeat(pool, use)
        nth = np.arange(len(copies)) - np.repeat(np.cumsum(use) - use, use)
        # Copy k of an item used u times lands at (k + jitter) / u of the way down the deck:
        # stratified, so copies sit about a paper's worth apart and repeats are rare.
        key = (nth + rng.random(len(copies))) / np.repeat(use, use)
        columns.append(copies[np.argsort(key, kind="stable")].reshape(n_papers, -1))
    return np.hstack(columns) if columns else np.zeros((n_papers, 0), dtype=np.int64)


def find_conflicts(slots: np.ndarray, gid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One (paper, column) per paper that repeats an item or holds two of one enemy group."""
    hits = []
    for values in (slots, gid[slots]):
        order = np.argsort(values, axis=1, kind="stable")
        ranked = np.take_along_axis(values, order, axis=1)
        same = (ranked[:, 1:] == ranked[:, :-1]) & (ranked[:, 1:] >= 0)
        rows, at = np.nonzero(same)
        hits.append((rows, order[rows, at + 1]))
    rows = np.concatenate([h[0] for h in hits])
    cols = np.concatenate([h[1] for h in hits])
    rows, first = np.unique(rows, return_index=True)
    return rows, cols[first]


def swap_ok(
    slots: np.ndarray, gid: np.ndarray, p: np.ndarray, cp: np.ndarray, q: np.ndarray, cq: np.ndarray
) -> np.ndarray:
    """Whether exchanging slots[p, cp] and slots[q, cq] gives neither paper a repeat or enemy."""
    a, b = slots[p, cp], slots[q, cq]
    ga, gb = gid[a], gid[b]
    ok = (a != b) & (p != q)
    ok &= ~(slots[p] == b[:, None]).any(axis=1) & ~(slots[q] == a[:, None]).any(axis=1)
    clash_p = (gid[slots[p]] == gb[:, None]).sum(axis=1) - (ga == gb)
    clash_q = (gid[slots[q]] == ga[:, None]).sum(axis=1) - (gb == ga)
    return ok & ((gb < 0) | (clash_p == 0)) & ((ga < 0) | (clash_q == 0))


def repair(
    slots: np.ndarray,
    gid: np.ndarray,
    layout: Layout,
    rng: np.random.Generator,
    rounds: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """Swap conflicting items with random partners in their cell; return what is left."""
    for _ in range(rounds):
        papers, cols = find_conflicts(slots, gid)
        if not len(papers):
            break
        cell = layout.col_cell[cols]
        q = rng.integers(0, len(slots), len(papers))
        cq = layout.starts[cell] + rng.integers(0, layout.counts[cell])
        once = np.zeros(len(q), dtype=bool)
        once[np.unique(q, return_index=True)[1]] = True
        ok = once & ~np.isin(q, papers) & swap_ok(slots, gid, papers, cols, q, cq)
        _exchange(slots, papers[ok], cols[ok], q[ok], cq[ok])
    return find_conflicts(slots, gid)


def repair_exhaustively(
    slots: np.ndarray,
    gid: np.ndarray,
    layout: Layout,
    pools: list[np.ndarray],
    cap: int,
    facility: np.ndarray,
) -> list[int]:
    """Fix each remaining conflict by the closest valid swap or spare item; return stuck cells."""
    for _ in range(10):
        papers, cols = find_conflicts(slots, gid)
        if not len(papers):
            return []
        stuck: set[int] = set()
        for p, col in zip(papers.tolist(), cols.tolist(), strict=True):
            cell = int(layout.col_cell[col])
            if _swap_closest(slots, gid, layout, p, col, facility):
                continue
            uses = np.bincount(slots.ravel(), minlength=len(gid))
            if not _take_spare(slots, gid, p, col, pools[cell][uses[pools[cell]] < cap], facility):
                stuck.add(cell)
        if stuck:
            return sorted(stuck)
    return sorted(set(layout.col_cell[find_conflicts(slots, gid)[1]].tolist()))


def _swap_closest(
    slots: np.ndarray, gid: np.ndarray, layout: Layout, p: int, col: int, facility: np.ndarray
) -> bool:
    """Swap slots[p, col] with the valid partner of the nearest facility in its cell, if any."""
    cell = layout.col_cell[col]
    span = np.arange(layout.starts[cell], layout.starts[cell] + layout.counts[cell])
    q = np.repeat(np.arange(len(slots)), len(span))
    cq = np.tile(span, len(slots))
    ps, cps = np.full(len(q), p), np.full(len(q), col)
    ok = np.flatnonzero(swap_ok(slots, gid, ps, cps, q, cq))
    if not len(ok):
        return False
    best = ok[np.argmin(np.abs(facility[slots[q[ok], cq[ok]]] - facility[slots[p, col]]))]
    _exchange(slots, ps[[best]], cps[[best]], q[[best]], cq[[best]])
    return True


def _take_spare(
    slots: np.ndarray, gid: np.ndarray, p: int, col: int, spare: np.ndarray, facility: np.ndarray
) -> bool:
    """Replace slots[p, col] by an item of the cell still under its cap, if one fits."""
    others = np.delete(gid[slots[p]], col)
    ok = ~np.isin(spare, slots[p]) & ((gid[spare] < 0) | ~np.isin(gid[spare], others))
    if not ok.any():
        return False
    fits = spare[ok]
    slots[p, col] = fits[np.argmin(np.abs(facility[fits] - facility[slots[p, col]]))]
    return True


def _exchange(
    slots: np.ndarray, p: np.ndarray, cp: np.ndarray, q: np.ndarray, cq: np.ndarray
) -> None:
    a = slots[p, cp].copy()
    slots[p, cp] = slots[q, cq]
    slots[q, cq] = a


def expected_scores(slots: np.ndarray, facility: np.ndarray, layout: Layout) -> np.ndarray:
    """Σ points × facility per paper (an elementwise sum, not BLAS: the same bits every run)."""
    return (facility[slots] * layout.col_points).sum(axis=1)


def balance(
    slots: np.ndarray,
    facility: np.ndarray,
    gid: np.ndarray,
    layout: Layout,
    target: float,
    aim: float,
    rng: np.random.Generator,
    max_rounds: int = 400,
) -> np.ndarray:
    """Swap items between high and low papers inside cells until all are within ±aim."""
    scores = expected_scores(slots, facility, layout)
    stalls = 0
    for _ in range(max_rounds):
        dev = scores - target
        if np.abs(dev).max(initial=0.0) <= aim or stalls > 6:
            break
        hi, lo = _pairs(dev, aim, rng if stalls else None)
        moved = _swap_round(slots, facility, gid, layout, hi, lo, dev, rng)
        scores[hi] -= moved
        scores[lo] += moved
        stalls = 0 if moved.any() else stalls + 1
    return expected_scores(slots, facility, layout)


def _pairs(
    dev: np.ndarray, aim: float, rng: np.random.Generator | None
) -> tuple[np.ndarray, np.ndarray]:
    """Pair the highest papers with the lowest (with random partners after a stall)."""
    order = np.argsort(dev, kind="stable")
    half = len(dev) // 2
    hi, lo = order[::-1][:half], order[:half]
    if rng is not None:
        lo = rng.permutation(lo)
    active = ((dev[hi] > aim) | (dev[lo] < -aim)) & (dev[hi] > dev[lo])
    return hi[active], lo[active]


def _swap_round(
    slots: np.ndarray,
    facility: np.ndarray,
    gid: np.ndarray,
    layout: Layout,
    hi: np.ndarray,
    lo: np.ndarray,
    dev: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Make each pair's best valid swap toward their midpoint; return the score moved."""
    need = (dev[hi] - dev[lo]) / 2
    delta, pcol, qcol = _price_swaps(slots[hi], slots[lo], facility, layout, rng)
    useful = (delta > 0) & (delta < 2 * need[:, None])
    cost = np.where(useful, np.abs(delta - need[:, None]), np.inf)
    k = min(TOP_SWAPS, cost.shape[1])
    top = np.argpartition(cost, k - 1, axis=1)[:, :k] if k else np.zeros((len(hi), 0), int)
    rows = np.arange(len(hi))[:, None]
    top = np.take_along_axis(top, np.argsort(cost[rows, top], axis=1, kind="stable"), axis=1)
    chosen = np.full(len(hi), -1)
    for t in range(k):
        j = top[:, t]
        idx = np.flatnonzero((chosen < 0) & np.isfinite(cost[np.arange(len(hi)), j]))
        ok = swap_ok(slots, gid, hi[idx], pcol[j[idx]], lo[idx], qcol[j[idx]])
        chosen[idx[ok]] = j[idx[ok]]
    sel = np.flatnonzero(chosen >= 0)
    moved = np.zeros(len(hi))
    moved[sel] = delta[sel, chosen[sel]]
    _exchange(slots, hi[sel], pcol[chosen[sel]], lo[sel], qcol[chosen[sel]])
    return moved


def _price_swaps(
    high: np.ndarray,
    low: np.ndarray,
    facility: np.ndarray,
    layout: Layout,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score moved by each in-cell swap of each pair; swaps making a repeat are priced NaN."""
    deltas, pcols, qcols = [], [], []
    for start, count in zip(layout.starts, layout.counts, strict=True):
        if count == 0:
            continue
        if count * count <= MAX_CELL_PAIRS:
            sp, sq = (g.ravel() for g in np.meshgrid(np.arange(count), np.arange(count)))
        else:
            sp = rng.integers(0, count, MAX_CELL_PAIRS)
            sq = rng.integers(0, count, MAX_CELL_PAIRS)
        a, b = high[:, start : start + count], low[:, start : start + count]
        same = a[:, :, None] == b[:, None, :]
        repeat = same.any(axis=2)[:, sp] | same.any(axis=1)[:, sq]
        delta = layout.col_points[start] * (facility[a][:, sp] - facility[b][:, sq])
        deltas.append(np.where(repeat, np.nan, delta))
        pcols.append(start + sp)
        qcols.append(start + sq)
    if not deltas:
        return np.zeros((len(high), 0)), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.hstack(deltas), np.concatenate(pcols), np.concatenate(qcols)


def order_in_cells(
    slots: np.ndarray, layout: Layout, shuffle: bool, rng: np.random.Generator
) -> np.ndarray:
    """Keep cells in blueprint order; inside each, shuffle per paper or sort by item id."""
    if shuffle:
        key = layout.col_cell + rng.random(slots.shape)
    else:
        key = layout.col_cell * (int(slots.max(initial=0)) + 1) + slots
    return np.take_along_axis(slots, np.argsort(key, axis=1, kind="stable"), axis=1)


def overlap_stats(
    slots: np.ndarray, uses: np.ndarray, rng: np.random.Generator, max_pairs: int = 10_000
) -> tuple[float, int, int]:
    """Mean shared items over all pairs of papers (exact), max over all or sampled pairs."""
    n = len(slots)
    if n < 2:
        return 0.0, 0, 0
    mean = float((uses * (uses - 1)).sum() / (n * (n - 1)))
    if n * (n - 1) // 2 <= max_pairs:
        i, j = np.triu_indices(n, 1)
    else:
        i = rng.integers(0, n, max_pairs)
        j = (i + rng.integers(1, n, max_pairs)) % n
    ranked = np.sort(slots, axis=1)
    top = 0
    for s in range(0, len(i), 2048):
        both = np.sort(np.hstack([ranked[i[s : s + 2048]], ranked[j[s : s + 2048]]]), axis=1)
        top = max(top, int((both[:, 1:] == both[:, :-1]).sum(axis=1).max(initial=0)))
    return mean, top, len(i)


def random_picks(size: int, count: int, n_papers: int, rng: np.random.Generator) -> np.ndarray:
    """Papers × count distinct indices below size, uniformly at random."""
    if size <= 4 * count:
        return np.argsort(rng.random((n_papers, size)), axis=1)[:, :count]
    picks = rng.integers(0, size, (n_papers, count))
    while True:
        ranked = np.sort(picks, axis=1)
        bad = (ranked[:, 1:] == ranked[:, :-1]).any(axis=1)
        if not bad.any():
            return picks
        picks[bad] = rng.integers(0, size, (int(bad.sum()), count))


def option_orders(
    counts: np.ndarray, shuffles: np.ndarray, rng: np.random.Generator
) -> list[tuple[int, ...]]:
    """Display order of each slot's options: a random permutation where ``shuffles``."""
    out = np.empty(len(counts), dtype=object)
    table = np.empty(int(counts.max(initial=0)) + 1, dtype=object)
    for k in range(len(table)):
        table[k] = tuple(range(k))
    out[:] = table[counts]
    mixed = shuffles & (counts > 1)
    for k in np.unique(counts[mixed]).tolist():
        at = np.flatnonzero(mixed & (counts == k))
        perms = np.argsort(rng.random((len(at), k)), axis=1)
        # Few distinct permutations (24 for four options): build each tuple once.
        codes = (perms * k ** np.arange(k)).sum(axis=1)
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        found = np.empty(len(first), dtype=object)
        for n, row in enumerate(first.tolist()):
            found[n] = tuple(perms[row].tolist())
        out[at] = found[inverse]
    return out.tolist()

"""Drawing papers from the bank to a blueprint, reproducibly from a seed.

``draw_paper`` draws one candidate's paper on its own. ``assemble_sitting`` assembles every
paper of a sitting at once, which is what fairness needs: the same blueprint exactly, parallel
forms (every paper's expected score Σ points × facility within ±tolerance of the sitting's
target), no item on more than a cap of the papers, no two enemies (near-duplicates) on one
paper, and the same papers again from the same seed and bank snapshot.

Method: stratified dealing, then repair by swaps inside cells (``exposure`` and
``parallel_forms`` hold the array code).

1. Every item goes to one blueprint row ("cell"), so rows never compete for an item.
2. Each cell's items get use counts as level as possible (the lowest level that fills every
   paper, never above the cap, one use per paper for an enemy group); the remainder goes to
   the items used least in earlier sittings. An explicit ``target`` moves uses from one end of
   the facility range to the other until the sitting's mean expected score is the target.
3. Each cell's deck (item k used u times sits at (k + jitter) / u of the way down) is cut into
   papers: exposure is exactly as allocated and neighbouring papers share little.
4. The rare repeats and enemy pairs the cut makes are swapped with random partners.
5. Parallel forms: pair the highest-scoring papers with the lowest and let each pair make the
   one swap inside a cell that brings both nearest their midpoint, all pairs at once in numpy;
   rounds go on until every paper is within a tenth of the tolerance (about ten rounds for
   10,000 papers).

Why: every step after 2 swaps items between papers inside a cell, so the blueprint and each
item's exposure hold by construction and only the score is being searched; a swap is priced
for all pairs at once in numpy, so 10,000 papers take seconds. A 0-1 program
(``scipy.optimize.milp``) meets the same constraints but has papers × bank variables (2·10⁸
at 10,000 × 20,000): fine for a hundred papers, hopeless for a sitting of that size.

Facility (share of typical candidates answering right): the measured one where item
statistics exist, else ``DIFFICULTY_FACILITY`` of the examiner's 1–5 rating.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from question_bank import exposure, parallel_forms
from question_bank.bank_arrays import DIFFICULTY_FACILITY as DIFFICULTY_FACILITY
from question_bank.bank_arrays import BankArrays
from question_bank.bank_arrays import facility_of as facility_of
from question_bank.errors import AssemblyInfeasible, Msg, Shortfall
from question_bank.model import QuestionType


@dataclass(frozen=True)
class BlueprintRow:
    area: str | None  #: None means any area
    type: QuestionType
    count: int
    points: float
    #: Inclusive (lowest, highest) difficulty rating; None means any.
    difficulty: tuple[int, int] | None = None


@dataclass(frozen=True)
class BankItem:
    id: int
    version: int
    area: str
    type: QuestionType
    option_count: int = 0
    difficulty: int = 3  #: the examiner's 1–5 rating
    facility: float | None = None  #: measured share answering right; None until measured
    prior_exposure: int = 0  #: papers it appeared on in earlier sittings
    enemy_group: int | None = None  #: near-duplicate cluster; None: no near-duplicates


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
            shortfalls.append(_shortfall(index, row, len(eligible)))
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
    band = row.difficulty
    return (
        item.type == row.type
        and (row.area is None or item.area == row.area)
        and (band is None or band[0] <= item.difficulty <= band[1])
    )


def _shortfall(index: int, row: BlueprintRow, available: int, note: str | Msg = "") -> Shortfall:
    return Shortfall(
        index, row.area, row.type.value, row.count, available, band=row.difficulty, note=note
    )


def _option_order(item: BankItem, rng: np.random.Generator, shuffle: bool) -> tuple[int, ...]:
    # Judge items have fixed 正确/错误 options; only choice items are shuffled.
    if not item.type.has_options or not shuffle:
        return tuple(range(item.option_count))
    return tuple(int(i) for i in rng.permutation(item.option_count))


@dataclass(frozen=True)
class SittingReport:
    """What an assembly achieved, for the admin and the audit."""

    #: Σ points × facility of each paper, in paper order.
    expected_scores: tuple[float, ...]
    target: float
    tolerance_points: float
    total_points: float
    #: Share of the papers the most used item is on; mean over the items used at all.
    max_exposure: float
    mean_exposure: float
    #: The cap asked for, the cap applied (the lowest the bank allows when that is higher),
    #: the same as a number of papers, and that lowest; None for the naive draw (no cap).
    requested_cap: float | None
    effective_cap: float | None
    cap_papers: int | None
    lowest_feasible_cap: float | None
    #: Items two papers share: the mean over all pairs; the max over ``overlap_pairs`` pairs
    #: (every pair of a small sitting, a seeded sample of a large one).
    mean_overlap: float
    max_overlap: int
    overlap_pairs: int

    @property
    def cap_raised(self) -> bool:
        """Whether the bank could not allow the requested cap, so a higher one was applied."""
        return self.requested_cap is not None and self.effective_cap != self.requested_cap

    @property
    def score_spread(self) -> float:
        """Max minus min expected score over the papers."""
        return max(self.expected_scores) - min(self.expected_scores)

    @property
    def max_deviation(self) -> float:
        """The largest distance of a paper's expected score from the target."""
        return max(abs(s - self.target) for s in self.expected_scores)

    @property
    def mean_facilities(self) -> tuple[float, ...]:
        """Each paper's points-weighted mean facility (expected score / total points)."""
        return tuple(s / self.total_points for s in self.expected_scores)


@dataclass(frozen=True)
class SittingAssembly:
    """Every paper of a sitting, in paper order, and the report on them."""

    seed: int
    bank_hash: str
    papers: list[list[PaperSlot]]
    report: SittingReport


def assemble_sitting(
    rows: Sequence[BlueprintRow],
    bank: Sequence[BankItem],
    seed: int,
    n_papers: int,
    *,
    exposure_cap: float = 0.2,
    target: float | None = None,
    tolerance_points: float = 0.5,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> SittingAssembly:
    """Assemble every paper of a sitting: exact blueprint, parallel forms, capped exposure."""
    _check_args(rows, n_papers, exposure_cap, tolerance_points)
    arrays = BankArrays.of(bank)
    cells = _cells(rows, arrays, n_papers, enemies=True)
    cap, lowest = exposure.cap_papers(cells, arrays.gid, n_papers, exposure_cap)
    rng = np.random.default_rng(seed)
    uses = [exposure.allocate(c, arrays.gid, arrays.prior, cap, n_papers, rng) for c in cells]
    layout = parallel_forms.Layout.of([c.count for c in cells], [c.points for c in cells])
    if target is not None:
        uses = _tilt(cells, uses, arrays, cap, n_papers, target)
    slots = parallel_forms.deal([c.pool for c in cells], uses, n_papers, rng)
    _repair(slots, rows, cells, arrays, layout, cap, rng)
    scores = parallel_forms.expected_scores(slots, arrays.facility, layout)
    goal = float(scores.mean()) if target is None else float(target)
    aim = tolerance_points / 10
    scores = parallel_forms.balance(slots, arrays.facility, arrays.gid, layout, goal, aim, rng)
    _check_parallel(scores, goal, tolerance_points)
    raised = cap > math.ceil(exposure_cap * n_papers - 1e-9)
    caps = (exposure_cap, cap / n_papers if raised else exposure_cap, cap, lowest / n_papers)
    options = (shuffle_questions, shuffle_options)
    return _finish(rows, arrays, layout, slots, (goal, tolerance_points), caps, options, rng, seed)


def naive_draw(
    rows: Sequence[BlueprintRow],
    bank: Sequence[BankItem],
    seed: int,
    n_papers: int,
    *,
    tolerance_points: float = 0.5,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> SittingAssembly:
    """Draw each paper on its own, every cell at random (what Moodle does): the baseline."""
    _check_args(rows, n_papers, 1.0, tolerance_points)
    arrays = BankArrays.of(bank)
    cells = _cells(rows, arrays, n_papers, enemies=False)
    rng = np.random.default_rng(seed)
    picks = [
        c.pool[parallel_forms.random_picks(len(c.pool), c.count, n_papers, rng)] for c in cells
    ]
    slots = np.hstack(picks) if picks else np.zeros((n_papers, 0), dtype=np.int64)
    layout = parallel_forms.Layout.of([c.count for c in cells], [c.points for c in cells])
    goal = float(parallel_forms.expected_scores(slots, arrays.facility, layout).mean())
    options = (shuffle_questions, shuffle_options)
    caps = (None, None, None, None)
    return _finish(rows, arrays, layout, slots, (goal, tolerance_points), caps, options, rng, seed)


def _check_args(
    rows: Sequence[BlueprintRow], n_papers: int, exposure_cap: float, tolerance_points: float
) -> None:
    if not rows or any(r.count < 0 for r in rows):
        raise ValueError(
            Msg("a blueprint needs at least one row and no negative counts", code="bad_rows")
        )
    if n_papers < 1:
        raise ValueError(Msg("a sitting needs at least one paper", code="no_papers"))
    if not 0 < exposure_cap <= 1:
        raise ValueError(
            Msg(
                "the exposure cap is a share of the papers: above 0, at most 1",
                code="bad_exposure_cap",
            )
        )
    if tolerance_points <= 0:
        raise ValueError(Msg("the tolerance must be above 0 points", code="bad_tolerance"))


def _cells(
    rows: Sequence[BlueprintRow], arrays: BankArrays, n_papers: int, *, enemies: bool
) -> list[exposure.Cell]:
    """One pool per row; raise naming every row whose pool cannot fill a paper."""
    counts = np.array([r.count for r in rows], dtype=np.int64)
    pools = exposure.partition(arrays.fits(rows), counts)
    shortfalls = []
    for index, (row, pool) in enumerate(zip(rows, pools, strict=True)):
        distinct = len(exposure.group_sizes(pool, arrays.gid)) if enemies else len(pool)
        if distinct < row.count:
            note = (
                Msg("near-duplicates counted once", code="duplicates_once")
                if distinct < len(pool)
                else ""
            )
            shortfalls.append(_shortfall(index, row, distinct, note))
    if shortfalls:
        raise AssemblyInfeasible(shortfalls)
    return [
        exposure.Cell(i, r.count, r.points, p)
        for i, (r, p) in enumerate(zip(rows, pools, strict=True))
    ]


def _tilt(
    cells: list[exposure.Cell],
    uses: list[np.ndarray],
    arrays: BankArrays,
    cap: int,
    n_papers: int,
    target: float,
) -> list[np.ndarray]:
    """Uses moved so the sitting averages ``target``; raise when the cap forbids it."""
    total = sum(
        c.points * float((u * arrays.facility[c.pool]).sum())
        for c, u in zip(cells, uses, strict=True)
    )
    mean = total / n_papers
    moved = exposure.tilt(
        cells, uses, arrays.facility, arrays.gid, cap, n_papers, (target - mean) * n_papers
    )
    if moved is None:
        raise AssemblyInfeasible(
            [],
            detail=Msg(
                "no set of papers averages %(target)s points under a cap of %(cap)s papers "
                "per item (the bank's items spread evenly average %(mean)s)",
                code="target_unreachable",
                target=format(target, "g"),
                cap=cap,
                mean=format(mean, ".2f"),
            ),
        )
    return moved


def _repair(
    slots: np.ndarray,
    rows: Sequence[BlueprintRow],
    cells: list[exposure.Cell],
    arrays: BankArrays,
    layout: parallel_forms.Layout,
    cap: int,
    rng: np.random.Generator,
) -> None:
    """Clear repeats and enemy pairs from every paper; raise naming rows where that fails."""
    left, _ = parallel_forms.repair(slots, arrays.gid, layout, rng)
    if not len(left):
        return
    pools = [c.pool for c in cells]
    stuck = parallel_forms.repair_exhaustively(
        slots, arrays.gid, layout, pools, cap, arrays.facility
    )
    if stuck:
        note = Msg("near-duplicates cannot all be kept off one paper", code="duplicates_apart")
        raise AssemblyInfeasible(
            [
                _shortfall(c, rows[c], len(exposure.group_sizes(pools[c], arrays.gid)), note)
                for c in stuck
            ]
        )


def _check_parallel(scores: np.ndarray, goal: float, tolerance: float) -> None:
    off = np.abs(scores - goal)
    if (off > tolerance + 1e-9).any():
        raise AssemblyInfeasible(
            [],
            detail=Msg(
                "%(missed)s of %(papers)s papers miss the expected score of %(goal)s by more "
                "than ±%(tolerance)s points (worst %(worst)s): widen the tolerance, raise the "
                "exposure cap or add items",
                code="not_parallel",
                missed=int((off > tolerance + 1e-9).sum()),
                papers=len(scores),
                goal=format(goal, ".2f"),
                tolerance=format(tolerance, "g"),
                worst=format(off.max(), ".2f"),
            ),
        )


def _finish(
    rows: Sequence[BlueprintRow],
    arrays: BankArrays,
    layout: parallel_forms.Layout,
    slots: np.ndarray,
    goal: tuple[float, float],
    caps: tuple[float | None, float | None, int | None, float | None],
    options: tuple[bool, bool],
    rng: np.random.Generator,
    seed: int,
) -> SittingAssembly:
    """Order questions and options, build the papers and the report."""
    slots = parallel_forms.order_in_cells(slots, layout, options[0], rng)
    flat = slots.ravel()
    orders = parallel_forms.option_orders(
        arrays.option_count[flat], arrays.has_options[flat] & options[1], rng
    )
    papers = _paper_slots(rows, arrays, slots, orders)
    uses = np.bincount(flat, minlength=len(arrays.items))
    report = SittingReport(
        tuple(parallel_forms.expected_scores(slots, arrays.facility, layout).tolist()),
        goal[0],
        goal[1],
        float(sum(r.points * r.count for r in rows)),
        float(uses.max(initial=0) / len(slots)),
        float(uses[uses > 0].mean() / len(slots)) if uses.any() else 0.0,
        *caps,
        *parallel_forms.overlap_stats(slots, uses, rng),
    )
    return SittingAssembly(seed, snapshot_hash(arrays.items), papers, report)


def _paper_slots(
    rows: Sequence[BlueprintRow],
    arrays: BankArrays,
    slots: np.ndarray,
    orders: list[tuple[int, ...]],
) -> list[list[PaperSlot]]:
    """One list of PaperSlot per paper (a million of them at the scale target: kept lean)."""
    points = [r.points for r in rows for _ in range(r.count)] * len(slots)
    ids = arrays.ids[slots].ravel().tolist()
    versions = arrays.versions[slots].ravel().tolist()
    flat = list(map(PaperSlot, ids, versions, points, orders))
    width = slots.shape[1]
    return [flat[k * width : (k + 1) * width] for k in range(len(slots))]

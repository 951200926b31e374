import dataclasses
import json
import math
import random
from collections import Counter
from itertools import combinations

import numpy as np
import pytest

from question_bank.assembly import (
    BankItem,
    BlueprintRow,
    assemble_sitting,
    draw_paper,
    naive_draw,
)
from question_bank.errors import AssemblyInfeasible
from question_bank.model import QuestionType as T

#: The documented rating → facility mapping, restated so a change to it is noticed.
RATING_FACILITY = {1: 0.9, 2: 0.8, 3: 0.65, 4: 0.5, 5: 0.35}
OPTIONS = {T.SINGLE: 4, T.MULTIPLE: 5, T.JUDGE: 2}
ROWS = [
    BlueprintRow("theory", T.SINGLE, 3, 2.0, (1, 2)),
    BlueprintRow("theory", T.SINGLE, 3, 2.0, (3, 5)),
    BlueprintRow("history", T.MULTIPLE, 2, 3.0, (1, 3)),
    BlueprintRow("history", T.MULTIPLE, 2, 3.0, (4, 5)),
    BlueprintRow(None, T.JUDGE, 4, 1.0),
    BlueprintRow("theory", T.JUDGE, 2, 1.0),  # shares its items with the any-area row
]
N = 240


def make_bank(seed, per_kind=150, enemy_share=0.3):
    """Items over two areas × three types, 60% with a measured facility, some near-duplicates."""
    rng = random.Random(seed)
    items, group = [], 0
    for area in ("theory", "history"):
        for qtype in (T.SINGLE, T.MULTIPLE, T.JUDGE):
            for _ in range(per_kind):
                rating = rng.randint(1, 5)
                measured = rng.random() < 0.6
                facility = min(0.98, max(0.05, RATING_FACILITY[rating] + rng.gauss(0, 0.1)))
                enemy = None
                if items and rng.random() < enemy_share:
                    enemy = items[-1].enemy_group
                    if enemy is None:
                        group += 1
                        enemy = group
                        items[-1] = dataclasses.replace(items[-1], enemy_group=enemy)
                items.append(
                    BankItem(
                        len(items) + 1,
                        rng.randint(1, 3),
                        area,
                        qtype,
                        OPTIONS[qtype],
                        difficulty=rating,
                        facility=facility if measured else None,
                        prior_exposure=rng.randint(0, 40),
                        enemy_group=enemy,
                    )
                )
    return items


def fits(item, row):
    band = row.difficulty or (1, 5)
    area_ok = row.area is None or item.area == row.area
    return item.type == row.type and area_ok and band[0] <= item.difficulty <= band[1]


def facility(item):
    return item.facility if item.facility is not None else RATING_FACILITY[item.difficulty]


def expected_score(paper, by_id):
    return sum(s.points * facility(by_id[s.question_id]) for s in paper)


def uses(papers):
    return Counter(s.question_id for paper in papers for s in paper)


def as_bytes(result):
    return json.dumps([[dataclasses.astuple(s) for s in paper] for paper in result.papers]).encode()


@pytest.fixture(scope="module", params=[1, 2, 3])
def generated(request):
    bank = make_bank(request.param)
    return bank, assemble_sitting(ROWS, bank, seed=request.param, n_papers=N, exposure_cap=0.1)


def test_every_paper_meets_the_blueprint_exactly(generated):
    bank, result = generated
    by_id = {i.id: i for i in bank}
    assert len(result.papers) == N
    for paper in result.papers:
        assert len({s.question_id for s in paper}) == len(paper) == sum(r.count for r in ROWS)
        at = 0
        for row in ROWS:
            section = paper[at : at + row.count]
            assert all(fits(by_id[s.question_id], row) for s in section)
            assert all(s.points == row.points for s in section)
            assert all(s.version == by_id[s.question_id].version for s in section)
            at += row.count


def test_every_paper_is_within_the_tolerance_where_naive_draws_are_not(generated):
    bank, result = generated
    by_id = {i.id: i for i in bank}
    scores = [expected_score(p, by_id) for p in result.papers]
    assert max(abs(s - result.report.target) for s in scores) <= 0.5
    assert result.report.expected_scores == pytest.approx(scores)
    assert result.report.target == pytest.approx(np.mean(scores))
    naive = naive_draw(ROWS, bank, seed=1, n_papers=N)
    assert naive.report.score_spread > 2.0  # the bank is uneven enough for the test to mean it


def test_no_item_is_on_more_papers_than_the_cap(generated):
    _, result = generated
    counts = uses(result.papers)
    assert max(counts.values()) <= math.ceil(0.1 * N)
    assert result.report.max_exposure == max(counts.values()) / N
    assert not result.report.cap_raised
    assert result.report.effective_cap == 0.1


def test_no_paper_holds_two_near_duplicates(generated):
    bank, result = generated
    by_id = {i.id: i for i in bank}
    assert sum(i.enemy_group is not None for i in bank) > len(bank) // 5
    for paper in result.papers:
        groups = [by_id[s.question_id].enemy_group for s in paper]
        groups = [g for g in groups if g is not None]
        assert len(groups) == len(set(groups))


def test_near_duplicates_across_rows_are_kept_apart():
    bank = make_bank(4, per_kind=40, enemy_share=0)
    # One cluster spanning both single rows and the judge rows.
    ids = [i.id for i in bank if i.type in (T.SINGLE, T.JUDGE) and i.area == "theory"][::7]
    bank = [dataclasses.replace(i, enemy_group=99) if i.id in ids else i for i in bank]
    result = assemble_sitting(ROWS, bank, seed=4, n_papers=60, exposure_cap=0.5)
    for paper in result.papers:
        assert sum(s.question_id in ids for s in paper) <= 1


def test_a_lone_paper_takes_a_spare_item_to_keep_near_duplicates_of_two_rows_apart():
    rows = [BlueprintRow("theory", T.SINGLE, 2, 1.0), BlueprintRow("theory", T.JUDGE, 1, 1.0)]
    bank = [
        BankItem(i, 1, "theory", T.SINGLE, 4, enemy_group=9 if i == 1 else None)
        for i in (1, 2, 3, 4)
    ]
    bank += [
        BankItem(5, 1, "theory", T.JUDGE, 2, enemy_group=9),
        BankItem(6, 1, "theory", T.JUDGE, 2),
    ]
    for seed in range(30):
        paper = assemble_sitting(rows, bank, seed=seed, n_papers=1).papers[0]
        assert not {1, 5} <= {s.question_id for s in paper}


def test_near_duplicates_that_every_paper_needs_are_refused_naming_the_row():
    rows = [BlueprintRow("theory", T.SINGLE, 1, 1.0), BlueprintRow("theory", T.JUDGE, 1, 1.0)]
    bank = [
        BankItem(1, 1, "theory", T.SINGLE, 4, enemy_group=5),
        BankItem(2, 1, "theory", T.JUDGE, 2, enemy_group=5),
    ]
    with pytest.raises(AssemblyInfeasible, match=r"row 2 \(theory × judge\).*cannot all be kept"):
        assemble_sitting(rows, bank, seed=1, n_papers=3)


def test_an_impossible_cap_is_raised_to_the_lowest_the_bank_allows_and_reported():
    rows = [BlueprintRow("theory", T.SINGLE, 2, 1.0)]
    bank = [BankItem(i, 1, "theory", T.SINGLE, 4, difficulty=1 + i % 5) for i in range(10)]
    result = assemble_sitting(rows, bank, seed=1, n_papers=20, exposure_cap=0.05)
    report = result.report
    assert report.cap_raised and report.requested_cap == 0.05
    assert report.effective_cap == report.lowest_feasible_cap == 0.2  # 40 uses over 10 items
    assert report.cap_papers == 4
    assert max(uses(result.papers).values()) == 4


def test_near_duplicates_raise_the_lowest_cap():
    rows = [BlueprintRow("theory", T.SINGLE, 2, 1.0)]
    bank = [
        BankItem(i, 1, "theory", T.SINGLE, 4, enemy_group=1 if i < 6 else None) for i in range(10)
    ]
    result = assemble_sitting(rows, bank, seed=1, n_papers=20, exposure_cap=0.05)
    # The cluster of six counts at most 20 uses (one per paper), the four others need 5 each.
    assert result.report.cap_papers == 5 and result.report.lowest_feasible_cap == 0.25
    assert all(sum(s.question_id < 6 for s in paper) <= 1 for paper in result.papers)


def test_same_seed_gives_byte_identical_papers_whatever_the_bank_order():
    bank = make_bank(5)
    shuffled = bank[:]
    random.Random(0).shuffle(shuffled)
    first = assemble_sitting(ROWS, bank, seed=42, n_papers=N)
    again = assemble_sitting(ROWS, shuffled, seed=42, n_papers=N)
    assert as_bytes(first) == as_bytes(again)
    assert first.report == again.report and first.bank_hash == again.bank_hash


def test_different_seeds_give_different_papers():
    bank = make_bank(5)
    one = assemble_sitting(ROWS, bank, seed=1, n_papers=N).papers
    two = assemble_sitting(ROWS, bank, seed=2, n_papers=N).papers
    assert sum(a != b for a, b in zip(one, two, strict=True)) > N * 0.9


def test_papers_of_one_sitting_differ_from_each_other():
    result = assemble_sitting(ROWS, make_bank(6), seed=3, n_papers=N)
    keys = {frozenset(s.question_id for s in p) for p in result.papers}
    assert len(keys) == N


def test_infeasible_blueprint_names_the_rows_that_fall_short():
    bank = make_bank(1)
    judges = sum(i.type == T.JUDGE for i in bank)
    rows = [
        BlueprintRow("theory", T.SINGLE, 3, 1.0),
        BlueprintRow(None, T.JUDGE, judges + 1, 1.0),
        BlueprintRow(None, T.FILL, 2, 1.0, (1, 2)),
    ]
    with pytest.raises(AssemblyInfeasible) as info:
        assemble_sitting(rows, bank, seed=1, n_papers=10)
    assert [(s.row_index, s.needed) for s in info.value.shortfalls] == [(1, judges + 1), (2, 2)]
    assert info.value.shortfalls[1].available == 0
    assert "row 3 (any area × fill × difficulty 1–2): needs 2, bank has 0" in str(info.value)


def test_near_duplicates_count_once_when_a_row_is_checked():
    rows = [BlueprintRow("history", T.JUDGE, 3, 1.0)]
    bank = [BankItem(i, 1, "history", T.JUDGE, 2, enemy_group=7 if i else None) for i in range(4)]
    with pytest.raises(AssemblyInfeasible) as info:
        assemble_sitting(rows, bank, seed=1, n_papers=3)
    assert "needs 3, bank has 2 (near-duplicates counted once)" in str(info.value)


def test_judge_options_are_never_shuffled_and_choice_options_are():
    bank = make_bank(2)
    by_id = {i.id: i for i in bank}
    slots = [s for p in assemble_sitting(ROWS, bank, seed=9, n_papers=50).papers for s in p]
    judge = [s for s in slots if by_id[s.question_id].type == T.JUDGE]
    choice = [s for s in slots if by_id[s.question_id].type != T.JUDGE]
    assert judge and all(s.option_order == (0, 1) for s in judge)
    assert all(sorted(s.option_order) == list(range(len(s.option_order))) for s in choice)
    assert len({s.option_order for s in choice if len(s.option_order) == 4}) == 24
    plain = assemble_sitting(ROWS, bank, seed=9, n_papers=50, shuffle_options=False)
    assert all(s.option_order == tuple(range(len(s.option_order))) for p in plain.papers for s in p)


def test_questions_keep_id_order_inside_a_row_unless_shuffled():
    bank = make_bank(2)

    def sorted_rows(paper):
        ids = [s.question_id for s in paper]
        cuts = np.cumsum([0] + [r.count for r in ROWS])
        return all(ids[a:b] == sorted(ids[a:b]) for a, b in zip(cuts, cuts[1:], strict=False))

    fixed = assemble_sitting(ROWS, bank, seed=9, n_papers=50, shuffle_questions=False)
    mixed = assemble_sitting(ROWS, bank, seed=9, n_papers=50)
    assert all(sorted_rows(p) for p in fixed.papers)
    assert not all(sorted_rows(p) for p in mixed.papers)


def test_items_used_less_in_earlier_sittings_are_preferred():
    rows = [BlueprintRow("theory", T.SINGLE, 2, 1.0)]
    bank = [BankItem(i, 1, "theory", T.SINGLE, 4, prior_exposure=(i * 7) % 40) for i in range(40)]
    result = assemble_sitting(rows, bank, seed=3, n_papers=5)
    freshest = {i.id for i in sorted(bank, key=lambda i: i.prior_exposure)[:10]}
    assert set(uses(result.papers)) == freshest


def test_an_explicit_target_is_met_and_an_unreachable_one_refused():
    bank = make_bank(1)
    natural = assemble_sitting(ROWS, bank, seed=1, n_papers=N, exposure_cap=0.1).report.target
    by_id = {i.id: i for i in bank}
    result = assemble_sitting(ROWS, bank, seed=1, n_papers=N, exposure_cap=0.1, target=natural - 1)
    assert result.report.target == natural - 1
    assert all(abs(expected_score(p, by_id) - (natural - 1)) <= 0.5 for p in result.papers)
    assert max(uses(result.papers).values()) == math.ceil(0.1 * N)  # the tilt leans on the cap
    with pytest.raises(AssemblyInfeasible, match="averages 29.5 points"):
        assemble_sitting(ROWS, bank, seed=1, n_papers=N, target=29.5)


def test_papers_that_cannot_be_made_parallel_are_refused():
    rows = [BlueprintRow("theory", T.SINGLE, 1, 10.0)]
    bank = [
        BankItem(1, 1, "theory", T.SINGLE, 4, difficulty=1),
        BankItem(2, 1, "theory", T.SINGLE, 4, difficulty=5),
    ]
    with pytest.raises(AssemblyInfeasible, match="miss the expected score"):
        assemble_sitting(rows, bank, seed=1, n_papers=2, exposure_cap=0.5)
    wide = assemble_sitting(rows, bank, seed=1, n_papers=2, exposure_cap=0.5, tolerance_points=3)
    assert sorted(wide.report.expected_scores) == pytest.approx([3.5, 9.0])


def test_overlap_statistics_match_a_count_over_all_pairs():
    result = assemble_sitting(ROWS, make_bank(3), seed=5, n_papers=40, exposure_cap=0.3)
    sets = [{s.question_id for s in p} for p in result.papers]
    shared = [len(a & b) for a, b in combinations(sets, 2)]
    assert result.report.overlap_pairs == len(shared)
    assert result.report.max_overlap == max(shared)
    assert result.report.mean_overlap == pytest.approx(np.mean(shared))


def test_naive_draw_meets_the_blueprint_without_balancing():
    bank = make_bank(1)
    by_id = {i.id: i for i in bank}
    result = naive_draw(ROWS, bank, seed=2, n_papers=100)
    assert result.report.requested_cap is None and not result.report.cap_raised
    for paper in result.papers:
        assert len({s.question_id for s in paper}) == len(paper)
        at = 0
        for row in ROWS:
            assert all(fits(by_id[s.question_id], row) for s in paper[at : at + row.count])
            at += row.count


def test_draw_paper_respects_a_difficulty_band():
    bank = make_bank(1)
    by_id = {i.id: i for i in bank}
    rows = [BlueprintRow("theory", T.SINGLE, 5, 1.0, (4, 5))]
    for seed in range(5):
        assert all(by_id[s.question_id].difficulty >= 4 for s in draw_paper(rows, bank, seed))

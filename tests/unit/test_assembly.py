import pytest

from question_bank.assembly import (
    BankItem,
    BlueprintRow,
    check_feasible,
    draw_paper,
    paper_seed,
    snapshot_hash,
)
from question_bank.errors import AssemblyInfeasible
from question_bank.model import QuestionType as T


def bank(n_single=30, n_judge=20):
    items = [
        BankItem(i, 1, "constitution" if i % 2 else "history", T.SINGLE, 4)
        for i in range(1, n_single + 1)
    ]
    items += [BankItem(1000 + i, 1, "history", T.JUDGE, 0) for i in range(n_judge)]
    return items


ROWS = [
    BlueprintRow("constitution", T.SINGLE, 5, 1.0),
    BlueprintRow(None, T.SINGLE, 5, 1.0),
    BlueprintRow(None, T.JUDGE, 4, 2.0),
]


def test_paper_meets_every_row_with_distinct_items():
    slots = draw_paper(ROWS, bank(), seed=42)
    by_id = {i.id: i for i in bank()}
    assert len(slots) == 14
    assert len({s.question_id for s in slots}) == 14
    assert all(by_id[s.question_id].area == "constitution" for s in slots[:5])
    assert [by_id[s.question_id].type for s in slots] == [T.SINGLE] * 10 + [T.JUDGE] * 4
    assert sum(s.points for s in slots) == 18


def test_same_seed_same_paper_whatever_the_bank_order():
    items = bank()
    assert draw_paper(ROWS, items, seed=7) == draw_paper(ROWS, list(reversed(items)), seed=7)


def test_different_seeds_give_different_papers():
    papers = {tuple(s.question_id for s in draw_paper(ROWS, bank(), seed=s)) for s in range(10)}
    assert len(papers) == 10


def test_judge_options_are_never_shuffled_and_choice_options_are():
    slots = draw_paper(ROWS, bank(), seed=3)
    assert all(s.option_order == () for s in slots[10:])
    assert any(s.option_order != (0, 1, 2, 3) for s in slots[:10])
    assert all(sorted(s.option_order) == [0, 1, 2, 3] for s in slots[:10])


def test_infeasible_blueprint_names_the_short_rows():
    rows = [BlueprintRow("constitution", T.SINGLE, 50, 1.0), BlueprintRow(None, T.FILL, 1, 1.0)]
    with pytest.raises(AssemblyInfeasible) as info:
        draw_paper(rows, bank(), seed=1)
    assert [(s.row_index, s.needed, s.available) for s in info.value.shortfalls] == [
        (0, 50, 15),
        (1, 1, 0),
    ]
    assert "row 1 (constitution × single): needs 50, bank has 15" in str(info.value)


def test_any_area_row_counts_items_taken_by_earlier_rows():
    rows = [BlueprintRow("constitution", T.SINGLE, 15, 1.0), BlueprintRow(None, T.SINGLE, 16, 1.0)]
    assert [s.available for s in check_feasible(rows, bank())] == [15]


def test_paper_seed_is_stable_and_snapshot_hash_order_free():
    assert paper_seed(123, 45) == paper_seed(123, 45) != paper_seed(123, 46)
    items = bank()
    assert snapshot_hash(items) == snapshot_hash(list(reversed(items)))
    assert snapshot_hash(items) != snapshot_hash(items[1:])

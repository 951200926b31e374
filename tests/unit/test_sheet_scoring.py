"""Bulk scoring of many sheets gives exactly what scoring each sheet one by one gives."""

from fractions import Fraction

import numpy as np
import pytest

from question_bank.model import OPTION_LABELS
from question_bank.model import QuestionType as T
from question_bank.scoring import MultipleRule, item_score, passes, total_score
from question_bank.sheet_scoring import (
    SheetItem,
    analyse_sitting,
    compile_items,
    encode_column,
    encode_response,
    score_sheets,
)

ITEMS = (
    SheetItem(T.SINGLE, "B", 1, "theory"),
    SheetItem(T.MULTIPLE, ("A", "B", "C"), 1, "theory"),
    SheetItem(T.MULTIPLE, ("A", "D"), 2.5, "history"),
    SheetItem(T.JUDGE, False, 0.5, "history"),
    SheetItem(T.FILL, (("2年|两年",), ("上海",), ("一大",)), 2, "history"),
    SheetItem(T.MULTIPLE, tuple("ABCDEFG"), 0.01, "rules"),
)


def _random_response(item: SheetItem, rng: np.random.Generator) -> object:
    if rng.random() < 0.1:
        return None
    if item.type is T.SINGLE:
        return str(rng.choice(list("ABCD")))
    if item.type is T.MULTIPLE:
        picked = rng.choice(list(OPTION_LABELS), size=int(rng.integers(1, 5)), replace=False)
        return sorted(str(p) for p in picked)
    if item.type is T.JUDGE:
        return bool(rng.random() < 0.5)
    return [str(rng.choice(["两年", "兩年。", "3年", "上海", "「一大」", ""])) for _ in item.key]


@pytest.mark.parametrize(
    ("rule", "share"),
    [
        (MultipleRule.ALL_OR_NOTHING, Fraction(1, 2)),
        (MultipleRule.PER_OPTION, Fraction(1, 2)),
        (MultipleRule.FIXED_PARTIAL, Fraction(1, 2)),
        (MultipleRule.FIXED_PARTIAL, Fraction(1, 3)),
    ],
)
def test_bulk_totals_equal_sheet_by_sheet_totals(rule, share):
    rng = np.random.default_rng(7)
    sheets = [[_random_response(item, rng) for item in ITEMS] for _ in range(400)]
    item_set = compile_items(ITEMS, rule, share)
    codes = np.column_stack(
        [encode_column(item, [s[i] for s in sheets]) for i, item in enumerate(ITEMS)]
    )
    result = score_sheets(item_set, codes, pass_mark=3.5)
    for n, sheet in enumerate(sheets):
        exact = [
            item_score(i.type, i.key, r, i.points, rule, share)
            for i, r in zip(ITEMS, sheet, strict=True)
        ]
        assert result.totals[n] == total_score(exact)
        assert bool(result.passed[n]) is passes(total_score(exact), 3.5)
        history = [e for e, i in zip(exact, ITEMS, strict=True) if i.area == "history"]
        assert result.area_totals[n, result.areas.index("history")] == total_score(history)
        assert result.item_scores()[n].tolist() == pytest.approx([float(e) for e in exact])


def test_thirds_summed_in_bulk_reach_the_pass_mark():
    items = [SheetItem(T.SINGLE, "A", 1)] * 59 + [SheetItem(T.MULTIPLE, ("A", "B", "C"), 1)] * 3
    item_set = compile_items(items, MultipleRule.PER_OPTION)
    sheet = [encode_response(i, "A" if i.type is T.SINGLE else ["B"]) for i in items]
    result = score_sheets(item_set, np.array([sheet]), pass_mark=60)
    assert result.totals.tolist() == [60.0]
    assert result.passed.tolist() == [True]
    assert item_set.unit == 3  # units of a third of a hundredth keep the sum exact


def test_short_items_leave_a_sheet_pending_until_marked():
    items = [SheetItem(T.SINGLE, "A", 50, "a"), SheetItem(T.SHORT, "要点", 50, "b")]
    item_set = compile_items(items)
    codes = np.array([[1, 0], [1, 0], [2, 0]])
    unmarked = score_sheets(item_set, codes, pass_mark=60)
    assert unmarked.pending.tolist() == [True, True, True]
    assert unmarked.passed.tolist() == [False, False, False]
    marks = np.array([[np.nan, 10.5], [np.nan, np.nan], [np.nan, 50.0]])
    marked = score_sheets(item_set, codes, pass_mark=60, marks=marks)
    assert marked.pending.tolist() == [False, True, False]
    assert marked.totals.tolist() == [60.5, 50.0, 50.0]
    assert marked.passed.tolist() == [True, False, False]
    assert marked.area_totals[:, 1].tolist() == [10.5, 0.0, 50.0]


def test_codes_of_responses():
    single, multiple, judge, fill = ITEMS[0], ITEMS[1], ITEMS[3], ITEMS[4]
    assert encode_response(single, "C") == 0b100
    assert encode_response(multiple, ["A", "C"]) == 0b101
    assert encode_response(judge, True) == 1
    assert encode_response(judge, False) == 2
    assert encode_response(fill, ["兩年", "上海", "二大"]) == 2
    assert encode_response(single, None) == 0
    assert encode_column(multiple, [["A"], ["A"], None]).tolist() == [1, 1, 0]


def test_a_wrongly_shaped_code_matrix_is_refused():
    with pytest.raises(ValueError):
        score_sheets(compile_items(ITEMS), np.zeros((3, 2), dtype=np.uint8), pass_mark=1)


def test_points_finer_than_a_hundredth_are_refused():
    with pytest.raises(ValueError):
        compile_items([SheetItem(T.SINGLE, "A", 0.005)])


def test_max_score_is_the_sum_of_points():
    assert compile_items(ITEMS).max_score == 7.01


def test_a_scored_sitting_feeds_item_analysis_with_every_option_listed():
    rng = np.random.default_rng(11)
    items = (
        SheetItem(T.SINGLE, "B", 1, "a"),
        SheetItem(T.MULTIPLE, ("A", "C"), 2, "a"),
        SheetItem(T.JUDGE, False, 1, "b"),
        SheetItem(T.FILL, (("上海",),), 1, "b"),
    )
    ability = rng.random(500)
    right = rng.random((500, 4)) < ability[:, None]
    sheets = [
        [
            "B" if r[0] else str(rng.choice(["A", "C"])),  # D is never chosen
            ["A", "C"] if r[1] else ["A"],
            not r[2],  # the key is False
            ["上海" if r[3] else "北京"],
        ]
        for r in right
    ]
    item_set = compile_items(items, MultipleRule.PER_OPTION)
    codes = np.column_stack(
        [encode_column(item, [s[i] for s in sheets]) for i, item in enumerate(items)]
    )
    scored = score_sheets(item_set, codes, pass_mark=3)
    result = analyse_sitting(item_set, codes, scored, ["Q1", "Q2", "Q3", "Q4"], [4, 4, 0, 0])
    q1, q2, q3, q4 = result.items
    assert [o.option for o in q1.options] == ["A", "B", "C", "D"]
    assert q1.options[3].share == 0.0 and "non_functional_distractor" in q1.flags
    assert q1.key == "B" and q1.options[1].is_key
    assert q2.key == "AC" and [o.is_key for o in q2.options] == [True, False, True, False]
    assert q2.facility == pytest.approx(np.mean([1.0 if r[1] else 0.5 for r in right]))
    assert (q3.key, [o.option for o in q3.options]) == ("false", ["true", "false"])
    assert q3.options[1].share == pytest.approx(right[:, 2].mean())
    assert q4.options == () and q4.key == "上海"
    assert all("key_suspect" not in item.flags for item in result.items)


def test_overrides_replace_the_keys_credit_and_settle_an_unmarked_item():
    items = (
        SheetItem(T.SINGLE, "B", 1, "a"),
        SheetItem(T.SHORT, "要点", 5, "b"),
    )
    item_set = compile_items(items)
    codes = np.array([[encode_response(items[0], "B"), 0]] * 3, dtype=np.uint8)
    marks = np.array([[0, 4.0], [0, np.nan], [0, np.nan]])
    overrides = np.array([[0.0, np.nan], [np.nan, 2.5], [np.nan, np.nan]])
    scored = score_sheets(item_set, codes, 3, marks, overrides)
    # a right answer corrected to 0; an unmarked 简答 given 2.5; nothing corrected
    assert scored.totals.tolist() == [4.0, 3.5, 1.0]
    assert scored.pending.tolist() == [False, False, True]
    assert scored.passed.tolist() == [True, True, False]
    assert scored.area_totals.tolist() == [[0.0, 4.0], [1.0, 2.5], [1.0, 0.0]]
    plain = score_sheets(item_set, codes, 3, marks)
    assert plain.totals.tolist() == [5.0, 1.0, 1.0]

"""Partial credit rules, the exact total and how fill-in answers are folded before matching."""

from fractions import Fraction

import pytest

from question_bank.fill_match import alternatives, fold_answer
from question_bank.model import QuestionType as T
from question_bank.scoring import (
    MultipleRule,
    item_score,
    passes,
    score_response,
    total_score,
)

KEY = ("A", "B", "C", "D")
FIXED = MultipleRule.FIXED_PARTIAL


@pytest.mark.parametrize(
    ("share", "response", "expected"),
    [
        (0.5, ["A"], 2.0),  # 少选得一半: any correct subset earns half of 4 points
        (0.5, ["A", "B", "C"], 2.0),
        (0.5, ["A", "B", "C", "D"], 4.0),  # the whole key earns everything
        (0.5, ["A", "E"], 0.0),  # a wrong pick earns nothing
        (0.25, ["B", "D"], 1.0),
        (Fraction(1, 3), ["B"], 4 / 3),
        (0, ["A"], 0.0),
        (1, ["A"], 4.0),
    ],
)
def test_fixed_partial_earns_the_configured_share_of_a_correct_subset(share, response, expected):
    assert score_response(T.MULTIPLE, KEY, response, 4, FIXED, share=share) == expected


def test_fixed_partial_defaults_to_half():
    assert score_response(T.MULTIPLE, KEY, ["C"], 3, FIXED) == 1.5


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(ValueError):
        score_response(T.MULTIPLE, KEY, ["A"], 2, FIXED, share=share)


def test_per_option_thirds_add_up_to_sixty_not_fifty_nine_ninety_nine():
    # 59 points of right answers, then three 1-point multiple-choice items keyed ABC where
    # the candidate picked one right option each: a third of a point each, exactly 60 in all.
    # Rounding each third to 0.33 first made the total 59.99: a fail at a pass mark of 60.
    third = score_response(T.MULTIPLE, ("A", "B", "C"), ["A"], 1, MultipleRule.PER_OPTION)
    earned = [1.0] * 59 + [third] * 3
    assert total_score(earned) == 60.0
    assert passes(total_score(earned), 60)
    assert total_score([1.0] * 59 + [round(third, 2)] * 3) == 59.99  # the old way, for contrast


def test_per_option_sum_of_exact_item_scores_is_cut_once():
    sevenths = [item_score(T.MULTIPLE, tuple("ABCDEFG"), ["A"], 1, MultipleRule.PER_OPTION)] * 7
    assert sum(sevenths) == 1
    assert total_score(sevenths) == 1.0
    assert total_score([Fraction(2, 3)]) == 0.66  # cut, never rounded up


@pytest.mark.parametrize(
    ("given", "folded"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full width
        ("Marx", "marx"),  # case
        (" 不 记名\u3000投票 ", "不记名投票"),  # spaces of both widths
        ("1921年。", "1921年"),  # trailing punctuation
        ("上海！！", "上海"),
        ("上海.", "上海"),
        ("“实事求是”", "实事求是"),  # quotes
        ("「實事求是」", "实事求是"),
        ("'two'", "two"),
        ("兩年", "两年"),  # traditional → simplified
        ("中國共產黨", "中国共产党"),
        ("乾隆", "乾隆"),  # phrase-aware: not 干隆
        ("为人民服务，", "为人民服务"),
        ("a,b", "a,b"),  # punctuation inside stays
    ],
)
def test_fill_answers_are_folded_before_matching(given, folded):
    assert fold_answer(given) == folded


def test_alternatives_in_the_key_are_each_accepted():
    key = (("2年|两年",), ("民主集中制",))
    assert alternatives("2年|两年") == ["2年", "两年"]
    assert score_response(T.FILL, key, ["两年", "民主集中制"], 2) == 2.0
    assert score_response(T.FILL, key, ["２年", "民主集中制"], 2) == 2.0
    assert score_response(T.FILL, key, ["兩年。", "「民主集中制」"], 2) == 2.0
    assert score_response(T.FILL, key, ["3年", "民主集中制"], 2) == 1.0
    # the key text itself is not an answer
    assert score_response(T.FILL, key, ["2年|两年", ""], 2) == 0.0
    assert score_response(T.FILL, (("A｜B",),), ["b"], 1) == 1.0


def test_a_blank_of_only_punctuation_or_quotes_is_not_an_answer():
    assert score_response(T.FILL, (("上海",),), ["。"], 1) == 0.0
    assert score_response(T.FILL, (("上海",),), ["“”"], 1) == 0.0


def test_fill_credit_is_shared_by_blanks_exactly():
    key = (("一",), ("二",), ("三",))
    assert item_score(T.FILL, key, ["一", "二", "四"], 1) == Fraction(2, 3)
    assert total_score([score_response(T.FILL, key, ["一", "x", "y"], 1)] * 3) == 1.0


def test_short_items_are_not_scored_by_rule():
    assert item_score(T.SHORT, "要点", "回答", 10) is None

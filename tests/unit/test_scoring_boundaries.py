"""Scoring rules at their edges: partial credit, totals and the pass mark."""

from fractions import Fraction

import pytest

from question_bank.model import QuestionType as T
from question_bank.scoring import MultipleRule, item_score, passes, score_response, total_score

KEY = ("A", "B", "C")


@pytest.mark.parametrize(
    ("rule", "response", "expected"),
    [
        (MultipleRule.PER_OPTION, ["A", "B", "C"], 3.0),  # the whole key: full points
        (MultipleRule.PER_OPTION, ["A", "B"], 2.0),  # one short: two thirds
        (MultipleRule.PER_OPTION, ["C"], 1.0),
        (MultipleRule.PER_OPTION, ["A", "B", "C", "D"], 0.0),  # one wrong pick spoils it all
        (MultipleRule.PER_OPTION, ["D"], 0.0),
        (MultipleRule.PER_OPTION, [], 0.0),
        (MultipleRule.FIXED_PARTIAL, ["A", "B", "C"], 3.0),
        (MultipleRule.FIXED_PARTIAL, ["A", "B"], 1.5),  # the largest subset: still half
        (MultipleRule.FIXED_PARTIAL, ["A"], 1.5),  # the smallest subset: half too
        (MultipleRule.FIXED_PARTIAL, ["A", "B", "C", "D"], 0.0),
        (MultipleRule.FIXED_PARTIAL, ["A", "D"], 0.0),
        (MultipleRule.ALL_OR_NOTHING, ["A", "B"], 0.0),
        (MultipleRule.ALL_OR_NOTHING, ["A", "B", "C"], 3.0),
    ],
)
def test_multiple_choice_rules_at_their_edges(rule, response, expected):
    assert score_response(T.MULTIPLE, KEY, response, 3, rule) == expected


def test_partial_credit_is_exact_and_only_the_total_is_cut():
    two_thirds = score_response(T.MULTIPLE, KEY, ["A", "B"], 2, MultipleRule.PER_OPTION)
    assert item_score(T.MULTIPLE, KEY, ["A"], 2, MultipleRule.PER_OPTION) == Fraction(2, 3)
    assert two_thirds == 4 / 3  # not 1.33: the item keeps its exact credit
    assert total_score([two_thirds]) == 1.33  # cut once, at the total
    assert score_response(T.MULTIPLE, KEY, ["A"], 0.5, MultipleRule.FIXED_PARTIAL) == 0.25


def test_totals_are_exact_sums_cut_to_the_hundredth():
    assert total_score([0.1] * 600) == 60.0  # float addition alone gives 59.99999999999…
    assert total_score([0.999] * 5) == 4.99  # 4.995 is short of 5: never rounded up
    assert total_score([59.0, 0.995]) == 59.99
    assert total_score([59.99, 0.01]) == 60.0
    assert total_score([]) == 0.0


@pytest.mark.parametrize(
    ("score", "pass_mark", "expected"),
    [(60.0, 60, True), (59.99, 60, False), (60.01, 60, True), (59.5, 59.5, True),
     (total_score([0.1] * 600), 60, True), (total_score([19.995, 40.0]), 60, False)],
)  # fmt: skip
def test_reaching_the_pass_mark_exactly_passes(score, pass_mark, expected):
    assert passes(score, pass_mark) is expected

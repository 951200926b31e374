"""Item analysis against a table worked out by hand with Moodle's formulas, and on generated data.

The hand table: six candidates, three items keyed A, B, C.

    candidate  Q1 Q2 Q3   item scores   total T
    c1          A  B  C    1  1  1        3
    c2          A  B  C    1  1  1        3
    c3          A  D  C    1  0  1        2
    c4          B  B  D    0  1  0        1
    c5          C  C  D    0  0  0        0
    c6          A  .  D    1  0  0        1      (. = no answer)

Variances and covariances divide by n − 1 = 5. For a 0/1 variable x and any y,
Σ (x − x̄)(y − ȳ) = Σ over the ones of (y − ȳ), which keeps the sums short.
"""

import math

import numpy as np
import pytest

from question_bank.response_matrix import (
    ResponseMatrixRejected,
    analyse_matrix,
    parse_response_matrix,
)
from question_bank.statistics import Flag, analyse

HAND_TABLE = """candidate,Q1,Q2,Q3
key,A,B,C
c1,A,B,C
c2,A,B,C
c3,A,D,C
c4,B,B,D
c5,C,C,D
c6,A,,D
"""

close = lambda value: pytest.approx(value, abs=1e-9)  # noqa: E731


@pytest.fixture(scope="module")
def hand():
    return analyse_matrix(parse_response_matrix(HAND_TABLE))


def test_item_one_by_hand(hand):
    q1 = hand.items[0]
    # x = 1 1 1 0 0 1 (mean 2/3); rest X = T − x = 2 2 1 1 0 0 (mean 1, deviations 1 1 0 0 −1 −1)
    var_x = (4 * (1 / 3) ** 2 + 2 * (2 / 3) ** 2) / 5  # = 4/15
    var_rest = (1 + 1 + 0 + 0 + 1 + 1) / 5  # = 4/5
    cov = (
        (1 / 3) * 1 + (1 / 3) * 1 + (1 / 3) * 0 + (-2 / 3) * 0 + (-2 / 3) * -1 + (1 / 3) * -1
    ) / 5
    # sorted x = 0 0 1 1 1 1 against sorted X = 0 0 1 1 2 2 (deviations −1 −1 0 0 1 1)
    cov_max = ((-2 / 3) * -1 * 2 + (1 / 3) * 0 * 2 + (1 / 3) * 1 * 2) / 5  # = 2/5
    assert q1.facility == close(4 / 6)
    assert q1.sd == close(math.sqrt(var_x))
    assert q1.item_rest_r == close(cov / math.sqrt(var_x * var_rest))
    assert q1.discrimination_index == q1.item_rest_r
    assert q1.discriminative_efficiency == close(cov / cov_max)  # = 1/2
    a, b, c = q1.options
    var_one = (5 * (1 / 6) ** 2 + (5 / 6) ** 2) / 5  # one chooser in six: 1/6
    assert (a.option, a.share, a.rest_r) == ("A", close(4 / 6), close(q1.item_rest_r))
    assert (b.option, b.share, b.rest_r) == ("B", close(1 / 6), close(0.0))  # c4's rest is the mean
    assert (c.option, c.share) == ("C", close(1 / 6))
    assert c.rest_r == close((-1 / 5) / math.sqrt(var_one * var_rest))  # c5's rest deviation −1
    assert q1.flags == () and q1.suggest is None


def test_item_two_by_hand_has_a_suspect_key(hand):
    q2 = hand.items[1]
    # x = 1 1 0 1 0 0 (mean 1/2); rest X = 2 2 2 0 0 1 (mean 7/6)
    dev = [5 / 6, 5 / 6, 5 / 6, -7 / 6, -7 / 6, -1 / 6]
    var_x = 6 * (1 / 2) ** 2 / 5  # = 3/10
    var_rest = sum(d * d for d in dev) / 5  # = 29/30
    cov = (dev[0] + dev[1] + dev[3]) / 5  # the ones of x: c1, c2, c4 → 1/10
    cov_max = (dev[0] + dev[1] + dev[2]) / 5  # the three ones paired with the three largest X
    var_one = (5 * (1 / 6) ** 2 + (5 / 6) ** 2) / 5
    assert q2.facility == close(3 / 6)
    assert q2.sd == close(math.sqrt(var_x))
    assert q2.item_rest_r == close(cov / math.sqrt(var_x * var_rest))
    assert q2.discriminative_efficiency == close(cov / cov_max)  # = 1/5
    options = {o.option: o for o in q2.options}
    assert sorted(options) == ["B", "C", "D"]  # no answer is not an option
    assert options["C"].rest_r == close((dev[4] / 5) / math.sqrt(var_one * var_rest))
    assert options["D"].rest_r == close((dev[2] / 5) / math.sqrt(var_one * var_rest))
    assert options["D"].share == close(1 / 6)
    # D's r (0.415) exceeds the key's (0.186): the key is suspect and D is suggested
    assert q2.flags == (Flag.KEY_SUSPECT,)
    assert q2.suggest == "D"


def test_item_three_and_the_test_by_hand(hand):
    q3 = hand.items[2]
    # x = 1 1 1 0 0 0; rest X = 2 2 1 1 0 1 (mean 7/6)
    dev = [5 / 6, 5 / 6, -1 / 6, -1 / 6, -7 / 6, -1 / 6]
    var_x, var_rest = 3 / 10, sum(d * d for d in dev) / 5  # 3/10 and 17/30
    cov = (dev[0] + dev[1] + dev[2]) / 5  # = 3/10
    assert q3.item_rest_r == close(cov / math.sqrt(var_x * var_rest))
    assert q3.discriminative_efficiency == close(1.0)  # the best order is the observed one
    assert [o.rest_r for o in q3.options] == [close(q3.item_rest_r), close(-q3.item_rest_r)]
    # T = 3 3 2 1 0 1: mean 5/3, deviations 4/3 4/3 1/3 −2/3 −5/3 −2/3
    var_t = ((4 / 3) ** 2 * 2 + (1 / 3) ** 2 + (2 / 3) ** 2 * 2 + (5 / 3) ** 2) / 5  # = 22/15
    alpha = 3 / 2 * (1 - (4 / 15 + 3 / 10 + 3 / 10) / var_t)  # KR-20 = 27/44
    assert hand.candidates == 6
    assert hand.test.mean == close(10 / 6)
    assert hand.test.sd == close(math.sqrt(var_t))
    assert hand.test.alpha == close(alpha)
    assert hand.test.sem == close(math.sqrt(var_t) * math.sqrt(1 - alpha))


def _simulate(rng, candidates=3000, items=20, miskeyed=6):
    """Answers drawn from a Rasch model; item ``miskeyed`` is keyed A though C is right."""
    ability = rng.normal(0, 1, candidates)
    difficulty = np.linspace(-1.5, 1.5, items)
    right = rng.random((candidates, items)) < 1 / (1 + np.exp(difficulty - ability[:, None]))
    truth = np.array(["ABCD"[i % 4] for i in range(items)])
    truth[miskeyed] = "C"
    wrong = rng.integers(1, 4, (candidates, items))  # one of the three other options, evenly
    letters = np.array(list("ABCD"))
    truth_index = np.array(["ABCD".index(t) for t in truth])
    answers = np.where(right, truth[None, :], letters[(truth_index[None, :] + wrong) % 4])
    keys = truth.copy()
    keys[miskeyed] = "A"
    return keys, answers


def test_a_miskeyed_item_is_flagged_with_the_right_suggestion():
    keys, answers = _simulate(np.random.default_rng(2024))
    lines = [
        "candidate," + ",".join(f"Q{i + 1}" for i in range(len(keys))),
        "key," + ",".join(keys),
    ]
    lines += [f"c{n}," + ",".join(row) for n, row in enumerate(answers)]
    result = analyse_matrix(parse_response_matrix("\n".join(lines)))
    suspects = [
        (item.item, item.suggest) for item in result.items if Flag.KEY_SUSPECT in item.flags
    ]
    assert suspects == [("Q7", "C")]
    q7 = result.items[6]
    assert Flag.NEGATIVE_DISCRIMINATION in q7.flags
    assert result.test.alpha > 0.7


def test_easy_hard_negative_and_idle_distractor_flags():
    n = 100
    easy = ["A"] * 97 + ["B"] * 3  # facility 0.97 and B chosen by 3 %
    hard = ["A"] * 10 + ["B"] * 45 + ["C"] * 45
    ability_order = list(range(n))
    rows = [f"c{i},{easy[i]},{hard[i]},{'A' if i < 50 else 'B'}" for i in ability_order]
    anchor = [f",{'A' if i >= 50 else 'B'}" for i in ability_order]  # the rest rises with i
    text = "candidate,E,H,N,R\nkey,A,A,A,A\n" + "\n".join(
        r + a for r, a in zip(rows, anchor, strict=True)
    )
    items = {item.item: item for item in analyse_matrix(parse_response_matrix(text)).items}
    assert Flag.TOO_EASY in items["E"].flags
    assert Flag.NON_FUNCTIONAL_DISTRACTOR in items["E"].flags
    assert Flag.TOO_HARD in items["H"].flags
    assert Flag.NON_FUNCTIONAL_DISTRACTOR not in items["H"].flags
    assert Flag.NEGATIVE_DISCRIMINATION in items["N"].flags
    assert items["N"].item_rest_r < 0


def test_one_candidate_gives_no_spread():
    result = analyse_matrix(parse_response_matrix("candidate,Q1,Q2\nkey,A,B\nc1,A,C\n"))
    assert result.items[0].facility == 1.0
    assert result.items[0].sd is None and result.items[0].item_rest_r is None
    assert result.test.mean == 1.0 and result.test.alpha is None


def test_partial_item_scores_use_the_item_maximum():
    scores = np.array([[2.0, 1.0], [1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    result = analyse(scores, ["Q1", "Q2"], ["", ""], max_marks=[2.0, 1.0])
    assert result.items[0].facility == close(5 / 8)
    assert result.items[0].sd == close(np.std([2, 1, 0, 2], ddof=1) / 2)
    assert result.items[0].options == ()


def test_a_million_responses_are_analysed():
    keys, answers = _simulate(np.random.default_rng(5), candidates=10_000, items=100, miskeyed=40)
    matrix_text = "candidate," + ",".join(f"Q{i}" for i in range(100)) + "\nkey," + ",".join(keys)
    body = "\n".join(f"c{n}," + ",".join(row) for n, row in enumerate(answers))
    result = analyse_matrix(parse_response_matrix(matrix_text + "\n" + body))
    assert result.candidates * len(result.items) == 1_000_000
    assert [i.item for i in result.items if Flag.KEY_SUSPECT in i.flags] == ["Q40"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "matrix_header"),
        ("name,Q1\nkey,A\n", "matrix_header"),
        ("candidate,Q1,Q1\nkey,A,B\n", "matrix_items"),
        ("candidate,Q1\nc1,A\n", "matrix_key"),
        ("candidate,Q1,Q2\nkey,A,\n", "matrix_key_missing"),
        ("candidate,Q1\nkey,A\nc1,A,B\n", "matrix_width"),
        ("candidate,Q1\nkey,A\nc1,X\n", "matrix_cell"),
        ("candidate,Q1\nkey,A\nc1,AB\n", "matrix_cell"),
    ],
)
def test_a_bad_matrix_is_rejected_with_a_reason(text, code):
    with pytest.raises(ResponseMatrixRejected) as caught:
        parse_response_matrix(text)
    assert caught.value.args[0].code == code

import pytest

from question_bank.errors import InvalidResponse
from question_bank.model import QuestionType as T
from question_bank.scoring import MultipleRule, check_response, score_response


def test_single_scores_full_or_nothing():
    assert score_response(T.SINGLE, "B", "B", 1) == 1.0
    assert score_response(T.SINGLE, "B", "C", 1) == 0.0
    assert score_response(T.SINGLE, "B", None, 1) == 0.0


@pytest.mark.parametrize(
    ("rule", "response", "expected"),
    [
        (MultipleRule.ALL_OR_NOTHING, ["A", "C"], 2.0),
        (MultipleRule.ALL_OR_NOTHING, ["A"], 0.0),
        (MultipleRule.ALL_OR_NOTHING, ["A", "B", "C"], 0.0),
        (MultipleRule.PER_OPTION, ["A"], 1.0),
        (MultipleRule.PER_OPTION, ["A", "B"], 0.0),
        (MultipleRule.FIXED_PARTIAL, ["C"], 1.0),
        (MultipleRule.FIXED_PARTIAL, [], 0.0),
    ],
)
def test_multiple_rules_are_never_negative(rule, response, expected):
    assert score_response(T.MULTIPLE, ("A", "C"), response, 2, rule) == expected


def test_judge_and_fill():
    assert score_response(T.JUDGE, False, False, 1) == 1.0
    assert score_response(T.JUDGE, False, True, 1) == 0.0
    key = (("1921", "1921年"), ("上海",))
    assert score_response(T.FILL, key, ["１９２１年", " 上海 "], 2) == 2.0
    assert score_response(T.FILL, key, ["1921", "北京"], 2) == 1.0
    assert score_response(T.FILL, (("2/3",),), ["２／３"], 1) == 1.0
    assert score_response(T.FILL, (("不记名投票",),), ["不 记名投票"], 1) == 1.0
    assert score_response(T.FILL, (("上海",),), [""], 1) == 0.0


def test_short_answers_wait_for_a_person():
    assert score_response(T.SHORT, "参考答案", "我的回答", 10) is None


@pytest.mark.parametrize(
    ("qtype", "response"),
    [
        (T.SINGLE, "E"),
        (T.SINGLE, "AB"),
        (T.SINGLE, ""),
        (T.MULTIPLE, [""]),
        (T.MULTIPLE, ["AB"]),
        (T.SINGLE, ["A"]),
        (T.MULTIPLE, "AB"),
        (T.MULTIPLE, ["A", "Z"]),
        (T.JUDGE, "true"),
        (T.FILL, ["only one"]),
        (T.FILL, "text"),
    ],
)
def test_malformed_responses_are_refused(qtype, response):
    with pytest.raises(InvalidResponse):
        check_response(qtype, response, option_count=4, blanks=2)


def test_responses_are_canonicalised():
    assert check_response(T.MULTIPLE, ["c", "A", "C"], 4, 0) == ["A", "C"]
    assert check_response(T.SINGLE, "b", 4, 0) == "B"
    assert check_response(T.SINGLE, None, 4, 0) is None

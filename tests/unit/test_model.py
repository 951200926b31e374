import pytest

from question_bank.errors import InvalidQuestion
from question_bank.model import build_question, normalize_text


def single(**overrides):
    fields = {
        "type": "single",
        "area": "constitution",
        "stem": "党的最高领导机关是（  ）。",
        "options": ["全国代表大会", "国务院", "全国政协", "最高法院"],
        "key": "A",
    }
    fields.update(overrides)
    return fields


def test_normalize_folds_full_width_nbsp_and_ideographic_space():
    assert normalize_text("\u3000ＡＢＣ１２３\u00a0 党章  ") == "ABC123 党章"


def test_normalize_keeps_chinese_punctuation():
    assert normalize_text("党的（  ）是什么？甲，乙。") == "党的（ ）是什么？甲，乙。"


def test_valid_single_choice_is_normalized():
    q = build_question(**single(stem="  党的最高领导机关是\u3000（  ）。 ", key="a"))
    assert q.key == "A"
    assert q.stem.startswith("党的最高领导机关是")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "E"}, "exactly one key"),
        ({"key": ""}, "exactly one key"),
        ({"options": ["甲", "乙", "甲", "丁"]}, "option C repeats option A"),
        ({"options": ["甲", "", "丙", "丁"]}, "option B is empty"),
        ({"options": ["甲"]}, "2 to 8 options"),
        ({"stem": "  "}, "the stem is empty"),
        ({"area": "astrology"}, "unknown knowledge area"),
        ({"difficulty": 9}, "difficulty"),
        ({"stem": "长" * 2001}, "longer than 2000"),
    ],
)
def test_invalid_single_choice_names_the_problem(overrides, message):
    with pytest.raises(InvalidQuestion) as info:
        build_question(**single(**overrides))
    assert any(message in p for p in info.value.problems), info.value.problems


def test_multiple_needs_two_keys_among_options():
    with pytest.raises(InvalidQuestion, match="at least two keys"):
        build_question(**single(type="multiple", key=["A"]))
    with pytest.raises(InvalidQuestion, match="not among its options"):
        build_question(**single(type="multiple", key="AF"))
    assert build_question(**single(type="multiple", key="CA")).key == ("A", "C")


def test_judge_needs_a_boolean_key():
    with pytest.raises(InvalidQuestion, match="true or false"):
        build_question(type="judge", area="history", stem="遵义会议于1935年召开。", key="对")
    assert (
        build_question(type="judge", area="history", stem="遵义会议于1935年召开。", key=True).key
        is True
    )


def test_fill_blanks_must_match_answers():
    with pytest.raises(InvalidQuestion, match="2 blanks but 1 answers"):
        build_question(type="fill", area="history", stem="____年____月", key=[["1921"]])
    q = build_question(
        type="fill", area="history", stem="中国共产党成立于____年。", key=[["1921", "１９２１"]]
    )
    assert q.key == (("1921",),)
    assert q.blank_count() == 1


def test_unknown_type_is_refused():
    with pytest.raises(InvalidQuestion, match="unknown question type"):
        build_question(type="matching", area="history", stem="x", key="A")


def test_multiple_needs_three_to_eight_options():
    with pytest.raises(InvalidQuestion, match="3 to 8 options"):
        build_question(**single(type="multiple", options=["甲", "乙"], key=["A", "B"]))


def test_short_answer_needs_reference_and_rubric():
    with pytest.raises(InvalidQuestion) as info:
        build_question(
            type="short", area="practice", stem="简述三会一课的内容。", key="", rubric=[]
        )
    assert {
        "a short-answer question needs a reference answer",
        "a short-answer question needs a marking rubric with points",
    } <= set(info.value.problems)
    with pytest.raises(InvalidQuestion, match="rubric row 1"):
        build_question(
            type="short", area="practice", stem="简述。", key="答案", rubric=[("要点", "x")]
        )
    q = build_question(
        type="short",
        area="practice",
        stem="简述三会一课的内容。",
        key="支部党员大会、支部委员会、党小组会和党课",
        rubric=[
            ("答出支部党员大会、支部委员会、党小组会", "6"),
            {"criterion": "答出按时上好党课", "points": 4},
        ],
    )
    assert q.rubric == (("答出支部党员大会、支部委员会、党小组会", 6.0), ("答出按时上好党课", 4.0))


def test_exams_must_be_known_and_not_empty():
    with pytest.raises(InvalidQuestion, match="unknown exam L9"):
        build_question(**single(exams=["L9"]))
    with pytest.raises(InvalidQuestion, match="at least one exam"):
        build_question(**single(exams=[]))
    assert build_question(**single(exams=["L2", "training"])).exams == {"L2", "training"}

"""GIFT: categories, comments, titles, escapes, weights, missing words, unsupported types."""

from question_bank import formats
from question_bank.formats import UNSUPPORTED
from tests.unit.formats.conftest import by_where, ours


def items():
    return by_where(formats.read(ours("quirks.gift")))


def test_choice_with_general_feedback_under_a_category():
    item = items()["line 4 «一大»"]
    assert (item.type, item.key, item.options) == ("single", "A", ("1921", "1927", "1949"))
    assert item.explanation == "1921年7月，中共一大在上海召开。"
    assert item.area == "history"


def test_difficulty_comment_true_false_weights_and_missing_word():
    found = items()
    assert (found["line 12 «judge»"].key, found["line 12 «judge»"].difficulty) == (True, 2)
    assert found["line 14 «multi»"].key == ("A", "B")
    fill = found["line 16 «missing word»"]
    assert fill.stem == "党的最高领导机关是党的全国____和它所产生的中央委员会。"
    assert fill.key == (("代表大会", "全国代表大会"),)


def test_escapes_and_html_are_undone():
    found = items()
    assert found["line 18 «escapes»"].stem == "等式 1 + 1 = 2 中的符号: 正确吗？"
    assert found["line 20 «html»"].stem == "党的根本宗旨是全心全意为人民服务吗？"


def test_problems_and_unsupported_types_are_named_by_line():
    found = items()
    assert "2 answers are marked right" in found["line 22 «two right»"].message
    assert found["line 24 «num»"].kind == UNSUPPORTED
    assert "matching" in found["line 26 «match»"].message
    assert found["line 28"].kind == UNSUPPORTED

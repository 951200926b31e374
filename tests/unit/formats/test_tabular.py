"""xlsx and CSV in the conventions of Chinese exam systems."""

import pytest

from question_bank import formats
from question_bank.formats import UNSUPPORTED
from tests.unit.formats.conftest import by_where, ours, quirk_rows, shared, xlsx_of


@pytest.fixture(params=["xlsx", "gb18030 csv", "utf-8 bom csv"])
def quirks(request):
    """The same quirky rows as xlsx and as CSV; positions are rows or lines alike."""
    if request.param == "xlsx":
        found = by_where(formats.read(xlsx_of(quirk_rows()), filename="题库.xlsx"))
        return {key.replace("row", "line"): value for key, value in found.items()}
    name = "quirks-gb18030.csv" if request.param.startswith("gb") else "quirks-utf8-bom.csv"
    return by_where(formats.read(ours(name), filename=name))


def test_header_below_a_title_row_padding_and_labels_in_options(quirks):
    item = quirks["line 3"]
    assert item.stem == "党的最高领导机关是（ ）。"
    assert item.options == ("党的全国代表大会", "国务院", "全国政协", "最高人民法院")
    assert (item.key, item.difficulty, item.points, item.area) == ("A", 1, 1.0, "constitution")


def test_multiple_answers_in_every_spelling(quirks):
    assert quirks["line 4"].key == ("A", "B", "C")  # A、B、C
    assert quirks["line 13"].key == ("A", "B", "D")  # A B D
    assert (quirks["line 13"].area, quirks["line 13"].point) == (None, "未知分类")


def test_judge_answers_as_symbols_and_as_a_letter_pointing_at_an_option(quirks):
    assert (quirks["line 5"].type, quirks["line 5"].key) == ("judge", False)  # ×
    assert quirks["line 5"].area == "practice"  # the English area name
    assert (quirks["line 6"].type, quirks["line 6"].key) == ("judge", True)  # A → 正确


def test_fill_answers_per_blank_and_empty_brackets_as_the_blank(quirks):
    assert quirks["line 7"].stem == "党的最高领导机关是党的全国（____）。"
    assert quirks["line 7"].key == (("代表大会", "全国代表大会"),)
    assert quirks["line 8"].key == (("社会主义制度",), ("人民代表大会制度",))


def test_bad_rows_are_reported_and_other_types_skipped(quirks):
    assert "names option D, which is empty" in quirks["line 9"].message
    assert "option C repeats option A" in quirks["line 10"].message
    assert "the answer F is not among the options" in quirks["line 11"].message
    assert quirks["line 12"].kind == UNSUPPORTED and "案例分析题" in quirks["line 12"].message


def test_real_template_reads_judge_as_1_0_and_reports_the_key_on_an_empty_option():
    result = formats.read(shared("cn-eldercare-template.xlsx"))
    assert result.format == "xlsx"
    assert [i.key for i in result.items[:3]] == [True, False, True]
    assert len(result.items) == 11
    (problem,) = result.problems
    assert problem.where == "row 12" and "names option D, which is empty" in problem.message


def test_judge_written_every_way():
    rows = [["题型", "题干", "答案"]] + [
        ["判断题", f"判断题{n}", answer]
        for n, answer in enumerate(
            ["对", "错", "正确", "错误", "√", "×", "是", "否", "T", "F", 1, 0]
        )
    ]
    keys = [item.key for item in formats.read(xlsx_of(rows)).items]
    assert keys == [True, False] * 6


def test_a_file_without_a_header_is_rejected():
    result = formats.read(xlsx_of([["甲", "乙"], ["丙", "丁"]]))
    assert result.unreadable and "no header row" in result.problems[0].message


def test_a_broken_workbook_is_rejected_not_raised():
    from tests.unit.formats.conftest import zip_of

    result = formats.read(zip_of({"xl/workbook.xml": "not xml"}), fmt="xlsx")
    assert result.unreadable and result.items == []

"""Header names and values as the import templates of Chinese exam systems write them.

Each fixture is our own small file reproducing one template's habits: notes in brackets and
line breaks inside header cells (题干（必填）, "选项E\\n(勿删)", 正确答案\\n（必填）), numeric
type codes explained in the header (题型（0单选，1判断，2多选）), one sheet per type with no
type column, A选项 headers, 难度系数 as a share of right answers, judge answers as A/B.
"""

import pytest

from question_bank import formats
from tests.unit.formats.conftest import ours, xlsx_of


def items(name: str) -> dict:
    result = formats.read(ours(name), filename=name)
    assert result.problems == [] and not result.unreadable
    return {item.where: item for item in result.items}


def test_notes_spaces_and_line_breaks_in_header_cells_are_ignored():
    found = items("quirks-notes-in-headers.csv")
    single = found["line 4"]  # the header spans three physical lines
    assert (single.type, single.key, single.options[1]) == ("single", "B", "3年至5年")
    assert (single.area, single.point, single.difficulty) == ("constitution", "基层组织", 2)
    assert found["line 5"].key == ("A", "B", "C") and found["line 5"].difficulty == 3
    assert (found["line 6"].type, found["line 6"].key, found["line 6"].difficulty) == (
        "judge", True, 4,
    )  # fmt: skip


def test_numeric_type_codes_explained_in_the_header_and_judge_answers_as_letters():
    found = items("quirks-coded-types.csv")
    assert [(i.type, i.key) for i in found.values()] == [
        ("single", "A"), ("judge", True), ("judge", False), ("multiple", ("A", "B", "C")),
    ]  # fmt: skip


def test_no_type_column_the_key_and_options_decide_and_difficulty_is_a_coefficient():
    found = items("quirks-no-type-column.csv")
    easy, hard, judge = found["line 2"], found["line 3"], found["line 4"]
    assert (easy.type, easy.options[0], easy.difficulty, easy.points) == ("single", "党课", 1, 2.0)
    assert (hard.type, hard.key, hard.difficulty, hard.area) == (
        "multiple", ("A", "B", "C"), 5, "constitution",
    )  # fmt: skip
    assert hard.explanation == "见党章第十条"
    assert (judge.type, judge.key, judge.difficulty) == ("judge", True, 3)


def test_a_workbook_with_one_sheet_per_type_needs_no_type_column():
    found = items("quirks-sheets-by-type.xlsx")
    assert [(where, i.type, i.key) for where, i in found.items()] == [
        ("sheet 单选题 row 2", "single", "A"),
        ("sheet 判断题 row 2", "judge", True),
        ("sheet 判断题 row 3", "judge", False),
        ("sheet 填空题 row 2", "fill", (("代表大会",),)),
    ]


@pytest.mark.parametrize(
    "header",
    [
        ["题目类型", "试题内容", "正确答案"],
        ["试题类型", "问题内容", "参考答案"],
        ["题型", "试题题目", "正确选项"],
        ["题型", "题干", "答案"],
        ["type", "question", "answer"],
    ],
)
def test_stem_type_and_key_under_their_common_names(header):
    rows = [header, ["单项选择题", "一题", "B"], ["判断", "二题", "是"]]
    result = formats.read(xlsx_of([[*header, "选项A", "选项B"], [*rows[1], "甲", "乙"], rows[2]]))
    assert [(i.type, i.key) for i in result.items] == [("single", "B"), ("judge", True)]


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("explanation", ["解析", "答案解析", "试题解析", "题目解析"]),
        ("category", ["知识点", "所属知识点", "分类", "章节", "知识点名称"]),
        ("difficulty", ["难度", "难易程度", "难度系数", "题目难度"]),
        ("points", ["分值", "分数"]),
    ],
)
def test_optional_columns_under_their_common_names(field, names):
    values = {"explanation": "见党章", "category": "党章党规", "difficulty": "较难", "points": "2"}
    expected = {"explanation": "见党章", "category": "党章党规", "difficulty": 4, "points": 2.0}
    for name in names:
        rows = [["题型", "题干", "答案", name], ["判断题", "题", "对", values[field]]]
        (item,) = formats.read(xlsx_of(rows)).items
        assert getattr(item, field) == expected[field], name


@pytest.mark.parametrize(
    ("written", "level"),
    [("容易", 1), ("较易", 2), ("偏易", 2), ("中等", 3), ("适中", 3), ("较难", 4),
     ("困难", 5), ("易", 1), ("中", 3), ("难", 5), ("1", 1), ("5", 5)],
)  # fmt: skip
def test_difficulty_words_and_numbers(written, level):
    rows = [["题型", "题干", "答案", "难易程度"], ["判断题", "题", "对", written]]
    assert formats.read(xlsx_of(rows)).items[0].difficulty == level


@pytest.mark.parametrize(
    "written",
    ["单选题", "单项选择题", "多选题", "多项选择题", "判断题", "填空题", "简答题", "问答题"],
)
def test_type_names_of_chinese_templates(written):
    key = {"多": "AB", "判": "对", "填": "甲", "简": "要点", "问": "要点"}.get(written[0], "A")
    stem = "题（ ）" if written.startswith("填") else "题"
    rows = [["题型", "题干", "选项A", "选项B", "选项C", "答案", "评分标准"],
            [written, stem, "甲", "乙", "丙", key, "要点（5分）"]]  # fmt: skip
    result = formats.read(xlsx_of(rows))
    expected = {"单": "single", "多": "multiple", "判": "judge", "填": "fill"}.get(written[0])
    assert [i.type for i in result.items] == [expected or "short"], result.problems


@pytest.mark.parametrize(
    ("written", "value"),
    [("对", True), ("错", False), ("正确", True), ("错误", False), ("√", True), ("×", False),
     ("T", True), ("F", False), ("是", True), ("否", False), ("A", True), ("B", False)],
)  # fmt: skip
def test_judge_answer_spellings(written, value):
    rows = [["题型", "题干", "答案"], ["判断题", "题", written]]
    assert formats.read(xlsx_of(rows)).items[0].key is value

"""Export then import gives back the same questions, for every format and type it holds."""

import pytest

from question_bank import formats
from question_bank.model import build_question

QUESTIONS = [
    build_question(
        type="single", area="constitution", stem="党的最高领导机关是（  ）。",
        options=["党的全国代表大会和它所产生的中央委员会", "国务院", "全国政协", "最高人民法院"],
        key="A", explanation="见党章第十条。", difficulty=2, point="组织制度",
    ),
    build_question(
        type="multiple", area="history", stem="下列属于“三会一课”的有：\n（多选）",
        options=["支部党员大会", "支委会", "党小组会", "茶话会"], key=["A", "B", "C"], difficulty=4,
    ),
    build_question(type="judge", area="practice", stem="党费必须按月交纳。", key=True,
                   explanation="特殊符号 {} ~ = # : \\ 也要原样回来"),
    build_question(type="judge", area="it", stem="预备党员没有表决权。", key=False, difficulty=5),
    build_question(type="fill", area="theory", stem="党的最高领导机关是党的全国____。",
                   key=[["代表大会", "全国代表大会"]], difficulty=1),
    build_question(type="fill", area="law", stem="____是国家的根本制度，____是根本政治制度。",
                   key=[["社会主义制度"], ["人民代表大会制度", "人大制度"]]),
    build_question(type="short", area="discipline", stem="简述党的纪律处分种类。",
                   key="警告、严重警告、撤销党内职务、留党察看、开除党籍。",
                   rubric=[["列出五种处分", 5], ["顺序正确", 2.5]]),
]  # fmt: skip
#: What each format cannot hold (by index in QUESTIONS).
CANNOT_HOLD = {"gift": {5, 6}}


@pytest.mark.parametrize("fmt", formats.WRITABLE)
def test_export_then_import_gives_back_the_same_questions(fmt):
    written = formats.write(fmt, QUESTIONS)
    assert {index for index, _ in written.skipped} == CANNOT_HOLD.get(fmt, set())
    result = formats.read(written.data)
    assert result.format == fmt and result.problems == []
    kept = [q for i, q in enumerate(QUESTIONS) if i not in CANNOT_HOLD.get(fmt, set())]
    assert [build_question(**item.fields()) for item in result.items] == kept


def test_the_blank_template_is_refused_saying_it_has_no_question_rows():
    result = formats.read(formats.blank_template())
    assert result.format == "xlsx" and result.items == [] and result.unreadable
    assert [p.message for p in result.problems] == ["no question rows below the header"]
    assert result.problems[0].message.code == "no_rows"


def test_xlsx_leaves_out_fill_answers_that_contain_its_separators():
    question = build_question(type="fill", area="it", stem="速度单位____", key=[["km/h"]])
    written = formats.write("xlsx", [question])
    assert written.written == 0 and "contains | or /" in written.skipped[0][1]


@pytest.mark.parametrize("fmt", ["moodle-xml", "qti"])
def test_blanks_of_several_lengths_come_back_as_four_underscores(fmt):
    question = build_question(
        type="fill", area="law", stem="______是根本制度，___是根本政治制度。", key=[["甲"], ["乙"]]
    )
    (item,) = formats.read(formats.write(fmt, [question]).data).items
    assert item.stem == "____是根本制度，____是根本政治制度。"


FORMULA_STEMS = ['=HYPERLINK("http://example.com/x","点此")', "+1+1", "-2的绝对值是2", "@SUM(A1)"]


@pytest.mark.parametrize("stem", FORMULA_STEMS)
def test_xlsx_export_writes_a_stem_that_looks_like_a_formula_as_text(stem):
    import io
    import zipfile

    from openpyxl import load_workbook

    question = build_question(
        type="single", area="it", stem=stem, options=["=1+1", "+2", "-3"], key="A"
    )
    data = formats.write("xlsx", [question]).data
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    cells = load_workbook(io.BytesIO(data)).active[2]
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    assert cells[1].value == stem and cells[1].quotePrefix
    (back,) = formats.read(data).items
    assert (back.stem, back.options) == (stem, ("=1+1", "+2", "-3"))


@pytest.mark.parametrize("fmt", formats.WRITABLE)
def test_control_characters_pasted_from_word_do_not_break_an_export(fmt):
    question = build_question(
        type="single", area="it", stem="第一行\x0b第二行\x01。", options=["甲\x08", "乙", "丙"],
        key="A", explanation="见\x1f说明",
    )  # fmt: skip
    (back,) = formats.read(formats.write(fmt, [question]).data, fmt).items
    assert (back.stem, back.options[0], back.explanation) == ("第一行\n第二行。", "甲", "见说明")

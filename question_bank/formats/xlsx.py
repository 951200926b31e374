"""Excel .xlsx workbooks: read any sheet with a recognisable header; write our own template."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from question_bank.formats.areas import category_of
from question_bank.formats.common import FileRejected, ParseResult, format_number, join_reference
from question_bank.formats.safety import open_zip
from question_bank.formats.tabular import read_rows
from question_bank.model import Question, QuestionType

FORMAT = "xlsx"
SHEET = "题库"
HEADER = (
    ["题型", "题干"] + [f"选项{label}" for label in "ABCDEFGH"]
    + ["答案", "解析", "难度", "知识点", "分值", "评分标准"]
)  # fmt: skip
TYPE_NAMES = {
    QuestionType.SINGLE: "单选题",
    QuestionType.MULTIPLE: "多选题",
    QuestionType.JUDGE: "判断题",
    QuestionType.FILL: "填空题",
    QuestionType.SHORT: "简答题",
}
INSTRUCTIONS = (
    ("列", "怎么填"),
    ("题型", "单选题、多选题、判断题、填空题、简答题"),
    ("题干", "填空题的每个空写作 ____（至少三个下划线）或（ ）"),
    ("选项A–H", "单选、多选题的选项，依次填写，不留空列；其他题型留空"),
    ("答案", "单选 B；多选 ABD；判断 正确/错误；填空每空之间用 | 分隔，"
             "同一空的多个答案用 / 分隔；简答写参考答案"),
    ("解析", "可选"),
    ("难度", "1（易）到 5（难），也可写 易、中、难"),
    ("知识点", "党的理论、党章党规、党的历史、党建实务、纪律与廉洁、两新组织党建、企业管理、"
             "社会工作与群众工作、法律法规、信息技术应用、宣传思想工作；可写 知识点/考点"),
    ("分值", "可选"),
    ("评分标准", "简答题必填，每行一条：要点（5分）"),
)  # fmt: skip


def read(data: bytes) -> ParseResult:
    """Read every sheet that has a header row; cells are read as the values Excel shows."""
    open_zip(data)  # entry names, count and size are checked before openpyxl unpacks anything
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileRejected("file", f"not a readable xlsx workbook: {exc}") from None
    try:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        results = [read_rows(FORMAT, _rows(ws, len(sheets) > 1)) for ws in sheets]
    finally:
        workbook.close()
    return _merge(results)


def _merge(results: list[ParseResult]) -> ParseResult:
    """The sheets that have a header; when none has, the first sheet's complaint."""
    found = [r for r in results if not r.unreadable]
    if not found:
        return results[0] if results else ParseResult(FORMAT, unreadable=True)
    merged = ParseResult(FORMAT)
    for result in found:
        merged.items += result.items
        merged.problems += result.problems
    return merged


def _rows(sheet, named: bool) -> Iterator[tuple[str, list[str]]]:
    prefix = f"{sheet.title} " if named else ""
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield f"{prefix}row {number}", [_cell_text(v) for v in row]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def write(questions: Sequence[Question]) -> tuple[bytes, list[tuple[int, str]]]:
    """Our template filled with the questions; fill answers that contain | or / are left out."""
    workbook, sheet = _template()
    skipped = []
    for index, question in enumerate(questions):
        row = _row(question)
        if row is None:
            skipped.append((index, "a fill-in answer contains | or /, which the template uses"))
        else:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), skipped


def blank_template() -> bytes:
    """The empty import template, with its instructions sheet."""
    return write([])[0]


def _template() -> tuple[Workbook, Any]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FCE4D6")
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["B"].width = 60
    types = DataValidation(type="list", formula1='"' + ",".join(TYPE_NAMES.values()) + '"')
    types.add("A2:A20000")
    sheet.add_data_validation(types)
    notes = workbook.create_sheet("说明")
    for row in INSTRUCTIONS:
        notes.append(row)
    notes.column_dimensions["B"].width = 100
    for cell in notes["B"]:
        cell.alignment = Alignment(wrap_text=True)
    return workbook, sheet


def _row(question: Question) -> list | None:
    options = list(question.options) + [""] * (8 - len(question.options))
    key = _key_text(question)
    if key is None:
        return None
    rubric = "\n".join(
        f"{c}（{format_number(p)}分）" for c, p in (getattr(question, "rubric", ()) or ())
    )
    return [
        TYPE_NAMES[question.type], question.stem, *options, key, question.explanation,
        question.difficulty, category_of(question.area, question.point), None, rubric,
    ]  # fmt: skip


def _key_text(question: Question) -> str | None:
    key = question.key
    if question.type is QuestionType.JUDGE:
        return "正确" if key else "错误"
    if question.type is QuestionType.MULTIPLE:
        return "".join(key)  # type: ignore[arg-type]
    if question.type is QuestionType.FILL:
        blanks = [list(accepted) for accepted in key]  # type: ignore[attr-defined]
        if any(ch in a for b in blanks for a in b for ch in "|｜/／;；\n"):
            return None
        return "|".join("/".join(b) for b in blanks)
    if question.type is QuestionType.SHORT:
        return join_reference(str(key), ()) if key else ""
    return str(key)

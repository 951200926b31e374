"""Excel .xlsx workbooks: read any sheet with a recognisable header; write our own template."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from question_bank.errors import Msg
from question_bank.formats.areas import category_of
from question_bank.formats.common import (
    FILE,
    MAX_ITEMS,
    FileRejected,
    ParseResult,
    at_row,
    format_number,
    join_reference,
)
from question_bank.formats.safety import open_zip
from question_bank.formats.tabular import MAX_COLUMNS, read_rows, sheet_type
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


#: Unpacked size of one worksheet's XML, and of the shared strings every sheet refers to.
#: 50,000 questions written with inline strings (as Apache POI's streaming writer does) take
#: about 150 MB; read_only streams the sheet, but shared strings are held in memory.
MAX_SHEET_BYTES = 160 * 2**20
MAX_SHARED_STRINGS_BYTES = 48 * 2**20
#: Any other part (styles, workbook, relations) is small in every real workbook.
MAX_PART_BYTES = 16 * 2**20
#: Row elements a sheet may hold per question allowed: templates carry styled empty rows, but a
#: sheet of many times more rows than questions allowed is refused before it is parsed.
ROWS_PER_QUESTION = 4
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def read(data: bytes, limit: int = MAX_ITEMS) -> ParseResult:
    """Read every sheet that has a header row; cells are read as the values Excel shows.

    Any failure of the workbook's parts (a truncated sheet, a missing part) refuses the file,
    whether openpyxl meets it when opening the workbook or while streaming the rows.
    """
    archive = open_zip(data)
    _check_parts(archive)  # before openpyxl unpacks anything
    _check_rows(archive, limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise _unreadable(FILE, exc) from None
    try:
        return _read_sheets(workbook, limit)
    finally:
        workbook.close()


def _read_sheets(workbook, limit: int) -> ParseResult:
    sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    results = []
    for sheet in sheets:
        rows = _rows(sheet, len(sheets) > 1)
        default_type = sheet_type(sheet.title)
        try:
            result = read_rows(FORMAT, rows, limit=limit, default_type=default_type)
        except FileRejected:
            raise
        except Exception as exc:  # the sheet's XML breaks while rows are streamed
            where = Msg("sheet %(sheet)s", code="at_sheet", sheet=sheet.title)
            raise _unreadable(where, exc) from None
        limit -= len(result.items) + len([p for p in result.problems if p.where != "file"])
        results.append(result)
    return _merge(results)


def _unreadable(where: str, exc: Exception) -> FileRejected:
    reason = f"{type(exc).__name__}: {str(exc)[:200]}"
    return FileRejected(
        where,
        Msg(
            "not a readable xlsx workbook (damaged or truncated): %(reason)s",
            code="xlsx_unreadable",
            reason=reason,
        ),
    )


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts would unpack to more than a real question bank needs."""
    for entry in archive.infolist():
        name = entry.filename.lower()
        if name.startswith("xl/worksheets/"):
            most = MAX_SHEET_BYTES
        elif name == "xl/sharedstrings.xml":
            most = MAX_SHARED_STRINGS_BYTES
        else:
            most = MAX_PART_BYTES
        if entry.file_size > most:
            raise FileRejected(
                FILE,
                Msg(
                    "the workbook part %(part)s unpacks to %(size)s MB, more than %(most)s MB: "
                    "split the questions into several files",
                    code="xlsx_part_too_large",
                    part=entry.filename,
                    size=entry.file_size // 2**20,
                    most=most // 2**20,
                ),
            )


def _check_rows(archive: zipfile.ZipFile, limit: int) -> None:
    """Count each sheet's rows in one streamed pass (constant memory, no XML parse)."""
    most = ROWS_PER_QUESTION * limit + 1000
    for entry in archive.infolist():
        name = entry.filename
        if not (name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml")):
            continue
        rows, tail = 0, b""
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(2**20):
                    block = tail + chunk
                    cut = max(len(block) - 64, 0)  # a tag starting later is counted next time
                    rows += sum(1 for m in _ROW_TAG.finditer(block) if m.start() < cut)
                    tail = block[cut:]
                    if rows > most:
                        raise FileRejected(FILE, _too_many_rows(name, limit))
        except FileRejected:
            raise
        except Exception as exc:  # a damaged or truncated part
            raise _unreadable(FILE, exc) from None


def _too_many_rows(part: str, limit: int) -> Msg:
    return Msg(
        "too many rows: the sheet %(part)s holds far more rows than the %(limit)s questions "
        "one file may hold; split it into several files",
        code="too_many_rows",
        part=part,
        limit=limit,
    )


def _merge(results: list[ParseResult]) -> ParseResult:
    """The sheets that have questions; when none has, the first sheet's complaint."""
    found = [r for r in results if not r.unreadable]
    if not results:
        raise FileRejected(
            FILE, Msg("the workbook has no readable worksheet", code="xlsx_no_sheet")
        )
    if not found:
        return results[0]
    merged = ParseResult(FORMAT)
    for result in found:
        merged.items += result.items
        merged.problems += result.problems
    return merged


def _rows(sheet, named: bool) -> Iterator[tuple[str, list[str]]]:
    title = sheet.title if named else ""
    sheet.reset_dimensions()  # a lying <dimension> would pad every row to 16,384 columns
    for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        yield at_row(number, title), [_cell_text(v) for v in row[:end]]


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
    """Our template filled with the questions; fill answers that contain | or / are left out.

    Every text cell is written as text, never as a formula: a stem that begins with =, +, -
    or @ ("=HYPERLINK(…)") stays the question's words in Excel, WPS and LibreOffice.
    """
    workbook, sheet = _template()
    skipped: list[tuple[int, str]] = []
    for index, question in enumerate(questions):
        row = _row(question)
        if row is None:
            skipped.append(
                (
                    index,
                    Msg(
                        "a fill-in answer contains | or /, which the template uses",
                        code="xlsx_fill_separator",
                    ),
                )
            )
        else:
            sheet.append([_as_text(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), skipped


def _as_text(sheet, value: object) -> object:
    """A string as a text cell (type "s", shown with a quote prefix); other values as they are."""
    if not isinstance(value, str):
        return value
    cell = Cell(sheet, value=None)
    cell._value = value  # not .value: its setter turns a leading "=" into a formula
    cell.data_type = "s"
    if value[:1] in FORMULA_STARTS:
        cell.quotePrefix = True  # editing the cell in Excel keeps it text
    return cell


#: First characters with which a spreadsheet reads a typed cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


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

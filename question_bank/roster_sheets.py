"""The rows of a roster file: CSV (UTF-8 with or without BOM, GB18030) or an xlsx workbook,
checked with the bank import's limits on a workbook's parts before openpyxl unpacks it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from collections.abc import Callable, Iterator

from question_bank.errors import Msg
from question_bank.formats.common import FILE, FileRejected, at_row
from question_bank.formats.safety import open_zip
from question_bank.formats.text import decode

#: Most people one roster may hold.
MAX_ROWS = 50_000
HEADER_SCAN_ROWS = 20
MAX_COLUMNS = 64


def sheet_rows(
    data: bytes, filename: str, is_header: Callable[[list[str]], object]
) -> Iterator[tuple[int, list[str]]]:
    """The (row number, cells) of a CSV file or of the first sheet of a workbook whose first
    rows hold a header (``is_header``); FileRejected for a file that cannot be read."""
    if not data.strip():
        raise FileRejected(FILE, Msg("the file is empty", code="empty_file"))
    if data[:4] == b"PK\x03\x04":  # an xlsx workbook, whatever its name says
        return _xlsx_rows(data, is_header)
    # An old binary workbook, or a web page some systems export under the name .xls.
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or filename.lower().endswith(".xls"):
        raise FileRejected(
            FILE,
            Msg("old .xls workbooks are not supported: open it in Excel or WPS and save it as "
                ".xlsx (or CSV)", code="roster_xls"),
        )  # fmt: skip
    return _csv_rows(decode(data))


def _xlsx_rows(
    data: bytes, is_header: Callable[[list[str]], object]
) -> Iterator[tuple[int, list[str]]]:
    """The rows of the first sheet that has a roster header (the others are notes)."""
    from openpyxl import load_workbook

    # The bank import's checks on a workbook's parts and row count, before openpyxl unpacks it.
    from question_bank.formats import xlsx

    archive = open_zip(data)
    xlsx._check_parts(archive)
    xlsx._check_rows(archive, MAX_ROWS // xlsx.ROWS_PER_QUESTION)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise xlsx._unreadable(FILE, exc) from None
    try:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        rows: list[tuple[int, list[str]]] = []
        for sheet in sheets:
            rows = list(_sheet(sheet))
            if any(is_header(cells) for _, cells in rows[:HEADER_SCAN_ROWS]):
                break
    except FileRejected:
        raise
    except Exception as exc:  # the sheet's XML breaks while rows are streamed
        raise xlsx._unreadable(FILE, exc) from None
    finally:
        workbook.close()
    return iter(rows)


def _sheet(sheet) -> Iterator[tuple[int, list[str]]]:
    sheet.reset_dimensions()  # a lying <dimension> would pad every row to 16,384 columns
    for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
        if number > MAX_ROWS + HEADER_SCAN_ROWS + 1:
            raise too_many()
        yield number, [_cell_text(v) for v in row]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    sample = "\n".join(text.split("\n")[:HEADER_SCAN_ROWS])
    counts = {d: sample.count(d) for d in (",", "\t", ";", "，")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for row in reader:
            yield line, row[:MAX_COLUMNS]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileRejected(
            at_row(line),
            Msg("malformed CSV: %(reason)s", code="malformed_csv", reason=str(exc)),
        ) from None


def too_many() -> FileRejected:
    return FileRejected(
        FILE,
        Msg("too many people: a roster holds at most %(limit)s rows; split it into several files",
            code="roster_too_many", limit=MAX_ROWS),
    )  # fmt: skip


#: The columns of the blank roster template (组织报名表), in the order the import reads best.
TEMPLATE_HEADER = ("姓名", "身份证号", "手机号", "邮箱", "性别", "政治面貌", "入党时间", "职务",
                   "人员类别", "所属组织")  # fmt: skip
TEMPLATE_NOTES = (
    ("列", "怎么填"),
    ("姓名", "必填"),
    ("身份证号", "必填，18 位（末位可为 X）"),
    ("手机号 / 邮箱", "至少填一项，作为登录名（有邮箱时用邮箱）"),
    ("性别", "男 或 女；不填时按身份证号"),
    ("政治面貌", "中共党员、中共预备党员、共青团员、群众……；也可改用“是否党员”列填 是/否"),
    ("入党时间", "如 2020-07-01、2020年7月1日、2020.07"),
    ("职务", "如 支部书记、组织委员；书记、副书记、委员按负责人计"),
    ("人员类别", "农村社区、机关事业单位、国有企业、金融企业、两新组织、学生、流动党员、"
                 "村社区书记、两新组织书记、大学生村官"),
    ("所属组织", "组织代码；不填时为导入时选定的组织"),
)  # fmt: skip


def template() -> bytes:
    """The blank roster template: a header row (ID numbers formatted as text) and notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报名名单"
    sheet.append(list(TEMPLATE_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in range(2, 2002):  # Excel would turn an 18-digit number into 1.10105E+17
        sheet.cell(row=row, column=2).number_format = "@"
        sheet.cell(row=row, column=3).number_format = "@"
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    for note in TEMPLATE_NOTES:
        notes.append(list(note))
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def accounts_sheet(accounts: list[dict]) -> bytes:
    """The new accounts and their initial passwords, for the organisation to hand out."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "初始密码"
    sheet.append(["行号", "登录名", "初始密码"])
    for account in accounts:
        sheet.append([account["row"], account["login"], account["initial_password"] or ""])
    for column in "BC":
        for cell in sheet[column]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

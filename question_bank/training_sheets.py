"""Sheets of training records (培训档案 in batch): one training of one person a row.

Read like rosters (question_bank/roster_sheets.py): CSV or the first xlsx sheet with a header
among its first rows; columns matched by their Chinese names and common variants. Each row
is checked on its own (a person to find, the course, dates, hours) and against the rows
above it (the same person's same training twice: the later row is bad). Finding the person
and the organisation's remit are the service's part.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from question_bank.checksum import id_number_problem, normalize_id_number
from question_bank.errors import Msg
from question_bank.formats.common import FILE, FileRejected, Problem, at_row
from question_bank.formats.safety import MAX_FILE_BYTES
from question_bank.roster import normalize_mobile, parse_date
from question_bank.roster_sheets import HEADER_SCAN_ROWS, MAX_ROWS, sheet_rows, too_many
from question_bank.training import MAX_TEXT, date_problems, hours_problems, kind_code, parse_hours

MAX_NAME = 64
MAX_NOTE = 1000
_ALIASES: dict[str, set[str]] = {
    "name": {"姓名", "名字", "人员姓名", "党员姓名", "学员姓名", "真实姓名", "name"},
    "id_number": {
        "身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "居民身份证号码",
        "身份证件号码", "证件号码", "证件号", "idnumber", "idcard",
    },
    "mobile": {"手机号", "手机", "手机号码", "联系电话", "电话", "联系方式", "移动电话", "mobile"},
    "email": {"邮箱", "电子邮箱", "e-mail", "email", "电子邮件", "邮箱地址"},
    "course_name": {
        "培训名称", "培训班名称", "培训班", "培训项目", "培训项目名称", "课程名称", "培训课程",
        "培训内容", "班次名称", "班次", "course",
    },
    "organiser": {"主办单位", "举办单位", "培训机构", "主办方", "承办单位", "组织单位", "培训单位"},
    "kind": {"培训形式", "培训方式", "培训类型", "形式", "方式", "kind"},
    "starts_on": {"开始日期", "开始时间", "培训开始日期", "培训开始时间", "起始日期", "起始时间",
                  "开班日期", "开班时间"},
    "ends_on": {"结束日期", "结束时间", "培训结束日期", "培训结束时间", "截止日期", "结业日期",
                "结业时间"},
    "hours": {"学时", "培训学时", "学时数", "课时", "学时小时", "hours"},
    "certificate": {"结业证书编号", "结业证书号", "结业证书", "证书编号", "培训证明",
                    "培训证明编号", "结业证号"},
    "note": {"备注", "说明", "note"},
}  # fmt: skip
_FIELD_OF = {name: f for f, names in _ALIASES.items() for name in names}
REQUIRED = ("starts_on", "ends_on", "hours")
COLUMN_NAMES = {"starts_on": "开始日期", "ends_on": "结束日期", "hours": "学时"}
EXPECTED = Msg(
    "姓名, 身份证号 (or 手机号, 邮箱), 培训名称, 开始日期, 结束日期 and 学时",
    code="training_expected_header",
)
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[)）]|[【\[][^】\]]*[\]】]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: A month without a day ("2026.03") is no date of a training.
_MONTH_ONLY = re.compile(r"^\s*\d{4}\s*(?:[-/.年]\s*\d{1,2}\s*月?|\d{2})\s*$")


@dataclass(frozen=True)
class PersonKey:
    """How a row names its person: ``kind`` is id_number, mobile or email."""

    kind: str
    value: str


@dataclass(frozen=True)
class TrainingRow:
    """One training of one person, every value checked and normalised."""

    row: int
    where: str
    name: str
    person: PersonKey
    course_name: str
    organiser: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    hours: Decimal
    certificate: str
    note: str


@dataclass
class SheetResult:
    rows: list[TrainingRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The file as a whole could not be read: nothing can be imported from it.
    unreadable: bool = False
    bad_rows: list[int] = field(default_factory=list)


def read_training_sheet(
    data: bytes, filename: str = "", today: dt.date | None = None
) -> SheetResult:
    """Read a sheet of trainings; a file that cannot be read gives one problem at "file"."""
    try:
        if len(data) > MAX_FILE_BYTES:
            raise FileRejected(
                FILE, Msg("the file is larger than %(mb)s MB", code="file_too_large",
                          mb=MAX_FILE_BYTES // 2**20),
            )  # fmt: skip
        return check_rows(sheet_rows(data, filename, _header), today or dt.date.today())
    except FileRejected as exc:
        return SheetResult(problems=[Problem(exc.where, exc.message)], unreadable=True)
    except RecursionError:
        return SheetResult(
            problems=[Problem(FILE, Msg("the file is nested too deeply", code="too_deep"))],
            unreadable=True,
        )


def _label(cell: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", cell or "")).lower()


def _header(cells: list[str]) -> dict[str, int] | None:
    """Column positions by field when the row names 姓名 and the training's name."""
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        found = _FIELD_OF.get(_label(cell))
        if found and found not in columns:
            columns[found] = position
    return columns if {"name", "course_name"} <= set(columns) else None


def _missing(columns: dict[str, int]) -> list[str]:
    missing = [COLUMN_NAMES[f] for f in REQUIRED if f not in columns]
    if not {"id_number", "mobile", "email"} & set(columns):
        missing.insert(0, "身份证号")
    return missing


def check_rows(rows: Iterable[tuple[int, list[str]]], today: dt.date) -> SheetResult:
    """Find the header among the first rows, then check every non-empty row below it."""
    result = SheetResult()
    checker = _Checker(today)
    columns = None
    seen: list[str] = []
    for scanned, (number, cells) in enumerate(rows):
        if columns is None:
            columns = _header(cells)
            if columns is None:
                seen = seen or [c.strip() for c in cells if c.strip()]
                if scanned >= HEADER_SCAN_ROWS:
                    break
            elif _missing(columns):
                result.unreadable = True
                result.problems.append(
                    Problem(FILE, Msg("the header row has no column %(columns)s",
                                      code="training_missing_columns",
                                      columns=_missing(columns)))
                )  # fmt: skip
                return result
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(result.rows) + len(result.bad_rows) >= MAX_ROWS:
            raise too_many()
        checker.row(result, number, {f: _at(cells, p) for f, p in columns.items()})
    if columns is None:
        result.unreadable = True
        result.problems.append(Problem(FILE, _no_header(seen)))
    elif not (result.rows or result.bad_rows):
        result.unreadable = True
        result.problems.append(
            Problem(FILE, Msg("no trainings below the header row", code="training_no_rows"))
        )
    return result


def _at(cells: list[str], position: int) -> str:
    return unicodedata.normalize("NFKC", cells[position]).strip() if position < len(cells) else ""


def _no_header(seen: list[str]) -> Msg:
    if not seen:
        return Msg("the sheet is empty: no header row and no trainings", code="training_empty")
    return Msg(
        "no header row recognised: the first row names %(found)s; expected %(expected)s",
        code="no_header",
        found="、".join(cell[:20] for cell in seen[:12]),
        expected=EXPECTED,
    )


def parse_day(text: str) -> dt.date | None:
    """A whole date (2026-03-02, 2026/3/2, 2026年3月2日, an Excel serial), not a bare month."""
    if _MONTH_ONLY.match(unicodedata.normalize("NFKC", text)):
        return None
    return parse_date(text)


class _Checker:
    """Checks rows one by one, remembering the trainings already seen."""

    def __init__(self, today: dt.date):
        self.today = today
        self.seen: dict[tuple, int] = {}

    def row(self, result: SheetResult, number: int, cells: dict[str, str]) -> None:
        problems: list[Msg] = []
        name = " ".join(cells.get("name", "").split())
        if not name:
            problems.append(Msg("no 姓名 (name)", code="training_no_name"))
        elif len(name) > MAX_NAME:
            problems.append(Msg("the name is longer than %(most)s characters",
                                code="training_long_name", most=MAX_NAME))  # fmt: skip
        person = self._person(cells, problems)
        course = " ".join(cells.get("course_name", "").split())
        if not course:
            problems.append(Msg("no 培训名称 (name of the training)", code="training_no_course"))
        texts = {k: cells.get(k, "") for k in ("organiser", "certificate")}
        for value, label in ((course, "培训名称"), (texts["organiser"], "主办单位"),
                             (texts["certificate"], "结业证书编号")):  # fmt: skip
            if len(value) > MAX_TEXT:
                problems.append(Msg("%(column)s is longer than %(most)s characters",
                                    code="training_long_text", column=label,
                                    most=MAX_TEXT))  # fmt: skip
        kind = kind_code(cells.get("kind", "")) if cells.get("kind") else "other"
        if kind is None:
            problems.append(Msg("unknown 培训形式 %(kind)s: 集中培训, 网络培训, 轮训 or 其他",
                                code="training_kind", kind=repr(cells["kind"])))  # fmt: skip
        starts_on = self._date(cells.get("starts_on", ""), "开始日期", problems)
        ends_on = self._date(cells.get("ends_on", ""), "结束日期", problems)
        unreadable = (cells.get("starts_on") and starts_on is None) or (
            cells.get("ends_on") and ends_on is None
        )
        dates_bad = []
        if not unreadable:
            dates_bad = date_problems(starts_on, ends_on, self.today)
            problems += dates_bad
        hours = self._hours(cells.get("hours", ""), problems)
        if hours is not None:
            dated = not unreadable and not dates_bad
            problems += hours_problems(hours, starts_on if dated else None, ends_on)
        key = (person, course, starts_on, ends_on)
        if key in self.seen:  # only good rows are remembered: a bad row has its own problems
            problems.append(Msg("the same training of the same person as row %(first)s",
                                code="training_repeated", first=self.seen[key]))  # fmt: skip
        if problems:
            result.bad_rows.append(number)
            result.problems += [Problem(at_row(number), p) for p in problems]
            return
        if person is None or kind is None or starts_on is None or ends_on is None or hours is None:
            return  # unreachable: each None above came with a problem
        self.seen[key] = number
        result.rows.append(
            TrainingRow(
                row=number, where=at_row(number), name=name, person=person, course_name=course,
                organiser=texts["organiser"], kind=kind, starts_on=starts_on, ends_on=ends_on,
                hours=hours, certificate=texts["certificate"],
                note=cells.get("note", "")[:MAX_NOTE],
            )
        )  # fmt: skip

    def _person(self, cells: dict[str, str], problems: list[Msg]) -> PersonKey | None:
        raw = cells.get("id_number", "")
        if raw:
            problem = id_number_problem(raw, self.today)
            if problem:
                problems.append(Msg("invalid ID number: %(reason)s", code="training_bad_id",
                                    reason=problem))  # fmt: skip
                return None
            return PersonKey("id_number", normalize_id_number(raw))
        if cells.get("mobile"):
            mobile = normalize_mobile(cells["mobile"])
            if mobile is None:
                problems.append(
                    Msg("%(mobile)s is not a mobile number (11 digits starting with 1)",
                        code="training_bad_mobile", mobile=repr(cells["mobile"]))
                )  # fmt: skip
                return None
            return PersonKey("mobile", mobile)
        email = cells.get("email", "").lower()
        if email:
            if not _EMAIL.match(email):
                problems.append(Msg("%(email)s is not an e-mail address",
                                    code="training_bad_email", email=repr(email)))  # fmt: skip
                return None
            return PersonKey("email", email)
        problems.append(Msg("no 身份证号, 手机号 or 邮箱 to find the person",
                            code="training_no_person"))  # fmt: skip
        return None

    def _date(self, raw: str, column: str, problems: list[Msg]) -> dt.date | None:
        if not raw:
            return None  # record_problems names the missing date
        day = parse_day(raw)
        if day is None:
            problems.append(Msg("%(column)s %(value)s is not a date (2026-03-02, 2026年3月2日)",
                                code="training_date", column=column, value=repr(raw)))  # fmt: skip
        return day

    def _hours(self, raw: str, problems: list[Msg]) -> Decimal | None:
        if not raw:
            problems.append(Msg("no hours (学时): a number above 0", code="training_no_hours"))
            return None
        hours = parse_hours(raw)
        if hours is None:
            problems.append(Msg("学时 %(value)s is not a number", code="training_bad_hours",
                                value=repr(raw[:20])))  # fmt: skip
        return hours


#: The columns of the blank template, in the order the import reads best.
TEMPLATE_HEADER = ("姓名", "身份证号", "手机号", "邮箱", "培训名称", "主办单位", "培训形式",
                   "开始日期", "结束日期", "学时", "结业证书编号", "备注")  # fmt: skip
TEMPLATE_NOTES = (
    ("列", "怎么填"),
    ("姓名", "必填，须与系统中此人的姓名一致"),
    ("身份证号 / 手机号 / 邮箱",
     "至少填一项，用来找到此人（优先按身份证号）；此人须已在本组织登记"),
    ("培训名称", "必填，如 2026年基层党组织书记集中轮训班"),
    ("主办单位", "如 区委组织部、区委党校"),
    ("培训形式", "集中培训、网络培训、轮训 或 其他；不填时为其他"),
    ("开始日期 / 结束日期", "必填，如 2026-03-02、2026年3月2日；不能晚于今天，结束不早于开始"),
    ("学时", "必填，大于 0，最多一位小数；每天最多 8 学时"),
    ("结业证书编号", "结业证书或培训证明的编号，可不填"),
)  # fmt: skip


def template() -> bytes:
    """The blank sheet of trainings: a header row (ID numbers as text) and notes."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "培训记录"
    sheet.append(list(TEMPLATE_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in range(2, 2002):  # Excel would turn an 18-digit number into 1.10105E+17
        for column in (2, 3, 11):
            sheet.cell(row=row, column=column).number_format = "@"
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["E"].width = 30
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    for note in TEMPLATE_NOTES:
        notes.append(list(note))
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

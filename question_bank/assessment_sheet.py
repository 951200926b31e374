"""A sheet of annual assessments (年度考核) for a 年检 batch: one person a row.

Columns, found by their Chinese names in a header among the first rows: 姓名 (required),
the person's login (登录名, 手机号 or 邮箱) or their ID number (身份证号) — one of them to
tell namesakes apart — and 年度考核 (优秀, 称职, 基本称职 or 不称职). Every row is checked on
its own; who the rows name (and the same person named twice) is the service's part.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from question_bank.checksum import id_number_problem, normalize_id_number
from question_bank.errors import Msg
from question_bank.formats.common import FILE, FileRejected, at_row
from question_bank.inspection import assessment_code
from question_bank.roster import normalize_mobile
from question_bank.roster_sheets import HEADER_SCAN_ROWS, sheet_rows

_ALIASES: dict[str, set[str]] = {
    "name": {"姓名", "名字", "人员姓名", "党员姓名", "name"},
    "login": {"登录名", "账号", "帐号", "用户名", "login"},
    "mobile": {"手机号", "手机", "手机号码", "联系电话", "mobile"},
    "email": {"邮箱", "电子邮箱", "email", "e-mail"},
    "id_number": {"身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码"},
    "assessment": {"年度考核", "考核结果", "年度考核结果", "考核等次", "年度考核等次", "考核"},
}
_FIELD_OF = {name: f for f, names in _ALIASES.items() for name in names}
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[)）]")
EXPECTED = Msg("姓名, 登录名 (手机号, 邮箱) or 身份证号, and 年度考核", code="assessment_header")


@dataclass(frozen=True)
class AssessmentRow:
    row: int
    name: str
    #: The login as written (an e-mail address lower-cased, a mobile number normalised).
    login: str
    #: The ID number normalised; "" when the row gives none.
    id_number: str
    #: An Assessment value.
    assessment: str


@dataclass
class AssessmentSheet:
    rows: list[AssessmentRow] = field(default_factory=list)
    #: (where, message): a row's problem, or the file's.
    problems: list[tuple[str, str]] = field(default_factory=list)


def _label(cell: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", cell or "")).lower()


def _header(cells: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        found = _FIELD_OF.get(_label(cell))
        if found and found not in columns:
            columns[found] = position
    has_who = {"login", "mobile", "email", "id_number"} & set(columns)
    return columns if {"name", "assessment"} <= set(columns) and has_who else None


def read(data: bytes, filename: str = "") -> AssessmentSheet:
    """Read the sheet; a file that cannot be read gives one problem at "file", never raises."""
    sheet = AssessmentSheet()
    try:
        rows = list(sheet_rows(data, filename, _header))
    except FileRejected as exc:
        sheet.problems.append((exc.where, exc.message))
        return sheet
    columns = None
    for scanned, (number, cells) in enumerate(rows):
        if columns is None:
            columns = _header(cells)
            if columns is None and scanned >= HEADER_SCAN_ROWS:
                break
            continue
        if any(c.strip() for c in cells):
            _row(sheet, number, {f: _at(cells, p) for f, p in columns.items()})
    if columns is None:
        sheet.problems.append(
            (FILE, Msg("no header row recognised; expected %(expected)s", code="no_header",
                       expected=EXPECTED))
        )  # fmt: skip
    elif not sheet.rows and not sheet.problems:
        sheet.problems.append((FILE, Msg("no people below the header row", code="no_rows")))
    return sheet


def _at(cells: list[str], position: int) -> str:
    return unicodedata.normalize("NFKC", cells[position]).strip() if position < len(cells) else ""


def _login(cells: dict[str, str]) -> str:
    for key in ("login", "email", "mobile"):
        text = cells.get(key, "")
        if text:
            return normalize_mobile(text) or text.lower()
    return ""


def _row(sheet: AssessmentSheet, number: int, cells: dict[str, str]) -> None:
    problems: list[str] = []
    name = " ".join(cells.get("name", "").split())
    if not name:
        problems.append(Msg("no 姓名 (name)", code="no_name"))
    login = _login(cells)
    raw_id = cells.get("id_number", "")
    id_number = normalize_id_number(raw_id) if raw_id else ""
    if id_number and (problem := id_number_problem(id_number)) is not None:
        problems.append(problem)
    if not login and not id_number:
        problems.append(Msg("no 登录名 (login) and no 身份证号 (ID number)", code="no_login"))
    assessment = assessment_code(cells.get("assessment", ""))
    if not cells.get("assessment"):
        problems.append(Msg("no 年度考核 (annual assessment)", code="no_assessment"))
    elif assessment is None:
        problems.append(
            Msg("the 年度考核 %(value)s is not one of 优秀, 称职, 基本称职, 不称职",
                code="unknown_assessment", value=cells["assessment"][:20])
        )  # fmt: skip
    if problems:
        where = at_row(number)
        sheet.problems += [(where, p) for p in problems]
        return
    sheet.rows.append(AssessmentRow(number, name, login, id_number, str(assessment)))

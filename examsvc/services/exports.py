"""Spreadsheets (xlsx) of people and of a sitting's roster, with Chinese headers.

Written with openpyxl's write-only workbook, row by row from batched queries, so thousands
of rows take little memory. ID numbers are masked (``1101**********1234``); a cell that a
spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` first) is written as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from examsvc.extensions import db
from examsvc.i18n import format_local
from examsvc.labels import CATEGORY_LABELS, GENDER_LABELS, PERSON_STATUS_LABELS
from examsvc.models import Attempt, Organisation, Sitting, User, utcnow
from examsvc.services import people
from examsvc.services.identity import masked_id_of
from examsvc.services.tickets import scoped_enrolments

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 1000

PEOPLE_HEADER = ("姓名", "身份证号", "性别", "手机号", "邮箱", "所属组织", "组织代码",
                 "是否党员", "入党时间", "职务", "人员类别", "状态")  # fmt: skip
PEOPLE_WIDTHS = (12, 22, 6, 14, 26, 28, 12, 9, 12, 14, 16, 9)
ROSTER_HEADER = ("准考证号", "姓名", "所属组织", "身份证号", "性别", "手机号", "考场",
                 "座位号", "作答状态", "成绩", "是否合格")  # fmt: skip
ROSTER_WIDTHS = (20, 12, 28, 22, 6, 14, 14, 8, 10, 9, 9)
FORMULA_START = ("=", "+", "-", "@")


def _cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # text, never a formula someone typed into their name
    return cell


def _workbook(title: str, header: tuple[str, ...], widths: tuple[int, ...],
              rows: Iterable[list]) -> bytes:  # fmt: skip
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: The same writer for other areas' exports (services/training/report.py).
workbook = _workbook


def _label(mapping: dict, code: str | None) -> str:
    return str(mapping[code]) if code in mapping else (code or "")


def _organisations() -> dict[int, Organisation]:
    return {o.id: o for o in db.session.scalars(db.select(Organisation))}


def _person_row(person: User, orgs: dict[int, Organisation]) -> list:
    org = orgs.get(person.organisation_id or 0)
    return [
        person.name,
        masked_id_of(person),
        _label(GENDER_LABELS, person.gender),
        person.mobile or "",
        person.email or "",
        org.name if org else "",
        org.code if org else "",
        "是" if person.is_party_member else "否",
        person.party_joined_on.isoformat() if person.party_joined_on else "",
        person.post or "",
        _label(CATEGORY_LABELS, person.category),
        _label(PERSON_STATUS_LABELS, person.status),
    ]


def people_xlsx(viewer: User, text: str = "", org: Organisation | None = None) -> bytes:
    """The people ``viewer`` may see, filtered as the people page filters them."""
    query = people.search_query(viewer, text, org).execution_options(yield_per=BATCH)
    with force_locale("zh"):
        orgs = _organisations()
        rows = (_person_row(p, orgs) for p in db.session.scalars(query))
        return _workbook("人员名单", PEOPLE_HEADER, PEOPLE_WIDTHS, rows)


def _latest_attempts(enrolment_ids: list[int]) -> dict[int, Attempt]:
    latest: dict[int, Attempt] = {}
    for attempt in db.session.scalars(
        db.select(Attempt).where(Attempt.enrolment_id.in_(enrolment_ids)).order_by(Attempt.number)
    ):
        latest[attempt.enrolment_id] = attempt
    return latest


def _state(attempt: Attempt | None, now: datetime) -> str:
    if attempt is None:
        return "未开始"
    if attempt.status == "submitted":
        return "已交卷"
    return "已超时" if attempt.deadline < now else "作答中"


def _roster_rows(viewer: User, sitting: Sitting) -> Iterator[list]:
    orgs, now = _organisations(), utcnow()
    published = sitting.results_published_at is not None
    query = scoped_enrolments(viewer, sitting).execution_options(yield_per=BATCH)
    for batch in db.session.scalars(query).partitions(BATCH):
        latest = _latest_attempts([e.id for e in batch])
        for enrolment in batch:
            person, attempt = enrolment.user, latest.get(enrolment.id)
            org = orgs.get(person.organisation_id or 0)
            scored = attempt if published and attempt and attempt.score is not None else None
            yield [
                enrolment.admission_no,
                person.name,
                org.name if org else "",
                masked_id_of(person),
                _label(GENDER_LABELS, person.gender),
                person.mobile or "",
                enrolment.room or "",
                enrolment.seat,
                _state(attempt, now),
                scored.score if scored else None,
                ("合格" if scored.is_passed else "不合格") if scored else "",
            ]


def roster_xlsx(viewer: User, sitting: Sitting) -> bytes:
    """The sitting's candidates ``viewer`` may see, in admission-number order; scores once
    the results are published."""
    with force_locale("zh"):
        return _workbook("考生名单", ROSTER_HEADER, ROSTER_WIDTHS, _roster_rows(viewer, sitting))


def file_name(stem: str) -> str:
    """A download name with the local date: ``people-20261205.xlsx``."""
    return f"{stem}-{format_local(utcnow(), '%Y%m%d')}.xlsx"

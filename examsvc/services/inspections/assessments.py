"""年度考核 in bulk: a sheet of the batch's people to fill in, and its import.

The sheet names each person by 姓名 and 登录名 (never an ID number, masked or not); an
import may name them by 登录名 or by 身份证号 (matched through the keyed hash). The import
is all-or-nothing: one bad row (unknown person, a name that does not match the login, the
same person twice, an unknown assessment) and nothing is written; every bad row is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import Certificate, InspectionResult, User
from examsvc.services import audit
from examsvc.services.exports import _workbook
from examsvc.services.identity import id_lookup_hash
from examsvc.services.inspections import _open_batch, get
from examsvc.services.inspections.facts import FACT_COLUMNS, previews, write_rows
from question_bank import assessment_sheet
from question_bank.errors import Msg
from question_bank.formats.common import at_row
from question_bank.inspection import ASSESSMENTS

HEADER = ("姓名", "登录名", "证书编号", "年度考核")
WIDTHS = (14, 28, 26, 12)


def _people(inspection_id: int, *, for_sheet: bool = True) -> list:
    """The batch's people; ``for_sheet``: with their certificate numbers, by name."""
    query = (
        db.select(
            InspectionResult.id, InspectionResult.assessment, User.name, User.email, User.mobile,
            User.id_number_hash, *(getattr(InspectionResult, c) for c in FACT_COLUMNS),
        )
        .join(User, User.id == InspectionResult.user_id)
        .where(InspectionResult.inspection_id == inspection_id)
    )  # fmt: skip
    if for_sheet:
        query = (
            query.add_columns(Certificate.number)
            .outerjoin(Certificate, Certificate.id == InspectionResult.certificate_id)
            .order_by(User.name, User.id)
        )
    return list(db.session.execute(query).all())


def sheet(actor: User | None, inspection_id: int) -> bytes:
    """The batch's people as a sheet to fill in (the assessments entered so far filled)."""
    inspection = get(actor, inspection_id)
    rows = (
        [p.name, p.email or p.mobile or "", p.number or "", ASSESSMENTS.get(p.assessment, "")]
        for p in _people(inspection.id)
    )
    return _workbook(_("Annual assessments"), HEADER, WIDTHS, rows)


@dataclass
class ImportReport:
    imported: int = 0
    #: (where, message) in the reader's language.
    problems: list[tuple[str, str]] = field(default_factory=list)


def _matcher(people: list):
    by_login: dict[str, list] = {}
    by_hash: dict[str, list] = {}
    for person in people:
        for login in (person.email, person.mobile):
            if login:
                by_login.setdefault(login.lower(), []).append(person)
        if person.id_number_hash:
            by_hash.setdefault(person.id_number_hash, []).append(person)

    def find(row: assessment_sheet.AssessmentRow):
        found = by_login.get(row.login, []) if row.login else []
        if not found and row.id_number:
            found = by_hash.get(id_lookup_hash(row.id_number), [])
        return next((p for p in found if p.name == row.name), None), bool(found)

    return find


def import_sheet(
    actor: User | None, inspection_id: int, data: bytes, filename: str
) -> ImportReport:
    """Enter the assessments of a sheet, all or none."""
    inspection = _open_batch(get(actor, inspection_id))
    parsed = assessment_sheet.read(data, filename)
    report = ImportReport(problems=[(translate(w), translate(m)) for w, m in parsed.problems])
    find = _matcher(_people(inspection.id, for_sheet=False))
    chosen: dict[int, tuple] = {}
    for row in parsed.rows:
        person, known = find(row)
        where = translate(at_row(row.row)) if person is None or person.id in chosen else ""
        if person is None:
            message = (Msg("%(name)s does not match the login or ID number given",
                           code="name_mismatch", name=row.name) if known else
                       Msg("no one in this annual inspection has this login or ID number",
                           code="not_in_inspection"))  # fmt: skip
            report.problems.append((where, translate(message)))
        elif person.id in chosen:
            report.problems.append((where, translate(Msg(
                "%(name)s is already on row %(row)s", code="repeated", name=row.name,
                row=chosen[person.id][0].row))))  # fmt: skip
        else:
            chosen[person.id] = (row, person)
    if report.problems:
        return report
    updates, verdict = [], previews()
    for result_id, (row, person) in chosen.items():
        facts = tuple(getattr(person, c) for c in FACT_COLUMNS[1:])
        passed, reasons = verdict(facts, row.assessment)
        updates.append({"id": result_id, "assessment": row.assessment, "passed": passed,
                        "reasons": reasons})  # fmt: skip
    write_rows([], updates)
    audit.record(actor, "inspection.imported", inspection, rows=len(updates),
                 file=(filename or "")[:100])  # fmt: skip
    db.session.commit()
    report.imported = len(updates)
    return report

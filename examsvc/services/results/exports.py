"""xlsx exports of a sitting for admins: the results, and the answer matrix.

openpyxl's write-only mode streams rows, so a sitting of thousands stays small in memory;
no ID number is ever written.
"""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook

from examsvc.extensions import db
from examsvc.labels import AREA_LABELS
from examsvc.models import Answer, Attempt, Enrolment, Paper, PaperItem, Sitting, User
from examsvc.services.attempts import original_labels
from examsvc.services.results import reports

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _outcome(attempt: Attempt | None) -> str:
    if attempt is None:
        return _("Absent")
    if attempt.is_passed is None:
        return _("Not marked yet")
    return _("Pass") if attempt.is_passed else _("Fail")


def results_xlsx(viewer: User, sitting: Sitting, filters: reports.Filters) -> bytes:
    """One row per candidate: admission no., name, organisation, score, result, areas, sections."""
    rows = reports.all_rows(viewer, sitting, filters)
    parts = reports.breakdowns(sitting, [r.enrolment.id for r in rows])
    areas = sorted({a for b in parts.values() for a in b.areas})
    sections = [s for s in dict.fromkeys(r.section for r in sitting.blueprint.rows) if s]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Results"))
    sheet.append(
        [_("Admission no."), _("Candidate name"), _("Organisation"), _("Score"), _("Full marks"),
         _("Result"), _("Certificate"), *[str(AREA_LABELS.get(a, a)) for a in areas], *sections]
    )  # fmt: skip
    for row in rows:
        user, attempt = row.enrolment.user, row.attempt
        part = parts.get(row.enrolment.id, reports.Breakdown())
        sheet.append(
            [row.enrolment.admission_no, user.name,
             user.organisation.name if user.organisation else "",
             attempt.score if attempt else None, attempt.max_score if attempt else None,
             _outcome(attempt), row.certificate.number if row.certificate else "",
             *[part.areas[a].earned_points if a in part.areas else None for a in areas],
             *[part.sections[s].earned_points if s in part.sections else None
               for s in sections]]
        )  # fmt: skip
    return _save(book)


def _cell(value: object) -> str:
    """A response as one cell: "B", "AC", "正确", blanks joined with " | "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("True") if value else _("False")
    if isinstance(value, list):
        return (
            " | ".join(str(v) for v in value)
            if any(len(str(v)) > 1 for v in value)
            else ("".join(str(v) for v in value))
        )
    return str(value)


def _key_cell(key: object) -> str:
    if isinstance(key, list) and key and isinstance(key[0], list):  # fill: alternatives per blank
        return " | ".join("/".join(k) for k in key)
    return _cell(key)


def answer_matrix_xlsx(sitting: Sitting) -> bytes:
    """Candidates × questions of the sitting: a sheet of responses (in the question's own
    option letters, after undoing the shuffle, with a key row) and one of points."""
    items = list(
        db.session.scalars(
            db.select(PaperItem).join(Paper).join(Enrolment)
            .where(Enrolment.sitting_id == sitting.id).order_by(Enrolment.id, PaperItem.position)
        )
    )  # fmt: skip
    questions: dict[int, object] = {}
    for item in sorted(items, key=lambda i: i.question_id):
        questions.setdefault(item.question_id, item.content.key)
    column = {qid: n for n, qid in enumerate(questions)}
    answers = {
        (a.attempt_id, a.paper_item_id): a
        for a in db.session.scalars(
            db.select(Answer).join(Attempt).join(Enrolment)
            .where(Enrolment.sitting_id == sitting.id)
        )
    }  # fmt: skip
    attempts = {
        a.enrolment_id: a
        for a in db.session.scalars(
            db.select(Attempt).join(Enrolment).where(Enrolment.sitting_id == sitting.id)
        )
    }
    by_paper: dict[int, list[PaperItem]] = {}
    for item in items:
        by_paper.setdefault(item.paper_id, []).append(item)
    book = Workbook(write_only=True)
    responses, points = book.create_sheet(_("Responses")), book.create_sheet(_("Points"))
    header = [_("Admission no."), _("Candidate name"), *[f"Q{qid}" for qid in questions]]
    responses.append(header)
    points.append(header)
    responses.append([_("Key"), "", *[_key_cell(k) for k in questions.values()]])
    papers = db.session.execute(
        db.select(Paper.id, Enrolment).join(Enrolment, Enrolment.id == Paper.enrolment_id)
        .where(Enrolment.sitting_id == sitting.id).order_by(Enrolment.id)
    ).all()  # fmt: skip
    for paper_id, enrolment in papers:
        attempt = attempts.get(enrolment.id)
        said: list[object] = [""] * len(questions)
        got: list[object] = [None] * len(questions)
        for item in by_paper.get(paper_id, []):
            answer = answers.get((attempt.id, item.id)) if attempt else None
            if answer is None:
                got[column[item.question_id]] = 0 if attempt else None
                continue
            said[column[item.question_id]] = _cell(
                original_labels(item.content.type, item.option_order, answer.response)
            )
            got[column[item.question_id]] = answer.points
        base = [enrolment.admission_no, enrolment.user.name]
        responses.append([*base, *said])
        points.append([*base, *got])
    return _save(book)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

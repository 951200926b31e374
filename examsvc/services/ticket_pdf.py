"""The admission ticket as a PDF page: one A4 page per ticket, any number in one document."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from fpdf import FPDF

from examsvc.services import pdf, photos
from examsvc.services.tickets import RULES, Ticket

MARGIN = 18.0
WIDTH = 210.0 - 2 * MARGIN
LABEL = 30.0  #: width of the label column
PHOTO_COLUMN = 42.0
ROW = 11.0
PHOTO_W, PHOTO_H = 33.0, 45.0  #: a two-inch photo (二寸照片), near 35 × 49 mm, fits 5 rows


def _labels() -> dict[str, str]:
    return {
        "title": _("Admission ticket"),
        "admission_no": _("Admission no."),
        "name": _("Full name"),
        "gender": _("Gender"),
        "id": _("ID number"),
        "organisation": _("Organisation of the candidate"),
        "sitting": _("Exam name"),
        "time": _("Exam time"),
        "duration": _("Exam duration"),
        "place": _("Place"),
        "room": _("Exam room"),
        "seat": _("Seat"),
        "photo": _("Photo"),
        "rules": _("Instructions for candidates"),
        "footer": _("Show this ticket together with your ID card at the exam."),
    }


def render(tickets: Iterable[Ticket]) -> bytes:
    """One document with a page for each ticket.

    The tickets' texts are gathered first (the font is chosen for all of them); their photos
    are read one page at a time: a ticket of a batch carries only a reference to its photo
    (``Ticket.photo_ref``), whose page-size copy services/photos.py makes once and keeps."""
    tickets = list(tickets)  # texts and photo references: a few hundred bytes a ticket
    labels = _labels()
    rules = [f"{i}. {rule}" for i, rule in enumerate(map(str, RULES), start=1)]
    texts = [*labels.values(), *rules, *(t for ticket in tickets for t in ticket.texts())]
    document = pdf.document(texts)
    document.set_title(labels["title"])
    wrapped: list[list[str]] = []
    for ticket in tickets:
        document.add_page()
        if not wrapped:  # the rules are laid out once (a page must exist to measure on)
            wrapped = [pdf.wrap(document, rule, WIDTH - 4) for rule in rules]
        _page(document, ticket, labels, wrapped)
    return pdf.output(document)


def _label(doc: FPDF, x: float, y: float, label: str) -> None:
    doc.set_fill_color(242, 242, 242)
    doc.rect(x, y, LABEL, ROW, style="DF")
    pdf.text_box(doc, x, y, LABEL, ROW, label, size=11, align="C")


def _row(doc: FPDF, y: float, label: str, value: str, width: float, *, strong=False) -> None:
    _label(doc, MARGIN, y, label)
    pdf.text_box(doc, MARGIN + LABEL, y, width - LABEL, ROW, "  " + value, border=1,
                 style="B" if strong else "", size=13 if strong else 11)  # fmt: skip


def _page(doc: FPDF, ticket: Ticket, labels: dict[str, str], rules: list[list[str]]) -> None:
    pdf.text_box(doc, MARGIN, MARGIN, WIDTH, 9, ticket.sitting, style="B", size=15, align="C")
    pdf.text_box(doc, MARGIN, MARGIN + 10, WIDTH, 13, labels["title"], style="B", size=24,
                 align="C")  # fmt: skip
    y = MARGIN + 28
    narrow = WIDTH - PHOTO_COLUMN
    _row(doc, y, labels["admission_no"], ticket.admission_no, narrow, strong=True)
    _row(doc, y + ROW, labels["name"], ticket.name, narrow, strong=True)
    _row(doc, y + 2 * ROW, labels["gender"], ticket.gender, narrow)
    _row(doc, y + 3 * ROW, labels["id"], ticket.masked_id, narrow)
    _row(doc, y + 4 * ROW, labels["organisation"], ticket.organisation, narrow)
    doc.rect(MARGIN + narrow, y, PHOTO_COLUMN, 5 * ROW)
    photo_x = MARGIN + narrow + (PHOTO_COLUMN - PHOTO_W) / 2
    photo_y = y + (5 * ROW - PHOTO_H) / 2
    if ticket.photo_ref is not None:
        image, shrunk = photos.ticket_jpeg(*ticket.photo_ref), True
    else:
        image, shrunk = (ticket.photo[0] if ticket.photo else None), False
    pdf.photo_box(doc, photo_x, photo_y, PHOTO_W, PHOTO_H, image, labels["photo"], shrunk=shrunk)
    del image  # one photo in memory at a time
    y += 5 * ROW
    for key in ("sitting", "time", "duration", "place"):
        _row(doc, y, labels[key], getattr(ticket, key), WIDTH)
        y += ROW
    if ticket.room:
        half = WIDTH / 2
        _row(doc, y, labels["room"], ticket.room, half, strong=True)
        _label(doc, MARGIN + half, y, labels["seat"])
        pdf.text_box(doc, MARGIN + half + LABEL, y, half - LABEL, ROW, "  " + ticket.seat,
                     border=1, style="B", size=13)  # fmt: skip
        y += ROW
    y += 8
    pdf.text_box(doc, MARGIN, y, WIDTH, 8, labels["rules"], style="B", size=13, align="C")
    y += 10
    for rule in rules:
        y = pdf.lines(doc, MARGIN + 2, y, rule, size=10.5, line=6) + 1.5
    doc.set_draw_color(160)
    doc.line(MARGIN, 297 - MARGIN - 8, MARGIN + WIDTH, 297 - MARGIN - 8)
    doc.set_draw_color(0)
    doc.set_text_color(90)
    pdf.text_box(doc, MARGIN, 297 - MARGIN - 7, WIDTH, 7, labels["footer"], size=9, align="C")
    doc.set_text_color(0)

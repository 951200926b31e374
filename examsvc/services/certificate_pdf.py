"""Certificates as PDF: one landscape A4 page each, any number in one document.

The page carries the number, the holder's name and organisation, the level, the dates and a
QR code (services/qr.py) pointing at ``/verify/{number}?t=TOKEN`` (services/certificates.py): the
verify page tells whether the PDF is genuine and what the certificate's status is today. The
QR area is also a link to the same address. A certificate that is not valid when printed is
marked across the page with its status. Never the ID number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from fpdf import FPDF

from examsvc.labels import CERTIFICATE_KIND_LABELS, CERTIFICATE_STATUS_LABELS, EXAM_LABELS
from examsvc.models import Certificate
from examsvc.services import certificates, pdf, qr

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 14.0
QR_SIZE = 34.0  #: millimetres, quiet zone excluded
RED = (178, 34, 34)


@dataclass(frozen=True)
class Page:
    """What one certificate page shows (texts ready to draw)."""

    number: str
    title: str
    name: str
    organisation: str
    level: str
    issued_on: str
    valid_until: str
    status: str  #: valid | suspended | revoked | expired
    status_label: str
    verify_url: str

    def texts(self) -> list[str]:
        return [self.number, self.title, self.name, self.organisation, self.level,
                self.issued_on, self.valid_until, self.status_label, self.verify_url]  # fmt: skip


def page_of(cert: Certificate) -> Page:
    """The page of a certificate; needs a request (the verify address is absolute)."""
    status = certificates.effective_status(cert)
    org = cert.user.organisation
    return Page(
        number=cert.number,
        title=str(CERTIFICATE_KIND_LABELS.get(cert.kind, cert.kind)),
        name=cert.user.name,
        organisation=org.name if org is not None else "",
        level=str(EXAM_LABELS.get(f"L{cert.level}", "")) if cert.level else "",
        issued_on=_chinese_date(cert.issued_on),
        valid_until=_chinese_date(cert.valid_until),
        status=status,
        status_label=str(CERTIFICATE_STATUS_LABELS.get(status, status)),
        verify_url=url_for(
            "verify.show", number=cert.number, t=certificates.token(cert.number), _external=True
        ),
    )


def _chinese_date(day) -> str:
    return _("%(y)s-%(m)s-%(d)s", y=day.year, m=f"{day.month:02d}", d=f"{day.day:02d}")


def _labels() -> dict[str, str]:
    return {
        "holder": _("Holder"),
        "organisation": _("Organisation"),
        "level": _("Level"),
        "number": _("Certificate number"),
        "issued_on": _("Issued on"),
        "valid_until": _("Valid until"),
        "scan": _("Scan to verify this certificate"),
        "body": _("has passed the examination and is awarded this certificate."),
        "note": _("The certificate's status today is shown at the address of the QR code."),
    }


def render(pages: Iterable[Page]) -> bytes:
    pages = list(pages)
    labels = _labels()
    texts = [*labels.values(), *(t for page in pages for t in page.texts())]
    doc = pdf.document(texts)
    doc.set_title(pages[0].title if len(pages) == 1 else _("Certificates"))
    for page in pages:
        doc.add_page(orientation="L")
        _page(doc, page, labels)
    return pdf.output(doc)


def _frame(doc: FPDF) -> None:
    doc.set_draw_color(*RED)
    doc.set_line_width(1.2)
    doc.rect(MARGIN - 6, MARGIN - 6, PAGE_W - 2 * MARGIN + 12, PAGE_H - 2 * MARGIN + 12)
    doc.set_line_width(0.3)
    doc.rect(MARGIN - 3, MARGIN - 3, PAGE_W - 2 * MARGIN + 6, PAGE_H - 2 * MARGIN + 6)
    doc.set_draw_color(0)
    doc.set_line_width(0.2)


def _page(doc: FPDF, page: Page, labels: dict[str, str]) -> None:
    _frame(doc)
    width = PAGE_W - 2 * MARGIN
    doc.set_text_color(*RED)
    pdf.text_box(doc, MARGIN, MARGIN + 10, width, 18, page.title, style="B", size=30, align="C")
    doc.set_text_color(0)
    pdf.text_box(doc, MARGIN + 20, MARGIN + 38, width - 40, 14, page.name, style="B", size=22,
                 align="C")  # fmt: skip
    pdf.text_box(doc, MARGIN + 20, MARGIN + 53, width - 40, 9, labels["body"], size=13,
                 align="C")  # fmt: skip
    rows = [(labels["organisation"], page.organisation or "—")]
    if page.level:
        rows.append((labels["level"], page.level))
    rows += [
        (labels["number"], page.number),
        (labels["issued_on"], page.issued_on),
        (labels["valid_until"], page.valid_until),
    ]
    y = MARGIN + 74
    left, label_w, value_w = MARGIN + 30, 38.0, 120.0
    for label, value in rows:
        doc.set_fill_color(246, 240, 240)
        doc.rect(left, y, label_w, 10, style="DF")
        pdf.text_box(doc, left, y, label_w, 10, label, size=11, align="C")
        pdf.text_box(doc, left + label_w, y, value_w, 10, "  " + value, border=1, size=12,
                     style="B" if label == labels["number"] else "")  # fmt: skip
        y += 10
    qr_x, qr_y = PAGE_W - MARGIN - QR_SIZE - 16, MARGIN + 74
    _qr(doc, page.verify_url, qr_x, qr_y, QR_SIZE)
    pdf.text_box(doc, qr_x - 10, qr_y + QR_SIZE + 1, QR_SIZE + 20, 7, labels["scan"], size=9,
                 align="C")  # fmt: skip
    doc.set_text_color(110)
    pdf.text_box(doc, MARGIN, PAGE_H - MARGIN - 9, width, 6, labels["note"], size=8, align="C")
    doc.set_text_color(0)
    if page.status != "valid":
        _stamp(doc, page.status_label)


def _qr(doc: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code of ``url`` and a link over it to the same address."""
    pdf.qr_code(doc, qr.matrix(url), x, y, size)
    doc.link(x, y, size, size, url)


def _stamp(doc: FPDF, text: str) -> None:
    """The status across the page, for a certificate printed while not valid."""
    doc.set_text_color(*RED)
    with doc.local_context(fill_opacity=0.35), doc.rotation(20, x=PAGE_W / 2, y=PAGE_H / 2):
        pdf.text_box(doc, PAGE_W / 2 - 90, PAGE_H / 2 - 20, 180, 40, text, style="B",
                     size=72, align="C")  # fmt: skip
    doc.set_text_color(0)

"""Read a certificate PDF's QR code back (not a test module).

The PDF draws its QR code as filled vector rectangles, one per run of dark modules in a row,
with a link annotation over it (services/certificate_pdf.py). ``qr_payload`` rebuilds the
module grid from the rectangles under the link and returns the address the grid encodes: the
link's address, once the grid is shown to be exactly the QR code of that address (segno, the
encoder the PDF uses, with the PDF's settings). A PDF whose drawing and link disagree, or that
draws no code, fails here rather than passing on the link alone.
"""

from __future__ import annotations

import io
import re

import segno
from pypdf import PdfReader

_RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f\b")


def _link(page) -> tuple[str, tuple[float, float, float, float]]:
    (annot,) = [a.get_object() for a in page.get("/Annots", [])]
    x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
    return str(annot["/A"]["/URI"]), (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _grid(page, box: tuple[float, float, float, float]) -> list[list[bool]]:
    """The dark modules drawn inside ``box`` (PDF points, origin bottom left), top row first."""
    left, bottom, right, top = box
    data = page.get_contents().get_data()
    rects = []
    for match in _RECT.finditer(data):
        x, y, w, h = (float(v) for v in match.groups())
        x0, x1, y0, y1 = min(x, x + w), max(x, x + w), min(y, y + h), max(y, y + h)
        if left - 0.5 <= x0 and x1 <= right + 0.5 and bottom - 0.5 <= y0 and y1 <= top + 0.5:
            rects.append((x0, x1, y0, y1))
    assert rects, "no QR modules drawn under the link"
    module = min(y1 - y0 for _x0, _x1, y0, y1 in rects)
    size = round((right - left) / module)
    grid = [[False] * size for _ in range(size)]
    for x0, x1, y0, _y1 in rects:
        row = round((top - y0) / module) - 1
        for col in range(round((x0 - left) / module), round((x1 - left) / module)):
            grid[row][col] = True
    return grid


def qr_payload(pdf: bytes) -> str:
    """The address the first page's QR code encodes."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    uri, box = _link(page)
    drawn = _grid(page, box)
    expected = [[bool(m) for m in row] for row in segno.make(uri, error="m", micro=False).matrix]
    assert drawn == expected, "the QR code drawn does not encode the link's address"
    return uri

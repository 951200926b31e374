"""Read a certificate PDF's QR code back (not a test module).

``qr_payload`` reads the dark modules the first page draws under its link annotation, as a
viewer paints them (tests/web/test_certificate_pages.py ``drawn_qr``: filled rectangles under
the current transformation, whatever way the page draws them), and returns the address
the grid encodes: the link's address, once the grid is shown to be exactly the QR code of
that address (segno, the encoder the PDF uses, with the PDF's settings). A PDF whose
drawing and link disagree, or that draws no code, fails here rather than passing on the
link alone.
"""

from __future__ import annotations

import io

import numpy as np
import segno
from pypdf import PdfReader

from tests.web.test_certificate_pages import drawn_qr


def qr_payload(pdf: bytes) -> str:
    """The address the first page's QR code encodes."""
    reader = PdfReader(io.BytesIO(pdf))
    uri, drawn = drawn_qr(reader, reader.pages[0])
    expected = np.array(segno.make(uri, error="m", micro=False).matrix, dtype=bool)
    assert np.array_equal(drawn, expected), "the QR code drawn does not encode the link's address"
    return str(uri)

"""Font faces for fpdf2 documents, parsed once per process.

fpdf2's ``add_font`` parses the face for every document: its character map, every glyph's
width and id, the CFF charset (≈0.15 s a face for the GB 2312 subset of services/pdf.py,
more for a whole face). These never change, so each process parses a face once
(``_parsed_face``) and gives every document a copy of its own for what is per document:
the glyphs it has drawn (``subset``), the characters it lacked, and a lazily read
``TTFont`` that fpdf2 subsets in place when writing the document. The shared maps are only
read. fpdf2 embeds only the CFF table of a CID-keyed CFF face (Noto CJK), so that font is
opened with just the tables subsetting it needs: the others (character map, widths, names)
would be read and subset for nothing.

A parsed face stays in memory: about 2 MB for the cached GB 2312 subset of services/pdf.py,
about 20 MB for a whole Noto CJK face (only once a document needed a character the subset
lacks).

This sets attributes of fpdf2's ``TTFFont`` as ``FPDF.add_font`` does (fpdf2 2.8);
tests/services/test_pdf.py checks that documents made one after the other each embed what
they draw.
"""

from __future__ import annotations

import copy
import os
from collections import defaultdict
from functools import lru_cache

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont

_EMBEDDED_CFF_TABLES = frozenset({"head", "maxp", "CFF "})


def add_face(pdf: FPDF, family: str, style: str, path: str, index: int = 0) -> None:
    """``pdf.add_font(family, style, path, collection_font_number=index)``, with the face
    parsed once per process."""
    stat = os.stat(path)
    parsed = _parsed_face(path, index, stat.st_size, stat.st_mtime_ns)
    if parsed.color_font is not None:  # glyphs drawn as pictures, kept per document
        pdf.add_font(family, style, path, collection_font_number=index)
        return
    font = copy.copy(parsed)  # the parsed maps are shared: fpdf2 only reads them
    font.i = len(pdf.fonts) + 1
    font.fontkey = family.lower() + style
    font.emphasis = TextEmphasis.coerce(style)
    widths = parsed.cw
    assert isinstance(widths, defaultdict)
    font.cw = defaultdict(widths.default_factory, widths)  # a read adds a missing key
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.ttfont = _embedded_font(path, index, cff_only=font.is_cff and font.is_cid_keyed)
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")  # as FPDF.add_font does for such a face


@lru_cache(maxsize=4)
def _parsed_face(path: str, index: int, size: int, mtime_ns: int) -> TTFFont:
    """fpdf2's parse of a face, once per process and version of the file (size, mtime)."""
    scratch = FPDF()
    scratch.add_font("face", "", path, collection_font_number=index)
    font = scratch.fonts["face"]
    assert isinstance(font, TTFFont)
    font.close()
    font.ttfont = None  # type: ignore[assignment]  # each copy opens its own: free the tables
    return font


class _CffTableFont(TTFont):
    """A CID-keyed CFF face as fpdf2 embeds it: writing the document, fpdf2 saves the whole
    subset font, then compiles and embeds its CFF table alone. Saving it compiled the CFF
    table a first time for nothing."""

    def save(self, file, reorderTables=True):
        return None


def _embedded_font(path: str, index: int, *, cff_only: bool) -> TTFont:
    kind = _CffTableFont if cff_only else TTFont
    font = kind(path, lazy=True, fontNumber=index, recalcTimestamp=False)
    # fpdf2 subsets the face when writing; recomputing every glyph's bounds then is most of
    # a small document's time, and the whole face's bounds serve as well.
    font.recalcBBoxes = False
    if cff_only:
        for tag in set(font.reader.keys()) - _EMBEDDED_CFF_TABLES:
            del font[tag]
    return font

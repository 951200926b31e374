"""PDF documents with Chinese text (fpdf2): the CJK font, its cached subset, page helpers.

fpdf2 embeds TrueType and OpenType fonts, CFF outlines and ``.ttc`` collections included,
subsetting each document to the glyphs it draws. Parsing a whole Noto Sans CJK face costs
about 0.15 s per document and per style, so ``prepare_fonts`` writes once a subset of the
faces holding the characters of GB 2312 (the names and words nearly every ticket and
certificate uses) into a cache folder; documents whose text the subset covers load that
(a few milliseconds), the others the whole face. A batch of many pages pays the font once.
Each process parses a face once (services/pdf_faces.py).

Fonts: ``EXAMSVC_PDF_FONT`` and ``EXAMSVC_PDF_FONT_BOLD`` (a ``.ttf``/``.otf``/``.ttc``
path, ``path#index`` for a face of a collection), else Debian's ``fonts-noto-cjk``, else
other common CJK fonts; ``FontMissing`` when there is none. Cache folder:
``EXAMSVC_PDF_FONT_CACHE``, default ``<instance>/fonts``.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from flask import current_app
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import WrapMode

from examsvc.services import pdf_faces

#: Family name the documents use for the CJK font.
FAMILY = "cjk"
#: Bumped when the characters of the subset change, so old cache files are not used.
SUBSET_VERSION = "gb2312-3"
_NOTO = "/usr/share/fonts/opentype/noto/"
#: (regular, bold) candidates, best first; a bold face may be missing.
CANDIDATES = (
    (_NOTO + "NotoSansCJK-Regular.ttc", _NOTO + "NotoSansCJK-Bold.ttc"),
    (_NOTO + "NotoSerifCJK-Regular.ttc", _NOTO + "NotoSerifCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", ""),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ""),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", ""),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", ""),
)


class FontMissing(RuntimeError):
    """No font with Chinese characters is installed (or the configured one is missing)."""


@dataclass(frozen=True)
class Face:
    """One font face: a file, and the face's index when the file is a collection."""

    path: str
    index: int = 0

    @property
    def key(self) -> str:
        stat = os.stat(self.path)
        text = f"{self.path}#{self.index}:{stat.st_size}:{stat.st_mtime_ns}:{SUBSET_VERSION}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- finding the fonts ---------------------------------------------------------------------


def _parse(setting: str) -> Face:
    path, _, index = setting.partition("#")
    if not os.path.isfile(path):
        raise FontMissing(f"the configured PDF font {path!r} does not exist")
    return Face(path, int(index) if index.isdigit() else _chinese_face(path))


@lru_cache(maxsize=16)
def _chinese_face(path: str) -> int:
    """The index of the Simplified Chinese face of a collection (0 for a single font)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        names = [str(font["name"].getDebugName(1) or "") for font in collection.fonts]
    finally:
        collection.close()
    for preferred in (" SC", "SC", "GB", "CN"):
        for i, name in enumerate(names):
            if preferred in name and "Mono" not in name:
                return i
    return 0


def find_fonts(config=None) -> tuple[Face, Face]:
    """The (regular, bold) faces to use; the bold is the regular one when there is none."""
    cfg = config if config is not None else current_app.config
    if cfg.get("PDF_FONT"):
        regular = _parse(str(cfg["PDF_FONT"]))
        bold = _parse(str(cfg["PDF_FONT_BOLD"])) if cfg.get("PDF_FONT_BOLD") else regular
        return regular, bold
    for regular_path, bold_path in CANDIDATES:
        if os.path.isfile(regular_path):
            regular = Face(regular_path, _chinese_face(regular_path))
            if bold_path and os.path.isfile(bold_path):
                return regular, Face(bold_path, _chinese_face(bold_path))
            return regular, regular
    raise FontMissing("no Chinese font is installed: apt-get install fonts-noto-cjk")


def fonts_available(config=None) -> bool:
    try:
        find_fonts(config)
    except FontMissing:
        return False
    return True


# --- the cached subset ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def subset_chars() -> frozenset[int]:
    """ASCII, Latin-1 and GB 2312 (its 6,763 characters and its symbols, 。、：（）…)."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    chars |= {0x3000, 0xFF5E, 0x2014, 0x2013, 0x2026, 0x00B7, 0x2022, 0x25A1}
    return frozenset(chars)


def cache_dir(config=None) -> Path:
    cfg = config if config is not None else current_app.config
    folder = cfg.get("PDF_FONT_CACHE") or os.path.join(current_app.instance_path, "fonts")
    return Path(folder)


def subset_file(face: Face, folder: Path) -> Path:
    return folder / f"cjk-{face.key}.otf"


def build_subset(face: Face, target: Path, chars: Iterable[int] | None = None) -> Path:
    """Write the subset of ``face`` holding ``chars`` (default ``subset_chars()``) to
    ``target``, atomically: a half-written file is never used."""
    with TTFont(face.path, fontNumber=face.index, lazy=False) as font:
        _subset(font, chars)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                font.save(out)
            os.chmod(temporary, 0o644)  # the web workers may run as another user
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return target


def _subset(font, chars: Iterable[int] | None) -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = []  # no shaping: Chinese needs none, and it keeps fpdf2 fast
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    # Every document subsets the face again: glyphs that call no subroutines spare it
    # finding which subroutines the document's glyphs use (a third of that time).
    options.desubroutinize = True
    # Tables a PDF never reads; fpdf2 would subset them again for every document.
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx", "JSTF", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=set(chars if chars is not None else subset_chars()))
    subsetter.subset(font)


def prepare_fonts(config=None) -> list[Path]:
    """Build the cached subsets of the regular and bold faces (nothing when they exist)."""
    folder = cache_dir(config)
    built = []
    for face in dict.fromkeys(find_fonts(config)):
        target = subset_file(face, folder)
        if not target.exists():
            build_subset(face, target)
        built.append(target)
    return built


# --- documents -----------------------------------------------------------------------------


def _face_file(face: Face, covered: bool, folder: Path) -> tuple[str, int]:
    cached = subset_file(face, folder)
    if covered and cached.exists():
        return str(cached), 0
    return face.path, face.index


def document(texts: Iterable[str] = ()) -> FPDF:
    """An A4 portrait document in millimetres with the CJK font as family ``"cjk"`` (styles
    "" and "B"). ``texts``: every text the document will draw, to choose the cached subset
    when it covers them."""
    regular, bold = find_fonts()
    used = {ord(ch) for text in texts for ch in text}
    covered = used <= subset_chars()
    folder = cache_dir()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("examsvc")
    for style, face in (("", regular), ("B", bold)):
        pdf_faces.add_face(pdf, FAMILY, style, *_face_file(face, covered, folder))
    pdf.set_font(FAMILY, size=11)
    return pdf


def output(pdf: FPDF) -> bytes:
    """The document's bytes. A character no font has is drawn as an empty box, not refused."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*missing the following glyphs.*")
        return bytes(pdf.output())


# --- page helpers --------------------------------------------------------------------------


def fit_size(
    pdf: FPDF, text: str, width: float, size: float, smallest: float = 7
) -> tuple[float, float]:
    """(size, text width): the largest font size up to ``size``, in steps of 0.5, at which
    ``text`` fits ``width`` on one line, and its width then; the document is left at that
    size. A text's width grows with the size: it is measured once."""
    pdf.set_font_size(size)
    per_point = pdf.get_string_width(text) / size
    while size > smallest and per_point * size > width:
        size -= 0.5
    pdf.set_font_size(size)
    return size, per_point * size


#: Punctuation that may not begin a line.
NO_LINE_START = frozenset("，。、；：！？）」』”’》〉】…%,.;:!?)")
#: Millimetres per point.
PT = 25.4 / 72


def text_box(pdf: FPDF, x: float, y: float, w: float, h: float, text: str, **style) -> None:
    """One line of text in a box, shrunk to fit its width, vertically centred. Drawn with
    ``FPDF.text`` (no cell layout): a batch draws thousands of these."""
    size = style.get("size", 11)
    pdf.set_font(FAMILY, style.get("style", ""), size)
    size, width = fit_size(pdf, text, w - 3, size)
    if style.get("border"):
        pdf.rect(x, y, w, h)
    align = style.get("align", "L")
    left = x + 1.5 if align == "L" else x + (w - width) / 2
    pdf.text(left, y + h / 2 + 0.36 * size * PT, text)


def wrap(pdf: FPDF, text: str, w: float, size: float = 10.5) -> list[str]:
    """The lines of ``text`` wrapped to width ``w``: Chinese at any character (it has no
    spaces), other text at spaces. Lay out once, draw on every page with ``lines``."""
    pdf.set_font(FAMILY, "", size)
    chinese = any("\u3000" <= ch <= "\u9fff" for ch in text)
    mode = WrapMode.CHAR if chinese else WrapMode.WORD
    found = pdf.multi_cell(w, 5, text, wrapmode=mode, dry_run=True, output="LINES")
    assert isinstance(found, list)  # output="LINES" gives the lines
    rows: list[str] = []
    for row in found:
        # Chinese typesetting never starts a line with closing punctuation (避头点): it
        # stays at the end of the line before, standing a little into the margin.
        while rows and row and row[0] in NO_LINE_START:
            rows[-1], row = rows[-1] + row[0], row[1:]
        if row:
            rows.append(row)
    return rows


def lines(pdf: FPDF, x: float, y: float, rows: list[str], size: float = 10.5,
          line: float = 6) -> float:  # fmt: skip
    """Draw lines laid out by ``wrap`` from (x, y) down; returns the y below them."""
    pdf.set_font(FAMILY, "", size)
    for row in rows:
        pdf.text(x, y + line / 2 + 0.36 * size * PT, row)
        y += line
    return y


def qr_code(pdf: FPDF, modules: np.ndarray, x: float, y: float, size: float) -> None:
    """A QR code's dark ``modules`` (rows of booleans) in black, ``size`` mm square at
    (x, y): one path of a rectangle per run of dark modules in a row, drawn in module units
    (whole numbers: no rounding gaps between rows) under a transformation to the page."""
    count = len(modules)
    edges = np.diff(np.pad(modules.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    rows, starts = np.nonzero(edges == 1)
    ends = np.nonzero(edges == -1)[1]  # row by row, left to right, as the starts
    runs = " ".join(
        f"{start} {row} {end - start} 1 re"
        for row, start, end in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True)
    )
    scale = size / count * pdf.k  # points per module
    left, top = x * pdf.k, (pdf.h - y) * pdf.k  # PDF space: points, y upwards
    # fpdf2 has no public call for a path of many rectangles (one rect() each costs about
    # as much as the QR code's encoding); q…Q keeps the colour and transformation local.
    pdf._out(f"q 0 g {scale:.5f} 0 0 {-scale:.5f} {left:.2f} {top:.2f} cm {runs} f Q")


#: Longest side, in pixels, of a photo placed on a page (≈300 dpi on a 35 × 45 mm box).
PHOTO_PIXELS = 600


def shrink_image(data: bytes) -> io.BytesIO | None:
    """The image as a JPEG of at most ``PHOTO_PIXELS``; None when it is no readable image."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (PHOTO_PIXELS, PHOTO_PIXELS))  # a JPEG decodes scaled down
                image.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS))
                rgb = image.convert("RGB")
    except Exception:  # Pillow raises many kinds for a damaged or hostile file
        return None
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=85)
    out.seek(0)
    return out


def photo_box(pdf: FPDF, x: float, y: float, w: float, h: float, image: bytes | None,
              placeholder: str, *, shrunk: bool = False) -> None:  # fmt: skip
    """A photo fitted into the box (keeping its proportions), or the empty box with
    ``placeholder`` in it (a photo is glued there) when there is none. ``shrunk``: the
    image is already a JPEG of page size (services/photos.py), placed as it is."""
    if shrunk:
        picture = io.BytesIO(image) if image else None
    else:
        picture = shrink_image(image) if image else None
    if picture is not None:
        pdf.image(picture, x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
        pdf.rect(x, y, w, h)
        return
    pdf.set_dash_pattern(dash=1.2, gap=1)
    pdf.rect(x, y, w, h)
    pdf.set_dash_pattern()
    pdf.set_text_color(120)
    text_box(pdf, x, y, w, h, placeholder, size=12, align="C")
    pdf.set_text_color(0)

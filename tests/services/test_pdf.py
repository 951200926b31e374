"""PDF building blocks: the Chinese font (found, subset, cached) and the photo on a ticket."""

from __future__ import annotations

import io
import re

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from examsvc.services import pdf, ticket_pdf
from examsvc.services.tickets import Ticket


def image_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (700, 980), (180, 40, 40)).save(out, format=kind)
    return out.getvalue()


def a_ticket(photo: tuple[bytes, str] | None) -> Ticket:
    return Ticket(
        enrolment_id=1, admission_no="2026000010000001", name="欧阳娜娜",
        masked_id="1101**********002X", gender="女", organisation="甲第一支部",
        sitting="上岗资格考试", time="2026-12-05 09:00 至 11:00", duration="90 分钟",
        place="区委党校", room="第01考场", seat="07", photo=photo,
    )  # fmt: skip


def images_on(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(("kind", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_a_photo_is_placed_on_the_ticket(app, kind, mime):
    with app.test_request_context():
        data = ticket_pdf.render([a_ticket((image_bytes(kind), mime))])
    assert images_on(data) == 1
    assert len(data) < 200_000  # the photo is shrunk, not embedded at full size


def test_without_a_photo_or_with_a_damaged_one_the_box_is_left_empty(app):
    with app.test_request_context():
        empty = ticket_pdf.render([a_ticket(None)])
        damaged = ticket_pdf.render([a_ticket((b"\xff\xd8\xff not really a jpeg", "image/jpeg"))])
    for data in (empty, damaged):
        assert data.startswith(b"%PDF-") and images_on(data) == 0
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text().replace("\x00", "")
        assert "照片" in text


def test_many_tickets_make_one_document_with_a_page_each(app):
    with app.test_request_context():
        data = ticket_pdf.render([a_ticket(None)] * 5)
    assert len(PdfReader(io.BytesIO(data)).pages) == 5


def test_the_simplified_chinese_face_of_the_noto_collection_is_chosen(app):
    regular, bold = pdf.find_fonts()
    with TTFont(regular.path, fontNumber=regular.index, lazy=True) as font:
        assert "SC" in str(font["name"].getDebugName(1))
    assert bold.path != regular.path or bold == regular


def test_a_subset_holds_the_characters_asked_for_and_documents_use_it_when_covered(app, tmp_path):
    regular, _ = pdf.find_fonts()
    target = pdf.build_subset(regular, tmp_path / "small.otf", map(ord, "准考证号 0123456789"))
    with TTFont(target) as font:
        cmap = font["cmap"].getBestCmap()
    assert {chr(c) for c in cmap} >= set("准考证号0123456789")
    assert "党" not in {chr(c) for c in cmap}
    assert pdf._face_file(regular, True, tmp_path)[0] == regular.path  # no cache file yet
    cached = pdf.subset_file(regular, tmp_path)
    target.rename(cached)
    assert pdf._face_file(regular, True, tmp_path) == (str(cached), 0)
    assert pdf._face_file(regular, False, tmp_path) == (regular.path, regular.index)


def test_gb2312_covers_common_names_and_punctuation_but_not_every_character():
    chars = pdf.subset_chars()
    assert all(ord(ch) in chars for ch in "张三李四欧阳娜娜：（）。、—…0123456789AZaz*")
    assert ord("堃") not in chars  # a rare name character: the whole font is used instead


def test_a_configured_font_that_does_not_exist_is_reported(app):
    app.config["PDF_FONT"] = "/nonexistent/font.ttf"
    with pytest.raises(pdf.FontMissing):
        pdf.find_fonts()


@pytest.fixture(scope="module")
def small_cache(tmp_path_factory):
    """A font cache whose regular face holds a few characters (the bold stays whole)."""
    from examsvc import create_app

    folder = tmp_path_factory.mktemp("fonts")
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).app_context():
        regular, _ = pdf.find_fonts()
        pdf.build_subset(regular, pdf.subset_file(regular, folder), map(ord, "欧阳娜娜张三王 "))
    return folder


def characters_of(data: bytes) -> set[str]:
    """The characters the document's fonts map back to Unicode (their ToUnicode maps)."""
    found = set()
    for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        cmap = font.get_object()["/ToUnicode"].get_object().get_data().decode("latin-1")
        for hex_text in re.findall(r"<[0-9A-F]+> <([0-9A-F]{4,})>", cmap):
            found.add(bytes.fromhex(hex_text).decode("utf-16-be"))
    return found


def text_of(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text().replace("\x00", "")


def one_line(text: str) -> bytes:
    doc = pdf.document([text])
    doc.add_page()
    pdf.text_box(doc, 20, 20, 100, 10, text)
    return pdf.output(doc)


def test_each_document_embeds_its_own_characters_from_the_face_parsed_once(app, small_cache):
    """Documents share one parse of a face per process, never the glyphs another drew."""
    app.config["PDF_FONT_CACHE"] = str(small_cache)
    with app.test_request_context():
        first, second = one_line("欧阳娜娜"), one_line("张三")
        rare = one_line("王堃")  # not in the cached subset's characters: the whole face
    assert "欧阳娜娜" in text_of(first) and "张三" in text_of(second)
    assert {"欧", "阳", "娜"} <= characters_of(first)
    assert {"张", "三"} <= characters_of(second) and not {"欧", "阳"} & characters_of(second)
    assert "王堃" in text_of(rare)
    assert len(second) < len(first) < 40_000  # subsets of what each draws, not the face

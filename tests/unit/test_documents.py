"""Registration documents: types read from the content, sizes, required kinds."""

from question_bank.documents import (
    JPEG,
    KIND_BY_CODE,
    PDF,
    PNG,
    file_problem,
    gender_of_id,
    missing,
    size_text,
    sniff,
)
from tests.registration_helpers import EXE, HTML, ZIP
from tests.registration_helpers import JPEG as JPEG_BYTES
from tests.registration_helpers import PDF as PDF_BYTES
from tests.registration_helpers import PNG as PNG_BYTES

ANY = KIND_BY_CODE["education"]
PHOTO = KIND_BY_CODE["photo"]


def test_types_are_read_from_the_first_bytes():
    assert sniff(PDF_BYTES) == PDF
    assert sniff(JPEG_BYTES) == JPEG
    assert sniff(PNG_BYTES) == PNG
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20) is None  # a PNG signature and no header
    assert sniff(b" %PDF-1.4") is None  # not at the start
    assert sniff(b"") is None


def test_a_file_of_another_type_is_named_in_the_problem():
    assert file_problem(ZIP, ANY, 10_000).code == "file_forged" and "ZIP" in file_problem(
        ZIP, ANY, 10_000
    )
    assert "EXE" in file_problem(EXE, ANY, 10_000)
    assert "HTML" in file_problem(HTML, ANY, 10_000)
    assert file_problem(b"just some text", ANY, 10_000).code == "file_type"


def test_size_and_emptiness_are_checked():
    assert file_problem(b"", ANY, 10).code == "file_empty"
    assert file_problem(PDF_BYTES, ANY, len(PDF_BYTES) - 1).code == "file_too_large"
    assert file_problem(PDF_BYTES, ANY, len(PDF_BYTES)) is None
    assert size_text(5 * 1024 * 1024) == "5 MB" and size_text(1000) == "1 KB"


def test_a_photo_is_a_picture():
    assert file_problem(PDF_BYTES, PHOTO, 10_000).code == "file_not_picture"
    assert file_problem(PNG_BYTES, PHOTO, 10_000) is None


def test_missing_kinds_count_the_required_files():
    assert [k.code for k in missing({})] == ["application_form", "education", "id_copy", "photo"]
    full = {"application_form": 1, "education": 1, "id_copy": 1, "photo": 2}
    assert missing(full) == []
    assert [k.code for k in missing({**full, "photo": 1})] == ["photo"]


def test_gender_comes_from_the_sequence_digit():
    assert gender_of_id("11010519491231002X") == "F"
    assert gender_of_id("440524188001010014") == "M"

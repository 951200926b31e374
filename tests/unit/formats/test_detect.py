"""The format is told from the content."""

import pytest

from question_bank import formats
from tests.unit.formats.conftest import ours, qti_package, quirk_rows, shared, xlsx_of


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (ours("moodle-quirks.xml"), "moodle-xml"),
        (shared("moodle-mixed-sample.xml"), "moodle-xml"),
        (ours("quirks.gift"), "gift"),
        (ours("quirks-aiken.txt"), "aiken"),
        (shared("aiken-extended-dialect.txt"), "aiken"),
        (ours("qti21-choice.xml"), "qti"),
        (ours("qti30-text-entry.xml"), "qti"),
        (qti_package(), "qti"),
        (ours("quirks-gb18030.csv"), "csv"),
        (ours("quirks-utf8-bom.csv"), "csv"),
        (shared("cn-eldercare-template.xlsx"), "xlsx"),
        (xlsx_of(quirk_rows()), "xlsx"),
    ],
)
def test_each_fixture_is_detected(data, expected):
    assert formats.detect(data) == expected


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"<questestinterop/>", "QTI 1.2"),
        (b"<html><body>hi</body></html>", "<html>"),
        ("随便写的一段话。".encode(), "cannot tell"),
    ],
)
def test_files_of_no_known_format_are_rejected_with_a_reason(data, says):
    result = formats.read(data)
    assert result.unreadable and says in result.problems[0].message


def test_too_large_a_file_is_refused(monkeypatch):
    monkeypatch.setattr("question_bank.formats.MAX_FILE_BYTES", 10)
    result = formats.read(ours("quirks.gift"))
    assert result.unreadable and "larger than" in result.problems[0].message

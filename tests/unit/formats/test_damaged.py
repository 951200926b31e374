"""Damaged, truncated, hostile or empty files: every reader refuses them with a report."""

from __future__ import annotations

import io
import zipfile

import pytest

from question_bank import formats
from question_bank.errors import Msg
from question_bank.formats import xlsx
from question_bank.formats.common import FileRejected
from question_bank.formats.safety import MAX_RATIO, open_zip
from tests.unit.formats.conftest import ours, qti_package, xlsx_of, zip_of


def judge_rows(n: int) -> list[list]:
    return [["题型", "题干", "答案"]] + [
        ["判断题", f"第{i}种说法是正确的。" * 5, "对"] for i in range(n)
    ]


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def refused(result) -> str:
    """The one file-level problem of a refused file (and that nothing was read)."""
    assert result.unreadable and result.items == []
    assert result.errors, result.problems
    message = result.errors[-1].message
    assert isinstance(message, Msg) and message.code
    return message


def test_an_xlsx_whose_sheet_is_cut_in_half_is_refused_not_raised():
    parts = parts_of(xlsx_of(judge_rows(200)))
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]
    message = refused(formats.read(zip_of(parts), filename="题库.xlsx"))
    assert "damaged or truncated" in message and message.code == "xlsx_unreadable"


@pytest.mark.parametrize(
    "missing", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"]
)
def test_an_xlsx_with_a_missing_part_is_refused(missing):
    parts = parts_of(xlsx_of(judge_rows(3)))
    del parts[missing]
    refused(formats.read(zip_of(parts), fmt="xlsx"))


def test_a_zip_cut_short_is_refused():
    data = xlsx_of(judge_rows(50))
    refused(formats.read(data[: len(data) // 2], filename="题库.xlsx"))
    refused(formats.read(data[: len(data) // 2], fmt="xlsx"))


def test_a_corrupt_deflate_stream_in_a_qti_package_is_reported():
    package = bytearray(qti_package())
    start = package.find(b"PK\x03\x04", 10)  # the second entry's local header
    name_len = int.from_bytes(package[start + 26 : start + 28], "little")
    extra_len = int.from_bytes(package[start + 28 : start + 30], "little")
    body = start + 30 + name_len + extra_len
    package[body : body + 40] = b"\xff" * 40
    result = formats.read(bytes(package), fmt="qti")
    assert result.errors  # reported, whichever entry it hit


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("moodle-xml", b'<?xml version="1.0"?><quiz><question type="multichoice"><questiontext'),
        ("qti", b'<assessmentItem identifier="x"><itemBody><p>cut'),
    ],
)
def test_xml_cut_mid_tag_is_refused_with_its_line(fmt, data):
    result = formats.read(data, fmt=fmt)
    assert result.unreadable and result.items == []
    assert result.problems[0].where == "line 1" and "malformed XML" in result.problems[0].message


@pytest.mark.parametrize("name", ["junk.gift", "junk.csv", "junk.txt", "junk.xml"])
def test_binary_junk_under_a_text_name_is_refused_as_not_text(name):
    junk = bytes(range(256)) * 40
    message = refused(formats.read(junk, filename=name))
    assert message.code == "binary_file"


@pytest.mark.parametrize("fmt", ["gift", "aiken", "csv"])
def test_binary_junk_read_as_a_named_text_format_is_refused(fmt):
    assert refused(formats.read(b"\x00\x01\x02junk\xff" * 100, fmt=fmt)).code == "binary_file"


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t"])
def test_an_empty_file_says_it_is_empty(data):
    assert refused(formats.read(data, filename="bank.gift")).code == "empty_file"


@pytest.mark.parametrize("fmt", ["gift", "aiken", "csv", "moodle-xml", "xlsx", "qti"])
def test_an_empty_file_in_a_named_format_is_refused(fmt):
    refused(formats.read(b"", fmt=fmt))


def test_a_parser_failure_of_any_kind_is_a_refusal(monkeypatch):
    def broken(data, limit):
        raise KeyError("xl/sharedStrings.xml")

    monkeypatch.setitem(formats.READERS, "csv", broken)
    message = refused(formats.read(b"a,b", fmt="csv"))
    assert message.code == "reader_failed" and "KeyError" in message


def test_a_deeply_nested_xml_is_refused():
    deep = b"<quiz>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</quiz>"
    assert formats.read(deep, fmt="moodle-xml").unreadable


# --- size caps -----------------------------------------------------------------------------


def test_an_xlsx_part_that_unpacks_past_its_cap_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 10_000)
    message = refused(formats.read(xlsx_of(judge_rows(300)), filename="big.xlsx"))
    assert message.code == "xlsx_part_too_large" and "sheet1.xml" in message


def test_a_zip_entry_compressed_beyond_the_ratio_is_refused():
    bomb = zip_of({"xl/workbook.xml": "<a/>", "xl/worksheets/sheet1.xml": " " * (4 * 2**20)})
    entry = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml")
    assert entry.file_size > MAX_RATIO * entry.compress_size
    with pytest.raises(FileRejected) as caught:
        open_zip(bomb)
    assert caught.value.message.code == "zip_ratio"


def test_a_workbook_of_ordinary_size_passes_the_ratio_check():
    data = xlsx_of(judge_rows(2000))
    assert len(formats.read(data).items) == 2000


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "gift"])
def test_a_file_over_the_question_cap_is_refused_saying_too_many_rows(fmt):
    if fmt == "xlsx":
        data = xlsx_of(judge_rows(30))
    elif fmt == "csv":
        data = "\n".join(",".join(row) for row in judge_rows(30)).encode()
    else:
        data = "\n\n".join(f"第{i}种说法 {{T}}" for i in range(30)).encode()
    result = formats.read(data, fmt=fmt, max_items=25)
    message = refused(result)
    assert message.code == "too_many_questions" and "25" in message
    assert len(formats.read(data, fmt=fmt, max_items=30).items) == 30


def test_a_sheet_of_far_more_rows_than_the_cap_is_refused_before_it_is_parsed(monkeypatch):
    data = xlsx_of(judge_rows(1300))

    def not_parsed(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(xlsx, "load_workbook", not_parsed)
    message = refused(formats.read(data, filename="big.xlsx", max_items=10))
    assert message.code == "too_many_rows" and "sheet1.xml" in message


def test_the_question_cap_counts_across_sheets():
    from openpyxl import Workbook

    workbook = Workbook()
    for n, sheet in enumerate([workbook.active, workbook.create_sheet("二")]):
        sheet.append(["题型", "题干", "答案"])
        for i in range(15):
            sheet.append(["判断题", f"工作表{n}的第{i}种说法。", "对"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert refused(formats.read(buffer.getvalue(), max_items=20)).code == "too_many_questions"


def test_a_lying_sheet_dimension_does_not_pad_rows_to_16384_columns():
    parts = parts_of(xlsx_of(judge_rows(3)))
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        "<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>', 1
    ).encode()
    rows = list(xlsx._rows(_first_sheet(zip_of(parts)), False))
    assert len(rows) == 4 and max(len(cells) for _, cells in rows) == 3


def _first_sheet(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True).worksheets[0]


# --- a file that yields no question says why -----------------------------------------------


def test_a_sheet_with_no_recognised_header_lists_what_it_found_and_what_is_expected():
    message = refused(formats.read(xlsx_of([["序号", "内容", "备注"], ["1", "甲", ""]])))
    assert message.code == "no_header"
    assert "序号、内容、备注" in message and "题干" in message and "答案" in message


def test_an_empty_sheet_says_it_is_empty():
    assert refused(formats.read(xlsx_of([]))).code == "empty_sheet"


def test_a_header_with_no_rows_below_it_says_so():
    assert refused(formats.read(xlsx_of([["题型", "题干", "答案"]]))).code == "no_rows"


def test_a_qti_package_without_items_says_what_it_holds():
    package = zip_of({"a.xml": "<assessmentTest identifier='t'/>"})
    message = refused(formats.read(package, fmt="qti"))
    assert message.code == "qti_no_items" and "a.xml <assessmentTest>" in message


def test_a_qti_manifest_that_lists_no_item_says_so():
    manifest = (
        "<manifest><resources><resource type='webcontent' href='x.html'/></resources></manifest>"
    )
    message = refused(formats.read(zip_of({"imsmanifest.xml": manifest}), fmt="qti"))
    assert message.code == "qti_no_resources"


def test_a_file_of_only_unsupported_items_is_refused_saying_so():
    result = formats.read(b"::m:: Match { =a -> 1 =b -> 2 }", fmt="gift")
    assert refused(result).code == "only_unsupported"
    assert result.problems[0].kind == formats.UNSUPPORTED


def test_gift_text_with_no_question_says_none_was_found():
    assert refused(formats.read(b"// only a comment\n", fmt="gift")).code == "no_items"


def test_a_utf8_csv_longer_than_the_detection_sample_is_still_detected():
    head = "题型,题干,答案\n"
    body = "".join(f"判断题,第{i}种说法是正确的，党的建设{i}。,对\n" for i in range(9000))
    data = (head + body).encode("utf-8")
    assert len(data) > 256 * 1024
    result = formats.read(data, filename="bank.txt")
    assert result.format == "csv" and len(result.items) == 9000


def test_reader_positions_and_messages_are_translatable_messages():
    result = formats.read(ours("quirks.gift"))
    assert all(isinstance(p.where, Msg) and isinstance(p.message, Msg) for p in result.problems)
    row = formats.read(xlsx_of([["题型", "题干", "答案"], ["单选题", "题", "Z"]])).problems[0]
    assert row.where == "row 2" and row.where.code == "at_row" and row.where.params == {"row": 2}
    assert row.message.code == "joined" or row.message.code


def _every_fixture():
    from tests.unit.formats.conftest import OURS, SHARED

    for folder in (OURS, SHARED):
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix not in (".json", ".md"):
                yield path.name, path.read_bytes()
    yield "qti-package.zip", qti_package()


@pytest.mark.parametrize(("name", "data"), list(_every_fixture()))
def test_every_message_a_reader_gives_is_a_coded_message(name, data):
    result = formats.read(data, filename=name)
    for problem in result.problems:
        assert isinstance(problem.message, Msg) and problem.message.code, problem
        if not isinstance(problem.where, Msg):  # a path inside a package is the file's own
            assert problem.where.endswith(".xml"), problem


def test_a_problem_message_stays_short_however_many_options_a_question_has():
    options = "".join(f"{chr(65 + i % 26)}. x{i}\n" for i in range(300))
    (problem,) = formats.read(f"Q?\n{options}ANSWER: A\n".encode(), fmt="aiken").problems
    assert len(problem.message) < 300 and "…" in problem.message


def test_csv_rows_are_read_up_to_the_column_cap():
    header = "题型,题干,答案" + ",备注" * 100_000
    result = formats.read(f"{header}\n判断题,甲,对\n".encode(), fmt="csv")
    assert [i.key for i in result.items] == [True]

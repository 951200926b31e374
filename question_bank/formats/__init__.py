"""Question-bank files: readers for Moodle XML, GIFT, Aiken, QTI 2.1/3.0, xlsx and CSV;
writers for Moodle XML, GIFT, a QTI 2.1 package and our xlsx template.

Readers take bytes and return a ParseResult (valid items and problems with their place in
the file); they never raise for a bad file. Writers take domain questions and return the
file's bytes and the questions the format cannot hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from question_bank.formats import aiken, csvfile, gift, moodle_xml, qti, qti_writer, xlsx
from question_bank.formats.common import (
    ERROR,
    UNSUPPORTED,
    FileRejected,
    ParsedItem,
    ParseResult,
    Problem,
)
from question_bank.formats.detect import detect
from question_bank.formats.safety import MAX_FILE_BYTES
from question_bank.model import Question

__all__ = [
    "ERROR",
    "FORMATS",
    "UNSUPPORTED",
    "WRITABLE",
    "ParseResult",
    "ParsedItem",
    "Problem",
    "WriteResult",
    "blank_template",
    "detect",
    "read",
    "write",
]

READERS: dict[str, Callable[[bytes], ParseResult]] = {
    "moodle-xml": moodle_xml.read,
    "gift": gift.read,
    "aiken": aiken.read,
    "qti": qti.read,
    "xlsx": xlsx.read,
    "csv": csvfile.read,
}
WRITERS = {
    "moodle-xml": moodle_xml.write,
    "gift": gift.write,
    "qti": qti_writer.write,
    "xlsx": xlsx.write,
}
FORMATS: tuple[str, ...] = tuple(READERS)
WRITABLE: tuple[str, ...] = tuple(WRITERS)
EXTENSIONS = {"moodle-xml": ".xml", "gift": ".gift", "qti": ".zip", "xlsx": ".xlsx"}


def read(data: bytes, fmt: str = "auto", filename: str = "") -> ParseResult:
    """Parse a question file; a file that cannot be read at all gives one problem at "file"."""
    try:
        if len(data) > MAX_FILE_BYTES:
            raise FileRejected("file", f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
        if fmt == "auto":
            fmt = detect(data, filename)
        if fmt not in READERS:
            raise FileRejected("file", f"unknown format {fmt!r}")
        return READERS[fmt](data)
    except FileRejected as exc:
        return ParseResult(fmt, problems=[Problem(exc.where, exc.message)], unreadable=True)
    except RecursionError:
        problem = Problem("file", "the file is nested too deeply")
        return ParseResult(fmt, problems=[problem], unreadable=True)


@dataclass
class WriteResult:
    data: bytes
    written: int
    #: (index in the input, why) for each question the format cannot hold.
    skipped: list[tuple[int, str]] = field(default_factory=list)


def write(fmt: str, questions: Sequence[Question]) -> WriteResult:
    """Write the questions in the format; those it cannot hold are listed, not written."""
    data, skipped = WRITERS[fmt](questions)
    return WriteResult(data, len(questions) - len(skipped), skipped)


def blank_template() -> bytes:
    """The empty xlsx import template."""
    return xlsx.blank_template()

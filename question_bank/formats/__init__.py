"""Question-bank files: readers for Moodle XML, GIFT, Aiken, QTI 2.1/3.0, xlsx and CSV;
writers for Moodle XML, GIFT, a QTI 2.1 package and our xlsx template.

Readers take bytes and return a ParseResult (valid items and problems with their place in
the file); they never raise for a bad file. Writers take domain questions and return the
file's bytes and the questions the format cannot hold.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from question_bank.errors import Msg
from question_bank.formats import aiken, csvfile, gift, moodle_xml, qti, qti_writer, xlsx
from question_bank.formats.common import (
    ERROR,
    FILE,
    MAX_ITEMS,
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
    "MAX_ITEMS",
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

log = logging.getLogger(__name__)

READERS: dict[str, Callable[[bytes, int], ParseResult]] = {
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


def read(
    data: bytes, fmt: str = "auto", filename: str = "", max_items: int = MAX_ITEMS
) -> ParseResult:
    """Parse a question file; a file that cannot be read at all gives one problem at "file".

    Whatever a reader's parser raises on a damaged file becomes that problem, never an
    exception; so does a file that yields no question at all (the problem says why). More
    than ``max_items`` questions refuse the file, and reading stops there.
    """
    try:
        if len(data) > MAX_FILE_BYTES:
            raise FileRejected(
                FILE,
                Msg("the file is larger than %(mb)s MB", code="file_too_large",
                    mb=MAX_FILE_BYTES // 2**20),
            )  # fmt: skip
        if fmt == "auto":
            fmt = detect(data, filename)
        if fmt not in READERS:
            raise FileRejected(
                FILE, Msg("unknown format %(format)s", code="unknown_format", format=repr(fmt))
            )
        return _explained(READERS[fmt](data, max_items))
    except FileRejected as exc:
        return _refused(fmt, exc.where, exc.message)
    except RecursionError:
        return _refused(fmt, FILE, Msg("the file is nested too deeply", code="too_deep"))
    except MemoryError:
        raise
    except Exception as exc:  # a parser's own failure on a damaged file: refuse, never crash
        log.warning("%s reader failed on %r", fmt, filename, exc_info=True)
        return _refused(
            fmt,
            FILE,
            Msg(
                "the file cannot be read as %(format)s (damaged or not that format): %(reason)s",
                code="reader_failed",
                format=fmt,
                reason=type(exc).__name__,
            ),
        )


def _refused(fmt: str, where: str, message: str) -> ParseResult:
    return ParseResult(fmt, problems=[Problem(where, message)], unreadable=True)


def _explained(result: ParseResult) -> ParseResult:
    """A result with no question says why: every item left out, or none found at all."""
    if result.items or result.unreadable or result.errors:
        return result
    if result.problems:
        message = Msg(
            "no question to import: every item in the file is of a type we do not support",
            code="only_unsupported",
        )
    else:
        message = Msg(
            "no question found in the file: is it empty, or in another format?",
            code="no_items",
        )
    result.problems.append(Problem(FILE, message))
    result.unreadable = True
    return result


@dataclass
class WriteResult:
    data: bytes
    written: int
    #: (index in the input, why) for each question the format cannot hold.
    skipped: list[tuple[int, str]] = field(default_factory=list)


def write(fmt: str, questions: Sequence[Question]) -> WriteResult:
    """Write the questions in the format; those it cannot hold are listed, not written."""
    data, skipped = WRITERS[fmt]([_writable(q) for q in questions])
    return WriteResult(data, len(questions) - len(skipped), skipped)


#: Characters XML 1.0 (so Moodle XML, QTI and xlsx) cannot hold; text pasted from Word
#: brings the vertical tab (its manual line break) and others.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: object) -> object:
    if isinstance(value, str):
        return _NOT_XML.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", value)
    if isinstance(value, tuple):
        return tuple(_xml_text(v) for v in value)
    return value


def _writable(question: Question) -> Question:
    """The question with the characters no file format can hold taken out."""
    fields = ("stem", "options", "key", "explanation", "point", "rubric")
    changed = {name: _xml_text(getattr(question, name)) for name in fields}
    if all(changed[name] == getattr(question, name) for name in fields):
        return question
    return dataclasses.replace(question, **changed)  # type: ignore[arg-type]


def blank_template() -> bytes:
    """The empty xlsx import template."""
    return xlsx.blank_template()

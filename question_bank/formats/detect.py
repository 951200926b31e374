"""Tell a question file's format from its content (and, failing that, its name)."""

from __future__ import annotations

import re

from question_bank.errors import Msg
from question_bank.formats.common import FILE, FileRejected
from question_bank.formats.safety import local_name, open_zip
from question_bank.formats.tabular import HEADER_SCAN_ROWS, header_columns
from question_bank.formats.text import decode

#: How much of a text file detection looks at.
SAMPLE_BYTES = 256 * 1024

_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)")
_PROLOG = re.compile(
    r"^\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*", re.S
)
_GIFT = re.compile(
    r"\{\s*(?:[=~]|T\s*\}|F\s*\}|TRUE\s*\}|FALSE\s*\}|#)|^\s*\$CATEGORY:|^\s*::[^:]+::",
    re.M | re.I,
)
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*[:：]\s*\S", re.M | re.I)
_BY_EXTENSION = {".gift": "gift", ".csv": "csv", ".xlsx": "xlsx", ".zip": "qti", ".xml": "qti"}
_XML_ROOTS = {"quiz": "moodle-xml", "assessmentItem": "qti", "qti-assessment-item": "qti"}


def detect(data: bytes, filename: str = "") -> str:
    """The format name of the file, or FileRejected saying why it cannot be read."""
    if not data.strip():
        raise FileRejected(FILE, Msg("the file is empty", code="empty_file"))
    if data[:4] == b"PK\x03\x04":
        return _zip_format(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected(
            FILE,
            Msg("old .xls workbooks are not supported: save it as .xlsx", code="xls_format"),
        )
    text = decode(data[:SAMPLE_BYTES], partial=len(data) > SAMPLE_BYTES)
    if text.lstrip().startswith("<"):
        return _xml_format(text)
    lines = text.split("\n")
    if any(header_columns(_split(line)) for line in lines[:HEADER_SCAN_ROWS]):
        return "csv"
    if _GIFT.search(text):
        return "gift"
    if _AIKEN_ANSWER.search(text):
        return "aiken"
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in (".gift", ".csv"):
        return _BY_EXTENSION[extension]
    raise FileRejected(
        FILE,
        Msg(
            "cannot tell the file's format: choose it (the Format field, or --format)",
            code="unknown_file_format",
        ),
    )


def _split(line: str) -> list[str]:
    for delimiter in ("\t", ",", ";", "，"):
        if delimiter in line:
            return [cell.strip().strip('"') for cell in line.split(delimiter)]
    return [line]


def _zip_format(data: bytes) -> str:
    names = {n.lower() for n in open_zip(data).namelist()}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "imsmanifest.xml" in names or any(n.endswith(".xml") for n in names):
        return "qti"
    raise FileRejected(
        FILE,
        Msg("a zip that is neither an xlsx workbook nor a QTI package", code="zip_kind"),
    )


def _xml_format(text: str) -> str:
    match = _ROOT.match(text, _PROLOG.match(text).end())  # type: ignore[union-attr]
    root = local_name(match.group(1).split(":")[-1]) if match else ""
    if root in _XML_ROOTS:
        return _XML_ROOTS[root]
    if root == "questestinterop":
        raise FileRejected(
            FILE,
            Msg("QTI 1.2 files are not supported: export QTI 2.1 or 3.0", code="qti12"),
        )
    raise FileRejected(
        FILE,
        Msg(
            "an XML file whose root <%(root)s> is no question format we know",
            code="xml_root",
            root=root,
        ),
    )

"""CSV as Chinese exam systems export it: UTF-8 (with or without BOM) or GB18030, any of , ; tab."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from question_bank.errors import Msg
from question_bank.formats.common import MAX_ITEMS, FileRejected, ParseResult, at_line
from question_bank.formats.tabular import MAX_COLUMNS, read_rows
from question_bank.formats.text import decode

FORMAT = "csv"
HEADER_LINES = 20


def read(data: bytes, limit: int = MAX_ITEMS) -> ParseResult:
    """Read a CSV file: the header is found by its column names, the delimiter sniffed."""
    text = decode(data)
    return read_rows(FORMAT, _rows(text, _delimiter(text)), limit=limit)


def _delimiter(text: str) -> str:
    sample = "\n".join(text.split("\n")[:HEADER_LINES])
    counts = {d: sample.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(text: str, delimiter: str) -> Iterator[tuple[str, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for row in reader:
            yield at_line(line), row[:MAX_COLUMNS]
            line = reader.line_num + 1
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise FileRejected(
            at_line(line), Msg("malformed CSV: %(reason)s", code="malformed_csv", reason=str(exc))
        ) from None

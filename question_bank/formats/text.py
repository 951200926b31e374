"""Bytes to text (UTF-8 with or without BOM, GB18030), HTML to plain text."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from question_bank.errors import Msg
from question_bank.formats.common import FILE, FileRejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, partial: bool = False) -> str:
    """Decode a text file: a BOM decides, else UTF-8, else GB18030 (Chinese Excel's CSV).

    ``partial``: the bytes are the start of a longer file, so a character cut at the end is
    no reason to doubt UTF-8. Binary data (NUL bytes, mostly control characters) is refused.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _newlines(data.decode(encoding, errors="replace").lstrip("\ufeff"))
    _refuse_binary(data)
    try:
        if partial:
            return _newlines(codecs.getincrementaldecoder("utf-8")().decode(data, final=False))
        return _newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _newlines(data.decode("gb18030", errors="replace"))


_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13})


def _refuse_binary(data: bytes) -> None:
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if b"\x00" in sample or controls > len(sample) // 20:
        raise FileRejected(
            FILE,
            Msg(
                "this is not a text file (it holds binary data): choose the right file or format",
                code="binary_file",
            ),
        )


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_MANY_NEWLINES = re.compile(r"\n\s*\n+")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on own lines."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    text = "".join(extractor.parts)
    return _MANY_NEWLINES.sub("\n", text).strip()

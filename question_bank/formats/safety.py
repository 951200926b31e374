"""Parsing untrusted XML and zip files safely."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from question_bank.errors import Msg
from question_bank.formats.common import FILE, FileRejected

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_BYTES = 256 * 1024 * 1024
#: Apache POI's rule for Office files (ZipSecureFile): an entry may unpack to at most 100 times
#: its packed size; entries below the grace size are not checked (tiny parts compress well).
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1024 * 1024


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: Encodings expat reads itself; any other declared one (GBK, GB2312 from Chinese tools) is
#: decoded by Python first. GB18030 is a superset of both.
_EXPAT_ENCODINGS = {
    "utf-8",
    "utf8",
    "utf-16",
    "utf16",
    "iso-8859-1",
    "latin-1",
    "us-ascii",
    "ascii",
}
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030"}


def _as_utf8(data: bytes) -> bytes:
    """The document re-encoded as UTF-8 when it declares an encoding expat cannot read."""
    match = _DECLARED.match(data[:200])
    if not match:
        return data
    declared = match.group(1).decode("ascii").lower()
    if declared in _EXPAT_ENCODINGS:
        return data
    try:
        codec = codecs.lookup(_WIDER.get(declared, declared)).name
    except LookupError:
        return data  # expat names the unknown encoding in its error
    text = data.decode(codec, errors="replace")
    return (text[: match.start(1)] + "UTF-8" + text[match.end(1) :]).encode("utf-8")


def parse_xml(data: bytes, where: str = "") -> Element:
    """Parse XML with no entity expansion and no external references; reject with the line."""
    try:
        data = _as_utf8(data)
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        place = (
            Msg("%(part)s: line %(line)s", code="at_part_line", part=where, line=line)
            if where
            else Msg("line %(line)s", code="at_line", line=line)
        )
        raise FileRejected(
            place,
            Msg(
                "malformed XML (column %(column)s): %(reason)s",
                code="malformed_xml",
                column=column,
                reason=str(exc),
            ),
        ) from None
    except DefusedXmlException:
        raise FileRejected(
            where or FILE,
            Msg(
                "XML entity declarations and external references are not allowed",
                code="xml_entities",
            ),
        ) from None
    except (ValueError, UnicodeDecodeError, LookupError) as exc:  # e.g. an unknown encoding
        raise FileRejected(
            where or FILE,
            Msg("the XML cannot be decoded: %(reason)s", code="xml_undecodable", reason=str(exc)),
        ) from None


def local_name(tag: object) -> str:
    """An element's name without its namespace."""
    return str(tag).rsplit("}", 1)[-1]


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip after checking entry names, entry count and total uncompressed size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise FileRejected(
            FILE, Msg("not a readable zip file: %(reason)s", code="bad_zip", reason=str(exc))
        ) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileRejected(
            FILE,
            Msg("the zip has more than %(most)s entries", code="zip_entries", most=MAX_ZIP_ENTRIES),
        )
    if sum(e.file_size for e in entries) > MAX_ZIP_BYTES:
        raise FileRejected(
            FILE,
            Msg(
                "the zip unpacks to more than %(mb)s MB", code="zip_size", mb=MAX_ZIP_BYTES // 2**20
            ),
        )
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            raise FileRejected(
                FILE,
                Msg("unsafe path in the zip: %(name)s", code="zip_path", name=repr(entry.filename)),
            )
        if entry.file_size > RATIO_GRACE_BYTES and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise FileRejected(
                FILE,
                Msg(
                    "the zip entry %(name)s unpacks to more than %(ratio)s times its size "
                    "(a zip bomb?)",
                    code="zip_ratio",
                    name=repr(entry.filename),
                    ratio=MAX_RATIO,
                ),
            )
    return archive


def read_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    """One zip entry's bytes (CPython stops at the declared size, which open_zip bounded)."""
    try:
        return archive.read(name)
    except (
        KeyError,
        zipfile.BadZipFile,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        EOFError,
        zlib.error,
    ) as exc:
        raise FileRejected(
            name, Msg("cannot read the zip entry: %(reason)s", code="zip_entry", reason=str(exc))
        ) from None

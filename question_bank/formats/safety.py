"""Parsing untrusted XML and zip files safely."""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from question_bank.formats.common import FileRejected

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_BYTES = 256 * 1024 * 1024


def parse_xml(data: bytes, where: str = "") -> Element:
    """Parse XML with no entity expansion and no external references; reject with the line."""
    prefix = f"{where}: " if where else ""
    try:
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise FileRejected(
            f"{prefix}line {line}", f"malformed XML (column {column}): {exc}"
        ) from None
    except DefusedXmlException:
        raise FileRejected(
            where or "file", "XML entity declarations and external references are not allowed"
        ) from None


def local_name(tag: object) -> str:
    """An element's name without its namespace."""
    return str(tag).rsplit("}", 1)[-1]


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip after checking entry names, entry count and total uncompressed size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected("file", f"not a readable zip file: {exc}") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileRejected("file", f"the zip has more than {MAX_ZIP_ENTRIES} entries")
    if sum(e.file_size for e in entries) > MAX_ZIP_BYTES:
        raise FileRejected("file", f"the zip unpacks to more than {MAX_ZIP_BYTES // 2**20} MB")
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            raise FileRejected("file", f"unsafe path in the zip: {entry.filename!r}")
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
    ) as exc:
        raise FileRejected(name, f"cannot read the zip entry: {exc}") from None

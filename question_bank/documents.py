"""The documents of an individual registration (个人报名): kinds, counts and file types.

A file's type is read from its first bytes, never from its name: a ``.pdf`` that is really
a ZIP archive, a program or a web page is refused, whatever it is called.
"""

from __future__ import annotations

from dataclasses import dataclass

from question_bank.errors import Msg

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

#: The file name extension each accepted type is served with.
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}


@dataclass(frozen=True)
class DocumentKind:
    code: str
    #: How many files of this kind a registration needs, and how many it may hold.
    minimum: int
    maximum: int
    types: tuple[str, ...]


KINDS = (
    DocumentKind("application_form", 1, 1, (PDF, JPEG, PNG)),  #: 报名表
    DocumentKind("education", 1, 3, (PDF, JPEG, PNG)),  #: 学历证明
    DocumentKind("id_copy", 1, 2, (PDF, JPEG, PNG)),  #: 身份证复印件 (front and back)
    DocumentKind("honour", 0, 10, (PDF, JPEG, PNG)),  #: 荣誉证书, optional
    DocumentKind("photo", 2, 2, (JPEG, PNG)),  #: 证件照: two photos
)
KIND_BY_CODE = {kind.code: kind for kind in KINDS}

#: What some refused files are, by their first bytes: named in the message to the user.
_KNOWN_OTHERS = (
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"MZ", "EXE"),
    (b"\x7fELF", "ELF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "GZIP"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", "DOC/XLS"),
    (b"RIFF", "WEBP"),
)


def sniff(data: bytes) -> str | None:
    """The content type the bytes are (PDF, JPEG or PNG), or None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4:
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return PNG
    return None


def _looks_like(data: bytes) -> str | None:
    for magic, name in _KNOWN_OTHERS:
        if data.startswith(magic):
            return name
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")):
        return "HTML/XML"
    return None


def file_problem(data: bytes, kind: DocumentKind, max_bytes: int) -> Msg | None:
    """Why a file cannot be kept as a document of ``kind``, or None when it can."""
    if not data:
        return Msg("the file is empty", code="file_empty")
    if len(data) > max_bytes:
        return Msg(
            "the file is larger than %(limit)s", code="file_too_large", limit=size_text(max_bytes)
        )
    found = sniff(data)
    if found is None:
        other = _looks_like(data)
        if other is not None:
            return Msg(
                "the file is not a PDF, JPEG or PNG: its content is %(other)s, whatever its "
                "name says",
                code="file_forged",
                other=other,
            )
        return Msg(
            "the file is not a PDF, JPEG or PNG (its content was checked, not its name)",
            code="file_type",
        )
    if found not in kind.types:
        return Msg("a photo must be a JPEG or PNG picture", code="file_not_picture")
    return None


def size_text(size: int) -> str:
    """A byte count for people: "5 MB", "1.5 MB", "900 KB"."""
    if size >= 1024 * 1024:
        return f"{round(size / (1024 * 1024), 1):g} MB"
    return f"{max(round(size / 1024), 1)} KB"


def gender_of_id(number: str) -> str:
    """ "M" or "F" from the sequence digit of a valid, normalised 18-character ID number."""
    return "M" if int(number[16]) % 2 else "F"


def missing(counts: dict[str, int]) -> list[DocumentKind]:
    """The kinds that have fewer files than a registration needs to be submitted."""
    return [kind for kind in KINDS if counts.get(kind.code, 0) < kind.minimum]

"""Fixture files for the format tests: ours reproduce the quirks, shared/ holds real files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from openpyxl import Workbook

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
OURS = FIXTURES / "formats"
SHARED = FIXTURES / "shared"


def ours(name: str) -> bytes:
    return (OURS / name).read_bytes()


def shared(name: str) -> bytes:
    return (SHARED / name).read_bytes()


def zip_of(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def qti_package() -> bytes:
    """tests/fixtures/formats/qti-package/ zipped as a content package."""
    folder = OURS / "qti-package"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.xml")}
    return zip_of(files)


def xlsx_of(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def quirk_rows() -> list[list]:
    """The rows of quirks-*.csv (a title row, then the header, then quirky rows)."""
    return json.loads((OURS / "quirks-rows.json").read_text(encoding="utf-8"))


def by_where(result) -> dict:
    """Items and problems of a ParseResult keyed by their position."""
    found = {item.where: item for item in result.items}
    found.update({problem.where: problem for problem in result.problems})
    return found

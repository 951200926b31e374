# ruff: noqa: E501 (the OOXML content types and relation URIs are long)
"""Peak memory of reading a huge generated xlsx (the 1M-row sheet of issue 8).

    .venv/bin/python scripts/bench_xlsx_memory.py [--rows 1000000] [--json]

Writes the workbook straight as XML into a zip (no openpyxl, so it is quick), then reads it
with question_bank.formats.read in a child process and reports that process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="题库" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


STEMS = 1000  #: distinct stems, cycled: the sheet compresses about as well as a real export


def _shared_strings() -> str:
    texts = [
        "题型",
        "题干",
        "答案",
        "判断题",
        "对",
        *(f"第{n}种说法是正确的" for n in range(STEMS)),
    ]
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sst '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + items + "</sst>"
    )


def _row(n: int, indexes: tuple[int, int, int]) -> bytes:
    cells = "".join(
        f'<c r="{c}{n}" t="s"><v>{i}</v></c>' for c, i in zip("ABC", indexes, strict=True)
    )
    return f'<row r="{n}">{cells}</row>'.encode()


def generate(path: Path, rows: int) -> None:
    """A workbook of one sheet: a header (题型, 题干, 答案), then `rows` judge questions."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", _shared_strings())
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            sheet.write(_row(1, (0, 1, 2)))
            for n in range(2, rows + 2):
                sheet.write(_row(n, (3, 5 + n % STEMS, 4)))
            sheet.write(b"</sheetData></worksheet>")


_CHILD = """
import sys, json
from question_bank import formats
result = formats.read(open(sys.argv[1], "rb").read(), filename="big.xlsx")
print(json.dumps({"items": len(result.items), "unreadable": result.unreadable,
                  "problems": [str(p.message) for p in result.problems[:3]]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.xlsx"
        generate(path, args.rows)
        with zipfile.ZipFile(path) as archive:
            sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        path_bytes = path.stat().st_size
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures = {
        "rows": args.rows,
        "zipped_mb": round(path_size_mb(path_bytes), 1),
        "sheet_unpacked_mb": round(path_size_mb(sheet.file_size), 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "seconds": round(elapsed, 1),
        "result": json.loads(child.stdout) if child.returncode == 0 else child.stderr[-2000:],
    }
    print(json.dumps(figures, ensure_ascii=False) if args.json else figures)


def path_size_mb(size: int) -> float:
    return size / 2**20


if __name__ == "__main__":
    main()

"""`examsvc bank import --json` on damaged files: exit 1 and the JSON report, no traceback."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from examsvc.extensions import db
from examsvc.models import Question, Role
from tests.unit.formats.conftest import xlsx_of, zip_of


def truncated_xlsx() -> bytes:
    """A workbook whose sheet1.xml is cut in half (the report of issue 8)."""
    rows = [["题型", "题干", "答案"]] + [
        ["判断题", f"第{i}种说法是正确的。" * 5, "对"] for i in range(200)
    ]
    with zipfile.ZipFile(io.BytesIO(xlsx_of(rows))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]
    return zip_of(parts)


DAMAGED = {
    "truncated.xlsx": truncated_xlsx,
    "no-sheet.xlsx": lambda: zip_of({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x"}),
    "cut.xml": lambda: b'<?xml version="1.0"?><quiz><question type="multichoice"><name><te',
    "junk.gift": lambda: bytes(range(256)) * 20,
    "junk.csv": lambda: b"\x00\xff\xfe" * 500,
    "junk.txt": lambda: bytes(range(256)) * 20,
    "empty.gift": lambda: b"",
    "header-only.csv": lambda: "题型,题干,答案\n".encode(),
    "no-header.csv": lambda: "序号,内容\n1,甲\n".encode(),
}


@pytest.fixture
def run(app, make_user):
    make_user(Role.EXAMINER, email="examiner@example.com")
    runner = app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(args=["bank", *args])
        return result, json.loads(result.output)

    return invoke


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_a_damaged_file_exits_1_with_the_json_report(run, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(DAMAGED[name]())
    result, body = run("import", str(path), "--source", "public", "--area", "practice", "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1
    assert list(body) == ["imported", "skipped", "errors", "by_type"] and body["imported"] == 0
    assert body["errors"] and all(e["message"] for e in body["errors"])
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_a_dry_run_of_a_truncated_workbook_is_the_same_report(run, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(truncated_xlsx())
    result, body = run("import", str(path), "--dry-run", "--skip-bad", "--json")
    assert result.exit_code == 1 and body["imported"] == 0 and len(body["errors"]) == 1

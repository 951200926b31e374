"""`examsvc uploads sweep`: orphan files of the shared upload folder listed, then removed."""

from __future__ import annotations

import json
import os
import time

import pytest

from examsvc.extensions import db
from examsvc.services import orgs, registration, registration_files
from tests.registration_helpers import JPEG, PDF, register


@pytest.fixture
def folder(app, tmp_path):
    app.config["UPLOAD_PATH"] = str(tmp_path / "uploads")
    return tmp_path / "uploads" / registration_files.SUBFOLDER


def _age(path, seconds: int = 7200) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _sweep(app, *args: str):
    result = app.test_cli_runner().invoke(args=["uploads", "sweep", *args])
    db.session.remove()
    return result, json.loads(result.output.splitlines()[0])


def test_sweep_lists_orphans_and_deletes_them_only_when_asked(app, folder):
    person = register(orgs.create("B1", "第一支部"))
    registration.add_documents(person, "honour", [PDF])
    kept = next(p for p in folder.rglob("*") if p.is_file())
    orphan = folder / "ab" / ("ab" + "0" * 38)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(JPEG)
    part = folder / "ab" / ".part-xyz"
    part.write_bytes(b"half")
    young = folder / "cd" / ("cd" + "1" * 38)
    young.parent.mkdir(parents=True, exist_ok=True)
    young.write_bytes(b"committing")
    for path in (kept, orphan, part):
        _age(path)

    result, report = _sweep(app)
    assert result.exit_code == 0, result.output
    assert report["dry_run"] is True and report["referenced"] == 1
    assert sorted(report["orphans"]) == ["ab/.part-xyz", f"ab/{orphan.name}"]
    assert report["orphan_bytes"] == len(JPEG) + 4 and report["too_young"] == 1
    assert report["deleted"] == 0 and orphan.exists() and part.exists()

    result, report = _sweep(app, "--delete")
    assert result.exit_code == 0 and report["deleted"] == 2, result.output
    assert not orphan.exists() and not part.exists()
    assert kept.exists() and young.exists()
    assert kept.read_bytes() == PDF

    result, report = _sweep(app, "--delete", "--min-age-minutes", "0")
    assert report["orphans"] == [f"cd/{young.name}"] and not young.exists()


def test_sweep_without_a_folder_says_so(app):
    result = app.test_cli_runner().invoke(args=["uploads", "sweep"])
    assert result.exit_code == 1
    assert json.loads(result.output.splitlines()[0])["folder"] is None
    assert "EXAMSVC_UPLOAD_PATH" in result.output

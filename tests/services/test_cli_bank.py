"""`examsvc bank import|export`: the JSON report, exit codes, dry run."""

from __future__ import annotations

import json

import pytest
from flask_babel import gettext

from examsvc.extensions import db
from examsvc.models import Question, Role
from tests.unit.formats.conftest import OURS, SHARED

TEMPLATE = str(SHARED / "cn-eldercare-template.xlsx")


@pytest.fixture
def run(app, make_user):
    make_user(Role.EXAMINER, email="examiner@example.com")
    runner = app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(args=["bank", *args])
        return result, (json.loads(result.output) if "--json" in args else None)

    return invoke


def count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Question))


def test_a_rejected_file_exits_1_with_the_json_report_and_writes_nothing(run):
    result, body = run("import", TEMPLATE, "--source", "public", "--area", "practice", "--json")
    assert result.exit_code == 1
    assert body["imported"] == 0 and body["errors"][0]["where"] == "第 12 行"
    assert list(body) == ["imported", "skipped", "errors", "by_type"]
    assert count() == 0


def test_skip_bad_exits_0_and_imports_the_good_items(run):
    result, body = run(
        "import", TEMPLATE, "--source", "public", "--area", "practice", "--skip-bad",
        "--as", "Examiner@example.com", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (body["imported"], body["skipped"]) == (11, 1)
    assert body["by_type"] == {"single": 5, "multiple": 3, "judge": 3, "fill": 0, "short": 0}
    assert count() == 11


def test_dry_run_prints_the_same_report_and_writes_nothing(run):
    result, body = run("import", str(OURS / "quirks.gift"), "--source", "public", "--skip-bad",
                       "--dry-run", "--json", "--format", "gift")  # fmt: skip
    assert result.exit_code == 0 and body["imported"] == 6 and count() == 0


def test_an_unknown_account_is_a_rejection_in_the_same_json_shape(run):
    result, body = run("import", TEMPLATE, "--as", "nobody@example.com", "--json")
    assert result.exit_code == 1
    assert body["imported"] == 0 and "nobody@example.com" in body["errors"][0]["message"]


def test_plain_output_lists_problems_and_a_summary(run):
    result, _ = run("import", TEMPLATE, "--source", "public", "--area", "practice")
    assert result.exit_code == 1 and "row 12" in result.output and "rejected" in result.output


def test_export_writes_a_file_that_imports_back(run, bank_of, tmp_path):
    bank_of(2, "single")
    target = tmp_path / "bank.xml"
    result, _ = run("export", "--format", "moodle-xml", "-o", str(target))
    assert result.exit_code == 0 and "exported 2 questions" in result.output
    again, body = run("import", str(target), "--source", "public", "--dry-run", "--json")
    assert again.exit_code == 0 and body["imported"] == 0 and body["skipped"] == 2


def test_an_examiners_import_that_approves_is_refused_naming_the_review(run):
    result, body = run("import", str(OURS / "quirks.gift"), "--source", "public", "--skip-bad",
                       "--approve", "--as", "examiner@example.com", "--json")  # fmt: skip
    assert result.exit_code == 1 and body["imported"] == 0 and count() == 0
    assert body["errors"][0]["where"] == "command"
    assert body["errors"][0]["message"] == gettext(
        "only an administrator's import goes straight into the bank; import without "
        "approving and another examiner will review the questions"
    )


def test_an_admins_import_that_approves_goes_straight_into_the_bank(run, make_user):
    admin = make_user(Role.ADMIN, Role.EXAMINER, email="admin@example.com")
    result, body = run("import", str(OURS / "quirks.gift"), "--source", "public", "--skip-bad",
                       "--approve", "--json")  # fmt: skip
    assert result.exit_code == 0 and body["imported"] == 6
    rows = db.session.execute(db.select(Question.status, Question.reviewer_id)).all()
    assert set(rows) == {("approved", admin.id)}

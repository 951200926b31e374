"""`examsvc training import`: all or nothing, every bad row named, the roster's report shape."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from examsvc.extensions import db
from examsvc.models import AuditEntry, Organisation, TrainingRecord
from examsvc.services.training.imports import import_records
from tests.training_helpers import ID_A, ID_B, ID_C, org_admin, person, tree

HEADER = ["姓名", "身份证号", "培训名称", "主办单位", "培训形式", "开始日期", "结束日期", "学时",
          "结业证书编号"]  # fmt: skip


def xlsx(*rows: list, header=HEADER, title_rows: int = 1) -> bytes:
    """A workbook as organisations send them: a title row or two above the header."""
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["2025年度党员培训情况登记表"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def world(app):
    orgs = tree()
    people = {
        "zhang": person(orgs["branch"], "张三", id_number=ID_A, mobile="13800138000"),
        "li": person(orgs["street2"], "李四", id_number=ID_B),
        "wang": person(orgs["other"], "王五", id_number=ID_C),
    }
    # Ids and e-mails, not the instances: the CLI runs end the test's session.
    people = {key: (p.id, p.email) for key, p in people.items()}
    return {key: o.id for key, o in orgs.items()}, people


@pytest.fixture
def run(app, tmp_path):
    runner = app.test_cli_runner()

    def invoke(data: bytes, *args: str, org: str = "T0", name: str = "培训.xlsx"):
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["training", "import", str(path), "--org", org, *args,
                                     "--json"])  # fmt: skip
        db.session.remove()
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result, json.loads(result.output)

    return invoke


def records() -> list[TrainingRecord]:
    return list(db.session.scalars(db.select(TrainingRecord).order_by(TrainingRecord.id)))


GOOD = [
    ["张三", ID_A, "2025年基层党组织书记集中轮训班", "区委组织部", "轮训", "2025-03-02",
     "2025-03-04", 24, "LX-2025-001"],
    ["李四", ID_B, "网络学习专题", "", "网络培训", "2025年5月6日", "2025/5/6", 2.5, ""],
]  # fmt: skip


def test_a_good_sheet_is_imported_with_one_audit_entry(run, world):
    orgs, people = world
    result, body = run(xlsx(*GOOD))
    assert result.exit_code == 0, result.output
    assert body == {"imported": 2, "skipped": 0, "errors": []}
    first, second = records()
    assert (first.user_id, first.kind, first.hours, first.source) == (
        people["zhang"][0],
        "rotation",
        24.0,
        "import",
    )
    assert (first.organiser, first.attendance_certificate) == ("区委组织部", "LX-2025-001")
    assert (second.user_id, second.kind, second.hours, second.starts_on.isoformat()) == (
        people["li"][0],
        "online",
        2.5,
        "2025-05-06",
    )
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "training.imported"))
    assert entry.details["imported"] == 2 and entry.subject_id == orgs["root"]


def test_one_bad_row_rejects_the_file_and_every_bad_row_is_listed(run, world):
    bad = [
        ["赵六", "110105199003070017", "班", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["王五", ID_C, "班", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["张三", ID_A, "班", "", "", "2025-03-05", "2025-03-02", 8, ""],
        ["张三", ID_A, "班二", "", "", "2025-03-02", "2025-03-02", 9, ""],
        ["张三", ID_A, "班三", "", "", "2025-03-02", "2025-03-02", 0, ""],
        ["李四", ID_B, "网络学习专题", "", "网络培训", "2025-05-06", "2025-05-06", 2.5, ""],
        ["张三丰", ID_A, "班四", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["张三", "", "班五", "", "", "2999-03-02", "2999-03-02", 8, ""],
    ]
    result, body = run(xlsx(*GOOD, *bad))
    assert result.exit_code == 1
    assert (body["imported"], body["skipped"]) == (0, 8)
    wheres = {e["where"] for e in body["errors"]}
    assert wheres == {f"第 {n} 行" for n in range(5, 13)}  # title 1, header 2, GOOD rows 3–4
    assert ID_C not in result.output and "110105199003070017" not in result.output
    assert records() == []


def test_row_errors_name_their_reason(app, world):
    bad = [
        ["赵六", "110105199003070017", "班", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["王五", ID_C, "班", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["张三", ID_A, "班", "", "", "2025-03-05", "2025-03-02", 8, ""],
        ["张三", ID_A, "班二", "", "", "2025-03-02", "2025-03-02", 9, ""],
        ["张三", ID_A, "班三", "", "", "2025-03-02", "2025-03-02", "八", ""],
        ["张三", ID_A, "班六", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["张三", ID_A, "班六", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["张三丰", ID_A, "班四", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["李四", "", "班五", "", "", "2025-03-02", "2025-03-02", 8, ""],
        ["李四", ID_B, "班七", "", "讲座课", "2025-03-02", "2025-03-02", 8, ""],
    ]
    report = import_records(None, xlsx(*bad), "T0", filename="x.xlsx")
    codes = [(int(e["where"].params["row"]), e["message"].code) for e in report.errors]
    assert codes == [  # in the order of the rows
        (3, "training_no_id"),
        (4, "training_person_outside"),
        (5, "training_end_before_start"),
        (6, "training_hours_over"),
        (7, "training_bad_hours"),
        (9, "training_repeated"),
        (10, "training_name_mismatch"),
        (11, "training_no_person"),
        (12, "training_kind"),
    ]
    assert report.rejected and report.skipped == 9


def test_a_training_already_in_the_archive_is_a_bad_row(run, world):
    assert run(xlsx(*GOOD))[0].exit_code == 0
    result, body = run(xlsx(GOOD[0]))
    assert result.exit_code == 1 and body["skipped"] == 1
    report = import_records(None, xlsx(GOOD[0]), "T0")
    assert [e["message"].code for e in report.errors] == ["training_recorded"]
    assert len(records()) == 2


def test_dry_run_reports_and_writes_nothing(run, world):
    result, body = run(xlsx(*GOOD), "--dry-run")
    assert result.exit_code == 0 and body["imported"] == 2
    assert records() == []


def test_people_are_found_by_mobile_or_email_and_only_in_the_subtree(run, world):
    header = ["姓名", "手机号", "邮箱", "培训名称", "开始日期", "结束日期", "学时"]
    orgs, people = world
    rows = [["张三", "138-0013-8000", "", "班", "2025-03-02", "2025-03-02", 4],
            ["李四", "", people["li"][1].upper(), "班", "2025-03-02", "2025-03-02", 4]]  # fmt: skip
    result, body = run(xlsx(*rows, header=header))
    assert result.exit_code == 0, body
    assert [r.user_id for r in records()] == [people["zhang"][0], people["li"][0]]
    # Imported into the street T0-1 only: 李四 of T0-2 is outside it.
    report = import_records(None, xlsx(*rows, header=header), "T0-1")
    assert [e["message"].code for e in report.errors] == [
        "training_recorded",  # row 3: 张三 of T0-1-1, in the subtree, recorded just now
        "training_person_outside",
    ]


def test_an_org_admin_imports_only_into_their_subtree(app, world):
    admin = org_admin(db.session.get(Organisation, world[0]["street"]))
    report = import_records(admin, xlsx(GOOD[1]), "T0")
    assert report.rejected and "T0" in report.errors[0]["message"]
    report = import_records(admin, xlsx(GOOD[1]), "T0-1")
    assert [e["message"].code for e in report.errors] == ["training_person_outside"]
    assert import_records(admin, xlsx(GOOD[0]), "T0-1").imported == 1


def test_unreadable_files_and_unknown_organisations_are_refused(run, world):
    result, body = run(b"\x00\x01 not a sheet", name="x.xls")
    assert result.exit_code == 1 and body["errors"][0]["where"] == "文件"
    result, body = run(xlsx(*GOOD), org="NOPE")
    assert result.exit_code == 1 and "NOPE" in body["errors"][0]["message"]
    result, body = run("姓名,培训名称\n张三,班\n".encode(), name="x.csv")
    assert result.exit_code == 1 and body["errors"][0]["where"] == "文件"
    assert records() == []


def test_the_cli_without_json_prints_a_summary(app, world, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx(*GOOD))
    result = app.test_cli_runner().invoke(args=["training", "import", str(path), "--org", "T0"])
    assert result.exit_code == 0 and "imported 2 trainings of 2 people, 26.5 hours" in result.output

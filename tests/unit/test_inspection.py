"""年检 outcome rules (DOMAIN.md "年检", seed 001) and the sheet of annual assessments."""

import io

import pytest

from question_bank import assessment_sheet
from question_bank.inspection import (
    MIN_HOURS,
    Facts,
    Outcome,
    assessment_code,
    judge,
    reasons,
)

GOOD = Facts(in_post=True, trainings=2, hours=32, minimum_hours=24, assessment="competent")


def facts(**changes) -> Facts:
    return Facts(**{**GOOD.__dict__, **changes})


def codes(f: Facts) -> list[str]:
    return [m.code for m in reasons(f)]


def test_three_days_are_24_hours():
    assert MIN_HOURS == 24


@pytest.mark.parametrize("assessment", ["excellent", "competent", "basically_competent"])
def test_a_holder_who_meets_every_rule_passes(assessment):
    verdict = judge(facts(assessment=assessment))
    assert verdict.passed and verdict.outcome == Outcome.PASSED and verdict.reasons == ()


def test_exactly_at_the_limits_passes():
    assert judge(facts(trainings=1, hours=24, minimum_hours=24)).passed
    assert judge(facts(hours=40, minimum_hours=40)).passed


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"in_post": False}, "left_post"),
        ({"trainings": 0, "hours": 32}, "no_training"),
        ({"hours": 23.5}, "hours_below_three_days"),
        ({"hours": 39, "minimum_hours": 40}, "hours_below_category"),
        ({"assessment": "incompetent"}, "incompetent"),
        ({"assessment": None}, "no_assessment"),
        ({"assessment": "superb"}, "unknown_assessment"),
    ],
)
def test_each_rule_fails_on_its_own_with_its_reason(changes, code):
    verdict = judge(facts(**changes))
    assert not verdict.passed
    assert [m.code for m in verdict.reasons] == [code]
    assert verdict.outcome == Outcome.SUSPENDED


def test_every_reason_is_given_at_once():
    bad = facts(in_post=False, trainings=0, hours=0, minimum_hours=56, assessment="incompetent")
    assert codes(bad) == [
        "left_post", "no_training", "hours_below_three_days", "hours_below_category",
        "incompetent",
    ]  # fmt: skip


def test_a_category_minimum_below_three_days_adds_no_second_reason():
    assert codes(facts(hours=20, minimum_hours=16)) == ["hours_below_three_days"]


def test_the_reasons_name_the_hours():
    (message,) = reasons(facts(hours=30.5, minimum_hours=40))
    assert "30.5" in message and "40" in message
    (message,) = reasons(facts(hours=20.0))
    assert "20 " in message and "24" in message


def test_a_failure_after_a_failed_year_revokes():
    verdict = judge(facts(assessment="incompetent", failed_last_year=True, status="suspended"))
    assert not verdict.passed and verdict.outcome == Outcome.REVOKED


def test_a_first_failure_suspends_even_a_suspended_certificate():
    verdict = judge(facts(hours=0, status="suspended", failed_last_year=False))
    assert verdict.outcome == Outcome.SUSPENDED


def test_passing_reinstates_a_suspended_certificate():
    verdict = judge(facts(status="suspended", failed_last_year=True))
    assert verdict.passed and verdict.outcome == Outcome.REINSTATED


def test_passing_after_a_failed_year_keeps_a_valid_certificate_valid():
    assert judge(facts(failed_last_year=True)).outcome == Outcome.PASSED


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("优秀", "excellent"),
        (" 称职 ", "competent"),
        ("基本称职", "basically_competent"),
        ("不称职", "incompetent"),
        ("Competent", "competent"),
        ("良好", None),
        ("", None),
    ],
)
def test_assessment_names(text, code):
    assert assessment_code(text) == code


def sheet_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_sheet_reads_names_logins_id_numbers_and_assessments():
    data = sheet_bytes([
        ["2025年度考核结果"],
        ["姓名", "登录名", "身份证号", "年度考核"],
        ["张三", "Zhang@Example.com", "", "称职"],
        ["李四", "", "11010519491231002x", "优秀"],
        ["王五", "+86 139 1234 5678", "", "基本称职"],
    ])  # fmt: skip
    sheet = assessment_sheet.read(data, "考核.xlsx")
    assert sheet.problems == []
    assert [(r.row, r.name, r.login, r.id_number, r.assessment) for r in sheet.rows] == [
        (3, "张三", "zhang@example.com", "", "competent"),
        (4, "李四", "", "11010519491231002X", "excellent"),
        (5, "王五", "13912345678", "", "basically_competent"),
    ]


def test_the_sheet_names_every_bad_row():
    data = sheet_bytes([
        ["姓名", "手机号", "身份证号", "考核结果"],
        ["", "13912345678", "", "称职"],
        ["赵六", "", "", "称职"],
        ["钱七", "13912345679", "", "良好"],
        ["孙八", "", "340524198001010013", "优秀"],
        ["周九", "13912345670", "", ""],
    ])  # fmt: skip
    sheet = assessment_sheet.read(data, "x.xlsx")
    assert sheet.rows == []
    where = [str(w) for w, _m in sheet.problems]
    assert where == ["row 2", "row 3", "row 4", "row 5", "row 6"]
    assert [m.code for _w, m in sheet.problems] == [
        "no_name", "no_login", "unknown_assessment", "id_check", "no_assessment",
    ]  # fmt: skip


def test_a_sheet_without_the_columns_is_refused_as_a_whole():
    sheet = assessment_sheet.read(sheet_bytes([["姓名", "年度考核"], ["张三", "称职"]]), "x.xlsx")
    assert sheet.rows == [] and [m.code for _w, m in sheet.problems] == ["no_header"]
    assert assessment_sheet.read(b"", "x.csv").problems[0][1].code == "empty_file"
    junk = assessment_sheet.read(b"PK\x03\x04junk", "x.xlsx")
    assert junk.rows == [] and len(junk.problems) == 1


def test_a_csv_sheet_is_read_too():
    data = "姓名,邮箱,年度考核\n张三,a@example.com,不称职\n".encode()
    sheet = assessment_sheet.read(data, "x.csv")
    assert [(r.name, r.assessment) for r in sheet.rows] == [("张三", "incompetent")]

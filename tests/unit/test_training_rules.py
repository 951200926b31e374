"""Rules of the training archive on plain values: records, kinds, rotation, sheets."""

from datetime import date
from decimal import Decimal

import pytest

from question_bank.training import (
    compliance,
    kind_code,
    most_hours,
    needs_rotation,
    parse_hours,
    record_problems,
    rotation_in_year,
)
from question_bank.training_sheets import check_rows, parse_day

TODAY = date(2026, 6, 30)
HEADER = ["姓名", "身份证号码", "培训名称", "主办单位", "培训形式", "开始日期", "结束日期", "学时",
          "结业证书编号"]  # fmt: skip


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_a_valid_record_has_no_problem():
    assert record_problems(date(2026, 3, 2), date(2026, 3, 4), Decimal("24"), TODAY) == []
    assert record_problems(date(2026, 6, 30), date(2026, 6, 30), 2.5, TODAY) == []


@pytest.mark.parametrize(
    ("starts", "ends", "hours", "code"),
    [
        (date(2026, 3, 4), date(2026, 3, 2), 8, "training_end_before_start"),
        (date(2026, 6, 30), date(2026, 7, 1), 8, "training_future"),
        (date(1920, 1, 1), date(1920, 1, 2), 8, "training_too_early"),
        (None, date(2026, 3, 2), 8, "training_no_start"),
        (date(2026, 3, 2), None, 8, "training_no_end"),
        (date(2026, 3, 2), date(2026, 3, 2), 0, "training_hours_not_positive"),
        (date(2026, 3, 2), date(2026, 3, 2), -4, "training_hours_not_positive"),
        (date(2026, 3, 2), date(2026, 3, 2), Decimal("8.1"), "training_hours_over"),
        (date(2026, 3, 2), date(2026, 3, 4), 25, "training_hours_over"),
        (date(2026, 3, 2), date(2026, 3, 2), Decimal("2.25"), "training_hours_decimals"),
        (date(2026, 3, 2), date(2026, 3, 2), None, "training_no_hours"),
    ],
)
def test_impossible_records_are_refused_with_their_reason(starts, ends, hours, code):
    assert code in codes(record_problems(starts, ends, hours, TODAY))


def test_the_hours_limit_names_the_days_and_is_8_a_day():
    assert most_hours(date(2026, 3, 2), date(2026, 3, 6)) == 40
    (problem,) = record_problems(date(2026, 3, 2), date(2026, 3, 3), 17, TODAY)
    assert problem.params == {"hours": "17", "most": 16, "days": 2}


@pytest.mark.parametrize(
    ("text", "code"),
    [("集中培训", "central"), ("网络 学习", "online"), ("线上", "online"), ("轮训", "rotation"),
     ("集中轮训", "rotation"), ("其它", "other"), ("rotation", "rotation"), ("讲课", None)],
)  # fmt: skip
def test_kinds_by_their_chinese_names(text, code):
    assert kind_code(text) == code


def test_hours_as_sheets_write_them():
    assert parse_hours("１６") == Decimal(16)
    assert parse_hours(" 2.5 ") == Decimal("2.5")
    assert parse_hours("NaN") is None and parse_hours("Infinity") is None
    assert parse_hours("十六") is None and parse_hours("") is None


def test_rotation_needs_one_rotation_of_3_days_in_the_calendar_year():
    spans = [
        ("rotation", date(2025, 12, 30), date(2026, 1, 1)),  # ends in 2026: 3 days
        ("central", date(2026, 3, 2), date(2026, 3, 6)),  # not a rotation
        ("rotation", date(2025, 4, 1), date(2025, 4, 2)),  # 2025, and 2 days only
    ]
    assert rotation_in_year(spans, 2026).done and rotation_in_year(spans, 2026).days == 3
    assert not rotation_in_year(spans, 2025).done and rotation_in_year(spans, 2025).days == 2
    assert rotation_in_year(spans, 2024).days == 0


def test_who_owes_rotation_training():
    assert needs_rotation(True, "organ")
    assert needs_rotation(False, "village_secretary") and needs_rotation(False, "two_new_secretary")
    assert not needs_rotation(False, "community")


def test_compliance_rounds_and_reports_the_shortfall():
    assert compliance(15.5, 16) == compliance(15.5, 16)
    short = compliance(15.5, 16)
    assert (short.ok, short.shortfall) == (False, 0.5)
    assert compliance(24.0, 24).ok and compliance(3.0, 0).ok


def test_dates_need_a_day():
    assert parse_day("2026年3月2日") == date(2026, 3, 2)
    assert parse_day("2026/3/2") == date(2026, 3, 2)
    assert parse_day("46083") == date(2026, 3, 2)  # an Excel serial day
    assert parse_day("2026.03") is None and parse_day("202603") is None


def sheet(*rows: list[str], header=HEADER):
    return check_rows(enumerate([header, *rows], 1), TODAY)


def test_a_sheet_row_is_read_and_normalised():
    result = sheet(["张三", "11010519491231002x", "书记轮训班", "区委党校", "轮训", "2026-03-02",
                    "2026年3月4日", "24", "JY-001"])  # fmt: skip
    (row,) = result.rows
    assert (row.person.kind, row.person.value) == ("id_number", "11010519491231002X")
    assert (row.kind, row.starts_on, row.ends_on, row.hours) == (
        "rotation",
        date(2026, 3, 2),
        date(2026, 3, 4),
        Decimal(24),
    )
    assert row.certificate == "JY-001" and not result.problems


def test_sheet_rows_with_problems_are_listed_by_row():
    result = sheet(
        ["张三", "340524198001010013", "班", "", "", "2026-03-02", "2026-03-02", "8", ""],
        ["", "", "班", "", "讲课", "2026-03", "2026-03-02", "8", ""],
        ["李四", "440524188001010014", "班", "", "", "2026-03-02", "2026-03-01", "八", ""],
        ["王五", "440524188001010014", "班", "", "", "2026-03-02", "2026-03-02", "9", ""],
        ["王五", "440524188001010014", "班", "", "", "2026-03-02", "2026-03-02", "8", ""],
        ["王五", "440524188001010014", "班", "", "", "2026-03-02", "2026-03-02", "8", ""],
        ["赵六", "34052419800101001X", "班", "", "", "2026-07-01", "2026-07-01", "8", ""],
    )
    by_row: dict[int, list[str]] = {}
    for problem in result.problems:
        by_row.setdefault(int(problem.where.params["row"]), []).append(problem.message.code)
    assert by_row == {
        2: ["training_bad_id"],
        3: ["training_no_name", "training_no_person", "training_kind", "training_date"],
        4: ["training_end_before_start", "training_bad_hours"],
        5: ["training_hours_over"],
        7: ["training_repeated"],
        8: ["training_future"],
    }
    assert [r.row for r in result.rows] == [6] and result.bad_rows == [2, 3, 4, 5, 7, 8]


def test_a_sheet_without_the_needed_columns_is_refused_as_a_whole():
    result = sheet(["张三", "班"], header=["姓名", "培训名称"])
    assert result.unreadable
    (problem,) = result.problems
    assert problem.message.code == "training_missing_columns"
    assert problem.message.params["columns"] == ["身份证号", "开始日期", "结束日期", "学时"]
    assert sheet(header=["a", "b"]).problems[0].message.code == "no_header"
    assert sheet(header=HEADER).problems[0].message.code == "training_no_rows"


def test_a_person_may_be_named_by_mobile_or_email():
    header = ["姓名", "手机号", "邮箱", "培训名称", "开始日期", "结束日期", "学时"]
    result = sheet(
        ["张三", "138 0013 8000", "", "班", "2026-03-02", "2026-03-02", "4"],
        ["李四", "", "Li@Example.com", "班", "2026-03-02", "2026-03-02", "4"],
        ["王五", "12345", "", "班", "2026-03-02", "2026-03-02", "4"],
        header=header,
    )
    assert [(r.person.kind, r.person.value, r.kind) for r in result.rows] == [
        ("mobile", "13800138000", "other"),
        ("email", "li@example.com", "other"),
    ]
    assert [p.message.code for p in result.problems] == ["training_bad_mobile"]


def test_a_huge_number_of_hours_is_refused_not_an_error():
    from decimal import Decimal

    from question_bank.training import hours_problems

    (problem,) = hours_problems(Decimal("1e30"))
    assert problem.code == "training_hours_over"

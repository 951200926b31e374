"""Reading 组织报名 rosters: header found, columns matched, every row checked without a database."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from question_bank.roster import (
    category_code,
    is_leader_post,
    normalize_mobile,
    parse_date,
    read_roster,
)

TODAY = dt.date(2026, 11, 30)
ID_A = "11010519491231002X"
ID_B = "440524188001010014"
ID_C = "34052419800101001X"
BAD_CHECK = "340524198001010013"


def _xlsx(rows, title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in (*title_rows, *rows):
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows, encoding="utf-8-sig"):
    return "\n".join(",".join(row) for row in rows).encode(encoding)


def _read(data, filename="roster.csv"):
    return read_roster(data, filename, today=TODAY)


def _problems(result):
    return [(p.where, p.message) for p in result.problems]


def test_xlsx_header_below_a_title_and_variant_column_names():
    data = _xlsx(
        [
            ["序号", "姓名*", "公民身份号码", "联系电话", "电子邮箱", "性别", "是否党员",
             "入党时间", "职务", "人员类别", "所属组织"],
            [1, "张三", ID_A, "+86 138 0013 8000", None, "女", "是", dt.datetime(2020, 7, 1),
             "支部书记", "机关事业单位", "000-01"],
            [2, "李四", ID_B, None, "Li@Example.com", None, "否", None, "党员", "soe", None],
        ],
        title_rows=[["2026年度组织报名表"], []],
    )  # fmt: skip
    result = _read(data, "roster.xlsx")
    assert _problems(result) == []
    first, second = result.rows
    assert (first.row, first.name, first.id_number) == (4, "张三", ID_A)
    assert (first.mobile, first.email, first.login) == ("13800138000", None, "13800138000")
    assert first.gender == "F" and first.is_party_member is True
    assert first.joined_on == dt.date(2020, 7, 1)
    assert first.is_leader is True and first.category == "organ" and first.org_code == "000-01"
    assert (second.row, second.email, second.login) == (5, "li@example.com", "li@example.com")
    assert second.gender == "M"  # from the ID number's sequence (odd: male)
    assert second.is_party_member is False and second.is_leader is False
    assert second.category == "soe" and second.org_code is None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_chinese_excel_writes(encoding):
    header = ["姓名", "身份证号码", "手机号码", "政治面貌"]
    data = _csv([header, ["王小明", ID_C, "13900139000", "中共预备党员"]], encoding)
    result = _read(data)
    assert _problems(result) == []
    assert [(r.row, r.name, r.id_number, r.is_party_member) for r in result.rows] == [
        (2, "王小明", ID_C, True)
    ]


@pytest.mark.parametrize(
    ("political", "member"),
    [("中共党员", True), ("中共预备党员", True), ("群众", False), ("共青团员", False), ("", None)],
)
def test_political_status_decides_party_membership(political, member):
    header = ["姓名", "身份证号", "手机", "政治面貌"]
    result = _read(_csv([header, ["甲", ID_A, "13800138000", political]]))
    assert result.rows[0].is_party_member is member


def test_unknown_political_status_and_party_value_are_row_errors():
    result = _read(
        _csv(
            [
                ["姓名", "身份证号", "手机", "政治面貌"],
                ["甲", ID_A, "13800138000", "火星人"],
            ]
        )
    )
    assert result.rows == [] and result.bad_rows == [2]
    header = ["姓名", "身份证号", "手机", "是否党员"]
    result = _read(_csv([header, ["甲", ID_A, "13800138000", "也许"]]))
    assert result.bad_rows == [2]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2020-07-01", dt.date(2020, 7, 1)),
        ("2020/7/1", dt.date(2020, 7, 1)),
        ("2020年7月1日", dt.date(2020, 7, 1)),
        ("2020.07", dt.date(2020, 7, 1)),
        ("2020年7月", dt.date(2020, 7, 1)),
        ("20200701", dt.date(2020, 7, 1)),
        ("2020-07-01 00:00:00", dt.date(2020, 7, 1)),
        ("44013", dt.date(2020, 7, 1)),  # Excel's serial day in a CSV export
        ("2020-02-30", None),
        ("去年", None),
    ],
)
def test_dates_as_rosters_write_them(text, day):
    assert parse_date(text) == day


def test_bad_or_future_joining_date_is_a_row_error():
    result = _read(
        _csv(
            [
                ["姓名", "身份证号", "手机", "入党时间"],
                ["甲", ID_A, "13800138000", "七月一日"],
                ["乙", ID_B, "13800138001", "2030-01-01"],
                ["丙", ID_C, "13800138002", "2001.7"],
            ]
        )
    )
    assert result.bad_rows == [2, 3]
    assert result.rows[0].joined_on == dt.date(2001, 7, 1)


@pytest.mark.parametrize(
    ("raw", "mobile"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 13800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("010-12345678", None),
        ("23800138000", None),
        ("1380013800", None),
    ],
)
def test_mobile_numbers_are_normalised(raw, mobile):
    assert normalize_mobile(raw) == mobile


@pytest.mark.parametrize(
    ("post", "leader"),
    [("支部书记", True), ("副书记", True), ("组织委员", True), ("党员", False), ("", False)],
)
def test_leaders_are_derived_from_the_post(post, leader):
    assert is_leader_post(post) is leader


def test_a_leader_column_overrides_the_post():
    header = ["姓名", "身份证号", "手机", "职务", "是否负责人"]
    result = _read(_csv([header, ["甲", ID_A, "13800138000", "宣传委员", "否"]]))
    assert result.rows[0].is_leader is False


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("organ", "organ"),
        ("机关事业单位", "organ"),
        ("国有企业、金融企业", "soe"),
        ("村（社区）书记", "village_secretary"),
        ("大学生村官", "village_official"),
        ("两新组织", "two_new"),
        ("火星", None),
    ],
)
def test_categories_by_code_or_chinese_name(text, code):
    assert category_code(text) == code


def test_every_bad_row_is_reported_with_the_sheet_row_number():
    data = _xlsx(
        [
            ["姓名", "身份证号", "手机号", "邮箱", "人员类别"],
            ["甲", ID_A, "13800138000", None, None],  # row 2: good
            [None, ID_B, "13800138001", None, None],  # row 3: no name
            ["丙", BAD_CHECK, "13800138002", None, None],  # row 4: bad check character
            ["丁", ID_C, None, None, None],  # row 5: no login
            ["戊", ID_A, "13800138003", None, None],  # row 6: ID repeated (row 2)
            ["己", ID_C, "13800138000", None, None],  # row 7: mobile repeated (row 2)
            ["庚", ID_B, "13800138004", None, "火星"],  # row 8: unknown category
            ["辛", ID_B, "12345", None, None],  # row 9: not a mobile
            ["壬", ID_B, None, "not-an-email", None],  # row 10: not an e-mail
        ]
    )
    result = _read(data, "roster.xlsx")
    assert [r.row for r in result.rows] == [2]
    assert result.bad_rows == [3, 4, 5, 6, 7, 8, 9, 10]
    codes = {(p.where, p.message.code) for p in result.problems}
    assert ("row 3", "roster_no_name") in codes
    assert ("row 4", "roster_bad_id") in codes
    assert ("row 5", "roster_no_login") in codes
    assert ("row 6", "roster_repeated") in codes
    assert ("row 7", "roster_repeated") in codes
    assert ("row 8", "roster_category") in codes
    assert ("row 9", "roster_bad_mobile") in codes
    assert ("row 10", "roster_bad_email") in codes
    assert not any(BAD_CHECK in p.message for p in result.problems)  # no ID number echoed


def test_repeated_e_mail_makes_the_later_row_bad_whatever_its_case():
    result = _read(
        _csv(
            [
                ["姓名", "身份证号", "邮箱"],
                ["甲", ID_A, "a@example.com"],
                ["乙", ID_B, "A@Example.com"],
            ]
        )
    )
    assert [r.row for r in result.rows] == [2] and result.bad_rows == [3]
    assert result.problems[0].message.params["first"] == 2


def test_a_sheet_without_a_roster_header_is_refused_saying_what_it_found():
    result = _read(_csv([["题型", "题干", "答案"], ["单选题", "问题", "A"]]))
    assert result.unreadable and result.rows == []
    assert result.problems[0].message.code == "no_header"
    assert "题干" in result.problems[0].message


def test_a_header_with_no_rows_below_is_refused():
    result = _read(_csv([["姓名", "身份证号", "手机"]]))
    assert result.unreadable and result.problems[0].message.code == "roster_no_rows"


def test_old_xls_workbooks_are_refused_with_a_clear_message():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    result = _read(ole2, "roster.xls")
    assert result.unreadable and result.problems[0].message.code == "roster_xls"
    assert ".xlsx" in result.problems[0].message


def test_a_damaged_workbook_is_refused_not_raised():
    data = _xlsx([["姓名", "身份证号", "手机"], ["甲", ID_A, "13800138000"]])
    result = _read(data[: len(data) // 2], "roster.xlsx")
    assert result.unreadable and result.rows == []


def test_notes_sheet_first_roster_sheet_second():
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请按模板填写"])
    sheet = workbook.create_sheet("名单")
    sheet.append(["姓名", "身份证号", "手机"])
    sheet.append(["甲", ID_A, 13800138000])  # a number cell, as Excel keeps a mobile
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _read(buffer.getvalue(), "roster.xlsx")
    assert [(r.name, r.mobile) for r in result.rows] == [("甲", "13800138000")]


def test_an_xlsx_workbook_named_xls_is_read_and_an_html_xls_refused():
    data = _xlsx([["姓名", "身份证号", "手机"], ["甲", ID_A, "13800138000"]])
    assert [r.name for r in _read(data, "名单.xls").rows] == ["甲"]
    html = "<table><tr><td>姓名</td><td>身份证号</td></tr></table>".encode()
    assert _read(html, "名单.xls").problems[0].message.code == "roster_xls"

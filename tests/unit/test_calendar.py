"""Working days follow China's holiday schedule (法定节假日 and 调休) and the days admins add."""

from datetime import date

import pytest

from question_bank.calendar import add_working_days, is_working_day, official_workdays


def test_a_notice_published_before_national_day_runs_past_the_holiday():
    # A Monday–Friday count ends on 2026-10-07, still inside 国庆 (10-01 … 10-07). Worked:
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (调休), 10-12 Mon, 10-13 Tue.
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange


def test_a_notice_over_the_spring_festival_counts_the_worked_saturday():
    # 2026 春节: 02-15 … 02-23 off; Saturday 02-14 worked. Published on Friday 02-13:
    # 02-14 (Sat, 调休), then 02-24, 02-25, 02-26, 02-27.
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert not is_working_day(date(2026, 2, 23))  # a Monday inside the holiday
    assert is_working_day(date(2026, 2, 28))  # the other worked Saturday


def test_2025_national_day_and_mid_autumn_run_together():
    # 2025: 10-01 … 10-08 off; Sunday 09-28 and Saturday 10-11 worked.
    assert is_working_day(date(2025, 9, 28))
    assert not is_working_day(date(2025, 10, 8))
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # Thu, Fri, Sat


def test_ordinary_weeks_count_monday_to_friday():
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday → Monday
    assert add_working_days(date(2026, 3, 9), 4) == date(2026, 3, 13)
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_days_added_by_an_admin_override_the_official_calendar():
    # Say 2027's schedule is not published yet and the admin enters 国庆 2027 by hand.
    national_day = [date(2027, 10, d) for d in range(1, 8)]
    worked = [date(2027, 9, 26), date(2027, 10, 9)]
    assert add_working_days(date(2027, 9, 24), 2) == date(2027, 9, 28)  # no 调休 known
    assert (
        add_working_days(date(2027, 9, 24), 2, extra_holidays=national_day, extra_workdays=worked)
        == date(2027, 9, 27)  # the worked Sunday 09-26 counts
    )
    assert add_working_days(
        date(2027, 9, 30), 1, extra_holidays=national_day, extra_workdays=worked
    ) == date(2027, 10, 8)
    assert not is_working_day(date(2026, 6, 1), extra_holidays=[date(2026, 6, 1)])
    assert not is_working_day(
        date(2026, 6, 1), extra_holidays=[date(2026, 6, 1)], extra_workdays=[date(2026, 6, 1)]
    )  # listed as both: a holiday


def test_the_package_lists_the_worked_weekends_of_published_years():
    assert official_workdays(2026) == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
        date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
    ]  # fmt: skip
    assert date(2025, 4, 27) in official_workdays(2025)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)

"""Hours per person and calendar year against the category minimum (seed 003), new members'
first year, secretaries' rotation training (seed 004), and the organisation's compliance."""

from __future__ import annotations

from datetime import date

import pytest

from examsvc.extensions import db
from examsvc.services import training
from examsvc.services.errors import NotFound
from examsvc.services.training import report
from tests.training_helpers import person, record, tree


@pytest.fixture
def orgs(app):
    return tree()


@pytest.mark.parametrize(
    ("category", "post", "minimum", "basis"),
    [
        ("community", "", 16, "category"),
        ("community", "支部书记", 24, "leader"),
        ("organ", "", 24, "category"),
        ("organ", "组织委员", 40, "leader"),
        ("soe", "副书记", 40, "leader"),
        ("two_new", "", 16, "category"),
        ("student", "支部书记", 16, "category"),
        ("village_secretary", "", 56, "category"),
        ("village_official", "", 64, "category"),
        (None, "", 0, "none"),
    ],
)
def test_hours_of_a_year_against_the_minimum_of_the_category(orgs, category, post, minimum, basis):
    someone = person(orgs["branch"], category=category, post=post)
    record(someone, date(2025, 3, 2), date(2025, 3, 3), 16)
    record(someone, date(2024, 12, 30), date(2025, 1, 2), 8)  # ends in 2025: counts there
    record(someone, date(2024, 5, 6), date(2024, 5, 6), 4)
    (y2025, y2024) = training.yearly_hours(someone.id, [2025, 2024])
    assert (y2025.year, y2025.trainings, y2025.hours) == (2025, 2, 24.0)
    assert (y2025.minimum, y2025.basis) == (minimum, basis)
    assert y2025.ok == (minimum <= 24)
    assert y2025.shortfall == max(minimum - 24, 0)
    assert (y2024.trainings, y2024.hours, y2024.ok) == (1, 4.0, minimum <= 4)


def test_a_new_member_needs_24_hours_in_the_years_of_the_first_twelve_months(orgs):
    newcomer = person(orgs["branch"], category="community", joined_on=date(2025, 6, 1))
    record(newcomer, date(2025, 9, 1), date(2025, 9, 2), 16)
    record(newcomer, date(2026, 3, 2), date(2026, 3, 3), 16)
    years = {y.year: y for y in training.yearly_hours(newcomer.id, [2025, 2026, 2027])}
    assert (years[2025].minimum, years[2025].basis, years[2025].ok) == (24, "new_member", False)
    assert years[2025].shortfall == 8
    assert (years[2026].minimum, years[2026].basis) == (24, "new_member")
    assert (years[2027].minimum, years[2027].basis, years[2027].hours) == (16, "category", 0)


def test_a_leader_owes_a_rotation_of_three_days_each_calendar_year(orgs):
    secretary = person(orgs["branch"], category="community", post="村党支部书记")
    member = person(orgs["branch"], category="community")
    record(secretary, date(2025, 4, 7), date(2025, 4, 9), 24, kind="rotation")
    record(secretary, date(2026, 4, 7), date(2026, 4, 8), 16, kind="rotation")
    record(secretary, date(2026, 5, 4), date(2026, 5, 8), 40, kind="central")
    by_year = {y.year: y for y in training.yearly_hours(secretary.id, [2025, 2026, 2027])}
    assert by_year[2025].rotation.done and by_year[2025].rotation.days == 3
    assert not by_year[2026].rotation.done and by_year[2026].rotation.days == 2
    assert by_year[2027].rotation.days == 0
    assert training.yearly_hours(member.id, [2025])[0].rotation is None


def test_an_unknown_person_is_not_found(app):
    with pytest.raises(NotFound):
        training.yearly_hours(999, [2025])


def test_records_of_lists_the_latest_training_first(orgs):
    someone = person(orgs["branch"])
    older = record(someone, date(2024, 5, 6), date(2024, 5, 6), 4)
    newer = record(someone, date(2025, 5, 6), date(2025, 5, 7), 8)
    assert [r.id for r in training.records_of(someone.id)] == [newer.id, older.id]


def test_the_organisation_report_covers_its_subtree_by_branch_and_category(orgs):
    met = person(orgs["branch"], "甲", category="community")
    short = person(orgs["street"], "乙", category="organ", post="支部书记")
    newcomer = person(orgs["street2"], "丙", category="community", joined_on=date(2025, 2, 1))
    outside = person(orgs["other"], "丁", category="community")
    disabled = person(orgs["branch"], "戊", category="community")
    disabled.status = "disabled"
    db.session.commit()
    record(met, date(2025, 3, 2), date(2025, 3, 3), 16)
    record(short, date(2025, 3, 2), date(2025, 3, 5), 32, kind="rotation")
    record(newcomer, date(2025, 3, 2), date(2025, 3, 3), 16)
    record(outside, date(2025, 3, 2), date(2025, 3, 3), 16)

    result = training.org_compliance(orgs["root"], 2025)
    rows = {r.name: r for r in result.rows}
    assert set(rows) == {"甲", "乙", "丙"}
    assert rows["甲"].hours.ok and (rows["甲"].hours.minimum, rows["甲"].hours.hours) == (16, 16)
    assert (rows["乙"].hours.minimum, rows["乙"].hours.shortfall) == (40, 8)
    assert rows["乙"].leader and rows["乙"].hours.rotation.done
    assert (rows["丙"].hours.basis, rows["丙"].hours.shortfall) == ("new_member", 8)
    assert [r.name for r in result.below] == ["乙", "丙"]
    assert [(g.label, g.people, g.met) for g in result.by_org] == [
        ("某街道党工委", 2, 1),
        ("另一街道党工委", 1, 0),
    ]
    by_category = {g.key: (g.people, g.met) for g in result.by_category}
    assert by_category == {"community": (2, 1), "organ": (1, 0)}
    assert training.org_compliance(orgs["branch"], 2025).met == 1
    assert training.org_compliance(orgs["root"], 2024).met == 0


def test_the_report_sheet_and_chart(orgs):
    from io import BytesIO

    from openpyxl import load_workbook

    met = person(orgs["branch"], "=甲", category="community")
    person(orgs["street2"], "乙", category="organ")
    record(met, date(2025, 3, 2), date(2025, 3, 3), 16)
    result = training.org_compliance(orgs["root"], 2025)
    sheet = load_workbook(BytesIO(report.report_xlsx(result))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "所属组织", "组织代码", "人员类别")
    assert [r[0] for r in rows[1:]] == ["=甲", "乙"]  # a formula-looking name stays text
    assert rows[1][3] == "农村社区" and rows[1][5:9] == (2025, 1, 16, 16)
    assert rows[1][10:12] == (0, "是")
    below = list(load_workbook(BytesIO(report.report_xlsx(result, below_only=True))).active.values)
    assert [r[0] for r in below[1:]] == ["乙"] and below[1][10] == 24
    svg = report.chart(result, "org")
    assert svg.startswith("<svg") and "1/1 · 100%" in svg and "0/1 · 0%" in svg
    assert "某街道党工委" in svg and "另一街道党工委" in svg
    by_category = report.chart(result, "category")
    assert "农村社区" in by_category and "机关事业单位" in by_category

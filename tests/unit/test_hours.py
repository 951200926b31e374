"""Yearly training-hour minimums (DOMAIN.md, seed 003)."""

from datetime import date

import pytest

from question_bank.hours import MINIMUMS, is_new_member, minimum


@pytest.mark.parametrize(
    ("category", "leader", "hours", "basis"),
    [
        ("community", False, 16, "category"),
        ("community", True, 24, "leader"),
        ("organ", False, 24, "category"),
        ("organ", True, 40, "leader"),
        ("soe", True, 40, "leader"),
        ("two_new", True, 24, "leader"),
        ("student", True, 16, "category"),  # no leader minimum: the member one applies
        ("floating", True, 24, "leader"),
        ("village_secretary", False, 56, "category"),
        ("two_new_secretary", True, 40, "category"),
        ("village_official", False, 64, "category"),
        (None, True, 0, "none"),
    ],
)
def test_minimum_per_category(category, leader, hours, basis):
    got = minimum(category, leader, None, 2026)
    assert (got.hours, got.basis) == (hours, basis)


def test_every_category_has_a_minimum():
    from examsvc.models.people import CATEGORIES

    assert set(CATEGORIES) == set(MINIMUMS)


def test_new_member_needs_24_in_the_years_of_the_first_twelve_months():
    joined = date(2025, 6, 1)
    assert minimum("community", False, joined, 2025).hours == 24
    assert minimum("community", False, joined, 2026).basis == "new_member"
    assert minimum("community", False, joined, 2027).hours == 16
    assert not is_new_member(date(2025, 1, 1), 2026)
    assert is_new_member(date(2025, 1, 2), 2026)
    assert not is_new_member(date(2027, 3, 1), 2026)
    assert is_new_member(date(2024, 2, 29), 2025)  # anniversary 2025-03-01


def test_a_higher_category_minimum_wins_over_the_new_member_one():
    assert minimum("organ", True, date(2026, 3, 1), 2026).hours == 40
    assert minimum("village_official", False, date(2026, 3, 1), 2026).hours == 64

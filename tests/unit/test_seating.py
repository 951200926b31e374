"""Rooms and seats: filled in order, kept seats stay, bad sizes and patterns refused."""

import pytest

from question_bank.seating import SeatingError, assign, check, room_name, rooms_used


def test_candidates_fill_each_room_in_order():
    seats = assign(["a", "b", "c", "d", "e"], 2)
    assert seats == {
        "a": ("第01考场", 1),
        "b": ("第01考场", 2),
        "c": ("第02考场", 1),
        "d": ("第02考场", 2),
        "e": ("第03考场", 1),
    }
    assert rooms_used(seats) == ["第01考场", "第02考场", "第03考场"]


def test_the_pattern_names_rooms_and_a_pattern_without_n_gets_the_number_appended():
    assert room_name("A{n}教室", 3) == "A03教室"
    assert room_name("考场", 12) == "考场12"
    assert assign(["x"], 30, "  ")["x"] == ("第01考场", 1)  # blank: the default pattern


def test_kept_seats_stay_and_newcomers_fill_the_gaps_first():
    kept = {"a": ("第01考场", 1), "c": ("第01考场", 3)}  # "b" was removed from seat 2
    seats = assign(["a", "c", "d", "e"], 3, kept=kept)
    assert seats["a"] == ("第01考场", 1) and seats["c"] == ("第01考场", 3)
    assert seats["d"] == ("第01考场", 2)
    assert seats["e"] == ("第02考场", 1)


def test_kept_seats_of_people_no_longer_listed_are_dropped():
    seats = assign(["b"], 2, kept={"a": ("第01考场", 1)})
    assert seats == {"b": ("第01考场", 1)}


@pytest.mark.parametrize("size", [0, -1, 501])
def test_a_room_size_outside_1_to_500_is_refused(size):
    with pytest.raises(SeatingError) as caught:
        check(size, "第{n}考场")
    assert caught.value.message.code == "bad_room_size"


@pytest.mark.parametrize("pattern", ["{n}{n}", "x" * 41, "第{n}\n考场"])
def test_a_bad_room_pattern_is_refused(pattern):
    with pytest.raises(SeatingError) as caught:
        check(30, pattern)
    assert caught.value.message.code == "bad_room_pattern"

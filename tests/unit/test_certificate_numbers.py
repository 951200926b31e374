"""Certificate numbers: form, check character (the ID-number algorithm), random serials."""

import re

import pytest

from question_bank import certificate_numbers as numbers
from question_bank.checksum import mod11_2

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def weighted_check(digits: str) -> str:
    """GB 11643's weighted sum, generalised: weight 2^(k) mod 11 counting from the right."""
    total = sum(int(d) * pow(2, len(digits) - i, 11) for i, d in enumerate(digits))
    return "10X98765432"[total % 11]


def test_the_weights_are_those_of_id_numbers():
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == ID_WEIGHTS
    assert weighted_check("11010519491231002") == "X"
    assert weighted_check("44052418800101001") == "4"


@pytest.mark.parametrize(
    ("args", "number"),
    [
        (("post_qualification", 0, "0000", 2026, 12345678), "Q0-0000-2026-123456787"),
        (("level", 2, "3301", 2027, 1), "L2-3301-2027-000000010"),
        (("training", 0, "1101", 2026, 99999999), "E0-1101-2026-999999992"),
        (
            ("L", 4, "4405", 2030, 50000000),
            "L4-4405-2030-50000000" + weighted_check("4440520305" + "0000000"),
        ),
    ],
)
def test_vectors(args, number):
    made = numbers.make(*args)
    assert made == number
    digits = "".join(ch for ch in made[:-1] if ch.isdigit())
    assert made[-1] == weighted_check(digits) == mod11_2(digits)
    assert numbers.is_valid(made)


def test_a_changed_digit_or_check_is_invalid():
    good = numbers.make("post_qualification", 0, "0000", 2026, 12345678)
    assert not numbers.is_valid(good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not numbers.is_valid(good.replace("12345678", "12345687"))  # swapped digits
    assert not numbers.is_valid("Q0-0000-2026-000001-7")  # the earlier form: looked up, not made
    assert not numbers.is_valid("Q5-0000-2026-123456787")


@pytest.mark.parametrize(
    "args",
    [("other", 0, "0000", 2026, 1), ("level", 5, "0000", 2026, 1), ("level", 1, "00A0", 2026, 1),
     ("level", 1, "0000", 2026, 0), ("level", 1, "0000", 2026, 10**8)],
)  # fmt: skip
def test_bad_parts_are_refused(args):
    with pytest.raises(ValueError):
        numbers.make(*args)


def test_serials_have_eight_digits_at_most_and_vary():
    serials = [numbers.random_serial() for _ in range(200)]
    assert all(0 < s < 10**8 for s in serials)
    assert len(set(serials)) == len(serials)


def test_numbers_typed_or_scanned_are_normalised():
    assert numbers.normalise(" ｑ０-0000-2026-12345678７ ") == "Q0-0000-2026-123456787"
    assert re.fullmatch(numbers.PATTERN, numbers.normalise("q0-0000-2026-123456787"))

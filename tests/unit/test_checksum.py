from datetime import date

import pytest

from question_bank.checksum import id_number_problem, mod11_2, normalize_id_number


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        "440524188001010014",
        "34052419800101001X",
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_valid_id_numbers(number):
    assert id_number_problem(number) is None


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("340524198001010013", "check character"),
        ("110105491231002", "15-digit"),
        ("99010519491231002X", "province"),
        ("110105194902300021", "real date"),
        ("1101051949123100", "17 digits"),
    ],
)
def test_invalid_id_numbers(number, problem):
    assert problem in id_number_problem(number)


def test_mod11_2_matches_the_id_number_check():
    assert mod11_2("11010519491231002") == "X"
    assert mod11_2("44052418800101001") == "4"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("340524198001010013", "id_check"),  # DOMAIN.md: the check character should be X
        ("110105491231002", "id_15_digits"),
        ("１１０１０５４９１２３１００２", "id_15_digits"),  # full-width 15 digits too
        ("16010519491231002X", "id_region"),  # 16 is no province
        ("00010519491231002X", "id_region"),
        ("110105194902300021", "id_date"),  # 30 February
        ("110105219901010011", "id_date_future"),  # born in 2199
        ("110105187001010012", "id_date_future"),  # before 1880: not a real birth date
        ("1101051949123100", "id_format"),
        ("11010519491231002Y", "id_format"),
        # Other scripts' digits pass str.isdigit() and int(): an ID number is ASCII 0-9 only.
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "id_format"),
        ("", "id_format"),
    ],
)
def test_each_problem_has_its_code(number, code):
    assert id_number_problem(number).code == code


def test_problems_never_repeat_the_number():
    for number in ("340524198001010013", "16010519491231002X", "110105194902300021"):
        assert number not in id_number_problem(number)
        assert number[6:14] not in id_number_problem(number)


def test_normalising_trims_and_makes_half_width_upper_case():
    typed = " \u3000１１０１０５１９４９１２３１００２ｘ\t"
    assert normalize_id_number(typed) == "11010519491231002X"
    assert id_number_problem(" 11010519491231002x ") is None


def test_a_birth_date_today_is_not_in_the_past():
    assert id_number_problem("110105200001010016", today=date(2000, 1, 1)).code == "id_date_future"
    assert id_number_problem("110105200001010016", today=date(2000, 1, 2)) is None

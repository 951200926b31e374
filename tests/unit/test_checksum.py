import pytest

from question_bank.checksum import id_number_problem, mod11_2


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

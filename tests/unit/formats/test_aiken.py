"""Aiken: strict files and the extended dialect some tools write."""

from question_bank import formats
from question_bank.formats import UNSUPPORTED
from tests.unit.formats.conftest import by_where, ours, shared


def test_option_label_styles_lowercase_answer_and_multiple_letters():
    found = by_where(formats.read(ours("quirks-aiken.txt")))
    first = found["line 1"]
    assert (first.type, first.key) == ("single", "A")
    assert first.options == ("党的全国代表大会和它所产生的中央委员会", "国务院", "全国政协")
    second = found["line 7"]
    assert (second.type, second.key) == ("multiple", ("A", "B", "C"))


def test_missing_answer_and_answer_outside_the_options_are_reported():
    found = by_where(formats.read(ours("quirks-aiken.txt")))
    assert found["line 14"].message == "no ANSWER line"
    assert "the answer E is not among the options" in found["line 18"].message


def test_extended_dialect_is_read_where_it_can_be_and_reported_where_not():
    result = formats.read(shared("aiken-extended-dialect.txt"))
    assert result.format == "aiken"
    found = by_where(result)
    assert found["line 41"].key == ("C", "D")
    assert found["line 41"].explanation == "Duh!"
    assert (found["line 61"].type, found["line 61"].key) == ("judge", True)
    assert found["line 57"].key == (("4", "four"),)
    assert found["line 129"].key == "D"  # options numbered 1–4, "Answer: 4"
    assert found["line 9"].category == "CORE/Por defecto en CORE/Examen/MVC/Pruebas"
    assert sum(p.kind == UNSUPPORTED for p in result.problems) == 6
    assert "numbered but the answer is 'A'" in found["line 120"].message
    assert found["line 104"].message == "no ANSWER line"

"""Moodle XML: our quirk file and a real mixed export."""

from question_bank import formats
from question_bank.formats import ERROR, UNSUPPORTED
from tests.unit.formats.conftest import by_where, ours, shared


def test_html_stem_labels_feedback_tags_and_category_are_read():
    result = formats.read(ours("moodle-quirks.xml"))
    item = by_where(result)["question 2 «HTML stem, labels left in options»"]
    assert item.type == "single"
    assert item.stem == "党员有权在党的会议上参加讨论&表决。\n以下说法正确的是（ ）"
    assert item.options == ("有表决权", "无表决权", "只有发言权")
    assert item.key == "A"
    assert item.explanation == "见党章第四条。"
    assert (item.difficulty, item.points) == (4, 2.0)
    assert (item.area, item.point) == ("constitution", "党员权利")


def test_bad_questions_are_reported_with_their_position():
    problems = {p.where.split(" «")[0]: p for p in formats.read(ours("moodle-quirks.xml")).problems}
    assert "2 answers are marked fully correct" in problems["question 3"].message
    assert "option C repeats option A" in problems["question 4"].message
    assert "an answer marked correct is empty" in problems["question 5"].message
    assert (
        problems["question 8"].kind == UNSUPPORTED and "matching" in problems["question 8"].message
    )
    assert problems["question 9"].kind == UNSUPPORTED and "ddwtos" in problems["question 9"].message
    assert all(problems[f"question {n}"].kind == ERROR for n in (3, 4, 5))


def test_shortanswer_becomes_fill_with_the_fully_right_answers_only():
    item = by_where(formats.read(ours("moodle-quirks.xml")))["question 7 «fill with a blank»"]
    assert item.type == "fill"
    assert item.key == (("代表大会", "全国代表大会"),)


def test_malformed_xml_is_rejected_with_its_line():
    result = formats.read(ours("moodle-malformed.xml"))
    assert result.unreadable and result.items == []
    assert result.problems[0].where == "line 4"
    assert "malformed XML" in result.problems[0].message


def test_entity_declarations_and_external_entities_are_refused():
    for name in ("moodle-entities.xml", "moodle-external-entity.xml"):
        result = formats.read(ours(name))
        assert result.unreadable and result.items == []
        assert "entity" in result.problems[0].message


def test_real_mixed_export_keeps_what_we_can_hold_and_names_the_rest():
    result = formats.read(shared("moodle-mixed-sample.xml"))
    assert result.format == "moodle-xml"
    types = [item.type for item in result.items]
    assert types == ["judge"] * 3 + ["single"] * 3 + ["multiple"] * 3 + ["fill"] * 3
    judge = result.items[0]
    assert judge.stem.startswith("Si un coche")  # the soft hyphen in front is gone
    unsupported = sorted(p.message for p in result.problems if p.kind == UNSUPPORTED)
    assert len(unsupported) == 7
    assert any("cloze (MULTICHOICE)" in m for m in unsupported)
    errors = {p.where.split(" «")[0]: p.message for p in result.errors}
    assert errors["question 24"] == "the question has no type"
    assert "the stem is empty" in errors["question 18"]


def test_multichoice_without_single_and_two_right_answers_is_a_multiple_choice():
    result = formats.read(shared("moodle-mixed-sample.xml"))
    item = next(i for i in result.items if i.stem == "La velocidad media de un cuerpo...")
    assert item.type == "multiple" and item.key == ("B", "C")

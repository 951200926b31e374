"""QTI 2.1 and 3.0 items, content packages and unsafe zips."""

from question_bank import formats
from question_bank.formats import UNSUPPORTED
from question_bank.formats.safety import MAX_ZIP_ENTRIES
from tests.unit.formats.conftest import by_where, ours, qti_package, zip_of


def test_qti21_multiple_choice_with_prompt_and_feedback():
    (item,) = formats.read(ours("qti21-choice.xml")).items
    assert item.type == "multiple" and item.key == ("A", "B")
    assert item.options == ("支部党员大会", "支部委员会", "职工代表大会")
    assert item.stem == "“三会一课”中的“三会” 包括哪些？\n请选择所有正确的选项。"
    assert item.explanation.startswith("三会：")


def test_qti30_text_entries_become_blanks_with_mapped_alternatives():
    (item,) = formats.read(ours("qti30-text-entry.xml")).items
    assert item.type == "fill"
    assert item.stem == "____是国家的根本制度，____是根本政治制度。"
    assert item.key == (("社会主义制度",), ("人民代表大会制度", "人大制度"))


def test_other_interactions_are_skipped_with_a_warning():
    result = formats.read(ours("qti21-match.xml"))
    assert result.items == []
    assert (
        result.problems[0].kind == UNSUPPORTED and "matchInteraction" in result.problems[0].message
    )


def test_package_reads_manifest_metadata_judge_and_rubric():
    found = by_where(formats.read(qti_package()))
    judge = found["item judge1 (items/judge.xml)"]
    assert (judge.type, judge.key, judge.difficulty) == ("judge", False, 2)
    assert (judge.area, judge.point) == ("discipline", "八项规定")
    essay = found["item essay1 (items/essay.xml)"]
    assert essay.type == "short" and essay.rubric == (("说明民主集中制", 4.0), ("说明程序", 6.0))
    assert found["item order1 (items/order.xml)"].kind == UNSUPPORTED
    assert "missing from the package" in found["items/missing.xml"].message
    assert "malformed XML" in found["items/broken.xml: line 4"].message


def test_zip_with_path_traversal_is_refused():
    result = formats.read(zip_of({"imsmanifest.xml": "<manifest/>", "../evil.xml": "<x/>"}))
    assert result.unreadable and "unsafe path" in result.problems[0].message


def test_zip_with_too_many_entries_is_refused():
    files = {f"items/{n}.xml": "<x/>" for n in range(MAX_ZIP_ENTRIES + 1)}
    result = formats.read(zip_of(files), fmt="qti")
    assert result.unreadable and "entries" in result.problems[0].message


def test_zip_that_unpacks_too_large_is_refused(monkeypatch):
    monkeypatch.setattr("question_bank.formats.safety.MAX_ZIP_BYTES", 1000)
    result = formats.read(zip_of({"items/a.xml": "<x>" + "0" * 5000 + "</x>"}), fmt="qti")
    assert result.unreadable and "unpacks to more than" in result.problems[0].message

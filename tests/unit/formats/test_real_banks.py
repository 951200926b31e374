"""GIFT, Moodle XML and QTI as tools really write them (our own small files of their habits)."""

from question_bank import formats
from question_bank.formats import UNSUPPORTED
from tests.unit.formats.conftest import OURS, by_where, ours, zip_of


def test_gift_as_moodle_exports_it_crlf_html_escaped_and_weighted():
    found = by_where(formats.read(ours("quirks-moodle-export.gift"), filename="bank.gift"))
    single = found["line 6 «最高领导机关»"]  # =%100% on the right answer, %0% on the others
    assert (single.type, single.key, single.stem) == ("single", "B", "党的最高领导机关是（ ）。")
    assert single.area == "constitution"  # "$course$/top/默认/党章党规"
    multiple = found["line 14 «三会一课»"]  # 33.33333% shares and a -100% distractor
    assert (multiple.type, multiple.key) == ("multiple", ("A", "B", "C"))
    assert found["line 23 «党费»"].key is True  # TRUE#right feedback#wrong feedback
    assert found["line 27 «预备期»"].key == (("一年", "12个月", "1年"),)
    assert "reference answer" in found["line 31 «简述»"].message  # an empty essay block


def test_moodle_xml_questions_with_images_are_left_out_with_a_warning():
    result = formats.read(ours("quirks-moodle-images.xml"))
    (problem,) = result.problems
    assert problem.where == "question 2 «会址»" and problem.kind == UNSUPPORTED
    assert problem.message.code == "images_skipped"
    (item,) = result.items
    assert (item.type, item.key, item.area) == ("judge", True, "history")


def test_qti_package_with_percent_encoded_hrefs_and_an_image_item():
    folder = OURS / "qti-quirks-package"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.xml")}
    result = formats.read(zip_of(files))
    (item,) = result.items
    assert (item.where, item.key) == ("item encoded (items/单选.xml)", "B")
    (problem,) = result.problems
    assert problem.kind == UNSUPPORTED and problem.message.code == "images_skipped"


def test_moodle_xml_declared_gbk_is_read():
    result = formats.read(ours("quirks-moodle-gbk.xml"), filename="bank.xml")
    assert result.format == "moodle-xml" and result.problems == []
    assert [(i.type, i.key, i.area) for i in result.items] == [
        ("judge", True, "constitution"), ("single", "B", "constitution"),
    ]  # fmt: skip
    assert result.items[1].options[1] == "民主集中制"

from question_bank.dedup import DedupIndex, comparable_text, fingerprint, jaccard, shingle_set
from question_bank.model import exam_mask, exams_of_mask

STEM = "根据党章规定，党的最高领导机关是（  ）。"
OPTIONS = ["党的全国代表大会和它所产生的中央委员会", "国务院", "全国政协", "中央军事委员会"]


def similarity(a: str, b: str) -> float:
    return jaccard(shingle_set(a), shingle_set(b))


def test_option_order_width_and_punctuation_do_not_matter():
    base = comparable_text(STEM, OPTIONS)
    assert comparable_text(STEM, list(reversed(OPTIONS))) == base
    assert comparable_text("根据党章规定,党的最高领导机关是(\u3000)。 ", OPTIONS) == base
    assert fingerprint(base) == fingerprint(comparable_text(STEM.replace("，", ","), OPTIONS))


def test_a_few_edited_characters_stay_similar_and_other_questions_do_not():
    base = comparable_text(STEM, OPTIONS)
    edited = comparable_text(STEM.replace("最高领导", "最高权力"), OPTIONS)
    other = comparable_text("预备党员的预备期为（  ）。", ["半年", "一年", "两年", "三年"])
    assert 0.6 <= similarity(base, edited) < 1.0
    assert similarity(base, other) < 0.1


def test_index_finds_near_duplicates_with_exact_scores():
    index = DedupIndex()
    index.add(1, comparable_text(STEM, OPTIONS))
    index.add(2, comparable_text("预备党员的预备期为（  ）。", ["半年", "一年", "两年", "三年"]))
    matches = index.query(comparable_text(STEM.replace("最高领导", "最高权力"), OPTIONS[::-1]))
    assert [m.question_id for m in matches] == [1]
    assert 0.6 <= matches[0].score < 1.0
    assert index.query(comparable_text("党费的收缴标准是什么？", ["甲", "乙", "丙"])) == []


def test_exam_mask_round_trip():
    assert exams_of_mask(exam_mask(frozenset({"training", "L3"}))) == {"training", "L3"}
    assert exam_mask(frozenset()) == 0

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


def test_a_batch_look_up_reads_a_few_newest_entries_of_each_crowded_bucket(monkeypatch):
    """In a file of look-alikes every bucket is crowded: a capped look-up still finds the
    newest look-alike and scores only BATCH_CANDIDATES of them, however many there are."""
    from question_bank import dedup

    index = DedupIndex()
    texts = [comparable_text(f"{STEM}第{n}题", OPTIONS) for n in range(400)]
    for n, text in enumerate(texts):
        index.add(n, text)
    scored: list[int] = []
    real_rank = dedup.rank

    def counting_rank(target, candidates, threshold, limit):
        candidates = list(candidates)
        scored.append(len(candidates))
        return real_rank(target, candidates, threshold, limit)

    monkeypatch.setattr(dedup, "rank", counting_rank)
    probe = comparable_text(f"{STEM}第399题（修订）", OPTIONS)
    sh = dedup.shingles(probe)
    capped = index.query_signed(
        frozenset(sh.tolist()), dedup.band_keys(dedup.minhash(sh)), limit=3,
        candidates=dedup.BATCH_CANDIDATES, per_bucket=dedup.BATCH_PER_BUCKET,
    )  # fmt: skip
    assert 399 in [m.question_id for m in capped] and scored == [dedup.BATCH_CANDIDATES]
    index.query(probe)
    assert scored[-1] == dedup.MAX_CANDIDATES  # the uncapped look-up scores many more

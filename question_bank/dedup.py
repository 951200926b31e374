"""Near-duplicate detection for Chinese questions: MinHash over character bigrams, LSH bands.

A question's comparable text is its stem plus its options in sorted order (reordering the
options changes nothing), folded by NFKC and case, with punctuation and spaces removed
(width and punctuation changes change nothing). Character bigrams suit Chinese, which has
no spaces between words. 64 MinHash values in 16 bands of 4 find pairs whose bigram
Jaccard similarity is above about 0.5 with high probability; every candidate is then
scored by its exact Jaccard similarity, so the score shown is exact, not estimated.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
#: Pairs at or above this similarity are near-duplicates.
NEAR_DUPLICATE = 0.6
#: At most this many LSH candidates are scored exactly per look-up.
MAX_CANDIDATES = 50
#: A batch pass (an import checking each row against the rows before it) reads at most
#: this many of a band bucket's newest entries and scores at most BATCH_CANDIDATES: in a
#: file of look-alikes one bucket holds thousands, and reading them all is quadratic.
BATCH_PER_BUCKET = 8
BATCH_CANDIDATES = 10
_PRIME = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)
_rng = np.random.default_rng(20261121)  # fixed: signatures must agree across processes
_A = _rng.integers(1, 1 << 31, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, size=NUM_PERM, dtype=np.uint64)
_BAND_WEIGHTS = np.array([1, 1_000_003, 998_244_353, 1_000_000_007], dtype=np.uint64)


def comparable_text(stem: str, options: Sequence[str] = ()) -> str:
    """The text two questions are compared on: order, width, case and punctuation folded."""
    parts = [_fold(stem)] + sorted(_fold(o) for o in options)
    return "|".join(parts)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def fingerprint(text: str) -> str:
    """Exact-duplicate key of a comparable text."""
    return hashlib.sha256(text.encode()).hexdigest()


def shingles(text: str) -> np.ndarray:
    """Sorted unique hashes of the text's character bigrams (single characters if shorter)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size < 2:
        return np.unique(codes)
    return np.unique((codes[:-1] * np.uint64(2_654_435_761) + codes[1:]) & _MASK32)


def minhash(shingle_hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (NUM_PERM values) of a shingle set."""
    if shingle_hashes.size == 0:
        return np.zeros(NUM_PERM, dtype=np.uint64)
    values = (np.outer(shingle_hashes, _A) + _B) % _PRIME
    return values.min(axis=0)


def band_keys(signature: np.ndarray) -> list[int]:
    """One integer per LSH band (below 2**62, so a database BIGINT holds it)."""
    rows = (signature.reshape(BANDS, ROWS) & _MASK32) * _BAND_WEIGHTS
    return [int(v) & ((1 << 62) - 1) for v in rows.sum(axis=1)]


def shingle_set(text: str) -> frozenset[int]:
    """The text's bigram hashes as a set: what exact similarity is computed on."""
    return frozenset(shingles(text).tolist())


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    if not a and not b:
        return 1.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@dataclass(frozen=True)
class Match:
    question_id: int
    score: float


class DedupIndex:
    """In-memory LSH index of comparable texts; the service keeps the bands in the database."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
        self._shingles: dict[int, frozenset[int]] = {}

    def __len__(self) -> int:
        return len(self._shingles)

    def add(self, question_id: int, text: str) -> None:
        sh = shingles(text)
        self.add_signed(question_id, frozenset(sh.tolist()), band_keys(minhash(sh)))

    def add_signed(self, question_id: int, shingle_hashes: frozenset[int], keys: list[int]) -> None:
        """Add a question whose shingle set and band keys are already known."""
        self._shingles[question_id] = shingle_hashes
        for band, key in enumerate(keys):
            self._buckets[(band, key)].append(question_id)

    def add_many(self, items: Iterable[tuple[int, str]]) -> None:
        for question_id, text in items:
            self.add(question_id, text)

    def query(self, text: str, threshold: float = NEAR_DUPLICATE, limit: int = 10) -> list[Match]:
        """Indexed questions at least ``threshold`` similar to ``text``, most similar first."""
        sh = shingles(text)
        return self.query_signed(frozenset(sh.tolist()), band_keys(minhash(sh)), threshold, limit)

    def query_signed(
        self,
        shingle_hashes: frozenset[int],
        keys: list[int],
        threshold: float = NEAR_DUPLICATE,
        limit: int = 10,
        candidates: int = MAX_CANDIDATES,
        per_bucket: int | None = None,
    ) -> list[Match]:
        """query() for a text whose shingle set and band keys are already known.

        With ``per_bucket``, reads at most that many of each bucket's newest entries: then a
        look-up costs the same however alike the index is.
        """
        hits: Counter[int] = Counter()
        for band, key in enumerate(keys):
            bucket = self._buckets.get((band, key))
            if bucket:
                hits.update(bucket[-per_bucket:] if per_bucket else bucket)
        # The more bands two texts share, the likelier they are alike: in a bank full of
        # look-alikes only the best-placed candidates are scored exactly.
        best = [qid for qid, _ in hits.most_common(candidates)]
        return rank(shingle_hashes, ((qid, self._shingles[qid]) for qid in best), threshold, limit)


def rank(
    target: frozenset[int],
    candidates: Iterable[tuple[int, frozenset[int]]],
    threshold: float,
    limit: int,
) -> list[Match]:
    """Score candidates by exact Jaccard similarity and keep the best above the threshold."""
    scored = [Match(qid, round(jaccard(target, sh), 3)) for qid, sh in candidates]
    kept = [m for m in scored if m.score >= threshold]
    kept.sort(key=lambda m: (-m.score, m.question_id))
    return kept[:limit]

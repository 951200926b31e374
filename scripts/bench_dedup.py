#!/usr/bin/env python3
"""Near-duplicate detection at bank scale: build time, lookup latency, recall and precision.

Builds a bank of synthetic Chinese questions (shared stem templates, so unrelated questions
overlap as real ones do), plants near-duplicates (reordered options, punctuation and width
changes, a few characters edited) and looks each one up; fresh unrelated questions are
looked up too, and any match they return counts against precision.

    scripts/bench_dedup.py --json [--bank 50000] [--planted 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from question_bank.dedup import DedupIndex, comparable_text  # noqa: E402

TEMPLATES = [
    "根据《中国共产党章程》，{x}的规定是（  ）。",
    "下列关于{x}的说法，正确的是（  ）。",
    "党支部在{x}工作中应当（  ）。",
    "按照有关规定，{x}由（  ）负责。",
    "{x}的主要任务包括（  ）。",
    "在{x}过程中，下列做法错误的是（  ）。",
    "关于{x}，以下表述不准确的是（  ）。",
    "{x}一般每（  ）召开一次。",
]


def make_pool(rng: np.random.Generator, size: int = 1500) -> np.ndarray:
    return rng.choice(np.arange(0x4E00, 0x9FA5), size=size, replace=False)


def phrase(rng, pool, low, high) -> str:
    return "".join(chr(int(c)) for c in rng.choice(pool, size=int(rng.integers(low, high))))


def make_question(rng, pool) -> tuple[str, list[str]]:
    stem = TEMPLATES[int(rng.integers(len(TEMPLATES)))].format(x=phrase(rng, pool, 8, 20))
    return stem, [phrase(rng, pool, 3, 12) for _ in range(4)]


def variant(rng, pool, stem: str, options: list[str], kind: int) -> tuple[str, list[str]]:
    options = list(options)
    if kind in (0, 3):
        rng.shuffle(options)
    if kind in (1, 3):
        stem = stem.replace("，", ", ").replace("（  ）", "(\u3000)").replace("。", ".") + " "
        options = [f"\u00a0{o}" for o in options]
    if kind in (2, 3):
        chars = list(stem)
        for _ in range(int(rng.integers(1, 4))):
            chars[int(rng.integers(len(chars)))] = chr(int(rng.choice(pool)))
        stem = "".join(chars)
    return stem, options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", type=int, default=50_000)
    parser.add_argument("--planted", type=int, default=1_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    pool = make_pool(rng)
    bank = [make_question(rng, pool) for _ in range(args.bank)]

    start = time.perf_counter()
    index = DedupIndex()
    index.add_many((i, comparable_text(stem, opts)) for i, (stem, opts) in enumerate(bank))
    build_s = time.perf_counter() - start

    originals = rng.choice(args.bank, size=args.planted, replace=False)
    queries = [
        (int(i), variant(rng, pool, *bank[int(i)], kind=n % 4)) for n, i in enumerate(originals)
    ]
    queries += [(None, make_question(rng, pool)) for _ in range(args.planted)]
    latencies, found, true_pos, false_pos = [], 0, 0, 0
    for original, (stem, opts) in queries:
        t0 = time.perf_counter()
        matches = index.query(comparable_text(stem, opts))
        latencies.append((time.perf_counter() - t0) * 1000)
        hits = {m.question_id for m in matches}
        if original is not None and original in hits:
            found += 1
            true_pos += 1
        false_pos += len(hits - {original})
    report = {
        "bank": args.bank,
        "planted": args.planted,
        "lookup_ms_p50": round(float(np.percentile(latencies, 50)), 3),
        "lookup_ms_p99": round(float(np.percentile(latencies, 99)), 3),
        "recall": round(found / args.planted, 4),
        "precision": round(true_pos / max(1, true_pos + false_pos), 4),
        "index_build_s": round(build_s, 2),
    }
    print(json.dumps(report) if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))


if __name__ == "__main__":
    main()

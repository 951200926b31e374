"""Benchmark sitting assembly on generated banks, beside naive per-cell random draws.

Two scenarios on a 100-item, 100-point blueprint (4 areas × 3 types × 3 difficulty bands,
bank cells in proportion to the blueprint's): "scale" (10,000 candidates, 20,000 items),
which also times writing every paper's items into a fresh SQLite file and a fresh
PostgreSQL database, and "tight" (2,000 candidates, 1,000 items, exposure cap 12.5%).

    .venv/bin/python scripts/bench_assembly.py --json [--pg-url postgresql://…/test]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from question_bank.assembly import (  # noqa: E402
    DIFFICULTY_FACILITY,
    BankItem,
    BlueprintRow,
    PaperSlot,
    SittingAssembly,
    assemble_sitting,
    facility_of,
    naive_draw,
    paper_seed,
)
from question_bank.model import QuestionType  # noqa: E402

AREAS = ("theory", "constitution", "history", "practice")
TYPES = ((QuestionType.SINGLE, 0.5), (QuestionType.MULTIPLE, 0.3), (QuestionType.JUDGE, 0.2))
BANDS = (((1, 2), 0.3), ((3, 3), 0.4), ((4, 5), 0.3))
OPTIONS = {QuestionType.SINGLE: 4, QuestionType.MULTIPLE: 5, QuestionType.JUDGE: 2}
PG_ADMIN_URL = os.environ.get("EXAMSVC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SITTING_SEED = 20261121
COLUMNS = ("paper_id", "position", "question_id", "question_version", "points", "option_order")
Papers = list[list[PaperSlot]]


def blueprint(items: int = 100) -> list[BlueprintRow]:
    """One row per area × type × band, counts in proportion (largest remainder), 1 point each."""
    cells = [(a, t, b, wt * wb / len(AREAS)) for a in AREAS for t, wt in TYPES for b, wb in BANDS]
    raw = np.array([w * items for *_, w in cells])
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw, kind="stable")[: items - counts.sum()]] += 1
    return [
        BlueprintRow(a, t, int(c), 1.0, b) for (a, t, b, _), c in zip(cells, counts, strict=True)
    ]


def generate_bank(rows: Sequence[BlueprintRow], size: int, seed: int) -> list[BankItem]:
    """Items in proportion to the rows: 70% measured facility, 10% in near-duplicate pairs."""
    rng = np.random.default_rng(seed)
    per_item = size / sum(r.count for r in rows)
    items: list[BankItem] = []
    for row in rows:
        low, high = row.difficulty or (1, 5)
        for k in range(round(row.count * per_item)):
            rating = int(rng.integers(low, high + 1))
            noisy = float(np.clip(DIFFICULTY_FACILITY[rating] + rng.normal(0, 0.08), 0.05, 0.98))
            items.append(
                BankItem(
                    len(items) + 1,
                    1,
                    row.area or AREAS[0],
                    row.type,
                    OPTIONS[row.type],
                    difficulty=rating,
                    facility=noisy if rng.random() < 0.7 else None,
                    prior_exposure=int(rng.integers(0, 500)),
                    enemy_group=len(items) // 2 if k % 20 in (0, 1) else None,
                )
            )
    return items


def blueprint_ok(papers: Papers, rows: Sequence[BlueprintRow], by_id: dict) -> float:
    """Share of papers whose sections hold exactly the rows' counts of fitting, distinct items."""
    width = sum(r.count for r in rows)
    good = 0
    for paper in papers:
        ok = len(paper) == width and len({s.question_id for s in paper}) == width
        at = 0
        for row in rows:
            band = row.difficulty or (1, 5)
            for slot in paper[at : at + row.count] if ok else ():
                item = by_id[slot.question_id]
                ok &= item.type == row.type and row.area in (None, item.area)
                ok &= band[0] <= item.difficulty <= band[1] and slot.points == row.points
            at += row.count
        good += ok
    return good / len(papers)


def figures(papers: Papers, rows: Sequence[BlueprintRow], bank: list[BankItem]) -> dict:
    """Spread of expected scores, max exposure and blueprint share, counted from the papers."""
    by_id = {i.id: i for i in bank}
    facility = {i.id: facility_of(i) for i in bank}
    scores = [sum(s.points * facility[s.question_id] for s in p) for p in papers]
    uses = Counter(s.question_id for p in papers for s in p)
    return {
        "score_spread": round(max(scores) - min(scores), 4),
        "max_exposure": round(max(uses.values()) / len(papers), 4),
        "blueprint_ok": blueprint_ok(papers, rows, by_id),
    }


class Run(NamedTuple):
    """One scenario: figures of the assembly and of the naive draw, and what was assembled."""

    figures: dict
    naive: dict
    seconds: float
    rows: list[BlueprintRow]
    bank: list[BankItem]
    result: SittingAssembly


def scenario(n: int, size: int, cap: float, seed: int) -> Run:
    """Assemble a sitting (timed) and a naive draw from one generated bank."""
    rows = blueprint()
    bank = generate_bank(rows, size, seed)
    started = time.perf_counter()
    result = assemble_sitting(rows, bank, SITTING_SEED, n, exposure_cap=cap)
    seconds = time.perf_counter() - started
    naive = naive_draw(rows, bank, SITTING_SEED, n)
    measured = figures(result.papers, rows, bank)
    return Run(measured, figures(naive.papers, rows, bank), seconds, rows, bank, result)


def persist(url: str, instance: str, rows, bank, result) -> float:
    """Build the schema, insert the parent rows, time writing every paper's items."""
    from examsvc import create_app
    from examsvc.extensions import db

    config = {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url}
    app = create_app(config | {"INSTANCE_PATH": instance})
    with app.app_context():
        db.create_all()
        try:
            tables = db.metadata.tables
            with db.engine.begin() as conn:
                paper_ids = _parents(conn, tables, rows, bank, result)
            started = time.perf_counter()
            with db.engine.begin() as conn:
                _write_items(conn, tables["paper_items"], paper_ids, result.papers)
            return time.perf_counter() - started
        finally:
            db.engine.dispose()


def _parents(conn, tables, rows, bank, result) -> list[int]:
    """Insert the parents of the papers' items; return the papers' ids in paper order."""
    n = len(result.papers)
    for name, values in _parent_rows(rows, bank, n, result.bank_hash).items():
        conn.execute(tables[name].insert(), values)
    return list(range(1, n + 1))


def _parent_rows(rows, bank, n: int, bank_hash: str) -> dict[str, list[dict]]:
    """One admin, the bank's questions, a blueprint, a sitting, its candidates and papers."""
    now = datetime.now(UTC)
    users = [{"id": 1 + k, "email": f"u{k}@bench", "name": f"u{k}"} for k in range(n + 1)]
    blueprint = {"id": 1, "name": "bench", "exam_kind": "training", "created_by_id": 1}
    sitting = {"id": 1, "name": "bench", "blueprint_id": 1, "seed": SITTING_SEED}
    sitting |= {"opens_at": now, "closes_at": now + timedelta(hours=2), "created_by_id": 1}
    return {
        "users": [u | {"password_hash": "-"} for u in users],
        "questions": [_question(i) for i in bank],
        "blueprints": [blueprint | {"duration_minutes": 90, "pass_mark": 60}],
        "blueprint_rows": [
            {"blueprint_id": 1, "position": k, "area": r.area, "type": r.type.value}
            | {"count": r.count, "points": r.points}
            for k, r in enumerate(rows)
        ],
        "sittings": [sitting],
        "enrolments": [
            {"id": k, "sitting_id": 1, "user_id": 1 + k, "admission_no": f"B{k:06d}"}
            for k in range(1, n + 1)
        ],
        "papers": [
            {"id": k, "enrolment_id": k, "seed": paper_seed(SITTING_SEED, 1 + k)}
            | {"bank_hash": bank_hash}
            for k in range(1, n + 1)
        ],
    }


def _question(item: BankItem) -> dict:
    options = [f"option {k}" for k in range(item.option_count)]
    return {
        "id": item.id,
        "type": item.type.value,
        "area": item.area,
        "difficulty": item.difficulty,
        "stem": f"question {item.id}",
        "options": options,
        "key": "A" if item.type is QuestionType.SINGLE else ["A", "B"],
        "channel": "public",
        "status": "approved",
        "version": item.version,
        "contributor_id": 1,
    }


def _write_items(conn, table, paper_ids: list[int], papers: Papers) -> None:
    """executemany on SQLite; COPY through the raw psycopg connection on PostgreSQL."""
    rows = [
        (pid, k, s.question_id, s.version, s.points, json.dumps(s.option_order))
        for pid, paper in zip(paper_ids, papers, strict=True)
        for k, s in enumerate(paper)
    ]
    columns = ", ".join(COLUMNS)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    # The driver's executemany with the JSON already encoded: SQLAlchemy's per-row type
    # processing would otherwise be most of the time.
    marks = ", ".join("?" * len(COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", rows)


def persist_postgres(admin_url: str, instance: str, rows, bank, result) -> float | None:
    """Time the write in a PostgreSQL database of its own, dropped at the end."""
    import psycopg

    name = f"examsvc_bench_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unreachable at {admin_url}: {exc}", file=sys.stderr)
        return None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        try:
            return persist(f"{base}/{name}", instance, rows, bank, result)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    """Run both scenarios and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="PostgreSQL admin connection")
    args = parser.parse_args()
    scale = scenario(10_000, 20_000, 0.2, seed=1)
    stored = (scale.rows, scale.bank, scale.result)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_s = persist(f"sqlite:///{tmp}/bench.db", tmp, *stored)
        postgres_s = persist_postgres(args.pg_url, tmp, *stored)
    tight = scenario(2_000, 1_000, 0.125, seed=2)
    out = {
        "candidates": len(scale.result.papers),
        "items_per_paper": sum(r.count for r in scale.rows),
        "bank": len(scale.bank),
        "assemble_s": round(scale.seconds, 3),
        "persist_s_sqlite": round(sqlite_s, 3),
        "persist_s_postgres": None if postgres_s is None else round(postgres_s, 3),
        **scale.figures,
        **{f"tight_{k}": v for k, v in tight.figures.items()},
        **{f"naive_{k}": v for k, v in scale.naive.items()},
        **{f"tight_naive_{k}": v for k, v in tight.naive.items()},
    }
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:26} {value}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Bulk scoring and item statistics speed on PostgreSQL.

Creates its own database, a bank of 100 approved items (60 single, 20 multiple, 20 true/false
choice), and two closed sittings of one shared paper (options shuffled per candidate): one of
100,000 handed-in answer sheets, one of 10,000 (1,000,000 responses), answers drawn from an
ability model and written with COPY (not timed). Then it times

- ``score_s``: examsvc.services.scoring.score_sitting on the big sitting: reading the
  answers, scoring every sheet with question_bank.sheet_scoring and storing each attempt's
  total, pass and per-area scores, in batches;
- ``stats_s``: examsvc.services.item_stats.compute on the small one: reading its 1,000,000
  responses from the database, scoring and item statistics (Moodle's definitions);

and drops the database. Prints {"sheets", "items", "score_s", "responses", "stats_s"};
the targets are 60 s and 5 s.

    scripts/bench_scoring.py --json [--sheets 100000] [--stats-sheets 10000]
        [--postgres postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import fresh_database  # noqa: E402

from examsvc import create_app  # noqa: E402
from examsvc.extensions import db  # noqa: E402
from examsvc.models import (  # noqa: E402
    Attempt,
    Blueprint,
    Question,
    QuestionVersion,
    Role,
    Sitting,
    utcnow,
)
from examsvc.services import accounts, item_stats, scoring  # noqa: E402
from question_bank.model import AREAS, OPTION_LABELS  # noqa: E402

ITEMS = (("single", 60, 1.0), ("multiple", 20, 1.0), ("judge", 20, 1.0))
CHUNK = 5000
PERMUTATIONS = np.array([np.random.default_rng(i).permutation(4) for i in range(24)])


def _bank(admin_id: int) -> list[tuple[int, str, object]]:
    """100 approved items written directly: (id, type, key as original option indexes)."""
    rng = np.random.default_rng(7)
    out = []
    n = 0
    for qtype, count, _points in ITEMS:
        for _ in range(count):
            n += 1
            if qtype == "single":
                key: object = OPTION_LABELS[int(rng.integers(4))]
            elif qtype == "multiple":
                key = sorted(OPTION_LABELS[i] for i in rng.choice(4, size=2, replace=False))
            else:
                key = bool(rng.integers(2))
            content = {
                "type": qtype,
                "area": AREAS[n % len(AREAS)],
                "stem": f"基准题{n}（  ）。",
                "options": [f"选项{n}-{i}" for i in range(4)] if qtype != "judge" else [],
                "key": key,
                "difficulty": 1 + n % 5,
                "rubric": [],
            }
            question = Question(
                **content, channel="public", status="approved", contributor_id=admin_id
            )
            db.session.add(question)
            db.session.flush()
            db.session.add(
                QuestionVersion(
                    **content, question_id=question.id, version=1, created_by_id=admin_id
                )
            )
            out.append((question.id, qtype, key))
    db.session.commit()
    return out


def _sitting(admin_id: int, name: str) -> int:
    blueprint = db.session.scalar(db.select(Blueprint))
    if blueprint is None:
        blueprint = Blueprint(
            name="基准",
            exam_kind="training",
            duration_minutes=60,
            pass_mark=60,
            created_by_id=admin_id,
            paper_mode="shared",
        )
    now = utcnow()
    sitting = Sitting(
        name=name,
        blueprint=blueprint,
        opens_at=now - timedelta(days=1),
        closes_at=now - timedelta(hours=20),
        seed=1,
        created_by_id=admin_id,
    )
    db.session.add(sitting)
    db.session.commit()
    return sitting.id


def _copy(cursor, table: str, columns: str, lines: list[str]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write("".join(lines))


def _fill(sitting_id: int, sheets: int, bank: list, start: dict, rng) -> None:
    """Candidates, enrolments, papers, items, handed-in attempts and answers, by COPY (foreign
    keys not checked row by row: the rows are made consistent here)."""
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("SET session_replication_role = replica")
    now = utcnow().isoformat()
    n_items = len(bank)
    difficulty = rng.normal(-0.8, 1.0, size=n_items)
    table = _responses(bank)  # [item][permutation][outcome] → JSON text
    orders = [json.dumps([int(o) for o in perm]) for perm in PERMUTATIONS]
    judge = np.array([qtype == "judge" for _qid, qtype, _key in bank])
    for first in range(0, sheets, CHUNK):
        size = min(CHUNK, sheets - first)
        uid = start["user"] + first + np.arange(size)
        _copy(
            cursor,
            "users",
            "id, email, name, password_hash, created_at",
            [f"{u}\tb{u}@bench.example\t考生{u}\t!\t{now}\n" for u in uid],
        )
        _copy(
            cursor,
            "enrolments",
            "id, sitting_id, user_id, admission_no, enrolled_at",
            [f"{u}\t{sitting_id}\t{u}\tB{u:010d}\t{now}\n" for u in uid],
        )
        _copy(
            cursor,
            "papers",
            "id, enrolment_id, seed, bank_hash, drawn_at",
            [f"{u}\t{u}\t1\tbench\t{now}\n" for u in uid],
        )
        _copy(
            cursor,
            "attempts",
            "id, enrolment_id, number, status, started_at, deadline, submitted_at, auto_submitted",
            [f"{u}\t{u}\t1\tsubmitted\t{now}\t{now}\t{now}\tf\n" for u in uid],
        )
        perms = rng.integers(24, size=(size, n_items))
        ability = rng.normal(0, 1, size=size)
        right = rng.random((size, n_items)) < 0.25 + 0.75 / (
            1 + np.exp(-1.7 * (ability[:, None] - difficulty[None, :]))
        )
        wrong = rng.integers(4, size=(size, n_items)) + 1
        outcome = np.where(right, 0, np.where(judge[None, :], 1, wrong)).tolist()
        perms_list = perms.tolist()
        items, answers = [], []
        for s, paper in enumerate(uid.tolist()):
            perm_row, outcome_row = perms_list[s], outcome[s]
            base = paper * 128
            for i in range(n_items):
                p = perm_row[i]
                order = "[]" if judge[i] else orders[p]
                items.append(f"{base + i}\t{paper}\t{i}\t{bank[i][0]}\t1\t1\t{order}\n")
                answers.append(f"{paper}\t{base + i}\t{table[i][p][outcome_row[i]]}\t1\t{now}\n")
        _copy(
            cursor,
            "paper_items",
            "id, paper_id, position, question_id, question_version, points, option_order",
            items,
        )
        _copy(cursor, "answers", "attempt_id, paper_item_id, response, seq, saved_at", answers)
        raw.commit()
    start["user"] += sheets
    cursor.close()
    raw.close()


def _responses(bank: list) -> list[list[list[str]]]:
    """Each item's response JSON (display labels) per option permutation and outcome: 0 right,
    1–4 the original option 0–3 picked alone (true/false: 1 is the wrong answer)."""
    out = []
    for _qid, qtype, key in bank:
        per_perm = []
        for perm in PERMUTATIONS:
            order = list(perm)
            if qtype == "judge":
                per_perm.append([json.dumps(bool(key)), json.dumps(not key)])
                continue
            keyed = [OPTION_LABELS.index(k) for k in (key if isinstance(key, list) else [key])]
            texts = []
            for picked in [keyed] + [[k] for k in range(4)]:
                display = sorted(OPTION_LABELS[order.index(o)] for o in picked)
                texts.append(json.dumps(display[0] if qtype == "single" else display))
            per_perm.append(texts)
        out.append(per_perm)
    return out


def run(url: str, folder: Path, sheets: int, stats_sheets: int) -> dict:
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(folder),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        db.create_all()
        admin = accounts.create_user("admin@example.com", [Role.ADMIN], "Bench-kite-2026", "管理员")
        bank = _bank(admin.id)
        rng = np.random.default_rng(20261130)
        start = {"user": 1000}
        big, small = _sitting(admin.id, "十万份"), _sitting(admin.id, "一万份")
        _fill(big, sheets, bank, start, rng)
        _fill(small, stats_sheets, bank, start, rng)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            for table in ("users", "enrolments", "papers", "attempts", "paper_items", "answers"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            conn.commit()
        db.session.remove()
        started = time.perf_counter()
        summary = scoring.score_sitting(big)
        score_s = time.perf_counter() - started
        db.session.remove()
        started = time.perf_counter()
        data = item_stats.compute(small)
        stats_s = time.perf_counter() - started
        scored = db.session.scalar(
            db.select(db.func.count()).select_from(Attempt).where(Attempt.is_passed.is_not(None))
        )
        db.session.remove()
        db.engine.dispose()
    return {
        "sheets": sheets,
        "items": len(bank),
        "score_s": round(score_s, 2),
        "responses": stats_sheets * len(bank),
        "stats_s": round(stats_s, 2),
        "passed": summary["passed"],
        "stored": scored,
        "alpha": round(data["test"]["alpha"], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sheets", type=int, default=100_000)
    parser.add_argument("--stats-sheets", type=int, default=10_000)
    parser.add_argument(
        "--postgres", metavar="ADMIN_URL", default="postgresql://postgres@127.0.0.1/postgres"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.postgres, Path(tmp)) as url:
        figures = run(url, Path(tmp), args.sheets, args.stats_sheets)
    if figures["stored"] != args.sheets:
        print(f"unexpected counts: {figures}", file=sys.stderr)
        return 1
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Import speed: a 10,000-question xlsx and Moodle XML file, and a 50,000-question GIFT file
a quarter of which are look-alikes, each into a fresh database.

Generates the files with our writers, then times examsvc.services.importing.import_file
on each (all-or-nothing, duplicate check on) against an empty database made for it: SQLite
in a temporary folder, or with --postgres ADMIN_URL a database created and dropped there.
Prints {"questions", "xlsx_s", "moodle_xml_s", "questions_large", "large_s"}; the targets
are 10 s for each 10,000-question file and 30 s for the large one.

    scripts/bench_import.py --json [--questions 10000] [--large 50000]
        [--postgres postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from examsvc import create_app  # noqa: E402
from examsvc.extensions import db  # noqa: E402
from examsvc.models import Role  # noqa: E402
from examsvc.services import accounts, importing  # noqa: E402
from question_bank import formats  # noqa: E402
from question_bank.model import AREAS, Question, build_question  # noqa: E402

TOPICS = ["三会一课", "发展党员", "党费收缴", "组织关系转接", "换届选举", "民主评议", "主题党日"]


def make_questions(n: int) -> list[Question]:
    """n distinct questions over every area and the four objective types."""
    questions = []
    for i in range(n):
        area, topic = AREAS[i % len(AREAS)], TOPICS[i % len(TOPICS)]
        kind = i % 4
        if kind == 0:
            fields = {
                "type": "single",
                "stem": f"第{i}题：关于{topic}，正确的是（  ）。",
                "options": [f"{topic}要求{i}-{k}" for k in "甲乙丙丁"],
                "key": "B",
            }
        elif kind == 1:
            fields = {
                "type": "multiple",
                "stem": f"第{i}题：{topic}包括哪些环节？",
                "options": [f"环节{i}-{k}" for k in "甲乙丙丁"],
                "key": ["A", "C"],
            }
        elif kind == 2:
            fields = {"type": "judge", "stem": f"第{i}题：{topic}每年至少开展一次。", "key": True}
        else:
            fields = {
                "type": "fill",
                "stem": f"第{i}题：{topic}应当由____负责。",
                "key": [[f"党支部{i}", f"支部{i}"]],
            }
        questions.append(build_question(area=area, difficulty=1 + i % 5, **fields))
    return questions


def make_lookalikes(n: int) -> list[Question]:
    """n questions, every fourth a look-alike of the one before (a few characters changed)."""
    questions = make_questions(n)
    for i in range(3, n, 4):
        original = questions[i - 1]
        stem = original.stem.replace("第", "第（甲）", 1).replace("题：", "题，下列", 1)
        questions[i] = build_question(
            type=original.type.value,
            area=original.area,
            difficulty=original.difficulty,
            stem=stem,
            options=list(original.options),
            key=_key_input(original.key),
        )
    return questions


def _key_input(key):
    if isinstance(key, tuple):
        return [_key_input(k) for k in key]
    return key


@contextmanager
def fresh_database(postgres: str | None, folder: Path):
    """The URL of an empty database, dropped afterwards when it is PostgreSQL."""
    if not postgres:
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        return
    import psycopg

    name = f"examsvc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            base = postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def time_import(path: Path, url: str, folder: Path) -> tuple[float, dict]:
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
        examiner = accounts.create_user(
            "bench@example.com", [Role.EXAMINER], "Import-kite-2026", "测试"
        )
        started = time.perf_counter()
        report = importing.import_file(examiner, path, channel="public")
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return elapsed, report.as_json()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=50_000, help="0: skip the large file")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="bench on PostgreSQL instead")
    args = parser.parse_args()
    questions = make_questions(args.questions)
    figures: dict = {"questions": args.questions}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt, key in (("xlsx", "xlsx_s"), ("moodle-xml", "moodle_xml_s")):
            path = folder / f"bank{formats.EXTENSIONS[fmt]}"
            path.write_bytes(formats.write(fmt, questions).data)
            with fresh_database(args.postgres, folder) as url:
                elapsed, report = time_import(path, url, folder)
            if report["imported"] != args.questions:
                print(
                    f"{fmt}: imported {report['imported']}: {report['errors'][:3]}", file=sys.stderr
                )
                return 1
            figures[key] = round(elapsed, 2)
        if args.large:
            path = folder / "large.gift"
            path.write_bytes(formats.write("gift", make_lookalikes(args.large)).data)
            with fresh_database(args.postgres, folder) as url:
                elapsed, report = time_import(path, url, folder)
            if report["imported"] != args.large:
                print(f"large: imported {report['imported']}: {report['errors'][:3]}",
                      file=sys.stderr)  # fmt: skip
                return 1
            figures["questions_large"] = args.large
            figures["large_s"] = round(elapsed, 2)
    if args.postgres:
        figures["database"] = "postgresql"
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

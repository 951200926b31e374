#!/usr/bin/env python3
"""Certificates and 年检 at scale: a sitting's certificates as one PDF, one certificate's
PDF, and a 年检 batch over a district's holders with their training records.

Prints {"certificates", "pdf_s", "single_pdf_ms", "inspection_people", "inspection_s"} and
details. The targets (issue 12, a machine of two cores):

- ``pdf_s``: ``--certificates`` pages (default 10,000; Chinese text, a QR code with the
  verify address and its HMAC token on each) rendered as one document, ≤ 90 s;
- ``single_pdf_ms``: one certificate's document, the median of 20, ≤ 300 ms;
- ``inspection_s``: a 年检 batch over ``--inspection-people`` holders (default 100,000;
  scripts/bench_inspection_world.py builds them in bulk: an organisation tree, one level
  certificate each, 2-4 trainings, changes of post, last year's closed batch) opened,
  every assessment imported from CSV sheets (services/inspections/assessments.py, the
  import the pages use), and closed: ≤ 30 s on PostgreSQL.

Details: ``pdf_cpu_s``, ``single_pdf_cpu_ms`` (CPU time: the machine is shared, compare
these between runs), ``per_page_ms``, ``pdf_bytes``, ``full_font_single_ms`` (a name
outside GB 2312: the whole Noto face instead of the cached subset), ``inspection_open_s``,
``inspection_import_s``, ``inspection_close_s``, ``inspection_setup_s`` (building the
world, not counted), the outcomes, ``db`` and ``load`` (the 1-minute load average).

    scripts/bench_certificates.py --json                      # SQLite in a temporary folder
    scripts/bench_certificates.py --json --db postgres        # the 年检 target's database
    scripts/bench_certificates.py --json --certificates 500 --inspection-people 5000  # quick

``--db postgres`` creates a database of its own next to ``EXAMSVC_LOADTEST_PG`` (default
postgresql://postgres@127.0.0.1:5432/postgres) and drops it afterwards, as scripts/loadtest
does. ``--inspection-people 0`` or ``--certificates 0`` skips that part. The GB 2312 font
subset is built once into ``--font-cache`` (default: a folder in the temporary directory,
kept between runs), as ``examsvc tickets prepare-fonts`` does for a server.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from examsvc import create_app  # noqa: E402
from examsvc.extensions import db  # noqa: E402
from examsvc.services import certificate_pdf, certificates, pdf  # noqa: E402

PG_ADMIN = os.environ.get("EXAMSVC_LOADTEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SINGLES = 20


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pages(count: int, rare: bool = False) -> list[certificate_pdf.Page]:
    from bench_inspection_world import name_of

    made = []
    for i in range(1, count + 1):
        number = f"Q0-3201-2026-{10_000_000 + i * 7919:08d}{i % 10}"
        made.append(
            certificate_pdf.Page(
                number=number,
                title="党务工作者上岗资格证书",
                name=name_of(i) + ("堃" if rare else ""),
                organisation=f"中共某某街道第{i % 40 + 1}党支部委员会",
                level="",
                issued_on="2026年12月14日",
                valid_until="2029年12月13日",
                status="valid" if i % 50 else "suspended",
                status_label="有效" if i % 50 else "暂停",
                verify_url=f"https://exam.example.cn/verify/{number}?t={certificates.token(number)}",
            )
        )
    return made


def timed(run) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def bench_pdf(count: int) -> dict:
    pdf.prepare_fonts()
    certificate_pdf.render(pages(1))  # the process's first document parses the faces
    singles = [timed(lambda p=p: certificate_pdf.render([p])) for p in pages(SINGLES)]
    rare = [timed(lambda p=p: certificate_pdf.render([p])) for p in pages(5, rare=True)]
    log(f"single certificates done; {count} pages in one document")
    wall, cpu, data = timed(lambda: certificate_pdf.render(pages(count)))
    assert isinstance(data, bytes)
    return {
        "pdf_s": round(wall, 2),
        "single_pdf_ms": round(statistics.median(s[0] for s in singles) * 1000, 1),
        "pdf_cpu_s": round(cpu, 2),
        "per_page_ms": round(wall / count * 1000, 2),
        "single_pdf_cpu_ms": round(statistics.median(s[1] for s in singles) * 1000, 1),
        "full_font_single_ms": round(statistics.median(s[0] for s in rare) * 1000, 1),
        "pdf_bytes": len(data),
    }


def bench_inspection(people: int) -> dict:
    import bench_inspection_world as world_of

    from examsvc.services import inspections
    from examsvc.services.inspections import assessments, closing

    year = inspections.default_year()
    setup, _cpu, world = timed(lambda: world_of.build(people, year))
    log(f"{people} holders written in {setup:.1f} s; opening the batch of {year}")
    files = world_of.sheets(world)
    db.session.remove()
    opened, _cpu, batch = timed(lambda: inspections.open_batch(None, world.root_id, year))
    batch_id = batch.id
    db.session.remove()

    def import_all() -> int:
        imported = 0
        for n, data in enumerate(files, start=1):
            report = assessments.import_sheet(None, batch_id, data, f"assessments-{n}.csv")
            if report.problems:
                raise SystemExit(f"the assessment sheet was refused: {report.problems[:3]}")
            imported += report.imported
            db.session.remove()
        return imported

    imported_s, _cpu, imported = timed(import_all)
    log(f"{imported} assessments imported; closing")
    closed, _cpu, report = timed(lambda: closing.close(None, batch_id))
    db.session.remove()
    counts = report.as_json()
    return {
        "inspection_s": round(opened + imported_s + closed, 2),
        "inspection_open_s": round(opened, 2),
        "inspection_import_s": round(imported_s, 2),
        "inspection_close_s": round(closed, 2),
        "inspection_setup_s": round(setup, 2),
        "inspection_assessed": imported,
        "inspection_outcomes": {
            k: counts[k] for k in ("passed", "reinstated", "suspended", "revoked")
        },  # fmt: skip
        "inspection_changed": len(counts["changed"]),
    }


@contextmanager
def database(kind: str, folder: Path):
    """The URL of an empty database of our own; a PostgreSQL one is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    import psycopg

    name = f"examsvc_bench_{secrets.token_hex(5)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--inspection-people", type=int, default=100_000)
    parser.add_argument("--font-cache", default=os.path.join(tempfile.gettempdir(),
                                                             "examsvc-bench-fonts"))  # fmt: skip
    args = parser.parse_args()
    figures: dict = {"certificates": args.certificates,
                     "inspection_people": args.inspection_people}  # fmt: skip
    with tempfile.TemporaryDirectory() as folder, database(args.db, Path(folder)) as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "SQLALCHEMY_DATABASE_URI": url,
                          "PDF_FONT_CACHE": args.font_cache})  # fmt: skip
        with app.test_request_context():
            db.create_all()
            if args.certificates:
                figures.update(bench_pdf(args.certificates))
            if args.inspection_people:
                figures.update(bench_inspection(args.inspection_people))
            db.session.remove()
            db.engine.dispose()
    figures.update(db=args.db, load=round(os.getloadavg()[0], 2))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for key, value in figures.items():
            print(f"{key:>22}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

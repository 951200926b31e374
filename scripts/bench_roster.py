#!/usr/bin/env python3
"""Roster speed (组织报名): a 10,000-person xlsx roster imported with --skip-bad, then enrolled.

Generates a roster of valid ID numbers (25 rows bad: a wrong check character), imports it
into an organisation with examsvc.services.roster.import_roster (skip bad rows, random
initial passwords) into an empty database, then enrols every imported person in a sitting
that opens tomorrow (enrolment rows and admission numbers; papers are drawn by randomize,
measured by bench_assembly.py). Prints {"rows", "import_s", "enrol_s", "imported",
"skipped", "database"}; the targets are 10 s each.

    scripts/bench_roster.py --json [--rows 10000] [--bad 25]
        [--postgres postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import fresh_database  # noqa: E402

from examsvc import create_app  # noqa: E402
from examsvc.extensions import db  # noqa: E402
from examsvc.models import Blueprint, Role, Sitting, User, utcnow  # noqa: E402
from examsvc.services import accounts, orgs, roster  # noqa: E402
from question_bank.checksum import id_check_char  # noqa: E402

HEADER = ["序号", "姓名", "身份证号码", "性别", "手机号码", "政治面貌", "入党时间", "职务",
          "人员类别", "所属组织"]  # fmt: skip
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
POSTS = ["党员", "支部书记", "组织委员", "宣传委员", "党员", "党员"]
CATEGORIES = ["机关事业单位", "国有企业、金融企业", "两新组织", "农村社区"]


def id_number(i: int, valid: bool = True) -> str:
    """A distinct ID number for each i below 15,000 (one birth date each)."""
    born = date(1960, 1, 1) + timedelta(days=i % 15000)
    first17 = f"110105{born:%Y%m%d}{i % 1000:03d}"
    check = id_check_char(first17)
    if not valid:
        check = "0" if check != "0" else "1"
    return first17 + check


def make_roster(rows: int, bad: int) -> bytes:
    """An xlsx roster: a title row, the header, ``rows`` people, ``bad`` of them invalid."""
    every = max(rows // max(bad, 1), 1)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("报名名单")
    sheet.append(["2026年度党务工作者考试组织报名表"])
    sheet.append(HEADER)
    for i in range(rows):
        number = id_number(i, valid=not (i % every == 0 and i // every < bad))
        sheet.append([
            i + 1, SURNAMES[i % len(SURNAMES)] + f"某{i}", number, "男" if i % 2 else "女",
            f"139{i:08d}", "中共党员" if i % 3 else "群众", "2015-07-01" if i % 3 else None,
            POSTS[i % len(POSTS)], CATEGORIES[i % len(CATEGORIES)], "BENCH-1" if i % 2 else "",
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data: bytes, url: str, folder: Path) -> dict:
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
        admin = accounts.create_user(
            "admin@example.com", [Role.ADMIN], "Roster-kite-2026", "管理员"
        )
        root = orgs.create("BENCH", "区委组织部")
        orgs.create("BENCH-1", "第一党支部", root)
        sitting_id = _sitting(admin)
        started = time.perf_counter()
        report = roster.import_roster(admin, data, "BENCH", skip_bad=True, filename="r.xlsx")
        import_s = time.perf_counter() - started
        ids = list(db.session.scalars(db.select(User.id).where(User.must_change_password)))
        db.session.commit()
        started = time.perf_counter()
        enrolled = roster.enrol_people(admin, sitting_id, ids)
        enrol_s = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return {
        "import_s": round(import_s, 2),
        "enrol_s": round(enrol_s, 2),
        "imported": report.imported,
        "skipped": report.skipped,
        "enrolled": enrolled,
    }


def _sitting(admin: User) -> int:
    """A sitting that opens tomorrow (made directly: enrolment does not look at the bank)."""
    blueprint = Blueprint(
        name="上岗资格", exam_kind="post_qualification", duration_minutes=60, pass_mark=60,
        created_by_id=admin.id,
    )  # fmt: skip
    now = utcnow()
    sitting = Sitting(
        name="明日场次", blueprint=blueprint, opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=1, hours=2), seed=20261130, created_by_id=admin.id,
    )  # fmt: skip
    db.session.add(sitting)
    db.session.commit()
    return sitting.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad", type=int, default=25)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="bench on PostgreSQL instead")
    args = parser.parse_args()
    data = make_roster(args.rows, args.bad)
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.postgres, Path(tmp)) as url:
        figures = {"rows": args.rows, **run(data, url, Path(tmp))}
    figures["database"] = "postgresql" if args.postgres else "sqlite"
    if figures["imported"] != args.rows - args.bad or figures["enrolled"] != figures["imported"]:
        print(f"unexpected counts: {figures}", file=sys.stderr)
        return 1
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

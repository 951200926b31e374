"""The world scripts/bench_certificates.py inspects: a district of N holders, in bulk.

An organisation tree (a root, a district per 5,000 people, a branch per 500), N people each
holding one level certificate, 2-4 trainings each in the inspected year (none for one in
19; one the year before for some), a change of post for one in 20 (most out of a
party-affairs post), and the previous year's closed batch that failed one in 12, whose
certificates are suspended (with one in 25 more): passing reinstates them, a second
failure revokes. Rows are written with explicit ids through services/bulk (COPY on
PostgreSQL); the organisations through services/orgs like an admin would.

The assessment sheets (CSV, 姓名/登录名/年度考核, at most ``SHEET_ROWS`` a file as the
import allows) name everyone: 称职 mostly, some 优秀 and 基本称职, one in 20 不称职.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, text

from examsvc.extensions import db
from examsvc.models import (
    Certificate,
    Inspection,
    InspectionResult,
    PostChange,
    TrainingRecord,
    User,
)
from examsvc.services import bulk, orgs
from question_bank import certificate_numbers
from question_bank.roster_sheets import MAX_ROWS

SHEET_ROWS = MAX_ROWS
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
CATEGORIES = ("community", "organ", "soe", "two_new", "floating", "village_secretary")
ASSESSMENT_CYCLE = ["称职"] * 14 + ["优秀"] * 3 + ["基本称职"] * 2 + ["不称职"]


@dataclass(frozen=True)
class World:
    root_id: int
    year: int
    people: int
    #: (姓名, 登录名) of every person, in id order.
    logins: list[tuple[str, str]]


def name_of(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[i % 23] + GIVEN[(i * 7) % 23]


def mobile_of(i: int) -> str:
    return f"13{i:09d}"


def build(people: int, year: int) -> World:
    """The world, committed; ``year`` the year inspected."""
    root, branches = _organisations(people)
    now = datetime.now(UTC)
    user_base = _next_id(User)
    cert_base = _next_id(Certificate)
    logins = [(name_of(i), mobile_of(i)) for i in range(people)]
    _write(User, ("id", "name", "mobile", "password_hash", "category", "is_leader",
                  "party_joined_on", "post", "organisation_id", "is_party_member",
                  "created_at"), (
        (user_base + i, name, mobile, "!", CATEGORIES[i % len(CATEGORIES)], i % 10 == 0,
         date(year - 1, 7, 1) if i % 40 == 0 else date(2001, 7, 1), "支部委员",
         branches[i % len(branches)], True, now)
        for i, (name, mobile) in enumerate(logins)
    ))  # fmt: skip
    _write(Certificate, ("id", "number", "kind", "level", "year", "serial", "user_id",
                         "status", "issued_on", "valid_until", "created_at"), (
        (cert_base + i, certificate_numbers.make("level", 1 + i % 4, "3201", year - 2, i + 1),
         "level", 1 + i % 4, year - 2, i + 1, user_base + i,
         "suspended" if i % 25 == 0 or i % 12 == 3 else "valid",
         date(year - 2, 1 + i % 12, 1 + i % 28), date(year + 6, 1, 1), now)
        for i in range(people)
    ))  # fmt: skip
    _write(TrainingRecord, ("user_id", "course_name", "kind", "source", "starts_on",
                            "ends_on", "hours", "created_at"), _trainings(people, user_base,
                                                                         year, now))  # fmt: skip
    _write(PostChange, ("user_id", "old_post", "new_post", "in_party_post", "effective_on",
                        "created_at"), (
        (user_base + i, "支部委员", "科员" if i % 60 else "组织委员", i % 60 != 0,
         date(year, 1 + i % 12, 10), now)
        for i in range(7, people, 20)
    ))  # fmt: skip
    _last_year(root, user_base, people, year, now)
    _advance_sequences()
    db.session.commit()
    return World(root.id, year, people, logins)


def _organisations(people: int):
    stamp = datetime.now(UTC).strftime("%H%M%S")
    root = orgs.create(f"B{stamp}", "测试市委组织部")
    districts = [orgs.create(f"B{stamp}-{d}", f"第{d + 1}区委", root)
                 for d in range(max(1, people // 5000))]  # fmt: skip
    branches = []
    for b in range(max(1, people // 500)):
        branch = orgs.create(f"B{stamp}-{b % len(districts)}-{b}", f"第{b + 1}党支部",
                             districts[b % len(districts)])  # fmt: skip
        branches.append(branch.id)
    return root, branches


def _trainings(people: int, user_base: int, year: int, now):
    hours = (8.0, 16.0, 12.0, 24.0, 8.0, 16.0, 4.5)
    for i in range(people):
        for k in range(0 if i % 19 == 0 else 2 + i % 3):
            day = date(year, 1 + (i + k * 3) % 12, 1 + (i + k) % 28)
            yield (user_base + i, f"轮训班{k + 1}", "rotation" if k % 2 else "central",
                   "import", day, day, hours[(i + k) % len(hours)], now)  # fmt: skip
        if i % 3 == 0:
            day = date(year - 1, 11, 1 + i % 28)
            yield (user_base + i, "上年度培训", "online", "import", day, day, 8.0, now)


def _last_year(root, user_base: int, people: int, year: int, now) -> None:
    """The previous year's batch of the root, closed, that failed one person in 12."""
    batch = Inspection(organisation_id=root.id, year=year - 1, state="closed", created_at=now,
                       closed_at=now)  # fmt: skip
    db.session.add(batch)
    db.session.flush()
    reasons = [{"code": "no_training", "template": "no training in the year", "params": {}}]
    _write(InspectionResult, ("inspection_id", "user_id", "assessment", "in_party_post",
                              "trainings", "hours", "minimum_hours", "passed", "outcome",
                              "reasons", "decided_at"), (
        (batch.id, user_base + i, "competent", True, 0, 0.0, 16.0, False, "suspended",
         reasons, now)
        for i in range(3, people, 12)
    ))  # fmt: skip


def _next_id(model) -> int:
    return (db.session.scalar(db.select(func.max(model.id))) or 0) + 1


def _write(model, columns: tuple[str, ...], rows) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) with services/bulk, 20,000 at a time."""
    batch: list[dict] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) == 20_000:
            bulk.insert_rows(model, batch)
            batch = []
    bulk.insert_rows(model, batch)


def _advance_sequences() -> None:
    """PostgreSQL's id sequences past the ids written explicitly."""
    if db.session.connection().dialect.name != "postgresql":
        return
    for table in (User.__table__, Certificate.__table__):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT max(id) FROM {table.name}))"
        ))  # fmt: skip


def sheets(world: World) -> list[bytes]:
    """The assessment sheets naming everyone, as CSV files of at most SHEET_ROWS rows."""
    files = []
    for start in range(0, world.people, SHEET_ROWS):
        lines = ["姓名,登录名,年度考核"]
        for i in range(start, min(start + SHEET_ROWS, world.people)):
            name, login = world.logins[i]
            lines.append(f"{name},{login},{ASSESSMENT_CYCLE[i % len(ASSESSMENT_CYCLE)]}")
        files.append(("\n".join(lines) + "\n").encode())
    return files

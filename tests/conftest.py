"""Fixtures: a fresh app and database per test, on SQLite and on PostgreSQL.

PostgreSQL tests use a database created for this test session (a unique name) and
dropped at the end; tables are emptied after each test. Set EXAMSVC_TEST_REQUIRE_PG=1
(CI does) to fail instead of skipping when PostgreSQL cannot be reached.
"""

from __future__ import annotations

import os
import random
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from examsvc import create_app
from examsvc.extensions import db
from examsvc.models import Role, User, utcnow
from examsvc.services import accounts, bank, exams, review

PG_ADMIN_URL = os.environ.get("EXAMSVC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "Secret-pass-123"


def _require(flag: str) -> bool:
    return os.environ.get(flag, "") not in ("", "0", "false")


@pytest.fixture(scope="session")
def pg_database(tmp_path_factory) -> Iterator[str]:
    """A PostgreSQL database of this test session's own, dropped at the end."""
    name = f"examsvc_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if _require("EXAMSVC_TEST_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        url = f"{base}/{name}"
        instance = str(tmp_path_factory.mktemp("instance"))
        app = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance}
        )
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        try:
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_config(url: str, instance: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": instance,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "NOTICE_WORKING_DAYS": 5,
        # Cheap hashing keeps the suite fast; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "JOBS_RUNNER": "inline",  # jobs run at once, in the request that starts them
    }
    config.update(extra)
    return config


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, as in production.

    The test body holds an app context for calling services; without this, requests would
    share its ``g`` (CSRF token cache) and its database session.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction first: on SQLite it may hold the write lock.
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(backend: str, request, tmp_path, app_config) -> Iterator[Flask]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'examsvc.db'}"
    else:
        url = request.getfixturevalue("pg_database")
    application = create_app(make_config(url, str(tmp_path / "instance"), **app_config))
    application.test_client_class = IsolatedClient
    with application.app_context():
        if backend == "sqlite":
            db.create_all()
        yield application
        db.session.remove()
        if backend == "postgresql":
            empty_tables()
        db.engine.dispose()


def empty_tables() -> None:
    """Empty the PostgreSQL tables a test wrote to and restart every sequence.

    TRUNCATE costs a few milliseconds per table (new files for the table and its indexes)
    even when the table is empty; most tests touch a handful of the schema's tables.
    """
    tables = db.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    with db.engine.begin() as conn:
        written = [row[0] for row in conn.execute(text(probe))]
        if written:
            names = ", ".join(f'"{name}"' for name in written)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
        # Emptied tables may still have moved their sequences; restart them all, as
        # RESTART IDENTITY did (setval is not rolled back, and needs no lock on the table).
        conn.execute(text("SELECT setval(seqrelid, seqstart, false) FROM pg_sequence"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient) -> str:
    return client.get("/api/v1/session").get_json()["csrf_token"]


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, page: str | None = None):
    """Submit a form the way a browser does: with the CSRF token of the page that shows it."""
    token = form_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def factory(
        *roles: str, name: str | None = None, party_member: bool = True, email: str | None = None
    ) -> User:
        n = next(counter)
        return accounts.create_user(
            email or f"user{n}@example.com",
            roles or [Role.CANDIDATE],
            PASSWORD,
            name or f"测试用户{n}",
            is_party_member=party_member,
        )

    return factory


def log_in(client: FlaskClient, user: User) -> FlaskClient:
    """Log in through the JSON API (the form is tested on its own)."""
    response = client.post(
        "/api/v1/session",
        json={"email": user.email, "password": PASSWORD},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 200, response.get_json()
    return client


@pytest.fixture
def login_as(app: Flask, make_user) -> Callable[..., tuple[FlaskClient, User]]:
    def factory(*roles: str, **kwargs) -> tuple[FlaskClient, User]:
        user = make_user(*roles, **kwargs)
        return log_in(app.test_client(), user), user

    return factory


def single_fields(n: int, area: str = "constitution", **overrides) -> dict:
    fields = {
        "type": "single",
        "area": area,
        "stem": f"第{n}题：党的最高领导机关是（  ）。",
        "options": ["党的全国代表大会和它所产生的中央委员会", "国务院", "全国政协", "最高人民法院"],
        "key": "A",
        "explanation": "见党章第十条。",
        "difficulty": 2,
        "source": "《中国共产党章程》第十条",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def bank_of(app: Flask, make_user) -> Callable[..., list[int]]:
    """Approve ``n`` questions of one type/area into the bank; returns their ids."""
    people: dict[str, User] = {}

    def factory(n: int, qtype: str = "single", area: str = "constitution") -> list[int]:
        if not people:
            people["contributor"] = make_user(Role.CONTRIBUTOR)
            people["examiner"] = make_user(Role.EXAMINER)
        ids = []
        for i in range(n):
            fields = question_fields(qtype, f"{area}-{qtype}-{i}-{uuid.uuid4().hex[:6]}", area)
            q = bank.submit_question(people["contributor"], "public", fields)
            review.review(people["examiner"], q.id, "approve")
            ids.append(q.id)
        return ids

    return factory


def distinct_text(tag: str, length: int) -> str:
    """Chinese text of its own for every tag, so generated questions are not near-duplicates."""
    rng = random.Random(tag)
    return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(length))


def question_fields(qtype: str, tag: str, area: str = "constitution") -> dict:
    """Generated fields of one question; different tags give unrelated questions."""
    stem = distinct_text(tag, 16)
    options = [distinct_text(f"{tag}-{i}", 6) for i in range(4)]
    if qtype == "single":
        return single_fields(0, area, stem=f"{stem}（  ）。", options=options)
    if qtype == "multiple":
        return {
            "type": "multiple",
            "area": area,
            "stem": f"{stem}（  ）。",
            "options": options,
            "key": ["A", "C"],
            "difficulty": 3,
        }
    if qtype == "judge":
        return {"type": "judge", "area": area, "stem": f"{stem}。", "key": True, "difficulty": 1}
    return {
        "type": "fill",
        "area": area,
        "stem": f"{stem}____。",
        "key": [["代表大会", "全国代表大会"]],
        "difficulty": 2,
    }


@pytest.fixture
def open_sitting(app: Flask, make_user, bank_of):
    """A sitting open now: 3 single ×1 + 2 multiple ×2 + 2 judge ×1 + 1 fill ×2 = 11 points."""

    def factory(duration: int = 30, candidates: int = 1, **kwargs):
        admin = make_user(Role.ADMIN)
        bank_of(6, "single")
        bank_of(4, "multiple")
        bank_of(4, "judge")
        bank_of(2, "fill")
        rows = [
            exams.RowSpec("constitution", "single", 3, 1.0),
            exams.RowSpec(None, "multiple", 2, 2.0),
            exams.RowSpec(None, "judge", 2, 1.0),
            exams.RowSpec(None, "fill", 1, 2.0),
        ]
        blueprint = exams.create_blueprint(
            admin,
            name="测试蓝图",
            exam_kind=kwargs.get("kind", "post_qualification"),
            duration_minutes=duration,
            pass_mark=kwargs.get("pass_mark", 8),
            rows=rows,
        )
        now = utcnow()
        sitting = exams.create_sitting(
            admin, blueprint.id, "测试场次", now - timedelta(minutes=5), now + timedelta(hours=3)
        )
        people = [make_user(Role.CANDIDATE) for _ in range(candidates)]
        for person in people:
            exams.enrol(admin, sitting.id, person.email)
        return sitting, admin, people

    return factory


def pytest_sessionfinish(session, exitstatus):
    """With EXAMSVC_TEST_FAIL_ON_SKIP=1 (CI), a skipped test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and _require("EXAMSVC_TEST_FAIL_ON_SKIP") and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(
                f"{skipped} tests were skipped: CI requires every test to run", red=True
            )


SCHEDULED_ROWS = [
    exams.RowSpec("constitution", "single", 2, 10.0, section="一、单项选择题"),
    exams.RowSpec(None, "judge", 2, 10.0, (1, 3), section="二、判断题"),
]


@pytest.fixture
def scheduled(make_user, bank_of):
    """A sitting opening tomorrow with its candidates enrolled and no paper drawn yet."""

    def factory(candidates: int = 6, **fairness_args):
        admin = make_user(Role.ADMIN)
        bank_of(8, "single")
        bank_of(8, "judge", area="history")
        blueprint = exams.create_blueprint(
            admin,
            name="上岗",
            exam_kind="post_qualification",
            duration_minutes=60,
            pass_mark=24,
            rows=SCHEDULED_ROWS,
            fairness=exams.Fairness(**fairness_args),
        )
        now = utcnow()
        sitting = exams.create_sitting(
            admin, blueprint.id, "明日场次", now + timedelta(days=1), now + timedelta(days=2)
        )
        for _ in range(candidates):
            exams.enrol(admin, sitting.id, make_user(Role.CANDIDATE).email)
        return sitting, admin

    return factory

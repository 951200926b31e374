"""Rate-limit counts are shared by every worker: an SQLite counter file in the instance folder
by default, Redis with EXAMSVC_REDIS_URL. Two real gunicorn workers must let exactly the
limit through.

Redis is at EXAMSVC_TEST_REDIS_URL (default redis://127.0.0.1:6379/15); with
EXAMSVC_TEST_REQUIRE_PG set (CI) a missing Redis fails the test instead of skipping it.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from examsvc import create_app
from examsvc.extensions import db
from examsvc.models import Role
from examsvc.ratelimit import SQLiteFileStorage, storage_uri
from examsvc.services import accounts
from tests.conftest import PASSWORD, _require, make_config

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("EXAMSVC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
EMAIL = "cand@test.examsvc.cn"


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own in the test Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if _require("EXAMSVC_TEST_REQUIRE_PG"):
            pytest.fail(f"Redis is required but unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    prefix = f"examsvc-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


# --- the counter file -------------------------------------------------------------------


def test_increments_from_many_connections_at_once_are_never_lost(tmp_path):
    storage = SQLiteFileStorage(storage_uri(tmp_path / "ratelimit.db"))
    seen: list[int] = []
    lock = threading.Lock()

    def count() -> None:
        own = SQLiteFileStorage(storage_uri(tmp_path / "ratelimit.db"))
        values = [own.incr("k", 60) for _ in range(100)]
        with lock:
            seen.extend(values)

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 801))
    assert storage.get("k") == 800


def test_a_counter_starts_again_when_its_window_has_passed(tmp_path):
    storage = SQLiteFileStorage(storage_uri(tmp_path / "ratelimit.db"))
    assert [storage.incr("gone", 0) for _ in range(3)] == [1, 1, 1]
    assert storage.get("gone") == 0
    assert storage.incr("kept", 60, amount=2) == 2 and storage.incr("kept", 60) == 3
    assert time.time() < storage.get_expiry("kept") <= time.time() + 60
    storage.clear("kept")
    assert storage.get("kept") == 0
    storage.incr("a", 60)
    storage.reset()
    assert storage.get("a") == 0 and storage.check()


def test_the_default_storage_is_a_file_in_the_instance_folder(tmp_path):
    app = create_app(make_config("sqlite://", str(tmp_path), RATELIMIT_STORAGE_URI=None))
    assert app.config["RATELIMIT_STORAGE_URI"] == storage_uri(tmp_path / "ratelimit.db")
    with_redis = create_app(
        make_config("sqlite://", str(tmp_path), RATELIMIT_STORAGE_URI=None, REDIS_URL=REDIS_URL)
    )
    assert with_redis.config["RATELIMIT_STORAGE_URI"] == REDIS_URL


# --- two gunicorn workers ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare_database(instance: Path) -> str:
    url = f"sqlite:///{instance / 'examsvc.db'}"
    # A slow hash keeps a worker busy with each login, so the next one goes to the other.
    app = create_app(make_config(url, str(instance), PASSWORD_HASH_METHOD="pbkdf2:sha256:300000"))
    with app.app_context():
        db.create_all()
        accounts.create_user(EMAIL, [Role.CANDIDATE], PASSWORD, "考生")
        db.session.remove()
        db.engine.dispose()
    return url


class Gunicorn:
    """``gunicorn -w 2 wsgi:app`` on a free port; stopped and reaped on exit."""

    def __init__(self, instance: Path, env: dict[str, str]):
        self.port = _free_port()
        self.log = instance / "access.log"
        command = [
            *(sys.executable, "-m", "gunicorn", "--workers", "2"),
            *("--bind", f"127.0.0.1:{self.port}", "--access-logfile", str(self.log)),
            *("--access-logformat", "%(p)s %(m)s %(s)s %(U)s", "wsgi:app"),
        ]
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def __enter__(self) -> Gunicorn:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-3000:])
            try:
                urllib.request.urlopen(self.url("/api/v1/session"), timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def login_pids(self) -> set[str]:
        lines = self.log.read_text().splitlines()
        return {line.split()[0] for line in lines if re.search(r" POST \d+ /api/v1/session$", line)}


def _failed_logins(server: Gunicorn, n: int, in_pairs: int) -> list[int]:
    """``n`` failed logins of one account; the first ``in_pairs`` two at a time so that both
    workers serve some (a sync worker busy with one request leaves the next to the other),
    the rest one by one (a limit is checked when a request starts and counted when it ends)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    token = json.load(opener.open(server.url("/api/v1/session")))["csrf_token"]

    def attempt() -> int:
        request = urllib.request.Request(
            server.url("/api/v1/session"),
            data=json.dumps({"email": EMAIL, "password": "wrong-pass-1"}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
            method="POST",
        )
        try:
            with opener.open(request) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code

    statuses: list[int] = []
    together = threading.Barrier(2)

    def paired() -> int:
        together.wait(timeout=30)
        return attempt()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(in_pairs // 2):
            statuses += list(pool.map(lambda _: paired(), range(2)))
    statuses += [attempt() for _ in range(n - len(statuses))]
    return statuses


def _run_two_workers(tmp_path: Path, extra_env: dict[str, str]) -> tuple[list[int], set[str]]:
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {
        "EXAMSVC_DATABASE_URL": _prepare_database(instance),
        "EXAMSVC_INSTANCE_PATH": str(instance),
        "EXAMSVC_SECRET_KEY": "two-workers-test",
        "EXAMSVC_LOGIN_RATE_LIMIT": "10 per minute",
        **extra_env,
    }
    for name in ("EXAMSVC_REDIS_URL", "EXAMSVC_RATELIMIT_STORAGE_URI"):
        env.setdefault(name, "")
    with Gunicorn(instance, env) as server:
        statuses = _failed_logins(server, 15, in_pairs=8)
        # The access log is written after the response: wait until all 15 are there.
        deadline = time.monotonic() + 10
        while len(server.login_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        return statuses, server.login_pids()


def test_two_workers_share_the_login_limit_in_the_instance_folder(tmp_path):
    statuses, pids = _run_two_workers(tmp_path, {})
    assert len(pids) == 2, "one worker served every request: the test proves nothing"
    assert statuses.count(401) == 10 and statuses.count(429) == 5, statuses
    assert (tmp_path / "instance" / "ratelimit.db").exists()


def test_two_workers_share_the_login_limit_in_redis(tmp_path, redis_prefix):
    env = {"EXAMSVC_REDIS_URL": REDIS_URL, "EXAMSVC_RATELIMIT_KEY_PREFIX": redis_prefix}
    statuses, pids = _run_two_workers(tmp_path, env)
    assert len(pids) == 2, "one worker served every request: the test proves nothing"
    assert statuses.count(401) == 10 and statuses.count(429) == 5, statuses
    assert not (tmp_path / "instance" / "ratelimit.db").exists()
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{redis_prefix}*"))
    assert keys, "no counter in Redis"

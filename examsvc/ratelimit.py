"""Rate-limit counters every worker of a host shares, in an SQLite file of their own.

Flask-Limiter's memory storage keeps a count per gunicorn worker, so "10 per minute" let
10 × workers through. Without Redis (``EXAMSVC_REDIS_URL``) the counters live in
``instance/ratelimit.db``: its own file and connections, so counting never waits for the
main database's write lock, and WAL so readers never wait for a writer. Each increment is
one ``INSERT … ON CONFLICT … RETURNING`` statement, atomic across processes.

Registered with the ``limits`` library under the scheme ``examsvc+sqlite``:
``examsvc+sqlite:////absolute/path/ratelimit.db``. Fixed-window strategy only (the default).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from urllib.parse import urlparse

from limits.storage import Storage

SCHEME = "examsvc+sqlite"
#: Expired counters are swept once per this many increments of a process.
_SWEEP_EVERY = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""

_INCR = """
INSERT INTO counters (key, value, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    value = CASE WHEN expires_at <= :now THEN :amount ELSE value + :amount END,
    expires_at = CASE WHEN expires_at <= :now THEN :now + :expiry ELSE expires_at END
RETURNING value
"""


def storage_uri(path: str | os.PathLike) -> str:
    return f"{SCHEME}:///{os.path.abspath(path)}"


class SQLiteFileStorage(Storage):
    """Fixed-window counters in one SQLite file shared by the processes of a host."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        path = urlparse(uri or "").path
        if not path:
            raise ValueError(f"{SCHEME} needs a file path: {SCHEME}:////path/to/file.db")
        self.path = path
        self._local = threading.local()
        self._increments = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per process and thread (gunicorn forks after the app is built)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # counters need not survive a crash
            conn.execute(_SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        conn = self._connection()
        now = time.time()
        row = conn.execute(
            _INCR, {"key": key, "amount": amount, "now": now, "expiry": expiry}
        ).fetchone()
        self._increments += 1
        if self._increments % _SWEEP_EVERY == 0:
            conn.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute(
                "SELECT value FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = (
            self._connection()
            .execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, now))
            .fetchone()
        )
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))

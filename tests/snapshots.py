"""Worlds built once per test process: the database a fixture built, restored for later tests.

Building the demo and what the page walks add to it takes seconds of services (and 20 s on a
busy machine); a dozen tests walk the same world. ``cached(key, build)`` runs ``build()`` the
first time on each kind of database (and app configuration), keeps a copy of every row and
sequence, and restores that copy into the next test's empty database instead of building again.
``build()`` returns plain values (ids, not ORM objects): they come back as they were.

The copy is exact: SQLite's backup API (pages, sqlite_sequence included) and PostgreSQL's COPY
(rows as the server writes them, sequences by their last value).
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import text

from examsvc.extensions import db

_WORLDS: dict[tuple, tuple[Any, Any]] = {}
#: Configuration that names this test's own files, or that extensions fill in on first use
#: (Flask-Limiter's RATELIMIT_STRATEGY): no part of what a world holds.
_PER_TEST = ("SQLALCHEMY_DATABASE_URI", "INSTANCE_PATH", "SECRET_KEY", "RATELIMIT_")


def cached(key: str, build: Callable[[], Any]) -> Any:
    """``build()``'s value, with the database as ``build()`` left it (built or restored)."""
    dialect = db.engine.dialect.name
    whole_key = (key, dialect, _config_fingerprint())
    if whole_key in _WORLDS:
        value, saved = _WORLDS[whole_key]
        _restore(dialect, saved)
        return copy.deepcopy(value)
    value = build()
    db.session.commit()
    _WORLDS[whole_key] = (copy.deepcopy(value), _save(dialect))
    return value


def _config_fingerprint() -> tuple:
    return tuple(
        sorted(
            (name, repr(value))
            for name, value in current_app.config.items()
            if not name.startswith(_PER_TEST)
            and isinstance(value, (str, int, float, bool, type(None)))
        )
    )


def _save(dialect: str) -> Any:
    db.session.remove()
    if dialect == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        saved = sqlite3.connect(":memory:")
        source.backup(saved)
        source.close()
        return saved
    tables = [t.name for t in db.metadata.sorted_tables]
    rows: dict[str, bytes] = {}
    with db.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for name in tables:
            with cursor.copy(f'COPY "{name}" TO STDOUT') as out:
                data = b"".join(bytes(block) for block in out)
            if data:
                rows[name] = data
        sequences = conn.execute(
            text("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences")
        ).all()
        conn.rollback()
    return rows, sequences


def _restore(dialect: str, saved: Any) -> None:
    db.session.remove()
    if dialect == "sqlite":
        db.engine.dispose()  # no pooled connection may keep the schema it read
        target = sqlite3.connect(db.engine.url.database)
        saved.backup(target)
        target.close()
        return
    rows, sequences = saved
    with db.engine.begin() as conn:
        # Rows go in table by table; a row may name one of its own table that COPY wrote
        # after it (an updated parent moves on disk), so foreign keys are checked by the
        # world that was built, not row by row here.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        cursor = conn.connection.driver_connection.cursor()
        for name, data in rows.items():
            with cursor.copy(f'COPY "{name}" FROM STDIN') as into:
                into.write(data)
        for sequence, last_value in sequences:
            if last_value is not None:
                conn.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": last_value})

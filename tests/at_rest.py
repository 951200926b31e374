"""What a copy of the database shows: for tests that no ID number is stored in the clear."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from examsvc.extensions import db


def stored_bytes(app: Flask, backend: str) -> bytes:
    """Everything the database holds, as someone with a copy of it reads it: the SQLite file
    and its journals; on PostgreSQL ``pg_dump --data-only`` (or, without a usable pg_dump,
    every column of every table). Commits the test's session first."""
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if backend == "sqlite":
        db.engine.dispose()  # close connections: everything is in the file (and its journal)
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        dump = subprocess.run(
            ["pg_dump", "--data-only", "--no-owner", plain], capture_output=True, check=False
        )
    except FileNotFoundError:
        dump = None
    if dump is not None and dump.returncode == 0:
        assert b"COPY public.users" in dump.stdout  # the dump holds the accounts' rows
        return dump.stdout
    chunks = []
    for table in db.metadata.sorted_tables:
        cols = ", ".join(f'"{c.name}"' for c in table.columns)
        rows = db.session.execute(text(f'SELECT {cols} FROM "{table.name}"'))
        chunks.extend(repr(tuple(r)).encode() for r in rows)
    return b"\n".join(chunks)


def assert_no_id_number(stored: bytes, number: str) -> None:
    """Neither the number (either case of X) nor its birth-date-and-sequence part is there."""
    number = number.upper()
    for needle in (number, number.lower(), number[:12], number[6:17]):
        assert needle.encode() not in stored, f"ID number in the clear: …{number[-4:]}"

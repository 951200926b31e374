"""Inserting many rows at once inside the current transaction (flush-level, no commit)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, insert

from examsvc.extensions import db


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert the rows; on PostgreSQL through COPY, which is several times faster than INSERT."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(model), rows)
        return
    table = model.__table__
    columns = list(rows[0])
    as_json = {name for name in columns if isinstance(table.c[name].type, JSON)}
    statement = (
        f"COPY {table.name} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) FROM STDIN"
    )
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c], ensure_ascii=False) if c in as_json else row[c]
                    for c in columns
                ]
            )

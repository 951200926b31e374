"""Inserting, updating and selecting many rows at once inside the current transaction
(flush-level, no commit)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from examsvc.extensions import db

#: Ids per IN (...) list where ids are bound one by one: well under SQLite's limit.
CHUNK = 500


def id_chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """``ids`` in lists to pass to ``in_ids``: all at once on PostgreSQL (one array
    parameter), in chunks of ``CHUNK`` elsewhere."""
    size = len(ids) if _postgresql() else CHUNK
    for start in range(0, len(ids), max(size, 1)):
        yield ids[start : start + size]


def in_ids(column: Any, ids: Sequence[int]) -> Any:
    """``column IN (ids)``: on PostgreSQL ``= ANY(array)``, one parameter for any number."""
    if _postgresql():
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert the rows (each with the same keys): on PostgreSQL through COPY, elsewhere one
    driver executemany; both several times faster than SQLAlchemy's executemany."""
    if not rows:
        return
    connection = db.session.connection()
    table = model.__table__
    if connection.dialect.name != "postgresql":
        _executemany(connection, table, rows)
        return
    insert_rows_into(connection, table.name, table, list(rows[0]), rows)


def _executemany(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """One driver executemany, each value bound by its column type's own bind processor.

    The same values SQLAlchemy would send, without its per-row work (several times the
    cost of the insert itself for an import's hundreds of thousands of rows).
    """
    names = list(rows[0])
    dialect = connection.dialect
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    placeholders = ", ".join("?" * len(names))
    values = [
        tuple(
            process(row[name]) if process is not None else row[name]
            for name, process in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({quoted}) VALUES ({placeholders})", values
    )


def update_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Update rows by primary key (each row: ``id`` and the same other keys). On PostgreSQL
    the values go by COPY into a temporary table and one UPDATE … FROM joins it; elsewhere
    one driver executemany. Bypasses the session: objects loaded before keep old values."""
    if not rows:
        return
    connection = db.session.connection()
    table = model.__table__
    names = [name for name in rows[0] if name != "id"]
    if connection.dialect.name != "postgresql":
        _executemany_update(connection, table, names, rows)
        return
    temporary = f"bulk_{table.name}"
    quoted = ", ".join(f'"{name}"' for name in ["id", *names])
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS "
        f"SELECT {quoted} FROM {table.name} WITH NO DATA"
    )
    insert_rows_into(connection, temporary, table, ["id", *names], rows)
    assignments = ", ".join(f'"{name}" = {temporary}."{name}"' for name in names)
    connection.exec_driver_sql(
        f"UPDATE {table.name} SET {assignments} FROM {temporary} "
        f"WHERE {table.name}.id = {temporary}.id"
    )
    connection.exec_driver_sql(f"DROP TABLE {temporary}")


def insert_rows_into(connection: Any, target: str, table: Any, columns: list[str],
                     rows: list[dict[str, Any]]) -> None:  # fmt: skip
    """COPY ``rows`` into the table named ``target`` whose columns are ``table``'s."""
    as_json = {name for name in columns if isinstance(table.c[name].type, JSON)}
    quoted = ", ".join(f'"{c}"' for c in columns)
    with (
        connection.connection.driver_connection.cursor() as cursor,
        cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c], ensure_ascii=False) if c in as_json else row[c]
                    for c in columns
                ]  # fmt: skip
            )


def _executemany_update(connection: Any, table: Any, names: list[str], rows: list[dict]) -> None:
    dialect = connection.dialect
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in [*names, "id"]
    ]
    quote = dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(name)} = ?" for name in names)
    values = [
        tuple(
            process(row[name]) if process is not None else row[name]
            for name, process in zip([*names, "id"], processors, strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(f"UPDATE {table.name} SET {assignments} WHERE id = ?", values)

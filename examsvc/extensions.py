"""Unbound Flask extensions; create_app() binds them."""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from examsvc import sqlite_writer

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _sqlite_connection(dbapi_conn) -> bool:
    return isinstance(dbapi_conn, sqlite3.Connection)


@event.listens_for(Engine, "connect")
def _set_sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL for concurrent readers, FULL sync so an acknowledged answer survives a crash."""
    if not _sqlite_connection(dbapi_conn):
        return
    dbapi_conn.isolation_level = None  # BEGIN is emitted by _sqlite_begin below
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(sqlite_writer.BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    sqlite_writer.attach(dbapi_conn)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Writing requests take SQLite's write lock up front.

    A deferred transaction that reads (the login loader does) and then writes fails at once
    with "database is locked" if another writer committed in between; BEGIN IMMEDIATE waits
    for the lock instead, queued on our own writer lock (sqlite_writer.py) so that it gets
    the lock the moment it is free. Reads stay concurrent under WAL.
    """
    if conn.dialect.name != "sqlite":
        return
    if not _writing():
        conn.exec_driver_sql("BEGIN")
        return
    raw = conn.connection.dbapi_connection
    ours = isinstance(raw, sqlite_writer.WriterConnection)
    if ours:
        try:
            raw.take_writer_lock(bulk=_phase.get() == "bulk")
        except sqlite3.Error as error:
            raise exc.OperationalError("BEGIN IMMEDIATE", {}, error) from error
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if ours:
            raw.let_go()
        raise


#: "read" or "write" while code says which it does (see reading() and writing()).
_phase: ContextVar[str | None] = ContextVar("examsvc_db_phase", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they take no write lock.

    Long work (an import's parse, checks and near-duplicate pass) reads inside this, ends
    its transaction, and then writes in short transactions of its own.
    """
    token = _phase.set("read")
    try:
        yield
    finally:
        _phase.reset(token)


@contextmanager
def writing(bulk: bool = False) -> Iterator[None]:
    """Transactions begun inside write: on SQLite they take the write lock up front.

    ``bulk``: one of many chunks written back to back (an import's batch), which on SQLite
    lets writers a person waits for (autosaves) go first (sqlite_writer.py)."""
    token = _phase.set("bulk" if bulk else "write")
    try:
        yield
    finally:
        _phase.reset(token)


def _writing() -> bool:
    from flask import current_app, has_request_context, request

    if _phase.get() is not None:
        return _phase.get() in ("write", "bulk")
    if not has_request_context():
        return True  # CLI commands and services run outside a request: assume they write
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "read_only", False)


def read_only(view):
    """Mark a POST view that only reads (a look-up, a preview): it takes no write lock."""
    view.read_only = True
    return view


#: A POST view whose service reads first and takes the write lock only for its own short
#: write transactions: to the lock it is the same as a read-only view (none up front).
short_writes = read_only


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection with a round trip only when it has sat idle that long.

    SQLAlchemy's pool_pre_ping pings before every request: on exam day that is one round
    trip more per autosave, for connections used a few milliseconds before. An idle one (a
    quiet night, a database restarted meanwhile) is still checked and replaced if dead; a
    connection broken while busy fails its one request, and SQLAlchemy then renews the whole
    pool (the exam page resends what was not acknowledged).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record) -> None:
        record.info["examsvc_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy) -> None:
        since = record.info.get("examsvc_idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            with dbapi_conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_conn.rollback()
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error  # the pool takes a new one

"""Pooled PostgreSQL connections are checked after sitting idle, not before every request."""

import psycopg
import pytest
from flask import Flask
from sqlalchemy import exc, text

from examsvc import create_app
from examsvc.extensions import db
from tests.conftest import PG_ADMIN_URL, make_config


@pytest.fixture
def pg_app(pg_database, tmp_path):
    def factory(**config) -> Flask:
        return create_app(make_config(pg_database, str(tmp_path / "instance"), **config))

    return factory


def _backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.commit()  # the connection goes back to the pool
    return pid


def _terminate(pid: int) -> None:
    """What a restart of the database (or a network cut) does to a pooled connection."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))  # waits for its end


def test_an_idle_dead_connection_is_replaced_unseen(pg_app):
    app = pg_app(DB_PING_AFTER_IDLE_SECONDS=0)
    with app.app_context():
        first = _backend_pid()
        _terminate(first)
        assert _backend_pid() != first  # the ping found it dead: a new one, no error
        db.engine.dispose()


def test_a_busy_connection_is_not_pinged_and_a_broken_one_renews_the_pool(pg_app):
    app = pg_app(DB_PING_AFTER_IDLE_SECONDS=3600)
    with app.app_context():
        first = _backend_pid()
        _terminate(first)
        with pytest.raises(exc.OperationalError):  # no ping: the one request in flight fails
            _backend_pid()
        db.session.rollback()
        assert _backend_pid() != first  # and the pool has been renewed
        db.engine.dispose()


def test_pool_pre_ping_asked_for_is_kept(pg_app):
    app = pg_app(DB_PING_AFTER_IDLE_SECONDS=3600, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    with app.app_context():
        first = _backend_pid()
        _terminate(first)
        assert _backend_pid() != first
        db.engine.dispose()

"""SQLite's write lock handed over without sleeping (examsvc/sqlite_writer.py): our writers
queue on a lock of the process and an flock of the database file, bulk writers let announced
ones go first."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import exc, text

from examsvc.extensions import db, reading, writing
from examsvc.sqlite_writer import WriterLock, lock_for


@pytest.fixture
def backend() -> str:
    """The lock is SQLite's: these tests run on SQLite only."""
    return "sqlite"


@pytest.fixture
def lock(app) -> WriterLock:
    return lock_for(os.path.realpath(db.engine.url.database))


def held_elsewhere(path: str, mode: int = fcntl.LOCK_EX) -> bool:
    """Whether another open file of this process or another process holds the flock."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def touch() -> None:
    db.session.execute(text("UPDATE users SET name = name"))


@contextmanager
def announced(path: str) -> Iterator[None]:
    """A writer of another process waiting for the lock: a shared flock on the wait file."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        yield
    finally:
        os.close(fd)


def test_a_write_transaction_holds_the_writer_lock_until_it_ends(app, lock):
    assert not held_elsewhere(lock.path)
    with writing():
        touch()
        assert held_elsewhere(lock.path)
        db.session.commit()
    assert not held_elsewhere(lock.path)
    with writing():
        touch()
        assert held_elsewhere(lock.path) and held_elsewhere(lock.wait_path)  # announced
        db.session.rollback()
    assert not held_elsewhere(lock.path) and not held_elsewhere(lock.wait_path)
    with reading():
        db.session.execute(text("SELECT count(*) FROM users"))
        assert not held_elsewhere(lock.path)  # readers take no lock
        db.session.commit()


def test_a_writer_of_another_process_is_waited_for_and_gets_the_lock_when_it_is_let_go(app, lock):
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, lock.path], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout.readline().strip() == "held"
        with writing():
            touch()  # BEGIN IMMEDIATE waits for the other process
            began = time.time()
            db.session.commit()
        released = float(holder.stdout.readline())
    assert began >= released


HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(0.5)
released = time.time()
fcntl.flock(fd, fcntl.LOCK_UN)
print(released, flush=True)
"""


def run_bulk_write(app, done: dict) -> threading.Thread:
    def write() -> None:
        with app.app_context(), writing(bulk=True):
            touch()
            done["began"] = time.time()
            db.session.commit()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_bulk_writer_lets_announced_writers_go_first(app, lock):
    lock.last_bulk_hold = 10.0  # it may wait up to that long
    done: dict[str, float] = {}
    with announced(lock.wait_path):
        thread = run_bulk_write(app, done)
        time.sleep(0.3)
        released = time.time()
    thread.join(timeout=30)
    assert done["began"] >= released


def test_a_bulk_writer_waits_no_longer_than_its_last_chunk_held_the_lock(app, lock):
    lock.last_bulk_hold = 0.05
    done: dict[str, float] = {}
    with announced(lock.wait_path):
        thread = run_bulk_write(app, done)
        thread.join(timeout=30)
        assert "began" in done  # while the announcement still stood: never starved


def test_a_writer_that_waits_longer_than_the_busy_timeout_gets_database_is_locked(app, lock):
    lock.timeout = 0.2
    lock.acquire()  # held by this thread, outside any transaction
    try:
        with writing(), pytest.raises(exc.OperationalError, match="database is locked"):
            touch()
        db.session.rollback()
    finally:
        lock.release()
        lock.timeout = 15.0
    with writing():
        touch()
        db.session.commit()
    assert not held_elsewhere(lock.path) and not held_elsewhere(lock.wait_path)


def _acquire_in_child(lock: WriterLock, got: multiprocessing.Event) -> None:
    lock.acquire()  # the parent's lock object, copied by fork
    got.set()
    lock.release()


def test_a_forked_process_opens_its_own_lock_file_and_is_kept_apart(app, lock):
    """gunicorn forks its workers: a descriptor shared through fork would share the flock."""
    lock.acquire()
    fork = multiprocessing.get_context("fork")
    got = fork.Event()
    child = fork.Process(target=_acquire_in_child, args=(lock, got))
    try:
        child.start()
        assert not got.wait(0.5)  # the child waits for the parent
    finally:
        lock.release()
    assert got.wait(30)
    child.join(30)
    assert child.exitcode == 0

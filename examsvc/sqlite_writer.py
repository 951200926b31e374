"""SQLite's write lock, handed from writer to writer without sleeping.

SQLite makes a writer that finds the write lock taken sleep and try again (1, 2, 5 … up to
100 ms at a time, until the busy timeout). Under load the waiters sleep through the moments
the lock is free, and a writer that comes back at once (an import writing chunk after chunk)
can keep it from them for seconds: autosaves during a 20,000-question import waited up to
1.7 s. So before ``BEGIN IMMEDIATE`` a connection of ours takes two locks that wake their
waiters the moment they are free: the process's own (its threads queue there, with the busy
timeout) and an ``flock`` on ``<database>-writer.lock`` (one thread per process queues there,
in the kernel). Both are let go when the transaction commits or rolls back. SQLite's lock
still guards the database against writers that are not ours (the sqlite3 shell).

A bulk writer (an import writing its batch a chunk at a time) comes back for the lock the
moment it let go of it, and a woken waiter on a busy machine is often too late: in a load test
autosaves got 7 writes a second in while an import staged its chunks. So writers that a person
waits for announce themselves while they wait (a shared flock on ``<database>-writer.wait``),
and a bulk writer that finds anyone announced lets them go first: it waits for the
announcements to end, at most as long as its last chunk held the lock, then takes its turn.
The import is at most twice as slow on a busy exam day, and never starved.

Each process opens the lock files itself (an flock is shared by copies of one open file, so a
descriptor inherited through fork would not keep gunicorn's workers apart). A process that
dies lets go of its flocks with it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import threading
import time

#: Seconds a writer waits for the lock before "database is locked" (SQLite's busy_timeout).
BUSY_TIMEOUT_S = 15.0


class WriterLock:
    """The write lock of one database file, for the threads and processes that use it."""

    #: Seconds between a bulk writer's looks for announced writers.
    POLL_S = 0.005

    def __init__(self, path: str, timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = path + "-writer.lock"
        self.wait_path = path + "-writer.wait"
        self.timeout = timeout
        self._fresh()

    def _fresh(self) -> None:
        """Nothing of a parent process's is ours: no locks, no descriptors (a forked child
        calls this at once, see _after_fork; a lock held by a parent's thread stays there)."""
        self._guard = threading.Lock()
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._wait_fd: int | None = None
        self._announced = 0  # this process's writers waiting or writing
        self.last_bulk_hold = 0.0
        self._bulk_since: float | None = None

    def acquire(self, bulk: bool = False) -> None:
        """Take the lock; a bulk writer first lets announced writers go (see above)."""
        if bulk:
            self._let_others_first()
        else:
            self._announce(+1)
        try:
            if not self._threads.acquire(timeout=self.timeout):
                raise sqlite3.OperationalError("database is locked")
            try:
                fcntl.flock(self._open("_fd", self.path), fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise
        except BaseException:
            if not bulk:
                self._announce(-1)
            raise
        self._bulk_since = time.monotonic() if bulk else None

    def release(self) -> None:
        bulk = self._bulk_since is not None
        if bulk:
            self.last_bulk_hold = time.monotonic() - self._bulk_since
            self._bulk_since = None
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()
            if not bulk:
                self._announce(-1)

    def _announce(self, change: int) -> None:
        """Hold the shared wait flock while any writer of this process waits or writes."""
        with self._guard:
            self._announced += change
            if change > 0 and self._announced == 1:
                fcntl.flock(self._open("_wait_fd", self.wait_path), fcntl.LOCK_SH)
            elif change < 0 and self._announced == 0 and self._wait_fd is not None:
                fcntl.flock(self._wait_fd, fcntl.LOCK_UN)

    def _let_others_first(self) -> None:
        """Wait while writers are announced, at most as long as the last bulk hold."""
        give_up = time.monotonic() + min(self.last_bulk_hold, self.timeout / 2)
        probe = os.open(self.wait_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as error:  # announced writers hold it shared
                    if error.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= give_up:
                        return
                    time.sleep(self.POLL_S)
                else:
                    return  # nobody announced (closing the probe lets go of it)
        finally:
            os.close(probe)

    def _open(self, attribute: str, path: str) -> int:
        fd = getattr(self, attribute)
        if fd is None:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            setattr(self, attribute, fd)
        return fd


_LOCKS: dict[str, WriterLock] = {}
_LOCKS_GUARD = threading.Lock()


def _after_fork() -> None:
    global _LOCKS_GUARD
    _LOCKS_GUARD = threading.Lock()
    for lock in _LOCKS.values():
        lock._fresh()


os.register_at_fork(after_in_child=_after_fork)


def lock_for(path: str) -> WriterLock:
    """The process's lock object for this database file (one per file)."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(path)
        if lock is None:
            lock = _LOCKS[path] = WriterLock(path)
        return lock


class WriterConnection(sqlite3.Connection):
    """A pysqlite connection that lets go of the writer lock when its transaction ends."""

    writer_lock: WriterLock | None = None
    holding = False

    def take_writer_lock(self, bulk: bool = False) -> None:
        """Take the writer lock; ``BEGIN IMMEDIATE`` (SQLite's lock) comes next."""
        lock = self.writer_lock
        if lock is not None and not self.holding:
            lock.acquire(bulk)
            self.holding = True

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.let_go()

    def let_go(self) -> None:
        if self.holding:
            self.holding = False
            assert self.writer_lock is not None
            self.writer_lock.release()


def attach(dbapi_conn: sqlite3.Connection) -> None:
    """Give a new connection of a database file its writer lock (none in memory)."""
    if not isinstance(dbapi_conn, WriterConnection):
        return
    row = dbapi_conn.execute("PRAGMA database_list").fetchone()
    path = row[2] if row else ""
    if path:
        dbapi_conn.writer_lock = lock_for(os.path.realpath(path))

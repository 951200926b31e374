"""Handing job ids to Huey, and running them.

Storage: Redis when EXAMSVC_REDIS_URL is set, else a SQLite file in the instance folder
(`jobs-queue.db`). Who runs the jobs is EXAMSVC_JOBS_RUNNER:

- ``thread`` (default): the process that starts a job also consumes the queue in a thread
  of its own, started on its first job; `examsvc worker` may run beside it. Nothing to set
  up on the embedded default.
- ``worker``: only `examsvc worker` processes run jobs (the web processes just enqueue).
- ``inline``: the job runs at once in the process that starts it (tests, scripts).

The queue carries only job ids; state, progress and results are in the `jobs` table.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

RUNNERS = ("thread", "worker", "inline")
EXTENSION = "examsvc_jobs"


class JobQueue:
    """One app's queue: the Huey instance, its one task, and the in-process consumer."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.runner = app.config["JOBS_RUNNER"]
        if self.runner not in RUNNERS:
            raise ValueError(f"EXAMSVC_JOBS_RUNNER must be one of {', '.join(RUNNERS)}")
        self._huey: Huey | None = None
        self._task = None
        self._consumer: Consumer | None = None
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        """Built on first use: creating the app never opens the queue's storage."""
        with self._lock:
            if self._huey is None:
                self._huey = _make_huey(self.app)
                self._task = self._huey.task(name="examsvc.run_job", retries=0)(self._run)
            return self._huey

    def _run(self, job_id: int) -> None:
        from examsvc.services import jobs

        with self.app.app_context():
            jobs.run(job_id)

    def enqueue(self, job_id: int) -> None:
        """Have the job run (call after the commit that created it)."""
        if self.runner == "inline":
            self._run(job_id)
            return
        huey = self.huey
        assert self._task is not None
        self._task(job_id)
        if self.runner == "thread":
            self._ensure_consumer(huey)

    def wake(self) -> None:
        """With the thread runner, make sure this process consumes the queue (a job queued
        by a process that has stopped since is then run here)."""
        if self.runner == "thread":
            self._ensure_consumer(self.huey)

    def _ensure_consumer(self, huey: Huey) -> None:
        with self._lock:
            if self._consumer is None:
                self._consumer = _InProcessConsumer(
                    huey,
                    workers=1,
                    worker_type="thread",
                    periodic=False,
                    check_worker_health=False,
                    max_delay=2.0,
                )
                self._consumer.start()

    def consumer(self, workers: int) -> Consumer:
        """A consumer for `examsvc worker` (it owns the process: signals stop it)."""
        return self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=False, max_delay=2.0
        )

    def stop(self) -> None:
        """Stop the in-process consumer (tests)."""
        with self._lock:
            if self._consumer is not None:
                self._consumer.stop(graceful=True)
                self._consumer = None


class _InProcessConsumer(Consumer):
    """A consumer running beside a web server: the server, not Huey, owns its signals."""

    def _set_signal_handlers(self) -> None:
        pass


def _make_huey(app: Flask) -> Huey:
    if app.config.get("REDIS_URL"):
        return RedisHuey("examsvc", url=app.config["REDIS_URL"], results=False)
    path = Path(app.instance_path) / "jobs-queue.db"
    return SqliteHuey("examsvc", filename=str(path), results=False, fsync=True)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = JobQueue(app)


def queue() -> JobQueue:
    return current_app.extensions[EXTENSION]

"""Handing job ids to Huey, and running them.

Storage: Redis when EXAMSVC_REDIS_URL is set, else a SQLite file in the instance folder
(`jobs-queue.db`). Who runs the jobs is EXAMSVC_JOBS_RUNNER:

- ``thread`` (default): the process that starts a job also consumes the queue in a thread
  of its own, started on its first job; `examsvc worker` may run beside it. Nothing to set
  up on the embedded default.
- ``worker``: only `examsvc worker` processes run jobs (the web processes just enqueue).
- ``inline``: the job runs at once in the process that starts it (tests, scripts).

The queue carries only job ids; state, progress and results are in the `jobs` table.
`examsvc worker` also runs one periodic task: every minute it hands in the attempts whose
time is over (services/attempts.close_expired), so a sitting closes on time even when
every browser is shut and no cron runs `examsvc attempts close-expired`.
Huey removes a message before running it, so a job whose process dies is not run again:
its heartbeat stops, and the next consumer to start (or a page polling the job) marks it
failed and removes what it staged (services/jobs.py give_up_stale, staging.sweep). Stopping
is graceful, so that rarely happens: a web process lets its job finish at exit, and
`examsvc worker` does on SIGTERM or SIGINT (a second signal stops it at once).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

log = logging.getLogger(__name__)

RUNNERS = ("thread", "worker", "inline")
#: How often (seconds) `examsvc worker` looks for jobs whose process died.
SWEEP_EVERY = 60.0
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
        self._sweep = None
        self._consumer: Consumer | None = None
        self._lock = threading.Lock()
        self._stop_at_exit = False

    @property
    def huey(self) -> Huey:
        """Built on first use: creating the app never opens the queue's storage."""
        with self._lock:
            if self._huey is None:
                self._huey = _make_huey(self.app)
                self._task = self._huey.task(name="examsvc.run_job", retries=0)(self._run)
                self._sweep = self._huey.periodic_task(
                    crontab(minute="*"), name="examsvc.close_expired", retries=0
                )(self.close_expired)
            return self._huey

    def _run(self, job_id: int) -> None:
        from examsvc.services import jobs

        with self.app.app_context():
            jobs.run(job_id)

    def close_expired(self) -> int:
        """The worker's periodic task: hand in every attempt whose time is over."""
        from examsvc.services import attempts

        with self.app.app_context():
            closed = attempts.close_expired()
        if closed:
            log.info("handed in %d attempts whose time was over", closed)
        return closed

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
            if self._consumer is not None:
                return
            self._consumer = _InProcessConsumer(
                huey,
                workers=1,
                worker_type="thread",
                periodic=False,
                check_worker_health=False,
                max_delay=2.0,
            )
            self._consumer.start()
            if not self._stop_at_exit:
                # Its threads are daemons: without this the job running at exit is cut off.
                atexit.register(self.stop)
                self._stop_at_exit = True
        recover()  # jobs whose process died: this one consumes the queue now

    def consumer(self, workers: int) -> Consumer:
        """A consumer for `examsvc worker` (it owns the process: SIGTERM and SIGINT stop it
        gracefully, once the running jobs end; a second one stops it at once). It runs the
        periodic deadline sweep too; web processes' own consumers never do."""
        return _WorkerConsumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            periodic=True,
            max_delay=2.0,
            graceful_signal="TERM",
        )

    def stop(self) -> None:
        """Stop the in-process consumer once its running job ends (at exit, and tests)."""
        with self._lock:
            consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.stop(graceful=True)


def recover() -> None:
    """Mark failed the jobs whose process died, and remove what they staged."""
    from examsvc.services import staging

    try:
        staging.sweep()
    except Exception:  # the queue runs on: the next start or poll sweeps again
        log.exception("could not sweep the jobs of dead processes")


class _InProcessConsumer(Consumer):
    """A consumer running beside a web server: the server, not Huey, owns its signals."""

    def _set_signal_handlers(self) -> None:
        pass


class _WorkerConsumer(Consumer):
    """`examsvc worker`'s consumer: SIGINT, like SIGTERM, stops it gracefully; its main
    loop (in the command's app context) gives up dead jobs every SWEEP_EVERY seconds."""

    def _set_signal_handlers(self) -> None:
        super()._set_signal_handlers()
        self._signal_actions[self._interrupt_sig] = (False, True)
        self._next_sweep = time.monotonic() + SWEEP_EVERY

    def loop(self, health_check_ts=None):
        health_check_ts = super().loop(health_check_ts)
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_EVERY
            recover()
        return health_check_ts


def _make_huey(app: Flask) -> Huey:
    if app.config.get("REDIS_URL"):
        return RedisHuey("examsvc", url=app.config["REDIS_URL"], results=False)
    path = Path(app.instance_path) / "jobs-queue.db"
    return SqliteHuey("examsvc", filename=str(path), results=False, fsync=True)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = JobQueue(app)


def queue() -> JobQueue:
    return current_app.extensions[EXTENSION]

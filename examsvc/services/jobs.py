"""Background jobs: start one, move its progress on, finish it, show it.

A job row lives in our database so every host's pages can show it; examsvc/jobqueue.py
hands the job's id to Huey, whose consumer (a thread of the web process, or `examsvc
worker`) calls run(). Each step a runner reports is its own short transaction.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import gettext as _

from examsvc.extensions import db, writing
from examsvc.models import Job, JobState, Role, User, utcnow
from examsvc.services.errors import Conflict, NotFound, ServiceError

log = logging.getLogger(__name__)

#: A running job's row is touched this often (seconds) while it runs: its heartbeat.
HEARTBEAT = 10.0
#: A running job whose heartbeat stopped this long ago died with its process.
STALE_AFTER = timedelta(minutes=2)

#: What runs a job: function(job_id, params, created_by_id) → the result JSON.
Runner = Callable[[int, dict[str, Any], int | None], dict[str, Any]]

#: kind → its runner; services register theirs with @runner(kind).
RUNNERS: dict[str, Runner] = {}
#: The modules that register runners (imported before a job runs, in any process).
RUNNER_MODULES = (
    "examsvc.services.uploads",
    "examsvc.services.draw_jobs",
    "examsvc.services.scoring",
    "examsvc.services.item_stats",
)


def runner(kind: str) -> Callable[[Runner], Runner]:
    """Register the function that runs jobs of this kind."""

    def register(function: Runner) -> Runner:
        RUNNERS[kind] = function
        return function

    return register


def new_job(actor: User | None, kind: str, params: dict[str, Any], total: int = 0) -> Job:
    """Add a queued job (flush only: the caller commits, then enqueues its id)."""
    job = Job(
        kind=kind,
        state=JobState.QUEUED.value,
        params=params,
        total=total,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    return job


def visible_job(user: User, job_id: int) -> Job:
    """A job its starter or an admin may look at; to anyone else it does not exist."""
    job = db.session.get(Job, job_id)
    if job is None or (job.created_by_id != user.id and not user.has_role(Role.ADMIN)):
        raise NotFound(_("no such job"))
    return job


def polled(user: User, job_id: int) -> Job:
    """A job as its progress page polls it: one whose process died is given up first (its
    staged rows removed), so nobody watches a dead job "running"."""
    job = visible_job(user, job_id)
    dead = db.session.scalar(
        db.select(Job.id).where(
            Job.id == job_id,
            Job.state == JobState.RUNNING.value,
            Job.updated_at < utcnow() - STALE_AFTER,
        )
    )
    if dead is None:
        return job
    from examsvc.jobqueue import recover

    recover()
    db.session.expire_all()
    return visible_job(user, job_id)


def as_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": job.progress,
        "total": job.total,
        "percent": job.percent,
        "result": job.result,
        "error": job.error,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def step(job_id: int, progress: int, total: int | None = None) -> None:
    """Record progress inside the caller's transaction (it commits with the work done)."""
    values: dict[str, Any] = {"progress": progress, "updated_at": utcnow()}
    if total is not None:
        values["total"] = total
    db.session.execute(db.update(Job).where(Job.id == job_id).values(**values))


def run(job_id: int) -> None:
    """Run a queued job to its end: done with its result, or failed with the reason.

    The runner gets plain values, not the row: it decides itself which of its transactions
    read and which write. Messages come in the language of the person who started it.
    While it runs, a heartbeat keeps the row's updated_at fresh (see give_up_stale()).
    """
    claimed = _claim(job_id)
    if claimed is None:
        return  # run already, or removed: a second delivery does nothing
    kind, params, actor_id, locale = claimed
    for module in RUNNER_MODULES:
        importlib.import_module(module)
    g.examsvc_job = job_id  # flask_babel forces a locale only where g holds something
    with heartbeat(job_id), force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            result = RUNNERS[kind](job_id, params, actor_id)
        except ServiceError as exc:
            _finish(job_id, JobState.FAILED, error=exc.message)
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            message = _("the job failed; the administrators can see why in the log")
            _finish(job_id, JobState.FAILED, error=message)
        else:
            _finish(job_id, JobState.DONE, result=result)  # unless it finished itself


def _claim(job_id: int) -> tuple[str, dict[str, Any], int | None, str | None] | None:
    """Move the job from queued to running: (kind, params, starter, locale), or None when
    another delivery claimed it first (a conditional UPDATE: one claim wins, on any host)."""
    with writing():
        now = utcnow()
        claimed = db.session.execute(
            db.update(Job)
            .where(Job.id == job_id, Job.state == JobState.QUEUED.value)
            .values(state=JobState.RUNNING.value, started_at=now, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        if claimed.rowcount != 1:
            db.session.rollback()
            return None
        job = db.session.get(Job, job_id, populate_existing=True)
        assert job is not None
        locale = job.created_by.locale if job.created_by is not None else None
        claim = (job.kind, dict(job.params or {}), job.created_by_id, locale)
        db.session.commit()
    return claim


@contextmanager
def heartbeat(job_id: int) -> Iterator[None]:
    """While the block runs, touch the running job's updated_at every HEARTBEAT seconds."""
    beating = _Heartbeat(current_app._get_current_object(), job_id)
    beating.start()
    try:
        yield
    finally:
        beating.stop()


class _Heartbeat(threading.Thread):
    """Touches the running job's updated_at every HEARTBEAT seconds, in its own session."""

    def __init__(self, app, job_id: int) -> None:
        super().__init__(name=f"examsvc-job-{job_id}-heartbeat", daemon=True)
        self.app, self.job_id = app, job_id
        self._stopped = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            try:
                while not self._stopped.wait(HEARTBEAT):
                    try:
                        beat(self.job_id)
                    except Exception:  # a busy database: the next beat tries again
                        db.session.rollback()
                        log.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
            finally:
                db.session.remove()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=HEARTBEAT + 30)


def beat(job_id: int) -> None:
    """The job is alive: touch its row (a transaction of its own)."""
    with writing():
        db.session.execute(
            db.update(Job)
            .where(Job.id == job_id, Job.state == JobState.RUNNING.value)
            .values(updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()


def complete(job_id: int, result: dict[str, Any]) -> None:
    """Mark the job done with its result, inside the caller's transaction (the one that
    writes its work: run() then leaves the finished job as it is). Raises Conflict when the
    job is no longer running (given up as dead): the caller must then roll its work back."""
    if not _set_finished(job_id, JobState.DONE, result=result):
        raise Conflict(_("the job stopped with the process running it; nothing was written"))


def fail(job_id: int, error: str) -> None:
    """Mark the job failed, in a transaction of its own."""
    _finish(job_id, JobState.FAILED, error=error)


def _finish(job_id: int, state: JobState, *, result: dict | None = None, error: str = "") -> None:
    db.session.rollback()
    with writing():
        _set_finished(job_id, state, result=result, error=error)
        db.session.commit()


def _set_finished(
    job_id: int, state: JobState, *, result: dict | None = None, error: str = ""
) -> bool:
    now = utcnow()
    values: dict[str, Any] = {"state": state.value, "finished_at": now, "updated_at": now}
    if state is JobState.DONE:
        values["result"] = result
    else:
        values["error"] = error[:2000]
    # Only a running job finishes: one that finished itself (complete()) or was given up
    # keeps its state.
    finished = db.session.execute(
        db.update(Job)
        .where(Job.id == job_id, Job.state == JobState.RUNNING.value)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    return finished.rowcount == 1


def stale_jobs() -> list[int]:
    """Jobs that will never finish: failed, or running with no heartbeat for STALE_AFTER."""
    cutoff = utcnow() - STALE_AFTER
    return list(
        db.session.scalars(
            db.select(Job.id).where(
                (Job.state == JobState.FAILED.value)
                | ((Job.state == JobState.RUNNING.value) & (Job.updated_at < cutoff))
            )
        )
    )


def give_up_stale() -> None:
    """Mark failed the running jobs whose process stopped (no heartbeat for STALE_AFTER)."""
    with writing():
        db.session.execute(
            db.update(Job)
            .where(Job.state == JobState.RUNNING.value, Job.updated_at < utcnow() - STALE_AFTER)
            .values(
                state=JobState.FAILED.value,
                error=_("the job stopped with the process running it; nothing was written"),
                finished_at=utcnow(),
            )
        )
        db.session.commit()

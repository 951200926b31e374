"""Background jobs: start one, move its progress on, finish it, show it.

A job row lives in our database so every host's pages can show it; examsvc/jobqueue.py
hands the job's id to Huey, whose consumer (a thread of the web process, or `examsvc
worker`) calls run(). Each step a runner reports is its own short transaction.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import gettext as _

from examsvc.extensions import db, writing
from examsvc.models import Job, JobState, Role, User, utcnow
from examsvc.services.errors import NotFound, ServiceError

log = logging.getLogger(__name__)

#: A running job whose progress has not moved for this long died with its worker.
STALE_AFTER = timedelta(hours=1)

#: What runs a job: function(job_id, params, created_by_id) → the result JSON.
Runner = Callable[[int, dict[str, Any], int | None], dict[str, Any]]

#: kind → its runner; services register theirs with @runner(kind).
RUNNERS: dict[str, Runner] = {}
#: The modules that register runners (imported before a job runs, in any process).
RUNNER_MODULES = ("examsvc.services.uploads", "examsvc.services.draw_jobs")


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
    """
    with writing():
        job = db.session.get(Job, job_id)
        if job is None or job.job_state is not JobState.QUEUED:
            db.session.rollback()
            return  # run already, or removed: a second delivery does nothing
        job.state, job.started_at, job.updated_at = JobState.RUNNING.value, utcnow(), utcnow()
        kind, params, actor_id = job.kind, dict(job.params or {}), job.created_by_id
        locale = job.created_by.locale if job.created_by is not None else None
        db.session.commit()
    for module in RUNNER_MODULES:
        importlib.import_module(module)
    g.examsvc_job = job_id  # flask_babel forces a locale only where g holds something
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            result = RUNNERS[kind](job_id, params, actor_id)
        except ServiceError as exc:
            _finish(job_id, JobState.FAILED, error=exc.message)
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            message = _("the job failed; the administrators can see why in the log")
            _finish(job_id, JobState.FAILED, error=message)
        else:
            _finish(job_id, JobState.DONE, result=result)


def complete(job_id: int, result: dict[str, Any]) -> None:
    """Mark the job done with its result, inside the caller's transaction."""
    _set_finished(job_id, JobState.DONE, result=result)


def fail(job_id: int, error: str) -> None:
    """Mark the job failed, in a transaction of its own."""
    _finish(job_id, JobState.FAILED, error=error)


def _finish(job_id: int, state: JobState, *, result: dict | None = None, error: str = "") -> None:
    db.session.rollback()
    with writing():
        _set_finished(job_id, state, result=result, error=error)
        db.session.commit()


def _set_finished(job_id: int, state: JobState, *, result: dict | None = None, error: str = ""):
    now = utcnow()
    values: dict[str, Any] = {"state": state.value, "finished_at": now, "updated_at": now}
    if state is JobState.DONE:
        values["result"] = result
    else:
        values["error"] = error[:2000]
    db.session.execute(db.update(Job).where(Job.id == job_id).values(**values))


def stale_jobs() -> list[int]:
    """Jobs that will never finish: failed, or running with no progress for STALE_AFTER."""
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
    """Mark failed the running jobs whose worker stopped (no progress for STALE_AFTER)."""
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

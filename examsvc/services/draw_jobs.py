"""Randomizing a sitting's papers as a background job, with its progress on a page."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from examsvc.extensions import db, reading, writing
from examsvc.jobqueue import queue
from examsvc.models import Job, Sitting, User
from examsvc.services import assembly, jobs
from examsvc.services.errors import NotFound

RANDOMIZE_JOB = "randomize"


def start_randomize(admin: User, sitting_id: int) -> int:
    """Queue the drawing of every paper of the sitting; the job's id."""
    db.session.commit()  # the caller's transaction may be a read: this one writes
    with writing():
        if db.session.get(Sitting, sitting_id) is None:
            raise NotFound(_("no such sitting"))
        job = jobs.new_job(admin, RANDOMIZE_JOB, {"sitting_id": sitting_id}, total=2)
        job_id = job.id
        db.session.commit()
    queue().enqueue(job_id)
    return job_id


@jobs.runner(RANDOMIZE_JOB)
def run_randomize(job_id: int, params: dict[str, Any], actor_id: int | None) -> dict[str, Any]:
    """Draw the papers: step 1 once the draw is computed, done once it is stored."""
    with reading():
        admin = db.session.get(User, actor_id) if actor_id else None
        db.session.commit()
    if admin is None:
        raise NotFound(_("no such account"))

    def drawn() -> None:
        with writing():
            jobs.step(job_id, 1)
            db.session.commit()

    sitting = assembly.randomize(admin, int(params["sitting_id"]), on_drawn=drawn)
    return {"sitting_id": sitting.id, "papers": sitting.assembly_report["papers"]}


def randomize_job(job_id: int) -> Job:
    """A randomize job (admins only reach the page that shows it)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != RANDOMIZE_JOB:
        raise NotFound(_("no such job"))
    return job

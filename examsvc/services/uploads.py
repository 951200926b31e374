"""Question files uploaded on the web: previewed, kept in the database, imported as a job.

The file waits between preview and confirm in the `uploads` table, where every host can
read it (not in one host's instance folder); only the uploader's signed session knows its
random token. Confirming starts an import job, which removes the upload when it ends;
uploads never confirmed are removed after STALE_AFTER.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _

from examsvc.extensions import db, reading, writing
from examsvc.jobqueue import queue
from examsvc.models import Job, JobState, Upload, User, utcnow
from examsvc.services import importing, jobs
from examsvc.services.errors import BadInput, NotFound

#: An upload not confirmed within this time is removed.
STALE_AFTER = timedelta(hours=24)
OPTIONS = ("fmt", "channel", "default_area", "skip_bad", "approve")


def preview(
    actor: User, data: bytes, filename: str, options: dict[str, Any], replaces: str | None
) -> tuple[importing.ImportReport, str | None]:
    """Dry-run the file and keep it for the confirm step: the report and the upload's token
    (None when the file is refused). ``replaces``: the token of an earlier preview, dropped.

    The dry run reads only; keeping the file is one short transaction after it.
    """
    options = {k: options[k] for k in OPTIONS if k in options}
    report = importing.import_file(actor, data, filename=filename, dry_run=True, **options)
    token = None if report.rejected else secrets.token_hex(16)
    with writing():
        _drop(actor.id, replaces)
        if token is not None:
            db.session.add(
                Upload(
                    token=token,
                    user_id=actor.id,
                    filename=filename[:200],
                    options=options,
                    data=data,
                )
            )
        db.session.commit()
    return report, token


def discard(actor: User, token: str | None) -> None:
    """Drop an upload that will not be confirmed."""
    with writing():
        _drop(actor.id, token)
        db.session.commit()


def _drop(user_id: int, token: str | None) -> None:
    """Remove this user's upload ``token`` and stale uploads (unless a job waits for one)."""
    stale = (Upload.created_at < utcnow() - STALE_AFTER) & Upload.id.not_in(_awaited())
    mine = (Upload.user_id == user_id) & (Upload.token == (token or ""))
    db.session.execute(db.delete(Upload).where(stale | mine))


def _awaited() -> list[int]:
    """The uploads that queued or running import jobs are still to read."""
    params = db.session.scalars(
        db.select(Job.params).where(
            Job.kind == importing.IMPORT_JOB,
            Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
        )
    )
    return [int(p["upload_id"]) for p in params if isinstance(p, dict) and p.get("upload_id")]


def start_import(actor: User, token: str | None) -> int:
    """Start importing the previewed upload as a job; the job's id."""
    upload = None
    if token:
        # Not the file itself (up to MAX_FILE_BYTES): the job reads it, outside this write.
        upload = db.session.execute(
            db.select(Upload.id, Upload.filename).where(
                Upload.token == token, Upload.user_id == actor.id
            )
        ).one_or_none()
    if upload is None:
        raise NotFound(_("Nothing to import: upload the file again."), code="no_upload")
    # Used up: a second confirm, even one racing this, finds nothing.
    used = db.session.execute(
        db.update(Upload)
        .where(Upload.id == upload.id, Upload.token == token)
        .values(token=secrets.token_hex(16))
    )
    if used.rowcount != 1:
        db.session.rollback()
        raise NotFound(_("Nothing to import: upload the file again."), code="no_upload")
    job = jobs.new_job(
        actor,
        importing.IMPORT_JOB,
        {"upload_id": upload.id, "filename": upload.filename},
    )
    job_id = job.id
    db.session.commit()
    queue().enqueue(job_id)
    return job_id


@jobs.runner(importing.IMPORT_JOB)
def run_import(job_id: int, params: dict[str, Any], actor_id: int | None) -> dict[str, Any]:
    """The import job: import the upload (its phases report progress), then remove it."""
    upload_id = params.get("upload_id")
    with reading():
        upload = db.session.get(Upload, upload_id) if upload_id else None
        actor = db.session.get(User, actor_id) if actor_id else None
        if upload is None or actor is None:
            raise BadInput(_("the uploaded file is gone: upload it again"), code="no_upload")
        data, filename, options = upload.data, upload.filename, dict(upload.options or {})
        db.session.commit()
    try:
        report = importing.import_file(actor, data, filename=filename, job_id=job_id, **options)
    finally:
        with writing():
            db.session.execute(db.delete(Upload).where(Upload.id == upload_id))
            db.session.commit()
    return report_json(report)


def report_json(report: importing.ImportReport) -> dict[str, Any]:
    """The report as a job keeps it: the CLI's JSON (messages in words) and the outcome."""
    return importing.job_result(report)


def import_job(actor: User, job_id: int) -> Job:
    """An import job its starter (or an admin) may look at."""
    job = jobs.visible_job(actor, job_id)
    if job.kind != importing.IMPORT_JOB:
        raise NotFound(_("no such job"))
    return job

"""The state of a background job, for its progress page (and scripts)."""

from flask import jsonify
from flask_login import current_user, login_required

from examsvc.api import bp
from examsvc.jobqueue import queue
from examsvc.services import jobs


@bp.get("/jobs/<int:job_id>")
@login_required
def job_state(job_id: int):
    """`{"id", "kind", "state", "progress", "total", "percent", "result", "error", …}`:
    to whoever started the job, and admins; 404 to anyone else."""
    job = jobs.polled(current_user, job_id)
    if job.state == "queued":
        queue().wake()
    return jsonify(jobs.as_json(job))

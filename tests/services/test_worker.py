"""`examsvc worker` (DESIGN.md §4) runs the jobs that web processes queue when
EXAMSVC_JOBS_RUNNER=worker tells them not to run jobs themselves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from examsvc import create_app
from examsvc.extensions import db, reading
from examsvc.models import Job, Question, Role
from examsvc.services import accounts, uploads
from tests.conftest import PASSWORD, make_config

CSV = (
    "题型,题干,答案,知识点\n"
    "判断题,预备党员的预备期为一年。,对,党章党规\n"
    "判断题,党员应当按月交纳党费。,对,党建实务\n"
)


def test_a_job_queued_for_the_worker_waits_for_it_and_the_worker_runs_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'examsvc.db'}"
    instance = str(tmp_path / "instance")
    app = create_app(make_config(url, instance, JOBS_RUNNER="worker"))
    with app.app_context():
        db.create_all()
        examiner = accounts.create_user("ex@example.com", [Role.EXAMINER], PASSWORD, "审题人")
        _report, token = uploads.preview(
            examiner, CSV.encode(), "two.csv", {"fmt": "csv", "channel": "public"}, None
        )
        job_id = uploads.start_import(examiner, token)
        assert db.session.get(Job, job_id).state == "queued"  # the web process did not run it
        db.session.commit()
        env = {
            **os.environ,
            "EXAMSVC_DATABASE_URL": url,
            "EXAMSVC_INSTANCE_PATH": instance,
            "EXAMSVC_SECRET_KEY": "worker-test-secret",
            "EXAMSVC_JOBS_RUNNER": "worker",
        }
        worker = subprocess.Popen(
            [sys.executable, "-c", "from examsvc.cli import main; main()", "worker",
             "--threads", "1"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and worker.poll() is None:
                db.session.expire_all()
                with reading():  # poll as a status page does: no write lock on SQLite
                    state = db.session.get(Job, job_id).state
                    db.session.commit()
                if state in ("done", "failed"):
                    break
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGINT)
            output = worker.communicate(timeout=30)[0]
        job = db.session.get(Job, job_id)
        assert (job.state, job.result["imported"]) == ("done", 2), output
        assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 2
        assert "examsvc worker" in output
        db.session.remove()
        db.engine.dispose()

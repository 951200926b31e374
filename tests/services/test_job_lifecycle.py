"""Background jobs survive their process stopping: one claim per job, a heartbeat while it
runs, dead jobs given up (their staged rows removed), graceful stops; an import's job is
done in the transaction that publishes it; concurrent imports publish a question once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event

from examsvc.extensions import db, reading
from examsvc.jobqueue import queue
from examsvc.models import Job, Question, Role, Upload, User, utcnow
from examsvc.services import accounts, importing, jobs, staging, uploads
from examsvc.services.errors import Conflict
from tests.conftest import PASSWORD, single_fields
from tests.services.test_import_jobs import CSV, stage_one


def count(model=Question) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def examiner(make_user):
    return make_user(Role.EXAMINER)


@pytest.fixture
def probe():
    """A job kind of the tests' own: its runner calls the function the test sets."""
    calls: list[int] = []
    behaviour: dict[str, object] = {"run": lambda job_id: {}}

    def run(job_id, _params, _actor):
        calls.append(job_id)
        return behaviour["run"](job_id)

    jobs.RUNNERS["probe"] = run
    yield calls, behaviour
    del jobs.RUNNERS["probe"]


def queued(kind: str = "probe") -> int:
    job = jobs.new_job(None, kind, {})
    job_id = job.id
    db.session.commit()
    return job_id


def left() -> int:
    """Questions in the database (ending the read: SQLite's writers go on)."""
    n = count()
    db.session.commit()
    return n


def state(job_id: int) -> str:
    db.session.expire_all()
    value = db.session.scalar(db.select(Job.state).where(Job.id == job_id))
    db.session.commit()
    return value


def test_a_job_delivered_twice_at_once_runs_once(app, probe):
    """The claim is one conditional UPDATE: both deliveries reach it together (a barrier
    before the first UPDATE of the jobs table), and only one of them wins."""
    calls, _behaviour = probe
    job_id = queued()
    barrier = threading.Barrier(2, timeout=2)
    runners: set[threading.Thread] = set()
    passed: set[threading.Thread] = set()

    def together(_conn, _cursor, statement, _params, _context, _many):
        me = threading.current_thread()
        if me in runners and me not in passed and statement.lstrip().startswith("UPDATE jobs"):
            passed.add(me)
            # SQLite: the other delivery waits for the write lock, not here
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

    def deliver() -> None:
        with app.app_context():
            jobs.run(job_id)
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    runners.update(threads)
    event.listen(db.engine, "before_cursor_execute", together)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(db.engine, "before_cursor_execute", together)
    assert calls == [job_id]
    assert state(job_id) == "done"


def test_a_running_job_keeps_its_heartbeat_while_it_makes_no_progress(app, probe, monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT", 0.05, raising=False)
    _calls, behaviour = probe

    def seen(job_id: int):
        with reading():
            value = db.session.scalar(db.select(Job.updated_at).where(Job.id == job_id))
            db.session.commit()
        return value

    def quiet(job_id: int) -> dict:
        before = seen(job_id)
        deadline = time.monotonic() + 30
        while seen(job_id) == before and time.monotonic() < deadline:
            time.sleep(0.05)  # no progress written: only the heartbeat moves updated_at
        return {"beat": seen(job_id) != before}

    behaviour["run"] = quiet
    job_id = queued()
    jobs.run(job_id)
    job = db.session.get(Job, job_id)
    assert (job.state, job.result) == ("done", {"beat": True})
    assert timedelta(minutes=5) >= jobs.STALE_AFTER  # a dead job shows "running" this long


def dead_import(examiner: User) -> tuple[int, int]:
    """An import job that staged a question, then its process died 3 minutes ago."""
    job_id, question_id = stage_one(examiner, single_fields(1))
    db.session.execute(
        db.update(Job)
        .where(Job.id == job_id)
        .values(state="running", updated_at=utcnow() - timedelta(minutes=3))
    )
    db.session.commit()
    return job_id, question_id


def test_a_polled_job_whose_process_died_is_failed_and_its_staged_rows_removed(
    app, login_as, make_user
):
    client, examiner = login_as(Role.EXAMINER)
    job_id, _question_id = dead_import(examiner)
    live_id, _ = stage_one(examiner, single_fields(2))  # running, its heartbeat fresh
    db.session.execute(
        db.update(Job).where(Job.id == live_id).values(state="running", updated_at=utcnow())
    )
    db.session.commit()
    body = client.get(f"/api/v1/jobs/{job_id}").get_json()
    assert body["state"] == "failed" and body["error"]
    assert client.get(f"/api/v1/jobs/{live_id}").get_json()["state"] == "running"
    assert count() == 1  # only the live import's staged question is left
    assert state(live_id) == "running"


def test_a_consumer_starting_gives_up_the_jobs_of_a_dead_process(app, examiner):
    app.config["JOBS_RUNNER"] = "thread"
    runner = type(queue())(app)
    job_id, _question_id = dead_import(examiner)
    try:
        runner.wake()
        assert state(job_id) == "failed" and count() == 0
    finally:
        runner.stop()


SCRIPT_PRELUDE = """
import sys, time
from examsvc.services import jobs

def nap(job_id, params, actor):
    time.sleep(2)
    return {"slept": True}

jobs.RUNNERS["nap"] = nap
"""


def _env(url: str, instance: str, runner: str) -> dict[str, str]:
    return {
        **os.environ,
        "EXAMSVC_DATABASE_URL": url,
        "EXAMSVC_INSTANCE_PATH": instance,
        "EXAMSVC_SECRET_KEY": "lifecycle-test-secret",
        "EXAMSVC_JOBS_RUNNER": runner,
    }


def _wait_for(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _sqlite_app(tmp_path):
    from examsvc import create_app
    from tests.conftest import make_config

    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    instance = str(tmp_path / "instance")
    return url, instance, create_app(make_config(url, instance, JOBS_RUNNER="worker"))


def test_a_web_process_exiting_lets_its_running_job_finish(tmp_path):
    """The thread runner's consumer threads are daemons: at exit the process waits for the
    running job instead of cutting it off."""
    url, instance, app = _sqlite_app(tmp_path)
    with app.app_context():
        db.create_all()
        job_id = queued("nap")
        script = SCRIPT_PRELUDE + textwrap.dedent(f"""
            from examsvc import create_app
            from examsvc.extensions import db
            from examsvc.jobqueue import queue
            from examsvc.models import Job

            app = create_app()
            with app.app_context():
                queue().enqueue({job_id})
                while db.session.get(Job, {job_id}).state == "queued":
                    db.session.commit()
                    db.session.expire_all()
                    time.sleep(0.05)
                db.session.remove()
            print("exiting while job", {job_id}, "runs", flush=True)
        """)  # the main thread ends here, the job still running
        child = subprocess.run(
            [sys.executable, "-c", script],
            env=_env(url, instance, "thread"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "exiting while job" in child.stdout, child.stderr
        job = db.session.get(Job, job_id)
        assert (job.state, job.result) == ("done", {"slept": True}), child.stderr
        db.session.remove()
        db.engine.dispose()


def test_the_worker_stopped_by_sigterm_finishes_its_running_job(tmp_path):
    url, instance, app = _sqlite_app(tmp_path)
    with app.app_context():
        db.create_all()
        job_id = queued("nap")
        queue().enqueue(job_id)  # EXAMSVC_JOBS_RUNNER=worker: into instance/jobs-queue.db
        worker = subprocess.Popen(
            [sys.executable, "-c",
             SCRIPT_PRELUDE + "from examsvc.cli import main\nmain()", "worker", "--threads", "1"],
            env=_env(url, instance, "worker"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            assert _wait_for(lambda: state(job_id) != "queued")
            worker.send_signal(signal.SIGTERM)
            output = worker.communicate(timeout=60)[0]
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
        job = db.session.get(Job, job_id)
        assert (job.state, job.result) == ("done", {"slept": True}), output
        assert worker.returncode == 0, output
        db.session.remove()
        db.engine.dispose()


def test_the_worker_gives_up_jobs_of_dead_processes_while_it_runs(tmp_path):
    url, instance, app = _sqlite_app(tmp_path)
    with app.app_context():
        db.create_all()
        first = queued("nap")
        queue().enqueue(first)
        code = "import examsvc.jobqueue\nexamsvc.jobqueue.SWEEP_EVERY = 0.2\n"
        worker = subprocess.Popen(
            [sys.executable, "-c",
             SCRIPT_PRELUDE + code + "from examsvc.cli import main\nmain()", "worker"],
            env=_env(url, instance, "worker"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            assert _wait_for(lambda: state(first) == "done")  # past its start-up sweep
            examiner = accounts.create_user("ex@example.com", [Role.EXAMINER], PASSWORD, "审题人")
            dead, _question_id = dead_import(examiner)
            assert _wait_for(lambda: state(dead) == "failed" and left() == 0, 30)
        finally:
            worker.send_signal(signal.SIGTERM)
            output = worker.communicate(timeout=60)[0]
        assert worker.returncode == 0, output
        db.session.remove()
        db.engine.dispose()


def test_a_web_import_is_done_in_the_transaction_that_publishes_it(app, examiner):
    """run() finishes a job only after the runner returns; by then the questions are in the
    bank, so the job must already say so: nothing afterwards may mark it failed."""
    job_id = queued(importing.IMPORT_JOB)
    db.session.execute(db.update(Job).where(Job.id == job_id).values(state="running"))
    db.session.commit()
    report = importing.import_file(
        examiner, CSV.encode(), fmt="csv", channel="public", job_id=job_id
    )
    assert report.imported == 40
    job = db.session.get(Job, job_id)
    assert (job.state, job.result["imported"], job.result["rejected"]) == ("done", 40, False)
    jobs.fail(job_id, "the process stopped")  # e.g. removing the upload fails afterwards
    assert state(job_id) == "done" and count() == 40


def test_an_import_given_up_as_dead_while_staging_publishes_nothing(app, examiner, monkeypatch):
    """Its heartbeat stalled and a sweep marked it failed (and removed its staged rows): the
    import, still alive after all, must not publish a half-removed batch under a failed job."""
    job_id = queued(importing.IMPORT_JOB)
    db.session.execute(db.update(Job).where(Job.id == job_id).values(state="running"))
    db.session.commit()
    stage = staging.stage

    def stage_then_given_up(*args, **kwargs):
        staged = stage(*args, **kwargs)
        jobs.fail(job_id, "the job stopped with the process running it")
        return staged

    monkeypatch.setattr(staging, "stage", stage_then_given_up)
    with pytest.raises(Conflict):
        importing.import_file(examiner, CSV.encode(), fmt="csv", channel="public", job_id=job_id)
    db.session.rollback()
    assert state(job_id) == "failed" and count() == 0


def test_the_same_file_imported_twice_at_once_is_published_once(app, make_user, monkeypatch):
    """Both imports stage the file before either publishes (a barrier after staging): the
    second to publish must see the first's questions (PostgreSQL: it waits for the
    publication lock) and be refused."""
    ids = [make_user(Role.EXAMINER).id for _ in range(2)]
    db.session.commit()  # on SQLite, reading the ids began a transaction holding the lock
    barrier = threading.Barrier(2, timeout=60)
    stage = staging.stage

    def stage_then_wait(*args, **kwargs):
        staged = stage(*args, **kwargs)
        barrier.wait()
        return staged

    monkeypatch.setattr(staging, "stage", stage_then_wait)
    reports: list[importing.ImportReport] = []
    errors: list[BaseException] = []

    def run(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                report = importing.import_file(user, CSV.encode(), fmt="csv", channel="public")
                reports.append(report)
            except BaseException as exc:  # noqa: BLE001 - asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(user_id,)) for user_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted((r.imported, r.rejected) for r in reports) == [(0, True), (40, False)]
    assert count() == 40
    fingerprints = db.session.scalars(db.select(Question.fingerprint))
    assert len(set(fingerprints)) == 40


def only_queue(app) -> None:
    """EXAMSVC_JOBS_RUNNER=worker: jobs wait in the queue (no worker runs in these tests)."""
    app.config["JOBS_RUNNER"] = "worker"
    app.extensions["examsvc_jobs"] = type(queue())(app)


def test_confirming_an_import_does_not_read_the_uploaded_file(app, examiner):
    _report, token = uploads.preview(
        examiner, CSV.encode(), "bank.csv", {"fmt": "csv", "channel": "public"}, None
    )
    only_queue(app)  # the job reads the file, not this request
    statements: list[str] = []

    def trace(_conn, _cursor, statement, _params, _context, _many):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", trace)
    try:
        job_id = uploads.start_import(examiner, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", trace)
    assert state(job_id) == "queued"
    reads = [s for s in statements if s.startswith("SELECT") and "uploads" in s]
    assert reads and not [s for s in reads if "uploads.data" in s], reads


def test_a_stale_upload_a_queued_job_still_needs_is_kept(app, examiner, make_user):
    only_queue(app)  # queued until a worker runs it
    for name in ("awaited", "abandoned"):
        _report, token = uploads.preview(
            examiner, CSV.encode(), f"{name}.csv", {"fmt": "csv", "channel": "public"}, None
        )
        if name == "awaited":
            uploads.start_import(examiner, token)
    awaited, abandoned = db.session.scalars(db.select(Upload.id).order_by(Upload.id)).all()
    db.session.execute(
        db.update(Upload).values(created_at=utcnow() - uploads.STALE_AFTER - timedelta(hours=1))
    )
    db.session.commit()
    uploads.discard(make_user(Role.EXAMINER), None)  # anyone's upload step sweeps
    assert list(db.session.scalars(db.select(Upload.id))) == [awaited]
    assert abandoned != awaited

"""Imports as staged batches and background jobs: invisible until whole, gone when they fail,
no write lock while reading, the row cap, jobs run by Huey in a thread of the web process."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from examsvc.extensions import db, reading
from examsvc.i18n import translate
from examsvc.jobqueue import queue
from examsvc.models import Job, JobState, Question, QuestionBand, Role, Upload, User, utcnow
from examsvc.services import bank, browse, importing, jobs, review, similarity, staging, uploads
from examsvc.services.errors import NotFound
from question_bank.formats.common import FILE
from tests.conftest import single_fields

CSV = "题型,题干,答案,知识点\n" + "".join(
    f"判断题,第{n}条：{'党员' * (n % 3 + 1)}应当按期参加组织生活会并开展批评{n}。,对,党章党规\n"
    for n in range(1, 41)
)


def count(model=Question) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def examiner(make_user):
    return make_user(Role.EXAMINER)


def stage_one(examiner: User, fields: dict) -> tuple[int, int]:
    """One question staged by a running import job: (job id, question id)."""
    job = jobs.new_job(examiner, importing.IMPORT_JOB, {})
    job_id = job.id
    db.session.commit()
    columns = bank.question_columns(fields)
    fingerprint, keys = similarity.signature(columns["stem"], columns["options"])
    (question_id,) = staging.stage(
        job_id, examiner.id, "public", [staging.Staged(columns, fingerprint, keys)], None
    )
    return job_id, question_id


def test_staged_questions_are_seen_by_nothing_until_the_batch_is_published(app, make_user):
    importer, other = make_user(Role.EXAMINER), make_user(Role.EXAMINER)
    fields = single_fields(1)
    job_id, question_id = stage_one(importer, fields)
    assert count() == 1 and count(QuestionBand) == 16  # written, with its band keys
    everything = browse.BankFilter()
    assert browse.browse(everything, 1).total == 0 and browse.review_queue(everything) == []
    assert browse.counts(everything) == {} and browse.credit() == ([], [])
    assert similarity.similar_questions(fields["stem"], fields["options"]) == []
    assert similarity.exact_duplicate(fields["stem"], fields["options"]) is None
    for look in (
        lambda: bank.own_question(importer, question_id),
        lambda: review.review(other, question_id, "approve"),
        lambda: review.comment(other, question_id, "看看"),
    ):
        with pytest.raises(NotFound):
            look()
    db.session.rollback()
    assert staging.publish(job_id) == 1
    db.session.commit()
    assert browse.browse(everything, 1).total == 1
    assert [q.id for q in browse.review_queue(everything)] == [question_id]
    assert similarity.exact_duplicate(fields["stem"], fields["options"]) == question_id
    assert db.session.get(Question, question_id).import_job_id is None


def test_an_import_that_fails_while_writing_leaves_nothing(app, examiner):
    def fail(_ids):
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        importing.import_file(
            examiner, CSV.encode(), fmt="csv", channel="public", flag_near_duplicates=fail
        )
    db.session.rollback()
    assert count() == 0 and count(QuestionBand) == 0
    job = db.session.scalar(db.select(Job))
    assert job.state == JobState.FAILED and job.kind == "import"


def test_a_cli_import_is_recorded_as_a_finished_job(app, examiner):
    report = importing.import_file(examiner, CSV.encode(), fmt="csv", channel="public")
    assert report.imported == 40
    job = db.session.scalar(db.select(Job))
    assert (job.state, job.result["imported"], job.created_by_id) == ("done", 40, examiner.id)
    assert job.progress == job.total > 0


def test_batches_of_dead_or_failed_imports_are_swept_and_live_ones_kept(app, examiner):
    dead_job, _ = stage_one(examiner, single_fields(1))
    live_job, live_id = stage_one(examiner, single_fields(2))
    db.session.execute(
        db.update(Job)
        .where(Job.id.in_([dead_job, live_job]))
        .values(state="running", updated_at=utcnow())
    )
    db.session.execute(
        db.update(Job).where(Job.id == dead_job).values(updated_at=utcnow() - timedelta(hours=2))
    )
    db.session.commit()
    staging.sweep()
    assert list(db.session.scalars(db.select(Question.id))) == [live_id]
    states = dict(db.session.execute(db.select(Job.id, Job.state)).all())
    assert (states[dead_job], states[live_job]) == ("failed", "running")


def test_a_file_over_the_row_cap_is_refused_with_a_clear_message(app, examiner):
    app.config["IMPORT_MAX_QUESTIONS"] = 39  # EXAMSVC_IMPORT_MAX_QUESTIONS
    report = importing.import_file(examiner, CSV.encode(), fmt="csv", channel="public")
    assert report.rejected and count() == 0
    (error,) = report.as_json()["errors"]
    assert error["where"] == translate(FILE) and "39" in error["message"]
    assert error["message"] != str(report.errors[0]["message"])  # in words of the catalog


def test_an_upload_is_imported_by_a_job_run_in_a_thread_of_the_web_process(app, examiner):
    """EXAMSVC_JOBS_RUNNER=thread (the default): Huey's SQLite queue in the instance folder,
    consumed by a thread the process starts on its first job."""
    app.config["JOBS_RUNNER"] = "thread"
    runner = type(queue())(app)
    app.extensions["examsvc_jobs"] = runner
    try:
        report, token = uploads.preview(
            examiner, CSV.encode(), "bank.csv", {"fmt": "csv", "channel": "public"}, None
        )
        assert report.imported == 40 and token
        job_id = uploads.start_import(examiner, token)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with reading():  # the poll takes no write lock from the job it waits for
                db.session.expire_all()
                job = db.session.get(Job, job_id)
                # The job is done with the import's own commit; the job's thread removes
                # the upload in the next one.
                finished = job.job_state.finished and count(Upload) == 0
                db.session.commit()
            if finished:
                break
            time.sleep(0.2)
        with reading():
            assert (job.state, job.result["imported"]) == ("done", 40)
            assert count() == 40 and count(Upload) == 0
            db.session.commit()
        assert runner.huey.storage.filename.endswith("jobs-queue.db")
    finally:
        runner.stop()


def test_the_job_queue_is_kept_in_redis_when_redis_is_configured(app):
    """EXAMSVC_REDIS_URL: Huey's Redis storage (built lazily: creating it connects nowhere)."""
    from huey.storage import RedisStorage, SqliteStorage

    app.config["REDIS_URL"] = "redis://127.0.0.1:6399/0"
    assert isinstance(type(queue())(app).huey.storage, RedisStorage)
    del app.config["REDIS_URL"]
    assert isinstance(type(queue())(app).huey.storage, SqliteStorage)


def test_a_question_added_elsewhere_while_an_import_stages_it_is_found_before_publishing(
    app, examiner, make_user
):
    fields = single_fields(7)
    job_id, staged_id = stage_one(examiner, fields)
    live = bank.submit_question(make_user(Role.CONTRIBUTOR), "public", fields)  # not yet seen
    assert staging.raced_duplicates(job_id) == [(staged_id, live.id)]

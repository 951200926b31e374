"""Attempts past deadline + grace are handed in with the browser closed: by the worker's
periodic task and by `examsvc attempts close-expired` from cron."""

import json
from datetime import timedelta

from examsvc.extensions import db
from examsvc.jobqueue import queue
from examsvc.models import Answer, Attempt, utcnow
from examsvc.services import attempts


def expired_attempt(open_sitting, answered: bool = True) -> int:
    """A started attempt whose deadline and grace passed a while ago, one answer saved."""
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    judge = next(i for i in attempt.enrolment.paper.items if i.content.type == "judge")
    if answered:
        attempts.save_answers(candidate, attempt.id, {str(judge.id): judge.content.key}, seq=7)
    attempt.deadline = utcnow() - timedelta(minutes=5)
    attempt_id = attempt.id
    db.session.commit()  # and holds no transaction: the sweep runs in a session of its own
    return attempt_id


def reread(attempt_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def test_the_worker_sweeps_deadlines_every_minute(app):
    huey = queue().huey
    due = {task.name for task in huey.read_periodic(utcnow().replace(tzinfo=None))}
    assert "examsvc.close_expired" in due
    assert queue().consumer(1).periodic  # `examsvc worker` runs periodic tasks


def test_the_periodic_task_hands_in_expired_attempts_and_scores_their_answers(app, open_sitting):
    attempt_id = expired_attempt(open_sitting)
    (task,) = [
        t
        for t in queue().huey.read_periodic(utcnow().replace(tzinfo=None))
        if t.name == "examsvc.close_expired"
    ]
    assert task.execute() == 1
    attempt = reread(attempt_id)
    assert (attempt.status, attempt.auto_submitted) == ("submitted", True)
    assert attempt.submitted_at == attempt.deadline and attempt.score == 1.0
    answer = db.session.scalar(db.select(Answer).where(Answer.attempt_id == attempt_id))
    assert (answer.seq, answer.points) == (7, 1.0)
    db.session.rollback()
    assert task.execute() == 0  # the next minute finds nothing left to do


def test_the_sweep_leaves_attempts_still_running(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt_id = attempts.start_or_resume(candidate, sitting.id).id
    db.session.rollback()  # end the read: on SQLite it holds the lock the sweep needs
    assert queue().close_expired() == 0
    assert reread(attempt_id).status == "in_progress"


def test_close_expired_json_for_cron(app, open_sitting):
    attempt_id = expired_attempt(open_sitting, answered=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["attempts", "close-expired", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"closed": 1}
    assert reread(attempt_id).status == "submitted"
    quiet = runner.invoke(args=["attempts", "close-expired", "--quiet"])
    assert (quiet.exit_code, quiet.output) == (0, "")  # cron mails nothing when nothing closed


def test_close_expired_fails_with_one_line_when_the_database_is_unreachable(tmp_path):
    from examsvc import create_app
    from tests.conftest import make_config

    url = f"sqlite:///{tmp_path / 'missing' / 'examsvc.db'}"  # its folder does not exist
    broken = create_app(make_config(url, str(tmp_path / "instance")))
    result = broken.test_cli_runner().invoke(args=["attempts", "close-expired", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["error"] == "database_error" and "Traceback" not in result.output

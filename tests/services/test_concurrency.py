"""Saves racing each other and a submit, from several threads (as several workers would)."""

import random
import threading

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, User
from examsvc.services import attempts
from examsvc.services.errors import Conflict


def run_threads(app, jobs):
    errors: list[BaseException] = []
    results: list[object] = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def worker(index, job):
        with app.app_context():
            try:
                barrier.wait()
                results[index] = job()
            except BaseException as exc:  # noqa: BLE001 - reported below
                results[index] = exc
                if not isinstance(exc, Conflict):
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


def test_concurrent_saves_keep_the_highest_seq(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    item_id, user_id, attempt_id = attempt.enrolment.paper.items[0].id, candidate.id, attempt.id
    db.session.commit()
    seqs = list(range(1, 13))
    random.Random(7).shuffle(seqs)
    labels = "ABCD"

    def save(seq):
        return lambda: attempts.save_answers(
            db.session.get(User, user_id), attempt_id, {str(item_id): labels[seq % 4]}, seq=seq
        )

    run_threads(app, [save(s) for s in seqs])
    stored = db.session.scalar(db.select(Answer).where(Answer.paper_item_id == item_id))
    assert (stored.seq, stored.response) == (12, labels[12 % 4])


def test_a_save_racing_the_submit_is_either_kept_or_refused(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    judges = [i for i in attempt.enrolment.paper.items if i.question.type == "judge"]
    user_id, attempt_id = candidate.id, attempt.id
    answers = [(i.id, i.question.key) for i in judges]
    db.session.commit()

    def save(item_id, key, seq):
        return lambda: attempts.save_answers(
            db.session.get(User, user_id), attempt_id, {str(item_id): key}, seq=seq
        )

    def submit():
        return attempts.submit(db.session.get(User, user_id), attempt_id).submitted_at

    jobs = [save(item_id, key, n + 1) for n, (item_id, key) in enumerate(answers)] + [submit]
    results = run_threads(app, jobs)
    acknowledged = [r for r in results[:-1] if not isinstance(r, Exception)]
    refused = [r for r in results[:-1] if isinstance(r, Conflict)]
    assert len(acknowledged) + len(refused) == len(answers)
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt_id)
    stored = db.session.scalar(
        db.select(db.func.count()).select_from(Answer).where(Answer.attempt_id == attempt_id)
    )
    # Every acknowledged answer is stored and was scored; every refused one is absent.
    assert stored == len(acknowledged)
    assert closed.status == "submitted" and closed.score == float(len(acknowledged))

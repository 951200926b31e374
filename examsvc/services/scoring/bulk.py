"""Scoring a sitting's answer sheets in bulk and storing each attempt's total, pass and
per-area scores.

A sitting's attempts are read and scored in batches of BATCH attempts, each batch written in
one short transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from flask_babel import gettext as _

from examsvc.extensions import db, reading, writing
from examsvc.jobqueue import queue
from examsvc.models import Attempt, AttemptAreaScore, Sitting, User, utcnow
from examsvc.services import audit, jobs
from examsvc.services.errors import Conflict, NotFound
from examsvc.services.scoring.sheets import (
    Sheets,
    SittingItems,
    load_sheets,
    sitting_items,
    submitted_attempt_ids,
)
from question_bank.scoring import exact_value
from question_bank.sheet_scoring import SheetScores, score_sheets

#: Attempts read, scored and written per transaction.
BATCH = 5000
SCORE_JOB = "score_sitting"


def score(compiled: SittingItems, sheets: Sheets) -> SheetScores:
    """Score a batch of sheets: the key, the examiners' marks and admins' corrections."""
    return score_sheets(
        compiled.item_set, sheets.codes, compiled.pass_mark, sheets.marks, sheets.overrides
    )


def max_hundredths(compiled: SittingItems, sheets: Sheets) -> np.ndarray:
    """Each sheet's most possible score in hundredths (the points of its paper's items)."""
    points = np.array([int(exact_value(c.points) * 100) for c in compiled.columns], dtype=np.int64)
    return (sheets.presented * points[None, :]).sum(axis=1)


def write_scores(compiled: SittingItems, sheets: Sheets, scores: SheetScores) -> None:
    """Store every sheet's total, pass (None while pending) and per-area scores (flush only)."""
    now = utcnow()
    tops = max_hundredths(compiled, sheets)
    rows = [
        {
            "id": int(a),
            "score": int(h) / 100,
            "max_score": int(top) / 100,
            "is_passed": None if pending else bool(passed),
            "scored_at": now,
        }
        for a, h, top, pending, passed in zip(
            sheets.attempt_ids,
            scores.hundredths,
            tops,
            scores.pending,
            scores.passed,
            strict=True,
        )
    ]
    if rows:
        db.session.execute(db.update(Attempt), rows)
    seen = sheets.presented
    area_of = [scores.areas.index(item.area) for item in compiled.item_set.items]
    area_seen = np.zeros((len(rows), len(scores.areas)), dtype=bool)
    for c, a in enumerate(area_of):
        area_seen[:, a] |= seen[:, c]
    ids = [int(a) for a in sheets.attempt_ids]
    db.session.execute(db.delete(AttemptAreaScore).where(AttemptAreaScore.attempt_id.in_(ids)))
    areas = [
        {
            "attempt_id": a,
            "areas": {
                area: int(h) / 100
                for area, h, shown in zip(scores.areas, hs, shown_row, strict=True)
                if shown
            },
            "scored_at": now,
        }
        for a, hs, shown_row in zip(ids, scores.area_hundredths, area_seen, strict=True)
    ]
    if areas:
        db.session.execute(db.insert(AttemptAreaScore), areas)


def score_attempts(sitting: Sitting, attempt_ids: Iterable[int]) -> SheetScores | None:
    """Score some attempts of a sitting and store their results (flush only)."""
    ids = list(attempt_ids)
    if not ids:
        return None
    compiled = sitting_items(sitting)
    sheets = load_sheets(compiled, ids)
    scores = score(compiled, sheets)
    write_scores(compiled, sheets, scores)
    return scores


def score_sitting(
    sitting_id: int, on_batch: Callable[[int, int], None] | None = None, batch: int = BATCH
) -> dict[str, int]:
    """Score every submitted attempt of the sitting, BATCH attempts per transaction."""
    with reading():
        sitting = get_sitting(sitting_id)
        compiled = sitting_items(sitting)
        ids = submitted_attempt_ids(sitting_id)
        db.session.commit()
    passed = pending = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with reading():
            sheets = load_sheets(compiled, chunk)
            db.session.commit()
        scores = score(compiled, sheets)
        with writing():
            write_scores(compiled, sheets, scores)
            if on_batch is not None:
                on_batch(start + len(chunk), len(ids))
            db.session.commit()
        passed += int(scores.passed.sum())
        pending += int(scores.pending.sum())
    return {"sitting_id": sitting_id, "attempts": len(ids), "passed": passed, "pending": pending}


def get_sitting(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    return sitting


def start_scoring(admin: User, sitting_id: int) -> int:
    """Queue the scoring of the whole sitting; the job's id."""
    db.session.commit()
    with writing():
        sitting = get_sitting(sitting_id)
        if sitting.results_published_at is not None:
            raise Conflict(_("the results are already published"), code="already_published")
        job = jobs.new_job(admin, SCORE_JOB, {"sitting_id": sitting_id}, total=1)
        audit.record(admin, "sitting.scoring_started", sitting, job=job.id)
        job_id = job.id
        db.session.commit()
    queue().enqueue(job_id)
    return job_id


@jobs.runner(SCORE_JOB)
def run_scoring(job_id: int, params: dict[str, Any], actor_id: int | None) -> dict[str, Any]:
    def progress(done: int, total: int) -> None:
        jobs.step(job_id, done, total)

    return score_sitting(int(params["sitting_id"]), on_batch=progress)

"""Writing a checked import in short transactions, invisible until it is whole.

Questions are written with status ``staged`` and their import job's id, a chunk per
transaction, each with its versions, band keys and review notes: no bank page, review
queue, look-alike lookup or count sees them. publish() then makes the whole batch visible
in one short UPDATE; discard() removes a batch that failed, also in short transactions.
So an import stays all-or-nothing while never holding SQLite's write lock for long.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case

from examsvc.extensions import db, reading, writing
from examsvc.models import (
    Question,
    QuestionBand,
    QuestionStatus,
    QuestionVersion,
    ReviewComment,
    utcnow,
)
from examsvc.services import bulk, jobs, similarity

#: Questions written per transaction: a few hundred milliseconds of write lock at most.
CHUNK = 1000


@dataclass
class Staged:
    """One checked question ready to write."""

    columns: dict[str, Any]
    fingerprint: str
    keys: list[int]
    #: Near-duplicate findings for the review thread (already worded).
    note: str = ""


@dataclass(frozen=True)
class Approval:
    """An admin's import approves: straight in, or as the first of two approvals."""

    approver_id: int
    two_needed: Callable[[int], bool]  # exam_mask → does it need a second examiner?


def stage(
    job_id: int,
    contributor_id: int,
    channel: str,
    items: Sequence[Staged],
    approval: Approval | None,
) -> list[int]:
    """Write the items as staged questions, CHUNK per transaction; their ids in order."""
    ids: list[int] = []
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        with writing(bulk=True):
            ids.extend(_write_chunk(job_id, contributor_id, channel, chunk, approval))
            jobs.step(job_id, len(ids), len(items) + 1)
            db.session.commit()
    return ids


def _write_chunk(
    job_id: int,
    contributor_id: int,
    channel: str,
    chunk: Sequence[Staged],
    approval: Approval | None,
) -> list[int]:
    now = utcnow()
    rows = [_question_row(job_id, contributor_id, channel, item, approval, now) for item in chunk]
    ids = _insert_questions(job_id, rows)
    versions, bands, notes = [], [], []
    for question_id, item in zip(ids, chunk, strict=True):
        versions.append(
            {
                **item.columns,
                "question_id": question_id,
                "version": 1,
                "created_by_id": contributor_id,
                "created_at": now,
            }
        )
        bands.extend(similarity.band_rows(question_id, item.keys))
        if item.note:
            notes.append(
                {
                    "question_id": question_id,
                    "author_id": contributor_id,
                    "kind": "comment",
                    "created_at": now,
                    "body": item.note,
                }
            )
    bulk.insert_rows(QuestionVersion, versions)
    bulk.insert_rows(QuestionBand, bands)
    bulk.insert_rows(ReviewComment, notes)
    return ids


def _insert_questions(job_id: int, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the question rows; their ids in the rows' order."""
    if db.session.connection().dialect.name == "postgresql":
        # Take the ids from the sequence first, then COPY the rows with them.
        ids = sorted(
            db.session.scalars(
                db.text(
                    "SELECT nextval(pg_get_serial_sequence('questions', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": len(rows)},
            )
        )
        bulk.insert_rows(Question, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids
    # SQLite: this transaction holds the write lock, so the new rows get increasing ids after
    # every id there is; read them back in that order (cheaper than RETURNING row by row).
    after = db.session.scalar(db.select(db.func.coalesce(db.func.max(Question.id), 0)))
    bulk.insert_rows(Question, rows)
    ids = list(
        db.session.scalars(
            db.select(Question.id)
            .where(Question.import_job_id == job_id, Question.id > after)
            .order_by(Question.id)
        )
    )
    if len(ids) != len(rows):
        raise RuntimeError(f"staged {len(rows)} questions but found {len(ids)}")
    return ids


def _question_row(
    job_id: int,
    contributor_id: int,
    channel: str,
    item: Staged,
    approval: Approval | None,
    now,
) -> dict[str, Any]:
    row = {
        **item.columns,
        "channel": channel,
        "status": QuestionStatus.STAGED.value,
        "version": 1,
        "contributor_id": contributor_id,
        "fingerprint": item.fingerprint,
        "created_at": now,
        "updated_at": now,
        "import_job_id": job_id,
        "reviewer_id": None,
        "reviewed_at": None,
        "first_approver_id": None,
    }
    if approval is not None:
        if approval.two_needed(item.columns["exam_mask"]):
            row["first_approver_id"] = approval.approver_id
        else:
            row["reviewer_id"], row["reviewed_at"] = approval.approver_id, now
    return row


def raced_duplicates(job_id: int) -> list[tuple[int, int]]:
    """(staged id, live id) pairs of the same question added elsewhere while staging."""
    live = db.aliased(Question)
    rows = db.session.execute(
        db.select(Question.id, live.id)
        .join(live, live.fingerprint == Question.fingerprint)
        .where(
            Question.import_job_id == job_id,
            Question.status == QuestionStatus.STAGED.value,
            live.status.in_(similarity.LIVE),
        )
    )
    return [(staged_id, live_id) for staged_id, live_id in rows]


def publish(job_id: int) -> int:
    """Make the staged batch visible (flush only: the caller commits with its audit entry)."""
    status = case(
        (Question.first_approver_id.is_not(None), QuestionStatus.IN_REVIEW.value),
        (Question.reviewer_id.is_not(None), QuestionStatus.APPROVED.value),
        else_=QuestionStatus.SUBMITTED.value,
    )
    result = db.session.execute(
        db.update(Question)
        .where(Question.import_job_id == job_id, Question.status == QuestionStatus.STAGED.value)
        .values(status=status, import_job_id=None),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)


def leave_out(question_ids: Sequence[int]) -> None:
    """Delete staged questions (their versions, bands and notes go with them) inside the
    caller's transaction: the publishing one, so the race check and the removal are one."""
    for start in range(0, len(question_ids), CHUNK):
        _delete(
            Question.id.in_(question_ids[start : start + CHUNK]),
            Question.status == QuestionStatus.STAGED.value,
        )


#: The key of the PostgreSQL advisory lock that serialises publication of imports.
PUBLISH_LOCK = 0x6578616D  # "exam"


def lock_publication() -> None:
    """Serialise publishing imports until the caller's transaction ends: the race check run
    after this sees every batch published before. SQLite's BEGIN IMMEDIATE already
    serialises writers; on PostgreSQL two imports of the same file would otherwise each see
    the other's questions still staged, and both publish them."""
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK})


def discard(job_id: int) -> None:
    """Remove what a failed or abandoned import staged, a chunk per transaction."""
    db.session.rollback()
    while True:
        with writing(bulk=True):
            ids = list(
                db.session.scalars(
                    db.select(Question.id)
                    .where(
                        Question.import_job_id == job_id,
                        Question.status == QuestionStatus.STAGED.value,
                    )
                    .limit(CHUNK)
                )
            )
            if ids:
                _delete(Question.id.in_(ids))
            db.session.commit()
        if len(ids) < CHUNK:
            return


def _delete(*conditions) -> None:
    # Versions, band keys and review notes go with their question (ON DELETE CASCADE).
    db.session.execute(
        db.delete(Question).where(*conditions), execution_options={"synchronize_session": False}
    )


def sweep() -> None:
    """Remove batches of imports that died (their worker was killed) or failed."""
    db.session.commit()  # ends the caller's read: on SQLite it could not turn into a write
    jobs.give_up_stale()  # first: every job it marks failed has its batch removed below
    with reading():
        stale = set(jobs.stale_jobs())
        batches = set(
            db.session.scalars(
                db.select(Question.import_job_id)
                .where(Question.status == QuestionStatus.STAGED.value)
                .distinct()
            )
        )
        db.session.commit()
    for job_id in batches & stale:
        discard(job_id)
    orphans = None in batches  # a job row deleted under a staged batch
    if orphans:
        with writing():
            _delete(
                Question.status == QuestionStatus.STAGED.value, Question.import_job_id.is_(None)
            )
            db.session.commit()

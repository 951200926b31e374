"""Bulk scoring of a sitting with question_bank.sheet_scoring, and re-scoring after a key
correction.

A sitting's attempts are read and scored in batches of BATCH attempts, each batch written in
one short transaction: the total, the pass and the per-area scores of every attempt. The
columns of the score matrix are the distinct (question, version, points) on the sitting's
papers; an item not on a candidate's paper is a column they did not see (code 0, no credit,
left out of the statistics).

Key corrections: papers pin the question versions they were drawn with, so a new version of a
question (a corrected key) changes nothing by itself. Before the results are published an
admin may apply it to a sitting: the re-score page lists the corrections the sitting's
questions have (same type and option count, a different key), shows who would change result,
and on confirmation re-pins the sitting's papers to the new version and re-scores every
affected attempt, audited.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from flask_babel import gettext as _

from examsvc.extensions import db, reading, writing
from examsvc.jobqueue import queue
from examsvc.models import (
    Answer,
    Attempt,
    AttemptAreaScore,
    AttemptStatus,
    Enrolment,
    Paper,
    PaperItem,
    Question,
    QuestionStatus,
    QuestionVersion,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import audit, jobs, sheet_reader
from examsvc.services.errors import Conflict, NotFound
from question_bank.model import OPTION_LABELS, QuestionType
from question_bank.scoring import MultipleRule, exact_value
from question_bank.sheet_scoring import (
    ItemSet,
    SheetItem,
    SheetScores,
    compile_items,
    encode_response,
    score_sheets,
)

#: Attempts read, scored and written per transaction.
BATCH = 5000
SCORE_JOB = "score_sitting"


@dataclass(frozen=True)
class Column:
    question_id: int
    version: int  #: the version scored (a correction's, when one is applied)
    points: float


@dataclass
class SittingItems:
    """The compiled columns of a sitting: what every batch of its sheets is scored against."""

    columns: list[Column]
    index: dict[tuple[int, int, float], int]  #: (question, pinned version, points) → column
    item_set: ItemSet
    option_counts: list[int]
    pass_mark: float


@dataclass
class Sheets:
    """One batch of a sitting's answer sheets as arrays."""

    attempt_ids: np.ndarray  # (sheets,) int64
    codes: np.ndarray  # (sheets, columns) uint8
    marks: np.ndarray  # (sheets, columns) float: examiners' final points, NaN unmarked
    presented: np.ndarray  # (sheets, columns) bool: on the candidate's paper
    answer_ids: dict[tuple[int, int], int] = field(default_factory=dict)  #: (sheet, column)


def sitting_items(sitting: Sitting, versions: dict[int, int] | None = None) -> SittingItems:
    """Compile the sitting's distinct items; ``versions`` maps question → corrected version."""
    versions = versions or {}
    pinned = db.session.execute(
        db.select(PaperItem.question_id, PaperItem.question_version, PaperItem.points)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .join(Enrolment, Enrolment.id == Paper.enrolment_id)
        .where(Enrolment.sitting_id == sitting.id)
        .distinct()
        .order_by(PaperItem.question_id, PaperItem.question_version, PaperItem.points)
    ).all()
    wanted = {(q, versions.get(q, v)) for q, v, _ in pinned}
    contents = _versions(wanted)
    columns, index, items, counts = [], {}, [], []
    for question_id, version, points in pinned:
        scored = versions.get(question_id, version)
        content = contents[(question_id, scored)]
        index[(question_id, version, float(points))] = len(columns)
        columns.append(Column(question_id, scored, float(points)))
        domain = content.to_domain()
        items.append(SheetItem(domain.type, domain.key, points, domain.area))
        counts.append(len(domain.options))
    blueprint = sitting.blueprint
    item_set = _compiled(tuple(items), MultipleRule(blueprint.multiple_rule))
    return SittingItems(columns, index, item_set, counts, blueprint.pass_mark)


@functools.lru_cache(maxsize=16)
def _compiled(items: tuple[SheetItem, ...], rule: MultipleRule) -> ItemSet:
    """compile_items, kept per process for the same items (a sitting scored, then analysed)."""
    return compile_items(items, rule)


def _versions(wanted: set[tuple[int, int]]) -> dict[tuple[int, int], QuestionVersion]:
    found: dict[tuple[int, int], QuestionVersion] = {}
    ids = sorted({q for q, _ in wanted})
    for start in range(0, len(ids), 500):
        for row in db.session.scalars(
            db.select(QuestionVersion).where(
                QuestionVersion.question_id.in_(ids[start : start + 500])
            )
        ):
            if (row.question_id, row.version) in wanted:
                found[(row.question_id, row.version)] = row
    return found


def submitted_attempt_ids(sitting_id: int) -> list[int]:
    return list(
        db.session.scalars(
            db.select(Attempt.id)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .where(
                Enrolment.sitting_id == sitting_id,
                Attempt.status == AttemptStatus.SUBMITTED.value,
            )
            .order_by(Attempt.id)
        )
    )


def load_sheets(
    compiled: SittingItems, attempt_ids: Sequence[int], watch: set[int] = frozenset()
) -> Sheets:
    """Read the answers of these attempts (every item of their papers, answered or not).

    ``watch``: columns whose answer ids are kept (re-scoring writes their points back).
    On PostgreSQL the choice items' codes come from one query (services/sheet_reader.py);
    fill-in and short answers, and everything on SQLite, are read row by row.
    """
    ids = np.asarray(sorted(attempt_ids), dtype=np.int64)
    n, p = len(ids), len(compiled.columns)
    sheets = Sheets(
        ids,
        np.zeros((n, p), dtype=np.uint8),
        np.zeros((n, p), dtype=np.float64),
        np.zeros((n, p), dtype=bool),
    )
    if not n:
        return sheets
    only: set[int] | None = None
    if sheet_reader.supported() and not watch:
        sheet_reader.read_codes(compiled, sheets)
        text_types = (QuestionType.FILL, QuestionType.SHORT)
        only = {
            c.question_id
            for c, item in zip(compiled.columns, compiled.item_set.items, strict=True)
            if item.type in text_types
        }
        if not only:
            return sheets
    _read_rows(compiled, sheets, watch, only)
    return sheets


def _read_rows(
    compiled: SittingItems, sheets: Sheets, watch: set[int], only: set[int] | None
) -> None:
    """Read answers row by row (of the questions ``only``, or of all) into ``sheets``."""
    row_of = {int(a): i for i, a in enumerate(sheets.attempt_ids)}
    items = compiled.item_set.items
    cache: dict[tuple, int] = {}
    query = (
        db.select(
            Attempt.id,
            PaperItem.question_id,
            PaperItem.question_version,
            PaperItem.points,
            PaperItem.option_order,
            Answer.id,
            Answer.response,
            Answer.points,
        )
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .join(Paper, Paper.enrolment_id == Enrolment.id)
        .join(PaperItem, PaperItem.paper_id == Paper.id)
        .outerjoin(
            Answer, db.and_(Answer.attempt_id == Attempt.id, Answer.paper_item_id == PaperItem.id)
        )
        .where(Attempt.id.in_(list(row_of)))
    )
    if only is not None:
        query = query.where(PaperItem.question_id.in_(only))
    rows = db.session.execute(query.execution_options(yield_per=20000))
    for attempt_id, qid, version, points, order, answer_id, response, given in rows:
        s, c = row_of[attempt_id], compiled.index[(qid, version, float(points))]
        sheets.presented[s, c] = True
        item = items[c]
        if c in watch and answer_id is not None:
            sheets.answer_ids[(s, c)] = answer_id
        if item.type is QuestionType.SHORT:
            empty = response is None or not str(response).strip()
            sheets.marks[s, c] = 0.0 if empty else (np.nan if given is None else given)
            continue
        if response is None:
            continue
        key = (c, _hashable(order), _hashable(response))
        code = cache.get(key)
        if code is None:
            code = cache[key] = encode_response(item, _original(item, order, response))
        sheets.codes[s, c] = code


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _original(item: SheetItem, order: list | None, response: object) -> object:
    """Display labels (after the option shuffle) back to the question's own labels."""
    if item.type is QuestionType.SINGLE and isinstance(response, str) and order:
        return OPTION_LABELS[order[OPTION_LABELS.index(response)]]
    if item.type is QuestionType.MULTIPLE and isinstance(response, list) and order:
        return sorted(OPTION_LABELS[order[OPTION_LABELS.index(r)]] for r in response)
    return response


def score(compiled: SittingItems, sheets: Sheets) -> SheetScores:
    return score_sheets(compiled.item_set, sheets.codes, compiled.pass_mark, sheets.marks)


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
        sitting = _sitting(sitting_id)
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


def _sitting(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    return sitting


def start_scoring(admin: User, sitting_id: int) -> int:
    """Queue the scoring of the whole sitting; the job's id."""
    db.session.commit()
    with writing():
        sitting = _sitting(sitting_id)
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


# -- key corrections ---------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    question_id: int
    pinned: int
    current: int
    old_key: object
    new_key: object
    type: str


@dataclass(frozen=True)
class Change:
    attempt_id: int
    name: str
    admission_no: str
    before: float | None
    after: float
    passed_before: bool | None
    passed_after: bool | None

    @property
    def result_changes(self) -> bool:
        return self.passed_before != self.passed_after


def corrections(sitting: Sitting) -> list[Correction]:
    """Questions on the sitting's papers whose current approved version corrects the key."""
    pinned = db.session.execute(
        db.select(PaperItem.question_id, PaperItem.question_version)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .join(Enrolment, Enrolment.id == Paper.enrolment_id)
        .where(Enrolment.sitting_id == sitting.id)
        .distinct()
    ).all()
    if not pinned:
        return []
    questions = {
        q.id: q
        for q in db.session.scalars(
            db.select(Question).where(Question.id.in_({q for q, _ in pinned}))
        )
    }
    old = _versions({(q, v) for q, v in pinned})
    found = []
    for qid, version in sorted(pinned):
        question = questions[qid]
        before = old[(qid, version)]
        if (
            question.version <= version
            or question.status != QuestionStatus.APPROVED
            or question.type != before.type
            or len(question.options or []) != len(before.options or [])
            or question.type == QuestionType.SHORT
            or json.dumps(question.key, sort_keys=True) == json.dumps(before.key, sort_keys=True)
        ):
            continue
        found.append(
            Correction(qid, version, question.version, before.key, question.key, question.type)
        )
    return found


def preview(sitting_id: int, chosen: Iterable[int]) -> tuple[list[Correction], list[Change]]:
    """What applying the chosen corrections would change: every attempt whose score moves."""
    sitting = _rescorable(sitting_id)
    applied = [c for c in corrections(sitting) if c.question_id in set(chosen)]
    if not applied:
        return [], []
    compiled = sitting_items(sitting, {c.question_id: c.current for c in applied})
    changes: list[Change] = []
    ids = _affected(sitting, applied)
    for start in range(0, len(ids), BATCH):
        sheets = load_sheets(compiled, ids[start : start + BATCH])
        changes += _changes(sheets, score(compiled, sheets))
    changes.sort(key=lambda c: (not c.result_changes, c.attempt_id))  # who changes result first
    return applied, changes


def _affected(sitting: Sitting, applied: list[Correction]) -> list[int]:
    """Submitted attempts whose paper holds one of the corrected questions."""
    return list(
        db.session.scalars(
            db.select(Attempt.id)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .join(Paper, Paper.enrolment_id == Enrolment.id)
            .join(PaperItem, PaperItem.paper_id == Paper.id)
            .where(
                Enrolment.sitting_id == sitting.id,
                Attempt.status == AttemptStatus.SUBMITTED.value,
                db.or_(
                    *(
                        db.and_(
                            PaperItem.question_id == c.question_id,
                            PaperItem.question_version == c.pinned,
                        )
                        for c in applied
                    )
                ),
            )
            .distinct()
            .order_by(Attempt.id)
        )
    )


def _changes(sheets: Sheets, scores: SheetScores) -> list[Change]:
    ids = [int(a) for a in sheets.attempt_ids]
    stored = {a.id: a for a in db.session.scalars(db.select(Attempt).where(Attempt.id.in_(ids)))}
    out = []
    for i, attempt_id in enumerate(ids):
        attempt = stored[attempt_id]
        after = int(scores.hundredths[i]) / 100
        passed_after = None if scores.pending[i] else bool(scores.passed[i])
        if attempt.score == after and attempt.is_passed == passed_after:
            continue
        out.append(
            Change(
                attempt_id,
                attempt.enrolment.user.name,
                attempt.enrolment.admission_no,
                attempt.score,
                after,
                attempt.is_passed,
                passed_after,
            )
        )
    return out


def digest(applied: list[Correction], changes: list[Change]) -> str:
    """A fingerprint of a preview: confirming applies only what the admin saw."""
    body = json.dumps(
        [[c.question_id, c.pinned, c.current] for c in applied]
        + [[c.attempt_id, c.before, c.after] for c in changes]
    )
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def apply(admin: User, sitting_id: int, chosen: Iterable[int], seen: str) -> list[Change]:
    """Apply the chosen key corrections to the sitting: re-pin, re-score, audit (one commit)."""
    applied, changes = preview(sitting_id, chosen)
    if not applied:
        raise Conflict(_("choose at least one key correction"), code="nothing_chosen")
    if digest(applied, changes) != seen:
        raise Conflict(
            _("the answers or keys changed since the preview: look at the differences again"),
            code="preview_stale",
        )
    sitting = _rescorable(sitting_id)
    versions = {c.question_id: c.current for c in applied}
    compiled = sitting_items(sitting, versions)
    watch = {i for i, col in enumerate(compiled.columns) if col.question_id in versions}
    ids = _affected(sitting, applied)
    for start in range(0, len(ids), BATCH):
        sheets = load_sheets(compiled, ids[start : start + BATCH], watch)
        scores = score(compiled, sheets)
        write_scores(compiled, sheets, scores)
        _write_item_points(compiled, sheets, scores)
    papers = db.select(Paper.id).join(Enrolment).where(Enrolment.sitting_id == sitting.id)
    for c in applied:
        db.session.execute(
            db.update(PaperItem)
            .where(
                PaperItem.paper_id.in_(papers),
                PaperItem.question_id == c.question_id,
                PaperItem.question_version == c.pinned,
            )
            .values(question_version=c.current),
            execution_options={"synchronize_session": False},
        )
    audit.record(
        admin,
        "sitting.rescored",
        sitting,
        corrections=[
            {"question": c.question_id, "from": c.pinned, "to": c.current} for c in applied
        ],
        changed=len(changes),
        results_changed=[
            {
                "attempt": c.attempt_id,
                "before": c.before,
                "after": c.after,
                "passed_before": c.passed_before,
                "passed_after": c.passed_after,
            }
            for c in changes
            if c.result_changes
        ],
    )
    db.session.commit()
    return changes


def _write_item_points(compiled: SittingItems, sheets: Sheets, scores: SheetScores) -> None:
    unit = Decimal(100 * scores.unit)
    rows = [
        {"id": answer_id, "points": float(Decimal(int(scores.item_units[s, c])) / unit)}
        for (s, c), answer_id in sheets.answer_ids.items()
    ]
    if rows:
        db.session.execute(db.update(Answer), rows)


def _rescorable(sitting_id: int) -> Sitting:
    sitting = _sitting(sitting_id)
    if sitting.results_published_at is not None:
        raise Conflict(
            _("the results are published: a key correction no longer changes them"),
            code="already_published",
        )
    return sitting

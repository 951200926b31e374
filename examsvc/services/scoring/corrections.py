"""Re-scoring after a key correction, before the results are published.

Papers pin the question versions they were drawn with, so a new version of a question (a
corrected key) changes nothing by itself. Before the results are published an admin may
apply it to a sitting: the re-score page lists the corrections the sitting's questions have
(same type and option count, a different key), shows who would change result, and on
confirmation re-pins the sitting's papers to the new version and re-scores every affected
attempt, audited with the list of those whose result changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Enrolment,
    Paper,
    PaperItem,
    Question,
    QuestionStatus,
    Sitting,
    User,
)
from examsvc.services import audit
from examsvc.services.errors import Conflict
from examsvc.services.scoring.bulk import BATCH, get_sitting, score, write_scores
from examsvc.services.scoring.sheets import (
    Sheets,
    SittingItems,
    load_sheets,
    sitting_items,
    versions,
)
from question_bank.model import QuestionType
from question_bank.sheet_scoring import SheetScores


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
    old = versions({(q, v) for q, v in pinned})
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
    current = {c.question_id: c.current for c in applied}
    compiled = sitting_items(sitting, current)
    watch = {i for i, col in enumerate(compiled.columns) if col.question_id in current}
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
    sitting = get_sitting(sitting_id)
    if sitting.results_published_at is not None:
        raise Conflict(
            _("the results are published: a key correction no longer changes them"),
            code="already_published",
        )
    return sitting

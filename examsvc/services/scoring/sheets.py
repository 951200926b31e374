"""A sitting's items compiled for bulk scoring, and its answer sheets read as arrays.

The columns of the score matrix are the distinct (question, version, points) on the
sitting's papers; an item not on a candidate's paper is a column they did not see (code 0,
no credit, left out of the statistics).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Enrolment,
    Paper,
    PaperItem,
    QuestionVersion,
    Sitting,
)
from examsvc.services import sheet_reader
from question_bank.model import OPTION_LABELS, QuestionType
from question_bank.scoring import MultipleRule, exact_value
from question_bank.sheet_scoring import ItemSet, SheetItem, compile_items, encode_response


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
    #: (sheets, columns) float: points an admin set deciding an appeal (NaN: none); None
    #: while no answer of the batch was corrected.
    overrides: np.ndarray | None = None

    def override(self, sheet: int, column: int, points: float) -> None:
        if self.overrides is None:
            self.overrides = np.full(self.codes.shape, np.nan)
        self.overrides[sheet, column] = points


def sitting_items(sitting: Sitting, corrected: dict[int, int] | None = None) -> SittingItems:
    """Compile the sitting's distinct items; ``corrected`` maps question → corrected version."""
    corrected = corrected or {}
    pinned = db.session.execute(
        db.select(PaperItem.question_id, PaperItem.question_version, PaperItem.points)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .join(Enrolment, Enrolment.id == Paper.enrolment_id)
        .where(Enrolment.sitting_id == sitting.id)
        .distinct()
        .order_by(PaperItem.question_id, PaperItem.question_version, PaperItem.points)
    ).all()
    wanted = {(q, corrected.get(q, v)) for q, v, _ in pinned}
    contents = versions(wanted)
    columns: list[Column] = []
    index: dict[tuple[int, int, float], int] = {}
    items: list[SheetItem] = []
    counts: list[int] = []
    for question_id, version, points in pinned:
        scored = corrected.get(question_id, version)
        content = contents[(question_id, scored)]
        index[(question_id, version, float(points))] = len(columns)
        columns.append(Column(question_id, scored, float(points)))
        domain = content.to_domain()
        items.append(SheetItem(domain.type, domain.key, points, domain.area))
        counts.append(len(domain.options))
    blueprint = sitting.blueprint
    share = exact_value(blueprint.partial_share)
    item_set = _compiled(tuple(items), MultipleRule(blueprint.multiple_rule), share)
    return SittingItems(columns, index, item_set, counts, blueprint.pass_mark)


@functools.lru_cache(maxsize=16)
def _compiled(items: tuple[SheetItem, ...], rule: MultipleRule, share: Fraction) -> ItemSet:
    """compile_items, kept per process for the same items (a sitting scored, then analysed)."""
    return compile_items(items, rule, share)


def versions(wanted: set[tuple[int, int]]) -> dict[tuple[int, int], QuestionVersion]:
    """The question versions asked for, by (question, version)."""
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
    compiled: SittingItems, attempt_ids: Sequence[int], watch: AbstractSet[int] = frozenset()
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
            _read_corrected(compiled, sheets)
            return sheets
    _read_rows(compiled, sheets, watch, only)
    _read_corrected(compiled, sheets)
    return sheets


def _read_rows(
    compiled: SittingItems, sheets: Sheets, watch: AbstractSet[int], only: set[int] | None
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


def _read_corrected(compiled: SittingItems, sheets: Sheets) -> None:
    """The points admins set on answers of these attempts (few: a partial index finds them)."""
    row_of = {int(a): i for i, a in enumerate(sheets.attempt_ids)}
    rows = db.session.execute(
        db.select(
            Answer.attempt_id,
            PaperItem.question_id,
            PaperItem.question_version,
            PaperItem.points,
            Answer.points,
        )
        .join(PaperItem, PaperItem.id == Answer.paper_item_id)
        .where(Answer.is_corrected, Answer.attempt_id.in_(list(row_of)))
    )
    for attempt_id, qid, version, points, given in rows:
        if given is not None:
            column = compiled.index[(qid, version, float(points))]
            sheets.override(row_of[attempt_id], column, given)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _original(item: SheetItem, order: list | None, response: object) -> object:
    """Display labels (after the option shuffle) back to the question's own labels."""
    if item.type is QuestionType.SINGLE and isinstance(response, str) and order:
        return OPTION_LABELS[order[OPTION_LABELS.index(response)]]
    if item.type is QuestionType.MULTIPLE and isinstance(response, list) and order:
        return sorted(OPTION_LABELS[order[OPTION_LABELS.index(r)]] for r in response)
    return response

"""Autosave: the paper's shape from memory, one upsert per answer that keeps the higher seq."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Enrolment,
    Paper,
    PaperItem,
    QuestionVersion,
    Sitting,
    User,
    utcnow,
)
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank.errors import InvalidResponse
from question_bank.model import BLANK_RE, QuestionType
from question_bank.scoring import check_response

MAX_SEQ = 2**62


class AttemptClosed(Conflict):
    code = "attempt_closed"


@dataclass
class SaveResult:
    saved: int
    stale: int
    deadline: datetime
    #: Item id → the seq stored for each answer not written: equal to the one sent for a
    #: retry of a save already applied; higher when another page (a second tab, another
    #: device) wrote the item later in seq, and the page decides whose answer stands.
    stale_items: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemShape:
    """What a save needs to check a response: fixed when the paper is drawn."""

    type: QuestionType
    option_count: int
    blanks: int


#: Papers never change once drawn (a released paper is deleted, never edited), so their
#: shapes are cached per process, keyed by id and draw time (SQLite may reuse a deleted id).
#: Big enough for every paper of a sitting of 5,000 in each worker: a shape is a dict of
#: item ids to a handful of shared ItemShape values (about 7 KB for 80 items).
_SHAPES: OrderedDict[tuple[int, datetime], dict[int, ItemShape]] = OrderedDict()
SHAPE_CACHE_SIZE = 8192
_SHAPES_LOCK = threading.Lock()  # the threads of a gunicorn worker share the cache


@functools.lru_cache(maxsize=4096)
def _item_shape(qtype: str, option_count: int, blanks: int) -> ItemShape:
    return ItemShape(QuestionType(qtype), option_count, blanks)


def paper_shape(paper_id: int, drawn_at: datetime) -> dict[int, ItemShape]:
    """Item id → ItemShape of a paper: one query the first time, then from memory."""
    key = (paper_id, drawn_at)
    with _SHAPES_LOCK:
        shape = _SHAPES.get(key)
        if shape is not None:
            _SHAPES.move_to_end(key)
            return shape
    rows = db.session.execute(
        db.select(PaperItem.id, PaperItem.option_order, QuestionVersion.type,
                  QuestionVersion.stem)
        .join(QuestionVersion, db.and_(QuestionVersion.question_id == PaperItem.question_id,
                                       QuestionVersion.version == PaperItem.question_version))
        .where(PaperItem.paper_id == paper_id)
    )  # fmt: skip
    shape = {
        item_id: _item_shape(qtype, len(order or ()), len(BLANK_RE.findall(stem)))
        for item_id, order, qtype, stem in rows
    }
    with _SHAPES_LOCK:
        _SHAPES[key] = shape
        while len(_SHAPES) > SHAPE_CACHE_SIZE:
            _SHAPES.popitem(last=False)
    return shape


@dataclass(frozen=True)
class _SaveTarget:
    attempt_id: int
    status: str
    deadline: datetime
    grace_seconds: int
    paper_id: int | None
    drawn_at: datetime | None


def _save_target_query():
    """Built once: the statement of every autosave (Core tables and bound parameters, so a
    save neither rebuilds it nor goes through the ORM's loading machinery)."""
    attempt, enrolment = Attempt.__table__, Enrolment.__table__
    sitting, paper = Sitting.__table__, Paper.__table__
    return (
        db.select(attempt.c.id, attempt.c.status, attempt.c.deadline, sitting.c.grace_seconds,
                  paper.c.id, paper.c.drawn_at)
        .select_from(
            attempt.join(enrolment, enrolment.c.id == attempt.c.enrolment_id)
            .join(sitting, sitting.c.id == enrolment.c.sitting_id)
            .outerjoin(paper, paper.c.enrolment_id == enrolment.c.id)
        )
        .where(attempt.c.id == bindparam("attempt_id"), enrolment.c.user_id == bindparam("user_id"))
        .with_for_update(read=True, of=attempt)
    )  # fmt: skip


_SAVE_TARGET = _save_target_query()


def _save_target(user: User, attempt_id: int) -> _SaveTarget:
    """The attempt's few columns a save needs, in one query; on PostgreSQL a share lock on
    the attempt row, so a hand-in (which takes the row lock) waits for saves in flight and a
    save after a hand-in sees it."""
    row = db.session.execute(_SAVE_TARGET, {"attempt_id": attempt_id, "user_id": user.id}).first()
    if row is None:
        raise NotFound(_("no such attempt"))
    return _SaveTarget(*row)


def save_answers(
    user: User, attempt_id: int, answers: object, seq: object, now: datetime | None = None
) -> SaveResult:
    """Store answers unless a later save (higher seq) already wrote them.

    One query for the attempt, the paper's shape from memory, one upsert per answer that
    keeps the higher seq, one commit: the cost follows the answers sent, not the paper.
    """
    now = now or utcnow()
    if not isinstance(answers, dict):
        raise BadInput(
            _("answers must be an object of item id to response"), code="invalid_answers"
        )
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < MAX_SEQ:
        raise BadInput(_("seq must be a non-negative whole number"), code="invalid_seq")
    target = _save_target(user, attempt_id)
    if target.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed(_("the attempt has been submitted"))
    if now > target.deadline + timedelta(seconds=target.grace_seconds):
        from examsvc.services import attempts  # the package: it closes attempts

        db.session.rollback()  # drop the share lock: closing takes the row lock
        attempts.ensure_open(attempts.own_attempt(user, attempt_id, lock=True), now)  # raises,
        target = _save_target(user, attempt_id)  # unless its deadline moved meanwhile
    if target.paper_id is None:  # an attempt always has a paper; be clear if not
        raise Conflict(_("this attempt has no paper"), code="no_paper")
    checked = _check_answers(paper_shape(target.paper_id, target.drawn_at), answers)
    stale = [
        item_id
        for item_id, response in checked.items()
        if not _upsert_answer(target.attempt_id, item_id, response, seq, now)
    ]
    stored = _stored_seqs(target.attempt_id, stale) if stale else {}
    db.session.commit()
    return SaveResult(
        saved=len(checked) - len(stale), stale=len(stale), deadline=target.deadline,
        stale_items=stored,
    )  # fmt: skip


def _stored_seqs(attempt_id: int, item_ids: list[int]) -> dict[int, int]:
    """The seq stored for these items (read only when a save was stale: rare)."""
    rows = db.session.execute(
        db.select(Answer.paper_item_id, Answer.seq).where(
            Answer.attempt_id == attempt_id, Answer.paper_item_id.in_(item_ids)
        )
    )
    return dict(rows.all())


def _upsert_statement(insert):
    table = Answer.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.paper_item_id],
        set_={
            "response": statement.excluded.response,
            "seq": statement.excluded.seq,
            "saved_at": statement.excluded.saved_at,
        },
        where=table.c.seq < statement.excluded.seq,
    ).returning(table.c.id)


#: The upsert of every saved answer, built once per dialect on the Core table: building it
#: per answer through the ORM cost more than the database's work.
_UPSERTS = {
    "postgresql": _upsert_statement(postgresql_insert),
    "sqlite": _upsert_statement(sqlite_insert),
}


def _upsert_answer(attempt_id: int, item_id: int, response: object, seq: int, now) -> bool:
    """Insert the answer, or overwrite a stored one of lower seq; False when a save of the
    same or a higher seq already wrote it (a retry or a late request: what is stored stands)."""
    statement = _UPSERTS[db.session.get_bind().dialect.name]
    values = {"attempt_id": attempt_id, "paper_item_id": item_id, "response": response,
              "seq": seq, "saved_at": now}  # fmt: skip
    return db.session.execute(statement, values).first() is not None


def _check_answers(items: dict[int, ItemShape], answers: dict) -> dict[int, object]:
    checked: dict[int, object] = {}
    for raw_id, response in answers.items():
        # A few ASCII digits: str.isdigit() also accepts "²" and "①", which int() refuses.
        digits = str(raw_id)
        readable = digits.isascii() and digits.isdigit() and len(digits) <= 10
        item_id = int(digits) if readable else None
        shape = items.get(item_id) if item_id is not None else None
        if shape is None:
            raise BadInput(
                _("item %(item)s is not on this paper", item=digits[:40]), code="unknown_item"
            )
        try:
            checked[item_id] = check_response(
                shape.type, response, shape.option_count, shape.blanks
            )
        except InvalidResponse as exc:
            problem = translate(exc.args[0]) if exc.args else ""
            raise BadInput(
                _("item %(item)s: %(problem)s", item=raw_id, problem=problem),
                code="invalid_response",
            ) from None
    return checked

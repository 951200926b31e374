"""Taking an exam: start or resume, autosave, submit, close at the deadline, score."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import defaultload, joinedload, lazyload

from examsvc.extensions import db, writing
from examsvc.i18n import translate
from examsvc.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Blueprint,
    Enrolment,
    Paper,
    PaperItem,
    QuestionVersion,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import audit, extra_time
from examsvc.services.assembly import draw_late
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank.errors import InvalidResponse
from question_bank.model import BLANK_RE, OPTION_LABELS, QuestionType
from question_bank.scoring import (
    MultipleRule,
    check_response,
    passes,
    score_response,
    total_score,
)

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


#: An attempt's row brings its enrolment, sitting and blueprint (lazy="joined"), but not
#: the blueprint's rows nor the user: one query.
_ATTEMPT_ONLY = (
    defaultload(Attempt.enrolment).lazyload(Enrolment.user),
    defaultload(Attempt.enrolment)
    .defaultload(Enrolment.sitting)
    .defaultload(Sitting.blueprint)
    .lazyload(Blueprint.rows),
)


def own_attempt(user: User, attempt_id: int, *, lock: bool = False) -> Attempt:
    """The caller's attempt; ``lock`` row-locks it on PostgreSQL (SQLite holds its write lock)."""
    query = (
        db.select(Attempt)
        .join(Enrolment)
        .where(Attempt.id == attempt_id, Enrolment.user_id == user.id)
        .options(*_ATTEMPT_ONLY)
    )
    attempt = db.session.scalar(query.with_for_update(of=Attempt) if lock else query)
    if attempt is None:
        raise NotFound(_("no such attempt"))
    return attempt


def _enrolment(user: User, sitting_id: int) -> tuple[Enrolment, Attempt | None]:
    """The caller's enrolment (row-locked) and its attempt, in one query.

    The same row brings the sitting, its blueprint and the paper (what the attempt's
    payload needs: papers.attempt_payload), not the blueprint's rows nor the user (the
    caller's, already loaded).
    """
    row = db.session.execute(
        db.select(Enrolment, Attempt)
        .outerjoin(Attempt, Attempt.enrolment_id == Enrolment.id)
        .where(Enrolment.sitting_id == sitting_id, Enrolment.user_id == user.id)
        .options(
            lazyload(Enrolment.user),
            joinedload(Enrolment.paper),
            defaultload(Enrolment.sitting).defaultload(Sitting.blueprint).lazyload(Blueprint.rows),
            lazyload(Attempt.enrolment),
        )
        .with_for_update(of=Enrolment)
    ).first()
    if row is None:
        raise NotFound(_("you are not enrolled in this sitting"), code="not_enrolled")
    return row.Enrolment, row.Attempt


def close_time(attempt: Attempt) -> datetime:
    """After this instant the server takes no more answers for the attempt."""
    return attempt.deadline + timedelta(seconds=attempt.enrolment.sitting.grace_seconds)


def start_or_resume(user: User, sitting_id: int, now: datetime | None = None) -> Attempt:
    """Open the candidate's attempt at the sitting, or return the one in progress."""
    now = now or utcnow()
    enrolment, attempt = _enrolment(user, sitting_id)
    if attempt is not None:
        if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
            _finalize(attempt, None)
            db.session.commit()
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise AttemptClosed(_("this attempt has been submitted"))
        return attempt
    sitting = enrolment.sitting
    if sitting.results_published_at is not None:
        raise Conflict(
            _("the results of this sitting are published: the exam can no longer be taken"),
            code="results_published",
        )
    state = sitting.state(now)
    if state != "open":
        message = (
            _("the sitting has not opened yet")
            if state == "scheduled"
            else _("the sitting has closed")
        )
        raise Conflict(message, code=f"sitting_{state}")
    if enrolment.paper is None:
        draw_late(enrolment)  # nobody drew papers for this sitting ahead: draw now
    # duration plus the candidate's extra time (the ledger), never after the sitting closes
    deadline = extra_time.deadline(sitting, now, extra_time.minutes_of(enrolment.id))
    attempt = Attempt(enrolment=enrolment, started_at=now, deadline=deadline)
    db.session.add(attempt)
    audit.record(
        user, "attempt.started", attempt, sitting=sitting.id, deadline=deadline.isoformat()
    )
    _commit_keeping_loaded()
    return attempt


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: the new attempt, its enrolment,
    sitting, blueprint and paper were just read or written under the enrolment's row lock,
    and the start's payload reads them next (expired, they would be read again, one query
    each, for every candidate starting at the bell)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


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
        db.session.rollback()  # drop the share lock: closing takes the row lock
        _ensure_open(own_attempt(user, attempt_id, lock=True), now)  # closes it and raises,
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


#: Every answer's points in one statement of constant text, built once. On PostgreSQL an
#: UPDATE from two arrays (prepared once per connection: a hand-in storm neither builds
#: nor parses a statement per answer); on SQLite (in-process, no round trips) one UPDATE
#: per answer through executemany.
_POINTS_FROM_ARRAYS = text(
    "UPDATE answers SET points = given.points"
    " FROM unnest(CAST(:answer_ids AS integer[]), CAST(:given_points AS double precision[]))"
    " AS given(id, points) WHERE answers.id = given.id"
)
_POINTS_ONE = (
    db.update(Answer.__table__)
    .where(Answer.__table__.c.id == bindparam("answer_id"))
    .values(points=bindparam("given_points"))
)


def _store_points(points: dict[int, float]) -> None:
    """Every answer's points (answer id → points) in one statement."""
    if not points:
        return
    with db.session.no_autoflush:  # the attempt's status goes with its score, in one UPDATE
        if db.session.get_bind().dialect.name == "postgresql":
            arrays = {"answer_ids": list(points), "given_points": list(points.values())}
            db.session.execute(_POINTS_FROM_ARRAYS, arrays)
        else:
            rows = [{"answer_id": k, "given_points": v} for k, v in points.items()]
            db.session.execute(_POINTS_ONE, rows)
    for loaded in list(db.session.identity_map.values()):  # answers a caller holds: re-read
        if isinstance(loaded, Answer) and loaded.id in points:
            db.session.expire(loaded, ["points"])


def _ensure_open(attempt: Attempt, now: datetime) -> None:
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed(_("the attempt has been submitted"))
    if now > close_time(attempt):
        _finalize(attempt, None)
        db.session.commit()
        raise AttemptClosed(_("the time for this attempt is over"))


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


class TimeLeft(Conflict):
    """A hand-in the page made because *its* clock ran out, while the server's deadline is
    still ahead (an extension the page had not heard of yet): the page carries on."""

    def __init__(self, deadline: datetime):
        super().__init__(_("there is time left: the deadline has moved"), code="time_left")
        self.deadline = deadline


def submit(
    user: User, attempt_id: int, now: datetime | None = None, *, time_up: bool = False
) -> Attempt:
    """Hand in the attempt; submitting again returns the first submission.

    ``time_up``: the page hands in because its countdown ended. Time is the server's: while
    the deadline (extensions included) is still ahead this raises TimeLeft and changes
    nothing."""
    now = now or utcnow()
    attempt = own_attempt(user, attempt_id, lock=True)
    if time_up and attempt.status == AttemptStatus.IN_PROGRESS and now < attempt.deadline:
        db.session.rollback()
        raise TimeLeft(attempt.deadline)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        _finalize(attempt, now if now <= close_time(attempt) else None)
        if not attempt.auto_submitted:
            audit.record(user, "attempt.submitted", attempt, score=attempt.score)
        _commit_keeping_loaded()  # the answer to the hand-in reads the attempt just written
    return attempt


def hand_in(attempt: Attempt, now: datetime) -> None:
    """Close and score an attempt in progress at ``now`` (flush only; the caller audits why)."""
    _finalize(attempt, now if now <= close_time(attempt) else None)


def settled(user: User, attempt_id: int, now: datetime | None = None) -> Attempt:
    """The caller's attempt, closed first if its time is over (as the sweep would close it).

    Closing is a short write transaction of its own, begun after the caller's ends: a page
    (a GET) reads in a deferred SQLite transaction, which can no longer write once another
    connection has committed since its first read ("database is locked" at once).
    """
    now = now or utcnow()
    attempt = own_attempt(user, attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
        db.session.commit()  # nothing written yet: this ends the read
        with writing():  # re-read under the lock (a sweep may have closed it), then close
            return submit(user, attempt_id, now)
    return attempt


#: Attempts closed and scored per transaction: the write lock is held for one batch only.
CLOSE_BATCH = 50


def close_expired(now: datetime | None = None, sitting_id: int | None = None) -> int:
    """Submit every attempt whose time is over, browser closed or not; returns how many.

    Works in short transactions of CLOSE_BATCH attempts, so candidates still saving answers
    (and logging in) never wait behind a sweep of a whole sitting.
    """
    now = now or utcnow()
    closed, after_id = 0, 0
    while True:
        batch_closed, after_id, seen = _finalize_batch(now, sitting_id, after_id, CLOSE_BATCH)
        db.session.commit()
        closed += batch_closed
        if seen < CLOSE_BATCH:
            return closed


def finalize_expired(now: datetime, sitting_id: int | None = None) -> int:
    """Close the attempts whose time is over (flush only), of one sitting or of all."""
    return _finalize_batch(now, sitting_id, 0, None)[0]


def _finalize_batch(
    now: datetime, sitting_id: int | None, after_id: int, limit: int | None
) -> tuple[int, int, int]:
    """Close expired attempts with ids above ``after_id``: (closed, last id seen, seen)."""
    query = (
        db.select(Attempt)
        .where(
            Attempt.status == AttemptStatus.IN_PROGRESS.value,
            Attempt.deadline < now,
            Attempt.id > after_id,
        )
        .order_by(Attempt.id)
        .limit(limit)
    )
    if sitting_id is not None:
        query = query.join(Enrolment).where(Enrolment.sitting_id == sitting_id)
    closed = seen = 0
    for attempt in db.session.scalars(query.with_for_update(of=Attempt)).all():
        seen += 1
        after_id = attempt.id
        if now > close_time(attempt):
            _finalize(attempt, None)
            closed += 1
    return closed, after_id, seen


def close_if_over(attempt: Attempt, now: datetime) -> bool:
    """Close and score an attempt in progress whose time is over, as the sweep would (flush
    only); True when it was closed."""
    if attempt.status == AttemptStatus.IN_PROGRESS and now > close_time(attempt):
        _finalize(attempt, None)
        return True
    return False


def _finalize(attempt: Attempt, submitted_at: datetime | None) -> None:
    """Close and score the attempt; None means the server closed it at its deadline."""
    attempt.status = AttemptStatus.SUBMITTED.value
    attempt.auto_submitted = submitted_at is None
    attempt.submitted_at = submitted_at or attempt.deadline
    _score(attempt)
    if attempt.auto_submitted:
        audit.record(None, "attempt.auto_submitted", attempt, score=attempt.score)


def original_labels(qtype: str, order: list[int], response: object) -> object:
    """Map display labels (after the option shuffle) back to the question's own labels."""
    if isinstance(response, str) and qtype == QuestionType.SINGLE:
        return OPTION_LABELS[order[OPTION_LABELS.index(response)]]
    if isinstance(response, list) and qtype == QuestionType.MULTIPLE:
        return sorted(OPTION_LABELS[order[OPTION_LABELS.index(r)]] for r in response)
    return response


def _domain_key(qtype: QuestionType, key: object) -> object:
    """The stored JSON key as question_bank holds it (QuestionContent.to_domain's key)."""
    if qtype is QuestionType.MULTIPLE:
        return tuple(key)
    if qtype is QuestionType.FILL:
        return tuple(tuple(k) for k in key)
    return key


def _score(attempt: Attempt) -> None:
    """Score the attempt: one read for its answers, one for its items' points and keys, one
    UPDATE for every answer's points (plain columns: a hand-in storm builds no ORM object per
    answer, and the database runs one statement, not one per answer)."""
    blueprint = attempt.enrolment.sitting.blueprint
    rule = MultipleRule(blueprint.multiple_rule)
    with db.session.no_autoflush:  # the attempt's new status is written with its score
        answers = {
            item_id: (answer_id, response)
            for answer_id, item_id, response in db.session.execute(
                db.select(Answer.id, Answer.paper_item_id, Answer.response).where(
                    Answer.attempt_id == attempt.id
                )
            )
        }
        items = db.session.execute(
            db.select(PaperItem.id, PaperItem.option_order, PaperItem.points,
                      QuestionVersion.type, QuestionVersion.key)
            .join(Paper, Paper.id == PaperItem.paper_id)
            .join(QuestionVersion, db.and_(
                QuestionVersion.question_id == PaperItem.question_id,
                QuestionVersion.version == PaperItem.question_version))
            .where(Paper.enrolment_id == attempt.enrolment_id)
        ).all()  # fmt: skip
    earned: list[float] = []
    stored: dict[int, float] = {}
    pending = False
    for item_id, order, item_points, qtype, key in items:
        kind = QuestionType(qtype)
        answer_id, response = answers.get(item_id, (None, None))
        if answer_id is not None:
            response = original_labels(qtype, order, response)
        points = score_response(
            kind, _domain_key(kind, key), response, item_points, rule, blueprint.partial_share
        )
        if points is None:
            pending = True
            continue
        earned.append(points)
        if answer_id is not None:
            stored[answer_id] = points
    _store_points(stored)
    attempt.score = total_score(earned)
    attempt.max_score = total_score(points for _, _, points, _, _ in items)
    attempt.is_passed = None if pending else passes(attempt.score, blueprint.pass_mark)
    attempt.scored_at = utcnow()

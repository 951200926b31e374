"""Read-only views of the bank: review queue, bank browser, counts, credit, history."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy import case, func
from sqlalchemy.orm import selectinload

from examsvc.extensions import db
from examsvc.models import (
    CONTENT_FIELDS,
    Question,
    QuestionStatus,
    QuestionVersion,
    Role,
    User,
)
from examsvc.services.queries import contains
from question_bank.model import EXAMS

PER_PAGE = 25


@dataclass
class BankFilter:
    area: str = ""
    type: str = ""
    difficulty: int | None = None
    status: str = ""
    channel: str = ""
    exam: str = ""
    text: str = ""

    def apply(self, query):
        query = query.where(Question.status != QuestionStatus.STAGED.value)  # import writing
        column_filters = {
            Question.area: self.area,
            Question.type: self.type,
            Question.status: self.status,
            Question.channel: self.channel,
        }
        for column, value in column_filters.items():
            if value:
                query = query.where(column == value)
        if self.difficulty:
            query = query.where(Question.difficulty == self.difficulty)
        if self.exam in EXAMS:
            query = query.where(Question.exam_mask.op("&")(1 << EXAMS.index(self.exam)) != 0)
        if self.text.strip():
            query = query.where(contains(Question.stem, self.text.strip()))
        return query


def review_page(filters: BankFilter, page: int, per_page: int = PER_PAGE):
    """One page of the questions waiting for an examiner, oldest first."""
    waiting = [QuestionStatus.SUBMITTED.value, QuestionStatus.IN_REVIEW.value]
    query = filters.apply(db.select(Question).where(Question.status.in_(waiting)))
    query = query.order_by(Question.created_at, Question.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def review_queue(filters: BankFilter, limit: int = 200) -> list[Question]:
    """Questions waiting for an examiner, oldest first."""
    waiting = [QuestionStatus.SUBMITTED.value, QuestionStatus.IN_REVIEW.value]
    query = filters.apply(db.select(Question).where(Question.status.in_(waiting)))
    return list(db.session.scalars(query.order_by(Question.created_at, Question.id).limit(limit)))


def browse(filters: BankFilter, page: int):
    """One page of the bank, newest first."""
    query = filters.apply(db.select(Question)).order_by(Question.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def counts(filters: BankFilter) -> dict[tuple[str, str, int], int]:
    """How many questions match, per area × type × difficulty."""
    query = filters.apply(
        db.select(Question.area, Question.type, Question.difficulty, func.count()).group_by(
            Question.area, Question.type, Question.difficulty
        )
    )
    return {(a, t, d): n for a, t, d, n in db.session.execute(query)}


@dataclass
class Credit:
    name: str
    submitted: int
    accepted: int
    rate: float = field(init=False)

    def __post_init__(self) -> None:
        decided = self.submitted
        self.rate = round(self.accepted / decided, 3) if decided else 0.0


def credit() -> tuple[list[Credit], list[Credit]]:
    """Accepted questions and acceptance rate, per contributor and per channel."""
    accepted = func.sum(case((Question.status.in_(["approved", "retired"]), 1), else_=0))
    visible = Question.status != QuestionStatus.STAGED.value
    per_person = db.session.execute(
        db.select(User.name, func.count(Question.id), accepted)
        .join(User, User.id == Question.contributor_id)
        .where(visible)
        .group_by(User.id, User.name)
        .order_by(accepted.desc(), User.name)
    )
    return [Credit(name, n, int(a or 0)) for name, n, a in per_person], channel_credit()


def _accepted():
    return func.sum(case((Question.status.in_(["approved", "retired"]), 1), else_=0))


def channel_credit() -> list[Credit]:
    """Submitted and accepted questions per channel."""
    rows = db.session.execute(
        db.select(Question.channel, func.count(Question.id), _accepted())
        .where(Question.status != QuestionStatus.STAGED.value)
        .group_by(Question.channel)
    )
    return [Credit(channel, n, int(a or 0)) for channel, n, a in rows]


def contributor_credit(page: int, text: str = "", per_page: int = PER_PAGE):
    """One page of contributors by accepted questions (``text``: name or e-mail); ``items``
    holds their Credit."""
    visible = Question.status != QuestionStatus.STAGED.value
    query = (
        db.select(User)
        .join(Question, Question.contributor_id == User.id)
        .where(visible)
        .group_by(User.id)
        .order_by(_accepted().desc(), User.name, User.id)
    )
    if text.strip():
        query = query.where(
            db.or_(contains(User.name, text.strip()), contains(User.email, text.strip()))
        )
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    people = list(result.items)
    counts = {
        uid: (n, int(a or 0))
        for uid, n, a in db.session.execute(
            db.select(Question.contributor_id, func.count(Question.id), _accepted())
            .where(visible, Question.contributor_id.in_([u.id for u in people]))
            .group_by(Question.contributor_id)
        )
    }
    result.items = [Credit(u.name, *counts.get(u.id, (0, 0))) for u in people]
    return result


@dataclass
class VersionDiff:
    version: QuestionVersion
    changes: list[tuple[str, list[str]]]


def history(question: Question) -> list[VersionDiff]:
    """Every version with a line diff of what changed from the one before."""
    versions = list(
        db.session.scalars(
            db.select(QuestionVersion)
            .where(QuestionVersion.question_id == question.id)
            .order_by(QuestionVersion.version)
        )
    )
    result = []
    previous: QuestionVersion | None = None
    for version in versions:
        result.append(VersionDiff(version, _changes(previous, version) if previous else []))
        previous = version
    return result


def _changes(old: QuestionVersion, new: QuestionVersion) -> list[tuple[str, list[str]]]:
    changed = []
    for name in CONTENT_FIELDS:
        before, after = _lines(getattr(old, name)), _lines(getattr(new, name))
        if before != after:
            diff = [line for line in difflib.ndiff(before, after) if line[:1] in "+-"]
            changed.append((name, diff))
    return changed


def _lines(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).splitlines() or [""]


def as_written(question: Question, user: User) -> tuple[Question | QuestionVersion, bool]:
    """What the user may read of a question: examiners the current text; its author the last
    version they wrote (an examiner's later revision is the bank's), and whether one exists."""
    if user.has_role(Role.EXAMINER) or question.version == 1:
        return question, False
    own = db.session.scalar(
        db.select(QuestionVersion)
        .where(QuestionVersion.question_id == question.id, QuestionVersion.created_by_id == user.id)
        .order_by(QuestionVersion.version.desc())
        .limit(1)
    )
    if own is None or own.version == question.version:
        return question, False
    return own, True


def submissions_of(user: User, page: int = 1, text: str = "", per_page: int = PER_PAGE):
    """One page of the user's own questions, newest first; ``text`` searches their stems."""
    query = (
        db.select(Question)
        .where(Question.contributor_id == user.id, Question.status != QuestionStatus.STAGED.value)
        .options(selectinload(Question.comments))  # the page counts them: one query, not one each
        .order_by(Question.id.desc())
    )
    if text.strip():
        query = query.where(contains(Question.stem, text.strip()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)

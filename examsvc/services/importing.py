"""Importing question files into the bank, and exporting the bank to files.

Readers in question_bank.formats parse and validate; this module settles areas, drops
exact duplicates, and writes the whole file in one transaction (or nothing).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert

from examsvc.extensions import db
from examsvc.models import Question, QuestionStatus, ReviewComment, Role, User, UserRole, utcnow
from examsvc.services import accounts, audit, bank, review, similarity
from examsvc.services.errors import BadInput, Forbidden, NotFound
from question_bank import dedup, formats
from question_bank.formats import ParsedItem, ParseResult
from question_bank.formats.safety import MAX_FILE_BYTES
from question_bank.model import AREAS, Channel, QuestionType

#: Called with the ids of the questions an import added, before the commit.
NearDuplicateHook = Callable[[list[int]], None]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do); as_json() is the CLI's contract."""

    imported: int = 0
    skipped: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QuestionType, 0))
    rejected: bool = False
    dry_run: bool = False
    format: str = ""

    def note(self, where: str, message: str) -> None:
        self.errors.append({"where": where, "message": message})

    def count(self, qtype: str) -> None:
        self.imported += 1
        self.by_type[str(qtype)] += 1

    def reject(self) -> None:
        self.rejected = True
        self.imported = 0
        self.by_type = dict.fromkeys(QuestionType, 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "errors": [dict(e) for e in self.errors],
            "by_type": {str(k): v for k, v in self.by_type.items()},
        }


def import_file(
    actor: User,
    source: str | Path | bytes,
    *,
    fmt: str = "auto",
    channel: str = Channel.INSTITUTION.value,
    default_area: str | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
    approve: bool = False,
    filename: str = "",
    flag_near_duplicates: NearDuplicateHook | None = None,
) -> ImportReport:
    """Import a question file all-or-nothing (or only its good items with ``skip_bad``)."""
    _check_request(actor, fmt, channel, default_area, approve)
    data, filename = _load(source, filename)
    parsed = formats.read(data, fmt, filename)
    report = ImportReport(dry_run=dry_run, format=parsed.format)
    screened, bad = _screen(parsed, default_area, report)
    items = _fresh(screened, report)
    if parsed.unreadable or (bad and not skip_bad):
        report.reject()
        return report
    report.skipped += bad
    near = _near_duplicates(items)
    # A dry run is free to repeat: non-examiners get a coarse similarity, too rough to steer
    # guesses at a hidden question's text (as in the look-alike lookup).
    exact = actor.has_role(Role.EXAMINER)
    for item, matches in zip(items, near, strict=True):
        for label, score in matches:
            report.note(
                item.where,
                _(
                    "near-duplicate of %(other)s (similarity %(score)s): an examiner will see it",
                    other=label,
                    score=f"{score:.2f}" if exact else f"{math.floor(score * 10) / 10:.1f}",
                ),
            )
    if dry_run:
        for item in items:
            report.count(item.type)
        return report
    added = _write(actor, channel, items, default_area, approve, skip_bad, report)
    if added is None:
        db.session.rollback()
        report.reject()
        return report
    _flag_for_review(actor, added, near)
    if flag_near_duplicates is not None:
        flag_near_duplicates([qid for qid in added if qid is not None])
    _audit(actor, report, channel, filename, approve)
    db.session.commit()
    return report


def _near_duplicates(items: list[ParsedItem]) -> list[list[tuple[str, float]]]:
    """For each item, the live bank questions and earlier items of the file it nearly repeats."""
    index = dedup.DedupIndex()
    live = db.session.execute(
        db.select(Question.id, Question.stem, Question.options).where(
            Question.status.in_(similarity.LIVE)
        )
    )
    index.add_many((qid, similarity.comparable(stem, options or ())) for qid, stem, options in live)
    labels: dict[int, str] = {}
    found = []
    for n, item in enumerate(items):
        text = similarity.comparable(item.stem, item.options)
        found.append(
            [
                (labels.get(m.question_id, f"#{m.question_id}"), m.score)
                for m in index.query(text, limit=3)
            ]
        )
        labels[-1 - n] = item.where
        index.add(-1 - n, text)
    return found


def _flag_for_review(
    actor: User, added: list[int | None], near: list[list[tuple[str, float]]]
) -> None:
    """Put each near-duplicate finding in the new question's review thread (one insert)."""
    rows = [
        {
            "question_id": question_id,
            "author_id": actor.id,
            "kind": "comment",
            "created_at": utcnow(),
            "body": "; ".join(
                _(
                    "near-duplicate of %(other)s (similarity %(score)s)",
                    other=label,
                    score=f"{score:.2f}",
                )
                for label, score in matches
            ),
        }
        for question_id, matches in zip(added, near, strict=True)
        if question_id is not None and matches
    ]
    if rows:
        db.session.execute(insert(ReviewComment), rows)


def _check_request(
    actor: User, fmt: str, channel: str, default_area: str | None, approve: bool
) -> None:
    if not actor.has_role(Role.CONTRIBUTOR, Role.EXAMINER):
        raise Forbidden(_("only contributors and examiners import questions"))
    if approve and not actor.has_role(Role.EXAMINER):
        raise Forbidden(_("only examiners import questions straight into the bank"))
    if fmt != "auto" and fmt not in formats.FORMATS:
        raise BadInput(_("unknown format %(format)s", format=repr(fmt)), code="invalid_format")
    if default_area is not None and default_area not in AREAS:
        raise BadInput(_("unknown knowledge area %(area)s", area=repr(default_area)))
    bank.check_channel(actor, channel)


def _load(source: str | Path | bytes, filename: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, filename
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise BadInput(_("the file is larger than %(mb)s MB", mb=MAX_FILE_BYTES // 2**20))
        return path.read_bytes(), filename or path.name
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BadInput(_("cannot read %(file)s: %(reason)s", file=path, reason=reason)) from None


def _screen(
    parsed: ParseResult, default_area: str | None, report: ImportReport
) -> tuple[list[ParsedItem], int]:
    """The items that have an area, and how many items are bad; every problem is noted."""
    for problem in parsed.problems:
        report.note(problem.where, problem.message)
        if problem.kind == formats.UNSUPPORTED:
            report.skipped += 1
    kept = [item for item in parsed.items if item.area or default_area]
    for item in parsed.items:
        if not (item.area or default_area):
            message = _("no knowledge area: name one in 知识点 (category) or choose a default area")
            report.note(item.where, message)
    return kept, len(parsed.errors) + len(parsed.items) - len(kept)


def _fingerprint(item: ParsedItem) -> str:
    return dedup.fingerprint(similarity.comparable(item.stem, item.options))


def _fresh(items: list[ParsedItem], report: ImportReport) -> list[ParsedItem]:
    """Drop exact duplicates of live questions in the bank and of earlier items in the file."""
    live = dict(
        db.session.execute(
            db.select(Question.fingerprint, Question.id).where(Question.status.in_(similarity.LIVE))
        ).all()
    )
    seen: dict[str, str] = {}
    fresh = []
    for item in items:
        key = _fingerprint(item)
        if key in live:
            message = _("skipped: already in the bank as #%(id)s", id=live[key])
        elif key in seen:
            message = _("skipped: the same question is at %(where)s", where=seen[key])
        else:
            seen[key] = item.where
            fresh.append(item)
            continue
        report.note(item.where, message)
        report.skipped += 1
    return fresh


def _write(
    actor: User,
    channel: str,
    items: list[ParsedItem],
    default_area: str | None,
    approve: bool,
    skip_bad: bool,
    report: ImportReport,
) -> list[int | None] | None:
    """Add the items in one batch: their ids in order (None where one failed and was left
    out), or None when one fails and the file is refused."""
    with db.session.no_autoflush:
        questions, failures = bank.add_many(
            actor, channel, [item.fields(default_area) for item in items], QuestionStatus.SUBMITTED
        )
    for index, exc in failures:
        report.note(items[index].where, exc.message)
    if failures and not skip_bad:
        return None
    report.skipped += len(failures)
    added: list[int | None] = []
    for item, question in zip(items, questions, strict=True):
        added.append(question.id if question is not None else None)
        if question is None:
            continue
        if approve:
            _approve(actor, question)
        report.count(item.type)
    return added


def _approve(examiner: User, question: Question) -> None:
    """An examiner's import approves at once (or gives the first of two approvals)."""
    if review.needs_second_approval(question):
        review.transition(question, QuestionStatus.IN_REVIEW)
        question.first_approver_id = examiner.id
        return
    review.transition(question, QuestionStatus.APPROVED)
    question.reviewer_id, question.reviewed_at = examiner.id, utcnow()


def _audit(actor: User, report: ImportReport, channel: str, filename: str, approve: bool) -> None:
    audit.record(
        actor,
        "bank.imported",
        None,
        file=filename,
        format=report.format,
        channel=channel,
        approved=approve,
        imported=report.imported,
        skipped=report.skipped,
        by_type={str(k): v for k, v in report.by_type.items()},
    )


def importing_account(email: str | None) -> User:
    """The account an import runs as: the e-mail's, else the first examiner."""
    if email:
        user = db.session.scalar(
            db.select(User).where(User.email == accounts.normalize_email(email))
        )
        if user is None:
            raise NotFound(_("no account with the e-mail %(email)s", email=email))
        return user
    user = db.session.scalar(
        db.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.EXAMINER.value)
        .order_by(User.id)
        .limit(1)
    )
    if user is None:
        raise BadInput(_("no examiner account to import as: name one with --as"))
    return user


@dataclass
class ExportReport:
    exported: int
    skipped: list[dict[str, str]]


def export_bank(fmt: str, path: str | Path, *, status: str = "approved") -> ExportReport:
    """Write the questions of one status to a file; those the format cannot hold are named."""
    if fmt not in formats.WRITABLE:
        raise BadInput(_("unknown format %(format)s", format=repr(fmt)), code="invalid_format")
    try:
        wanted = QuestionStatus(status)
    except ValueError:
        raise BadInput(_("unknown status %(status)s", status=repr(status))) from None
    rows = list(
        db.session.scalars(
            db.select(Question)
            .where(Question.status == wanted.value)
            .order_by(Question.area, Question.id)
        )
    )
    result = formats.write(fmt, [row.to_domain() for row in rows])
    Path(path).write_bytes(result.data)
    skipped = [{"where": f"#{rows[i].id}", "message": why} for i, why in result.skipped]
    return ExportReport(result.written, skipped)

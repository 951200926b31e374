"""Importing question files into the bank, and exporting the bank to files.

Readers in question_bank.formats parse and validate; this module settles areas, drops
exact duplicates, finds near-duplicates, and writes the whole file or nothing: staged in
short transactions, made visible in one (services/staging.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from examsvc.extensions import db, reading, writing
from examsvc.i18n import translate
from examsvc.models import (
    JobState,
    Question,
    QuestionStatus,
    Role,
    User,
    UserRole,
    utcnow,
)
from examsvc.services import accounts, audit, bank, jobs, lookalikes, review, similarity, staging
from examsvc.services.errors import BadInput, Forbidden, NotFound, ServiceError
from question_bank import dedup, formats
from question_bank.formats import ParsedItem, ParseResult
from question_bank.formats.safety import MAX_FILE_BYTES
from question_bank.model import AREAS, Channel, QuestionType, exams_of_mask

#: The kind of job an import runs as.
IMPORT_JOB = "import"

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

    def uncount(self, qtype: str) -> None:
        """An item counted in is left out after all."""
        self.imported -= 1
        self.by_type[str(qtype)] -= 1
        self.skipped += 1

    def reject(self) -> None:
        self.rejected = True
        self.imported = 0
        self.by_type = dict.fromkeys(QuestionType, 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            # Places and problems in words (the catalog's language), as the CLI and jobs show them
            "errors": [
                {"where": translate(e["where"]), "message": translate(e["message"])}
                for e in self.errors
            ],
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
    job_id: int | None = None,
) -> ImportReport:
    """Import a question file all-or-nothing (or only its good items with ``skip_bad``).

    Reading, checking and the near-duplicate pass take no write lock (a dry run stops
    there); the questions are then staged in short transactions and made visible in one
    (services/staging.py). ``job_id``: the job this import runs as (else it records one).
    """
    db.session.commit()  # ends the caller's transaction: on SQLite it may hold the write lock
    with reading():
        checked = _check_file(
            actor, source, fmt, channel, default_area, dry_run, skip_bad, approve, filename
        )
        db.session.commit()  # ends the read transaction: the writes come in their own
    if checked.report.rejected or dry_run:
        return checked.report
    return _stage_and_publish(checked, job_id, flag_near_duplicates)


@dataclass
class _Checked:
    report: ImportReport
    actor_id: int = 0
    channel: str = ""
    filename: str = ""
    approve: bool = False
    skip_bad: bool = False
    items: list[lookalikes.CheckedItem] = field(default_factory=list)


def _check_file(
    actor: User,
    source: str | Path | bytes,
    fmt: str,
    channel: str,
    default_area: str | None,
    dry_run: bool,
    skip_bad: bool,
    approve: bool,
    filename: str,
) -> _Checked:
    """Parse and check the file and find its near-duplicates; reads only."""
    _check_request(actor, fmt, channel, default_area, approve)
    data, filename = _load(source, filename)
    cap = int(current_app.config["IMPORT_MAX_QUESTIONS"])
    parsed = formats.read(data, fmt, filename, max_items=cap)  # stops reading past the cap
    report = ImportReport(dry_run=dry_run, format=parsed.format)
    checked = _Checked(report, actor.id, channel, filename, approve, skip_bad)
    screened, bad = _screen(parsed, default_area, report)
    items = _fresh(screened, report)
    if parsed.unreadable or (bad and not skip_bad):
        report.reject()
        return checked
    report.skipped += bad
    checked.items, failures = _prepare(items, default_area)
    for where, message in failures:
        report.note(where, message)
    if failures and not skip_bad:
        report.reject()
        return checked
    report.skipped += len(failures)
    lookalikes.note(report, checked.items, exact=actor.has_role(Role.EXAMINER))
    for item in checked.items:
        report.count(item.type)
    return checked


def _prepare(
    items: list[ParsedItem], default_area: str | None
) -> tuple[list[lookalikes.CheckedItem], list[tuple[str, str]]]:
    """Validate each item and compute its signature; the failures as (where, message)."""
    prepared: list[lookalikes.CheckedItem] = []
    failures: list[tuple[str, str]] = []
    for item in items:
        try:
            columns = bank.question_columns(item.fields(default_area))
        except ServiceError as exc:
            failures.append((item.where, exc.message))
            continue
        text = similarity.comparable(columns["stem"], columns["options"])
        shingles = dedup.shingles(text)
        staged = staging.Staged(
            columns, dedup.fingerprint(text), dedup.band_keys(dedup.minhash(shingles))
        )
        prepared.append(
            lookalikes.CheckedItem(item.where, item.type, staged, frozenset(shingles.tolist()))
        )
    live = similarity.live_fingerprints({p.staged.fingerprint for p in prepared})
    kept = []
    for p in prepared:
        if p.staged.fingerprint in live:
            message = _("the same question is already in the bank as #%(id)s",
                        id=live[p.staged.fingerprint])  # fmt: skip
            failures.append((p.where, message))
        else:
            kept.append(p)
    return kept, failures


def _stage_and_publish(
    checked: _Checked, job_id: int | None, hook: NearDuplicateHook | None
) -> ImportReport:
    """Write the checked items staged, then make them visible at once; all or nothing."""
    staging.sweep()
    if job_id is None:
        with writing():
            job_id = _record_job(checked)
        with jobs.heartbeat(job_id):  # run() beats for the jobs it runs
            return _write(checked, job_id, hook, own_job=True)
    return _write(checked, job_id, hook, own_job=False)


def _write(
    checked: _Checked, job_id: int, hook: NearDuplicateHook | None, *, own_job: bool
) -> ImportReport:
    """Stage, then publish in one short transaction; ``own_job``: the job is this import's
    own (the CLI's), to be failed here too."""
    report = checked.report
    approval = None
    if checked.approve:
        approval = staging.Approval(
            checked.actor_id, lambda mask: review.second_approval_for(exams_of_mask(mask))
        )
    try:
        ids = staging.stage(
            job_id, checked.actor_id, checked.channel, [i.staged for i in checked.items], approval
        )
        with writing():
            staging.lock_publication()  # then the race check sees every import published
            left_out = _settle_races(checked, job_id, ids)
            if left_out is None:
                db.session.rollback()
                staging.discard(job_id)
                if own_job:
                    jobs.fail(job_id, _("the file was rejected: nothing was written"))
                return report
            jobs.step(job_id, len(ids) + 1, len(ids) + 1)
            # Done in the transaction that publishes, whoever started the job: once the
            # questions are in the bank, nothing can mark it failed any more. (A job given
            # up as dead meanwhile raises Conflict here: nothing is published.)
            jobs.complete(job_id, job_result(report))
            staging.publish(job_id)
            if hook is not None:
                hook([qid for qid in ids if qid not in left_out])
            _audit(checked)
            db.session.commit()
    except BaseException:
        db.session.rollback()
        staging.discard(job_id)
        if own_job:
            jobs.fail(job_id, _("the import failed: nothing was written"))
        raise
    return report


def job_result(report: ImportReport) -> dict[str, Any]:
    """The report as an import job keeps it: the CLI's JSON (messages in words), the outcome."""
    return {**report.as_json(), "rejected": report.rejected}


def _record_job(checked: _Checked) -> int:
    """The job row an import started outside the job queue (the CLI) runs as."""
    job = jobs.new_job(
        db.session.get(User, checked.actor_id),
        IMPORT_JOB,
        {"filename": checked.filename, "channel": checked.channel},
        total=len(checked.items) + 1,
    )
    job.state, job.started_at = JobState.RUNNING.value, utcnow()
    job_id = job.id
    db.session.commit()
    return job_id


def _settle_races(checked: _Checked, job_id: int, ids: list[int]) -> set[int] | None:
    """Questions someone added while this import was staging, under the same rules as the
    bank's: the staged ids left out (with ``skip_bad``), or None when the file is refused.
    Runs in the publishing transaction, after lock_publication()."""
    raced = staging.raced_duplicates(job_id)
    if not raced:
        return set()
    position = {qid: n for n, qid in enumerate(ids)}
    for staged_id, live_id in raced:
        item = checked.items[position[staged_id]]
        checked.report.note(
            item.where, _("the same question is already in the bank as #%(id)s", id=live_id)
        )
    if not checked.skip_bad:
        checked.report.reject()
        return None
    left_out = {staged_id for staged_id, _live in raced}
    staging.leave_out(sorted(left_out))
    for staged_id in left_out:
        checked.report.uncount(checked.items[position[staged_id]].type)
    return left_out


def _check_request(
    actor: User, fmt: str, channel: str, default_area: str | None, approve: bool
) -> None:
    if not actor.has_role(Role.CONTRIBUTOR, Role.EXAMINER, Role.ADMIN):
        raise Forbidden(_("only contributors and examiners import questions"))
    if approve and not actor.has_role(Role.ADMIN):
        # Nobody reviews their own questions: an examiner's import waits for another one.
        raise Forbidden(
            _(
                "only an administrator's import goes straight into the bank; import without "
                "approving and another examiner will review the questions"
            ),
            code="approve_forbidden",
        )
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


def _audit(checked: _Checked) -> None:
    report = checked.report
    audit.record(
        db.session.get(User, checked.actor_id),
        "bank.imported",
        None,
        file=checked.filename,
        format=report.format,
        channel=checked.channel,
        approved=checked.approve,
        imported=report.imported,
        skipped=report.skipped,
        by_type={str(k): v for k, v in report.by_type.items()},
    )


def importing_account(email: str | None, approve: bool = False) -> User:
    """The account an import runs as: the e-mail's, else the first examiner (the first
    administrator for an import that approves)."""
    if email:
        user = db.session.scalar(
            db.select(User).where(User.email == accounts.normalize_email(email))
        )
        if user is None:
            raise NotFound(_("no account with the e-mail %(email)s", email=email))
        return user
    role = Role.ADMIN if approve else Role.EXAMINER
    user = db.session.scalar(
        db.select(User).join(UserRole).where(UserRole.role == role.value).order_by(User.id).limit(1)
    )
    if user is None:
        if approve:
            raise BadInput(_("no administrator account to import as: name one with --as"))
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

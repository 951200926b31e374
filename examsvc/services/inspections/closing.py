"""Closing a 年检 batch: every outcome applied in one transaction.

Only admins close a batch (suspending and revoking certificates is theirs, DESIGN.md §1);
org admins prepare it. Closing reads the facts once more (facts.sync), refuses while
assessments are missing unless told that those people fail, then for each person:

- the verdict (question_bank/inspection.py) with the year before (a closed batch of the
  previous year that failed them makes a failure a revocation) and the certificate's status;
- the certificate suspended, reinstated or revoked through services/certificates (audited,
  the reason naming the year), and a line of level history (LevelRecord: suspended or
  reinstated at the certificate's level, revoked at level 0) when its status changes;
- a notice to the person with the outcome (and the reasons when it failed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import lazyload

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import (
    Certificate,
    Inspection,
    InspectionResult,
    LevelRecord,
    Notice,
    User,
    utcnow,
)
from examsvc.services import audit, certificates, notices
from examsvc.services.certificates import REASON_MAX, today_local
from examsvc.services.errors import Conflict, Forbidden
from examsvc.services.inspections import get, may_close
from examsvc.services.inspections.facts import (
    CHUNK,
    failed_in,
    insert_many,
    stored_reasons,
    sync,
)
from question_bank.errors import Msg
from question_bank.inspection import Facts, Outcome, Verdict, judge

#: Certificate changes by outcome (services/certificates.change_status).
CHANGES = {Outcome.SUSPENDED: "suspend", Outcome.REVOKED: "revoke",
           Outcome.REINSTATED: "reinstate"}  # fmt: skip


def notice_message(outcome: Outcome, number: str, year: int) -> Msg:
    if outcome == Outcome.PASSED:
        return Msg(
            "Your level certificate %(number)s passed the annual inspection of "
            "%(year)s and stays valid.",
            code="inspection_passed",
            number=number,
            year=year,
        )
    if outcome == Outcome.REINSTATED:
        return Msg(
            "Your level certificate %(number)s passed the annual inspection of "
            "%(year)s and is valid again.",
            code="inspection_reinstated",
            number=number,
            year=year,
        )
    if outcome == Outcome.SUSPENDED:
        return Msg(
            "Your level certificate %(number)s failed the annual inspection of %(year)s "
            "and is suspended until an inspection passes. Reasons: %(reasons)s",
            code="inspection_suspended",
            number=number,
            year=year,
            reasons="",
        )
    return Msg("Your level certificate %(number)s failed the annual inspection of %(year)s for "
               "the second year running and is revoked. Reasons: %(reasons)s",
               code="inspection_revoked", number=number, year=year, reasons="")  # fmt: skip


def _status_reason(verdict: Verdict, year: int) -> str:
    """The reason the certificate keeps for its new status (in the closing admin's language)."""
    why = _("; ").join(translate(m) for m in verdict.reasons)
    if verdict.outcome == Outcome.REINSTATED:
        text = _("Annual inspection of %(year)s passed", year=year)
    elif verdict.outcome == Outcome.REVOKED:
        text = _("Annual inspection of %(year)s failed for the second year running: %(reasons)s",
                 year=year, reasons=why)  # fmt: skip
    else:
        text = _("Annual inspection of %(year)s failed: %(reasons)s", year=year, reasons=why)
    return text[:REASON_MAX]


@dataclass
class CloseReport:
    year: int
    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})
    #: Certificates whose status changed.
    changed: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"year": self.year, **self.counts, "changed": self.changed}


def _locked(actor: User | None, inspection_id: int) -> Inspection:
    inspection = get(actor, inspection_id)
    # Every batch of the year, locked: a parent's and a child's batch closing at once take
    # turns, so the second sees whom the first judged (facts.judged_elsewhere).
    db.session.execute(
        db.select(Inspection.id)
        .where(Inspection.year == inspection.year)
        .order_by(Inspection.id)
        .with_for_update()
    )
    db.session.refresh(inspection)
    if inspection.state != "open":
        raise Conflict(_("this annual inspection is closed"), code="inspection_closed")
    return inspection


def _results(inspection_id: int) -> list:
    query = (
        db.select(
            InspectionResult.id, InspectionResult.user_id, InspectionResult.certificate_id,
            InspectionResult.assessment, InspectionResult.in_party_post,
            InspectionResult.trainings, InspectionResult.hours, InspectionResult.minimum_hours,
            Certificate.status, Certificate.number, Certificate.level,
        )
        .join(Certificate, Certificate.id == InspectionResult.certificate_id)
        .where(InspectionResult.inspection_id == inspection_id)
    )  # fmt: skip
    return list(db.session.execute(query).all())


def close(
    actor: User | None, inspection_id: int, *, missing_fail: bool = False, today: date | None = None
) -> CloseReport:
    """Apply every outcome of the batch and close it (admins only)."""
    if not may_close(actor):
        raise Forbidden(_("only an administrator closes an annual inspection"), code="forbidden")
    today = today or today_local()
    inspection = _locked(actor, inspection_id)
    sync(inspection, today)
    rows = _results(inspection.id)
    missing = sum(1 for r in rows if r.assessment is None)
    if missing and not missing_fail:
        db.session.rollback()
        raise Conflict(
            _("%(n)s people have no annual assessment: enter it, or confirm that they fail",
              n=missing), code="assessments_missing",
        )  # fmt: skip
    report = CloseReport(inspection.year)
    before = failed_in(inspection.year - 1, inspection.organisation)
    now = utcnow()
    decided: dict[Outcome, list[int]] = {o: [] for o in Outcome}
    notes, changes = [], []
    for r in rows:
        verdict = judge(Facts(
            bool(r.in_party_post), r.trainings, r.hours, r.minimum_hours, r.assessment,
            r.status, r.user_id in before,
        ))  # fmt: skip
        report.counts[verdict.outcome.value] += 1
        reasons = stored_reasons(verdict.reasons)  # as sync stored them with the preview
        decided[verdict.outcome].append(r.id)
        message = notice_message(verdict.outcome, r.number, inspection.year)
        notes.append(notices.row(r.user_id, "inspection", message, "/certificates/",
                                 reasons=reasons))  # fmt: skip
        if verdict.outcome in CHANGES:
            changes.append((r.certificate_id, verdict))
    history = _change_certificates(actor, changes, inspection.year, today, report)
    _write(decided, now, notes, history)
    inspection.state, inspection.closed_by_id, inspection.closed_at = (
        "closed",
        actor and actor.id,
        now,
    )
    audit.record(actor, "inspection.closed", inspection, org=inspection.organisation.code,
                 year=inspection.year, **report.counts)  # fmt: skip
    db.session.commit()
    return report


def _change_certificates(actor, changes: list, year: int, today: date, report: CloseReport):
    """Suspend, revoke or reinstate the certificates (loaded in chunks, flushed once at the
    end); the level-history rows of those whose status changed."""
    history = []
    with db.session.no_autoflush:
        for start in range(0, len(changes), CHUNK):
            chunk = changes[start : start + CHUNK]
            certs = {c.id: c for c in db.session.scalars(
                db.select(Certificate).options(lazyload(Certificate.user))
                .where(Certificate.id.in_([cert_id for cert_id, _v in chunk]))
            )}  # fmt: skip
            for cert_id, verdict in chunk:
                cert, text = certs[cert_id], _status_reason(verdict, year)
                change = CHANGES[verdict.outcome]
                if certificates.change_status(actor, cert, change, text, level_history=False):
                    report.changed.append(cert.number)
                    history.append(_level_record(actor, cert, verdict.outcome, text, today))
    return history


def _level_record(actor: User | None, cert: Certificate, outcome: Outcome, text: str, today: date):
    return {
        "user_id": cert.user_id,
        "level": 0 if outcome == Outcome.REVOKED else int(cert.level),
        "effective_on": today,
        "decision": outcome.value,
        "basis": text,
        "certificate_id": cert.id,
        "recorded_by_id": actor and actor.id,
        "created_at": utcnow(),
    }


def _write(decided: dict, now, notes: list[dict], history: list[dict]) -> None:
    """The outcomes set by outcome (one UPDATE a chunk of ids: passed and reasons were stored
    with the preview), the notices and the level history inserted in bulk."""
    for outcome, ids in decided.items():
        values = {"outcome": outcome.value, "decided_at": now,
                  "passed": outcome in (Outcome.PASSED, Outcome.REINSTATED)}  # fmt: skip
        for start in range(0, len(ids), CHUNK):
            db.session.execute(
                db.update(InspectionResult)
                .where(InspectionResult.id.in_(ids[start : start + CHUNK]))
                .values(**values),
                execution_options={"synchronize_session": False},
            )
    insert_many(Notice, notes)
    insert_many(LevelRecord, history)

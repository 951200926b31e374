"""Closing a 年检 batch: every outcome applied in one transaction.

Only admins close a batch (suspending and revoking certificates is theirs, DESIGN.md §1);
org admins prepare it. Closing reads the facts once more (facts.sync), refuses while
assessments are missing unless told that those people fail, then for each person:

- the verdict (question_bank/inspection.py) with the year before (a closed batch of the
  previous year that failed them makes a failure a revocation) and the certificate's status;
- the certificate suspended, reinstated or revoked (services/certificate_statuses: the
  rules of certificates.change_status, audited, the reason naming the year), and a line of
  level history (LevelRecord: suspended or reinstated at the certificate's level, revoked
  at level 0) when its status changes;
- a notice to the person with the outcome (and the reasons when it failed).

Verdicts are worked out once per distinct set of facts, and everything is written in bulk
(services/bulk): a batch of 100,000 people closes in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import (
    Certificate,
    CertificateStatus,
    Inspection,
    InspectionResult,
    LevelRecord,
    Notice,
    User,
    utcnow,
)
from examsvc.services import audit, bulk, certificate_statuses, notices
from examsvc.services.certificate_statuses import Changed
from examsvc.services.certificates import REASON_MAX, today_local
from examsvc.services.errors import Conflict, Forbidden
from examsvc.services.inspections import get, may_close
from examsvc.services.inspections.facts import failed_in, stored_reasons, sync
from question_bank.errors import Msg
from question_bank.inspection import Facts, Outcome, Verdict, judge

#: Certificate changes by outcome (services/certificates.change_status).
CHANGES = {Outcome.SUSPENDED: "suspend", Outcome.REVOKED: "revoke",
           Outcome.REINSTATED: "reinstate"}  # fmt: skip
#: The level history's decision for a certificate's new status.
_DECISIONS = {CertificateStatus.SUSPENDED.value: Outcome.SUSPENDED.value,
              CertificateStatus.REVOKED.value: Outcome.REVOKED.value,
              CertificateStatus.VALID.value: Outcome.REINSTATED.value}  # fmt: skip


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
    verdict_of = _verdicts(inspection.year)
    decided: dict[Outcome, list[int]] = {o: [] for o in Outcome}
    messages = {o: notice_message(o, "", inspection.year) for o in Outcome}
    notes, changes = [], []
    for r in rows:
        verdict, reasons, change = verdict_of(
            bool(r.in_party_post), r.trainings, r.hours, r.minimum_hours, r.assessment,
            r.status, r.user_id in before,
        )  # fmt: skip
        decided[verdict.outcome].append(r.id)
        notes.append(notices.row(r.user_id, "inspection", messages[verdict.outcome],
                                 "/certificates/", number=r.number, reasons=reasons))  # fmt: skip
        if change is not None:
            changes.append((r.certificate_id, *change))
    report.counts.update({o.value: len(ids) for o, ids in decided.items()})
    changed = certificate_statuses.change_statuses(actor, changes)
    report.changed = [c.number for c in changed]
    _decide(decided, now)
    bulk.insert_rows(Notice, notes)
    bulk.insert_rows(LevelRecord, [_level_record(actor, c, today) for c in changed])
    inspection.state, inspection.closed_by_id, inspection.closed_at = (
        "closed",
        actor and actor.id,
        now,
    )
    audit.record(actor, "inspection.closed", inspection, org=inspection.organisation.code,
                 year=inspection.year, **report.counts)  # fmt: skip
    db.session.commit()
    return report


def _decide(decided: dict[Outcome, list[int]], now) -> None:
    """The outcomes, an UPDATE per outcome (``passed`` was stored with the preview: the
    status and the year before change the outcome of a failure, not whether it failed)."""
    for outcome, ids in decided.items():
        for chunk in bulk.id_chunks(ids):
            db.session.execute(
                db.update(InspectionResult)
                .where(bulk.in_ids(InspectionResult.id, chunk))
                .values(outcome=outcome.value, decided_at=now),
                execution_options={"synchronize_session": False},
            )


def _verdicts(year: int):
    """(verdict, its reasons as stored, the certificate change and its reason or None) of
    a person's facts, worked out once for all the people who share them."""

    @cache
    def verdict_of(*facts) -> tuple[Verdict, list[dict], tuple[str, str] | None]:
        verdict = judge(Facts(*facts))
        change = CHANGES.get(verdict.outcome)
        reason = (change, _status_reason(verdict, year)) if change is not None else None
        return verdict, stored_reasons(verdict.reasons), reason

    return verdict_of


def _level_record(actor: User | None, cert: Changed, today: date) -> dict:
    """The line of level history of a certificate the closing suspended, revoked or
    reinstated: at the certificate's level, at level 0 when revoked."""
    revoked = cert.status == CertificateStatus.REVOKED
    return {
        "user_id": cert.user_id,
        "level": 0 if revoked else int(cert.level),
        "effective_on": today,
        "decision": _DECISIONS[cert.status],
        "basis": cert.reason,
        "certificate_id": cert.id,
        "recorded_by_id": actor and actor.id,
        "created_at": utcnow(),
    }

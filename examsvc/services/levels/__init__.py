"""Levels (资格等级 L1–L4): who holds which level now, and each person's history.

The history is the person's ``LevelRecord`` rows: certified (L1 after the six steps),
promoted (L2–L4), suspended (a failed 年检: the level is kept but not promoted),
reinstated, revoked (level 0). The level held now is the ``level`` of the latest record
(by ``effective_on``, then the order written).

People certified before level histories existed have no record: for them the highest level
of their *valid* level certificates stands in, as it did before (no backfill is needed).

Suspending, reinstating or revoking a person's current level certificate through
services/certificates.py (an admin's page, the 年检) writes the matching record here
(``on_certificate_status``): nobody writes those records by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func

from examsvc.extensions import db
from examsvc.i18n import today_local
from examsvc.models import (
    Certificate,
    CertificateStatus,
    ExamKind,
    LevelRecord,
    Promotion,
    User,
)
from examsvc.services import audit

#: Ids per IN (...) list.
CHUNK = 500
#: LevelRecord.decision values.
CERTIFIED, PROMOTED = "certified", "promoted"
SUSPENDED, REINSTATED, REVOKED = "suspended", "reinstated", "revoked"
DECISIONS = (CERTIFIED, PROMOTED, SUSPENDED, REINSTATED, REVOKED)


@dataclass(frozen=True)
class Standing:
    """A person's level now: 0 for none; ``since`` the day it was obtained."""

    level: int = 0
    since: date | None = None
    suspended: bool = False


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _from_records(records: list[LevelRecord]) -> Standing:
    """The standing the latest of a person's records gives (records in history order)."""
    last = records[-1]
    if last.level == 0:
        return Standing()
    since = None
    for record in reversed(records):
        if record.decision in (CERTIFIED, PROMOTED) and record.level == last.level:
            since = record.effective_on
            break
    return Standing(last.level, since or last.effective_on, last.decision == SUSPENDED)


def standings(user_ids: Sequence[int]) -> dict[int, Standing]:
    """The standing of each of these people who holds a level or has a history; others
    are left out (read a missing id as ``Standing()``)."""
    found: dict[int, Standing] = {}
    for chunk in _chunks(user_ids):
        by_user: dict[int, list[LevelRecord]] = {}
        for record in db.session.scalars(
            db.select(LevelRecord)
            .where(LevelRecord.user_id.in_(chunk))
            .order_by(LevelRecord.user_id, LevelRecord.effective_on, LevelRecord.id)
        ):
            by_user.setdefault(record.user_id, []).append(record)
        found.update({user_id: _from_records(rows) for user_id, rows in by_user.items()})
        without = [i for i in chunk if i not in by_user]
        if without:
            found.update(_from_certificates(without))
    return found


def _from_certificates(user_ids: list[int]) -> dict[int, Standing]:
    """Levels of people with no history: their highest valid level certificate."""
    rows = db.session.execute(
        db.select(Certificate.user_id, func.max(Certificate.level), func.min(Certificate.issued_on))
        .where(
            Certificate.kind == ExamKind.LEVEL.value,
            Certificate.status == CertificateStatus.VALID.value,
            Certificate.level > 0,
            Certificate.user_id.in_(user_ids),
        )
        .group_by(Certificate.user_id)
    ).all()
    return {user_id: Standing(level, issued_on) for user_id, level, issued_on in rows}


def standing(user: User) -> Standing:
    return standings([user.id]).get(user.id, Standing())


def current_levels(user_ids: Sequence[int]) -> dict[int, int]:
    """The level (1–4) each person holds now, suspended or not; people holding none are
    left out."""
    return {i: s.level for i, s in standings(user_ids).items() if s.level > 0}


def suspended_ids(user_ids: Sequence[int]) -> set[int]:
    """Which of these people hold a suspended level."""
    return {i for i, s in standings(user_ids).items() if s.level > 0 and s.suspended}


def history(user: User) -> list[LevelRecord]:
    """The person's level records, newest first."""
    return list(
        db.session.scalars(
            db.select(LevelRecord)
            .where(LevelRecord.user_id == user.id)
            .order_by(LevelRecord.effective_on.desc(), LevelRecord.id.desc())
        )
    )


def level_certificate(user: User) -> Certificate | None:
    """The person's level certificate not revoked, the highest level first."""
    return db.session.scalar(
        db.select(Certificate)
        .where(
            Certificate.user_id == user.id,
            Certificate.kind == ExamKind.LEVEL.value,
            Certificate.status != CertificateStatus.REVOKED.value,
        )
        .order_by(Certificate.level.desc(), Certificate.id.desc())
        .limit(1)
    )


def record(
    actor: User | None,
    user: User,
    level: int,
    decision: str,
    basis: str,
    today: date,
    *,
    certificate: Certificate | None = None,
    promotion: Promotion | None = None,
) -> LevelRecord:
    """Add a line to the person's level history (flushed and audited, not committed)."""
    assert decision in DECISIONS, decision
    row = LevelRecord(
        user_id=user.id,
        level=level,
        effective_on=today,
        decision=decision,
        basis=basis,
        certificate_id=certificate.id if certificate is not None else None,
        promotion_id=promotion.id if promotion is not None else None,
        recorded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor, "level.recorded", row, user=user.id, level=level, decision=decision,
        basis=basis, number=certificate.number if certificate is not None else None,
    )  # fmt: skip
    return row


def on_certificate_status(
    actor: User | None,
    cert: Certificate,
    held: Standing,
    reason: str,
    today: date | None = None,
) -> LevelRecord | None:
    """The level history after a level certificate was suspended, reinstated or revoked
    (``held``: the person's standing read before the change): a record when the certificate
    is the one of the level the person holds."""
    if cert.kind != ExamKind.LEVEL.value or cert.level <= 0 or held.level != cert.level:
        return None
    today = today or today_local()
    status = cert.status
    if status == CertificateStatus.SUSPENDED and not held.suspended:
        return record(actor, cert.user, cert.level, SUSPENDED, reason, today, certificate=cert)
    if status == CertificateStatus.VALID and held.suspended:
        return record(actor, cert.user, cert.level, REINSTATED, reason, today, certificate=cert)
    if status == CertificateStatus.REVOKED:
        return record(actor, cert.user, 0, REVOKED, reason, today, certificate=cert)
    return None

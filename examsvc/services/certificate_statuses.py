"""Many certificates' status changed at once: ``certificates.change_status`` in bulk.

The 年检's closing suspends, revokes and reinstates thousands of certificates in one
transaction. Loading each as an ORM object, changing it and adding an audit entry object
cost most of the closing; here the certificates are read (and locked) by their ids at once,
the same rules decide (``certificates.check_change``), and the changes and their audit
entries are written in bulk (services/bulk). Level history is the caller's (the closing
writes a line per change, as ``change_status(..., level_history=False)`` expects).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from examsvc.extensions import db
from examsvc.models import AuditEntry, Certificate, User, utcnow
from examsvc.services import audit, bulk
from examsvc.services.certificates import _CHANGES, _reason, check_change


@dataclass(frozen=True)
class Changed:
    """A certificate whose status changed."""

    id: int
    number: str
    user_id: int
    level: int
    previous: str
    status: str
    reason: str


def change_statuses(admin: User | None, changes: Iterable[tuple[int, str, str]]) -> list[Changed]:
    """Apply each (certificate id, change, reason), ``change`` one of revoke, suspend and
    reinstate, inside the caller's transaction (audited, not committed): the certificates
    that changed, in id order; one already in the new status is left as it is. Conflict,
    as ``change_status`` raises it, for a change its status does not allow."""
    db.session.flush()  # the session's own changes first: the bulk writes bypass it
    wanted = {cert_id: (change, reason) for cert_id, change, reason in changes}
    ids = sorted(wanted)
    now, texts = utcnow(), {}
    done: list[Changed] = []
    for chunk in bulk.id_chunks(ids):
        rows = db.session.execute(
            db.select(Certificate.id, Certificate.number, Certificate.user_id,
                      Certificate.level, Certificate.status)
            .where(bulk.in_ids(Certificate.id, chunk))
            .order_by(Certificate.id)
            .with_for_update()
        )  # fmt: skip
        for cert_id, number, user_id, level, current in rows:
            change, reason = wanted[cert_id]
            if not check_change(change, current):
                continue
            if reason not in texts:
                texts[reason] = _reason(reason)
            status = _CHANGES[change][0]
            done.append(Changed(cert_id, number, user_id, level, current, status, texts[reason]))
    bulk.update_rows(Certificate, [
        {"id": c.id, "status": c.status, "status_reason": c.reason, "status_changed_at": now}
        for c in done
    ])  # fmt: skip
    actions = {status: action for status, action in _CHANGES.values()}
    bulk.insert_rows(AuditEntry, [
        audit.row(admin, actions[c.status], "certificate", c.id, number=c.number,
                  previous=c.previous, reason=c.reason)
        for c in done
    ])  # fmt: skip
    if done:
        db.session.expire_all()  # certificates loaded before read their new status
    return done

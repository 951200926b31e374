"""The append-only audit log, written in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from examsvc.extensions import db
from examsvc.models import AuditEntry, User


def record(actor: User | None, action: str, subject: Any, **details: Any) -> AuditEntry:
    """Add an audit entry for ``subject`` (a model instance, flushed so it has an id)."""
    if subject is not None and getattr(subject, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=type(subject).__name__.lower() if subject is not None else "system",
        subject_id=getattr(subject, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry


def page(page_no: int, per_page: int = 50, action: str | None = None):
    """Newest entries first, optionally of one action."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return db.paginate(query, page=page_no, per_page=per_page, error_out=False)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _conn, target: AuditEntry) -> None:
    raise RuntimeError(f"audit entry {target.id} is append-only")

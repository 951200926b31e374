"""The append-only audit log, written in the same transaction as the change it records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from examsvc.extensions import db
from examsvc.models import Attempt, AuditEntry, Enrolment, User, utcnow
from examsvc.services.queries import contains


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


def row(actor: User | None, action: str, subject_type: str, subject_id: int | None,
        **details: Any) -> dict[str, Any]:  # fmt: skip
    """An audit entry as a row for a bulk insert (services/bulk), as ``record`` adds one."""
    return {"at": utcnow(), "actor_id": actor.id if actor is not None else None,
            "action": action, "subject_type": subject_type, "subject_id": subject_id,
            "details": details}  # fmt: skip


def page(page_no: int, per_page: int = 50, action: str | None = None, actor: str = ""):
    """Newest entries first, optionally of one action and of actors matching a name or e-mail."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor.strip():
        text = actor.strip()
        people = db.select(User.id).where(
            db.or_(contains(User.name, text), contains(User.email, text))
        )
        query = query.where(AuditEntry.actor_id.in_(people))
    return db.paginate(query, page=page_no, per_page=per_page, error_out=False)


def actions() -> list[str]:
    """Every action the log holds, for the filter."""
    return list(
        db.session.scalars(db.select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )


@dataclass
class Targets:
    """What the entries of one page point at, loaded in a few queries: names and sittings."""

    users: dict[int, User] = field(default_factory=dict)
    sitting_of: dict[tuple[str, int], int] = field(default_factory=dict)


def targets(entries: list[AuditEntry]) -> Targets:
    """The accounts and sittings the entries name, so the page can show names and links."""
    found = Targets()
    user_ids = {e.subject_id for e in entries if e.subject_type == "user" and e.subject_id}
    user_ids |= {e.details["user"] for e in entries if isinstance(e.details.get("user"), int)}
    if user_ids:
        found.users = {
            u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(user_ids)))
        }
    for model, kind in ((Enrolment, "enrolment"), (Attempt, "attempt")):
        ids = {e.subject_id for e in entries if e.subject_type == kind and e.subject_id}
        if not ids:
            continue
        query = (
            db.select(model.id, Enrolment.sitting_id).where(model.id.in_(ids))
            if model is Enrolment
            else db.select(Attempt.id, Enrolment.sitting_id)
            .join(Enrolment)
            .where(Attempt.id.in_(ids))
        )
        found.sitting_of.update({(kind, i): s for i, s in db.session.execute(query)})
    return found


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _conn, target: AuditEntry) -> None:
    raise RuntimeError(f"audit entry {target.id} is append-only")

"""The organisations an account keeps training records of: admins all, org admins their
subtree (services/scope.py)."""

from __future__ import annotations

from examsvc.extensions import db
from examsvc.models import Organisation, Role, User
from examsvc.services import scope


def organisations(actor: User) -> list[Organisation]:
    """The organisations ``actor`` may see, in tree order (closed ones too: their people keep
    their history)."""
    query = db.select(Organisation)
    visible = scope.visible_org_ids(actor)
    if visible is not None:
        query = query.where(Organisation.id.in_(visible))
    return list(db.session.scalars(query.order_by(Organisation.path, Organisation.code)))


def default_org(actor: User) -> Organisation | None:
    """The organisation a report opens on: an org admin's own, an admin's first root."""
    root = scope.root_of(actor)
    if root is not None or not actor.has_role(Role.ADMIN):
        return root
    query = db.select(Organisation).where(Organisation.parent_id.is_(None))
    return db.session.scalar(query.order_by(Organisation.path).limit(1))

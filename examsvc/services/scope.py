"""What an account may see of people and organisations: admins all, org admins a subtree.

Every org-admin route filters through here, so another subtree's person, upload or result
is simply not found (404), never a 403 that would confirm it exists.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, Select, false, true

from examsvc.extensions import db
from examsvc.models import Organisation, Role, User
from examsvc.services import orgs


def root_of(user: User) -> Organisation | None:
    """The root of the subtree an org admin manages (None: nothing, or not an org admin)."""
    if not user.has_role(Role.ORG_ADMIN):
        return None
    return user.managed_organisation


def visible_org_ids(user: User) -> Select | None:
    """A SELECT of the organisation ids the user manages; None means every one (admin)."""
    if user.has_role(Role.ADMIN):
        return None
    root = root_of(user)
    if root is None:
        return db.select(Organisation.id).where(false())
    return orgs.subtree_ids(root)


def org_condition(user: User, column) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose organisation ``column`` the user may see."""
    ids = visible_org_ids(user)
    return true() if ids is None else column.in_(ids)


def people_query(user: User) -> Select:
    """The people (accounts) the user may see and manage, as a SELECT of User."""
    return db.select(User).where(org_condition(user, User.organisation_id))


def can_see_org(user: User, org: Organisation) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    root = root_of(user)
    return root is not None and orgs.in_subtree(org, root)


def can_see_person(user: User, person: User) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    return person.organisation is not None and can_see_org(user, person.organisation)


def person_or_404(user: User, person_id: int) -> User:
    """The person with this id when ``user`` may see them; else 404."""
    person = db.session.get(User, person_id)
    if person is None or not can_see_person(user, person):
        abort(404)
    return person


def org_or_404(user: User, org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or not can_see_org(user, org):
        abort(404)
    return org

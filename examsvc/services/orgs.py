"""Organisations: the party-organisation tree (create, rename, move, close, subtrees).

Each organisation keeps its materialised ``path`` of ids from the root ("/1/5/9/"), so a
subtree is one ``LIKE '/1/5/%'`` and a move rewrites the paths of its subtree in one UPDATE.
A closed organisation keeps its people and history; it only takes no new children. Closing
is refused while it has open children: close the branches first, so that no open
organisation hangs under a closed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, func, literal

from examsvc.extensions import db
from examsvc.models import Organisation, Role, User, UserRole, utcnow
from examsvc.services import accounts, audit
from examsvc.services.errors import BadInput, Conflict, NotFound

CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def by_code(code: str) -> Organisation | None:
    return db.session.scalar(db.select(Organisation).where(Organisation.code == code.strip()))


def require_code(code: str) -> Organisation:
    """The organisation with this code, or NotFound naming it."""
    org = by_code(code)
    if org is None:
        raise NotFound(_("no organisation has the code %(code)s", code=code), code="unknown_org")
    return org


def _check_code(code: str) -> str:
    code = code.strip()
    if not CODE_RE.match(code):
        raise BadInput(
            _("an organisation code is 1 to 32 letters, digits or '-': %(code)s", code=code),
            code="invalid_code",
        )
    if by_code(code) is not None:
        raise Conflict(
            _("an organisation with the code %(code)s exists", code=code), code="code_taken"
        )
    return code


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise BadInput(_("a name of 1 to 200 characters is required"), code="invalid_name")
    return name


def _check_parent(parent: Organisation | None) -> None:
    if parent is not None and parent.is_closed:
        raise BadInput(
            _("the organisation %(code)s is closed", code=parent.code), code="parent_closed"
        )


def create(
    code: str,
    name: str,
    parent: Organisation | None = None,
    *,
    kind: str | None = None,
    actor: User | None = None,
) -> Organisation:
    """Add an organisation under ``parent`` (a root when None)."""
    code, name = _check_code(code), _check_name(name)
    _check_parent(parent)
    org = Organisation(code=code, name=name, parent_id=parent.id if parent else None)
    org.kind = (kind or "").strip() or None
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    audit.record(actor, "org.created", org, code=code, name=name, parent=parent and parent.code)
    db.session.commit()
    return org


def rename(org: Organisation, name: str, *, actor: User | None = None) -> None:
    """Give the organisation a new name (its code stays)."""
    old, org.name = org.name, _check_name(name)
    audit.record(actor, "org.renamed", org, previous=old, name=org.name)
    db.session.commit()


def in_subtree(org: Organisation, root: Organisation) -> bool:
    return org.path.startswith(root.path)


def move(org: Organisation, parent: Organisation | None, *, actor: User | None = None) -> None:
    """Hang ``org`` and its subtree under ``parent`` (a root when None); never into itself."""
    if parent is not None and in_subtree(parent, org):
        raise BadInput(
            _("an organisation cannot move into its own subtree"), code="move_into_subtree"
        )
    _check_parent(parent)
    old_prefix = org.path
    new_prefix = f"{parent.path if parent else '/'}{org.id}/"
    previous = org.parent_id
    org.parent_id = parent.id if parent else None
    db.session.flush()
    db.session.execute(
        db.update(Organisation)
        .where(Organisation.path.startswith(old_prefix))
        .values(path=literal(new_prefix) + func.substr(Organisation.path, len(old_prefix) + 1)),
        execution_options={"synchronize_session": "fetch"},
    )
    audit.record(actor, "org.moved", org, previous_parent=previous, parent=parent and parent.code)
    db.session.commit()


def close(org: Organisation, *, actor: User | None = None) -> None:
    """Close an organisation that has no open children; its people stay in it."""
    if org.is_closed:
        return
    open_children = db.session.scalar(
        db.select(func.count())
        .select_from(Organisation)
        .where(Organisation.parent_id == org.id, Organisation.is_closed.is_(False))
    )
    if open_children:
        raise Conflict(
            _("close the %(n)d open organisations under it first", n=open_children),
            code="open_children",
        )
    org.is_closed, org.closed_at = True, utcnow()
    audit.record(actor, "org.closed", org, code=org.code)
    db.session.commit()


def subtree_ids(root: Organisation) -> Select:
    """A SELECT of the ids of ``root`` and every organisation beneath it."""
    return db.select(Organisation.id).where(Organisation.path.startswith(root.path))


@dataclass(frozen=True)
class TreeRow:
    org: Organisation
    depth: int
    people: int  #: accounts in this organisation itself (not its children)


def tree(root: Organisation | None = None) -> list[TreeRow]:
    """The organisations (all, or ``root``'s subtree) in tree order, siblings by code."""
    query = db.select(Organisation)
    if root is not None:
        query = query.where(Organisation.path.startswith(root.path))
    orgs = list(db.session.scalars(query))
    counts = dict(
        db.session.execute(
            db.select(User.organisation_id, func.count())
            .where(User.organisation_id.is_not(None))
            .group_by(User.organisation_id)
        ).all()
    )
    ids = {o.id for o in orgs}
    children: dict[int | None, list[Organisation]] = {}
    for o in orgs:
        key = o.parent_id if o.parent_id in ids else None
        children.setdefault(key, []).append(o)
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in sorted(children.get(parent, []), key=lambda x: x.code):
            rows.append(TreeRow(o, depth, counts.get(o.id, 0)))
            walk(o.id, depth + 1)

    walk(None, 0)
    return rows


def parent_choices(org: Organisation) -> list[Organisation]:
    """Where ``org`` may move: open organisations outside its own subtree."""
    return list(
        db.session.scalars(
            db.select(Organisation)
            .where(~Organisation.path.startswith(org.path), Organisation.is_closed.is_(False))
            .order_by(Organisation.path)
        )
    )


def open_organisations() -> list[Organisation]:
    """Every organisation that takes children, in tree order."""
    query = db.select(Organisation).where(Organisation.is_closed.is_(False))
    return list(db.session.scalars(query.order_by(Organisation.path)))


def admins_of(org: Organisation) -> list[User]:
    """The org admins whose subtree starts at ``org``."""
    query = db.select(User).where(User.managed_organisation_id == org.id).order_by(User.name)
    return list(db.session.scalars(query))


def assign_admin(org: Organisation, login: str, *, actor: User | None = None) -> User:
    """Make the account with this e-mail or mobile an org admin of ``org``'s subtree."""
    key = accounts.normalize_login(login)
    column = User.mobile if accounts.is_mobile(key) else User.email
    user = db.session.scalar(db.select(User).where(column == key))
    if user is None:
        raise NotFound(_("no account has this e-mail address or mobile number"), code="no_account")
    if not user.has_role(Role.ORG_ADMIN):
        user.role_rows.append(UserRole(role=str(Role.ORG_ADMIN)))
    previous, user.managed_organisation_id = user.managed_organisation_id, org.id
    audit.record(actor, "org.admin_assigned", user, code=org.code, previous_org=previous)
    db.session.commit()
    return user


def remove_admin(org: Organisation, user: User, *, actor: User | None = None) -> None:
    """End ``user``'s management of ``org`` (the org_admin role goes with it)."""
    if user.managed_organisation_id != org.id:
        raise NotFound(_("this account is no admin of the organisation"), code="not_admin")
    user.managed_organisation_id = None
    user.role_rows = [r for r in user.role_rows if r.role != Role.ORG_ADMIN]
    audit.record(actor, "org.admin_removed", user, code=org.code)
    db.session.commit()

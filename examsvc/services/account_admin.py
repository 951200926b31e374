"""Accounts as administrators manage them: find, create, edit, set roles, disable, enable.

Every change is one transaction with an audit entry holding the values before and after
(``{"field": {"before": …, "after": …}}``); an ID number appears there only masked.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from examsvc.extensions import db
from examsvc.i18n import today_local
from examsvc.models import (
    CATEGORIES,
    AuditEntry,
    Gender,
    Organisation,
    PersonStatus,
    Role,
    User,
    UserRole,
)
from examsvc.services import accounts, audit, identity, initial_passwords, orgs, password_links
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound, ServiceError
from examsvc.services.queries import contains


@dataclass
class Profile:
    """What an administrator enters about a person (raw text where it is normalised here)."""

    name: str
    email: str = ""
    mobile: str = ""
    gender: str | None = None
    is_party_member: bool = False
    party_joined_on: date | None = None
    post: str = ""
    category: str | None = None
    organisation_id: int | None = None
    #: A new ID number; "" leaves the stored one as it is.
    id_number: str = ""


@dataclass(frozen=True)
class Created:
    user: User
    #: The set-password link's token, or None when an initial password was given.
    token: str | None
    #: The initial password (shown once), or None when a link was given.
    password: str | None


# --- finding -------------------------------------------------------------------------------


def search(
    text: str,
    page: int,
    *,
    role: str | None = None,
    status: str | None = None,
    org: Organisation | None = None,
    per_page: int = 50,
):
    """Accounts by name, e-mail or mobile, of a role, a status and an organisation's subtree."""
    query = db.select(User).order_by(User.id.desc())
    text = text.strip()
    if text:
        conditions = [contains(User.name, text), contains(User.email, text.lower())]
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits:
            conditions.append(contains(User.mobile, digits))
        query = query.where(db.or_(*conditions))
    if role in set(Role):
        query = query.where(User.id.in_(db.select(UserRole.user_id).where(UserRole.role == role)))
    if status in set(PersonStatus):
        query = query.where(User.status == status)
    if org is not None:
        query = query.where(User.organisation_id.in_(orgs.subtree_ids(org)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."), code="no_account")
    return user


def history(person: User, limit: int = 20) -> list[AuditEntry]:
    """The latest audit entries about the account, newest first."""
    return list(
        db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == person.id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


# --- checking what was entered -------------------------------------------------------------


def _taken(column, value: str, person_id: int | None) -> bool:
    query = db.select(User.id).where(column == value)
    if person_id is not None:
        query = query.where(User.id != person_id)
    return db.session.scalar(query) is not None


def _logins(profile: Profile, person_id: int | None) -> tuple[str | None, str | None]:
    """The normalised e-mail and mobile; at least one, neither held by another account."""
    email = accounts.normalize_email(profile.email) if profile.email.strip() else None
    mobile = accounts.normalize_mobile(profile.mobile) if profile.mobile.strip() else None
    if email is None and mobile is None:
        raise BadInput(
            _("Enter an e-mail address or a mobile number: the person logs in with it."),
            code="no_login",
        )
    if email is not None and _taken(User.email, email, person_id):
        raise Conflict(_("Another account already has this e-mail address."), code="email_taken")
    if mobile is not None and _taken(User.mobile, mobile, person_id):
        raise Conflict(_("Another account already has this mobile number."), code="mobile_taken")
    return email, mobile


def _organisation(org_id: int | None, current: int | None) -> Organisation | None:
    if org_id is None:
        return None
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise BadInput(_("Choose an organisation from the list."), code="unknown_org")
    if org.is_closed and org.id != current:
        raise BadInput(
            _("The organisation %(code)s is closed; choose an open one.", code=org.code),
            code="org_closed",
        )
    return org


def _check_profile(profile: Profile) -> None:
    name = profile.name.strip()
    if not name or len(name) > 100:
        raise BadInput(_("a name of 1 to 100 characters is required"), code="invalid_name")
    if profile.gender not in (None, *Gender):
        raise BadInput(_("Choose the gender from the list."), code="invalid_gender")
    if profile.category not in (None, *CATEGORIES):
        raise BadInput(_("Choose the category from the list."), code="invalid_category")
    if len(profile.post.strip()) > 100:
        raise BadInput(_("The post is too long (at most 100 characters)."), code="invalid_post")
    joined = profile.party_joined_on if profile.is_party_member else None
    if joined is not None and not date(1921, 7, 1) <= joined <= today_local():
        raise BadInput(
            _("The date of joining the Party must be a past date, not before July 1921."),
            code="invalid_joined_on",
        )


def _org_label(org: Organisation | None) -> str | None:
    return f"{org.code} {org.name}" if org is not None else None


def _snapshot(person: User) -> dict[str, Any]:
    """The audited fields of a person as plain JSON values (the ID number masked)."""
    return {
        "name": person.name,
        "email": person.email,
        "mobile": person.mobile,
        "gender": person.gender,
        "is_party_member": person.is_party_member,
        "party_joined_on": person.party_joined_on.isoformat() if person.party_joined_on else None,
        "post": person.post or None,
        "category": person.category,
        "organisation": _org_label(person.organisation),
        "id_number": identity.masked_id_of(person) or None,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"before": before[key], "after": after[key]}
        for key in after
        if before.get(key) != after[key]
    }


def _gender_from_id(number: str) -> str:
    """GB 11643: the 17th character, the sequence's last digit, is odd for men."""
    return str(Gender.MALE) if int(number[16]) % 2 else str(Gender.FEMALE)


def _apply(person: User, profile: Profile) -> None:
    """Check ``profile`` and write it onto ``person`` (flushes; the caller commits)."""
    _check_profile(profile)
    person.email, person.mobile = _logins(profile, person.id)
    org = _organisation(profile.organisation_id, person.organisation_id)
    person.name = profile.name.strip()
    person.gender = profile.gender
    person.is_party_member = profile.is_party_member
    person.party_joined_on = profile.party_joined_on if profile.is_party_member else None
    person.post = profile.post.strip()
    person.category = profile.category
    person.organisation_id = org.id if org else None
    person.organisation = org
    if profile.id_number.strip():
        number = identity.assign_id_number(person, profile.id_number)
        if person.gender is None:
            person.gender = _gender_from_id(number)
    db.session.flush()


def _roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted({str(r) for r in roles})
    bad = [r for r in chosen if r not in set(Role)]
    if bad:
        raise BadInput(_("unknown role: %(roles)s", roles=", ".join(bad)), code="invalid_role")
    if not chosen:
        raise BadInput(_("Choose at least one role."), code="no_role")
    return chosen


def _managed(roles: list[str], org_id: int | None) -> Organisation | None:
    if Role.ORG_ADMIN not in roles:
        return None
    if org_id is None:
        raise BadInput(
            _("An organisation admin needs the organisation they manage."), code="no_managed_org"
        )
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise BadInput(_("Choose an organisation from the list."), code="unknown_org")
    return org


# --- changes -------------------------------------------------------------------------------


def _rolled_back(change):
    """Run ``change``; when it refuses, drop what it half-wrote to the session first. A login
    another account took between the check and the write is refused the same way."""
    try:
        return change()
    except ServiceError:
        db.session.rollback()
        raise
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            _("Another account has just taken this e-mail address, mobile number or ID number; "
              "nothing was saved."),
            code="login_taken",
        ) from None  # fmt: skip


def create(
    admin: User,
    profile: Profile,
    roles: Iterable[str],
    *,
    managed_organisation_id: int | None = None,
    give_link: bool = True,
) -> Created:
    """A new account; the person gets a set-password link (or a random initial password)."""
    return _rolled_back(lambda: _create(admin, profile, roles, managed_organisation_id, give_link))


def _create(
    admin: User,
    profile: Profile,
    roles: Iterable[str],
    managed_organisation_id: int | None,
    give_link: bool,
) -> Created:
    chosen = _roles(roles)
    managed = _managed(chosen, managed_organisation_id)
    person = User(name=profile.name.strip(), password_hash="!", status=str(PersonStatus.ACTIVE))
    person.role_rows = [UserRole(role=r) for r in chosen]
    person.managed_organisation_id = managed.id if managed else None
    _apply(person, profile)
    db.session.add(person)
    db.session.flush()
    token = password = None
    if give_link:
        # No password opens the account until the person sets one through the link.
        person.password_hash = "!" + secrets.token_hex(16)
        token, _expires = password_links.issue_token(admin, person)
    else:
        password = initial_passwords.new_password()
        person.password_hash = initial_passwords.fast_hash(password)
        person.must_change_password = True
    details = {k: v for k, v in _snapshot(person).items() if v not in (None, False, "")}
    audit.record(
        admin,
        "user.created",
        person,
        **details,
        roles=chosen,
        managed_organisation=_org_label(managed),
        password_link=give_link,
    )
    db.session.commit()
    return Created(person, token, password)


def update(admin: User, person: User, profile: Profile) -> dict[str, Any]:
    """Change the profile, party membership and organisation; returns what changed."""
    before = _snapshot(person)
    return _rolled_back(lambda: _update(admin, person, profile, before))


def _update(admin: User, person: User, profile: Profile, before: dict[str, Any]):
    _apply(person, profile)
    changes = _changes(before, _snapshot(person))
    if changes:
        audit.record(admin, "user.profile_updated", person, **changes)
    db.session.commit()
    return changes


def _active_admins() -> int:
    return (
        db.session.scalar(
            db.select(func.count())
            .select_from(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == str(Role.ADMIN),
                User.status != str(PersonStatus.DISABLED),
                User.is_active_account.is_(True),
            )
        )
        or 0
    )


def _counts_as_active_admin(person: User) -> bool:
    return person.has_role(Role.ADMIN) and person.is_active


def _keep_one_admin(person: User) -> None:
    if _counts_as_active_admin(person) and _active_admins() <= 1:
        raise Conflict(
            _("This is the last active administrator; make someone else an administrator first."),
            code="last_admin",
        )


def _role_state(person: User) -> dict[str, Any]:
    return {
        "roles": sorted(person.roles),
        "managed_organisation": _org_label(person.managed_organisation),
    }


def set_roles(
    admin: User, person: User, roles: Iterable[str], managed_organisation_id: int | None = None
) -> None:
    """Give the account exactly ``roles`` (an org admin with the subtree they manage)."""
    chosen = _roles(roles)
    managed = _managed(chosen, managed_organisation_id)
    if Role.ADMIN not in chosen and person.has_role(Role.ADMIN):
        if person.id == admin.id:
            raise Forbidden(
                _("You cannot remove your own administrator role."), code="own_admin_role"
            )
        _keep_one_admin(person)
    before = _role_state(person)
    kept = [row for row in person.role_rows if row.role in chosen]
    person.role_rows = kept + [UserRole(role=r) for r in chosen if r not in person.roles]
    person.managed_organisation_id = managed.id if managed else None
    person.managed_organisation = managed
    changes = _changes(before, _role_state(person))
    if changes:
        audit.record(admin, "user.roles_changed", person, **changes)
    db.session.commit()


def disable(admin: User, person: User) -> None:
    """停用: the person cannot log in, and every login they have ends now."""
    if person.id == admin.id:
        raise Forbidden(_("You cannot disable your own account."), code="own_account")
    if person.status == PersonStatus.DISABLED:
        return
    _keep_one_admin(person)
    before = person.status
    person.status = str(PersonStatus.DISABLED)
    ended = password_links.end_sessions(person)
    password_links.cancel(person)
    audit.record(
        admin,
        "user.disabled",
        person,
        person_status={"before": before, "after": person.status},
        sessions_ended=ended,
    )
    db.session.commit()


def _status_before_disabling(person: User) -> str:
    """The status a disabled account goes back to: 待审核 while the person's own registration
    is not approved (enabling is no approval), else what it was when it was disabled."""
    from examsvc.models import Registration, RegistrationState

    state = db.session.scalar(
        db.select(Registration.state).where(Registration.user_id == person.id)
    )
    if state is not None:
        approved = state == RegistrationState.APPROVED
        return str(PersonStatus.ACTIVE if approved else PersonStatus.PENDING)
    entry = db.session.scalar(
        db.select(AuditEntry)
        .where(
            AuditEntry.action == "user.disabled",
            AuditEntry.subject_type == "user",
            AuditEntry.subject_id == person.id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    before = ((entry.details or {}).get("person_status") or {}).get("before") if entry else None
    if before in set(PersonStatus) and before != PersonStatus.DISABLED:
        return str(before)
    return str(PersonStatus.ACTIVE)


def enable(admin: User, person: User) -> None:
    """Let a disabled person log in again, with the status they had before (正常, or 待审核
    for a registration not yet approved)."""
    if person.status != PersonStatus.DISABLED and person.is_active_account:
        return
    before = person.status
    if person.status == PersonStatus.DISABLED:
        person.status = _status_before_disabling(person)
    person.is_active_account = True
    audit.record(
        admin, "user.enabled", person, person_status={"before": before, "after": person.status}
    )
    db.session.commit()

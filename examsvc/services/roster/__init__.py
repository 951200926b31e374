"""组织报名: import a roster of people into an organisation's subtree, and enrol them.

The file is read and checked without writing (question_bank/roster.py, then against the
database: organisations, people already known by ID number, logins held by others). A bad
row rejects the file unless bad rows are skipped; then every write happens in one
transaction of bulk statements (10,000 people take a few seconds), so a roster is never
half imported. People already known by ID number (or by a login of an account without an
ID number) are updated, never duplicated; new accounts get a random initial password under
a fast keyed hash (services/initial_passwords.py) or the one password given for all,
hashed once, and must choose their own at first login on the web.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import (
    AuditEntry,
    Enrolment,
    Organisation,
    Role,
    Sitting,
    User,
    UserRole,
    utcnow,
)
from examsvc.services import initial_passwords, orgs
from examsvc.services.accounts import check_password_rules, normalize_email
from examsvc.services.errors import BadInput, Conflict, NotFound, ServiceError
from examsvc.services.identity import encrypt_id, id_lookup_hash
from question_bank.errors import Msg
from question_bank.formats.common import FILE
from question_bank.roster import RosterRow, read_roster

#: Rows per IN (...) lookup and per executemany batch.
CHUNK = 500


@dataclass
class RosterReport:
    """What an import did (or would do); ``as_json()`` is the CLI's contract (DESIGN.md §4)."""

    imported: int = 0
    skipped: int = 0
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    rejected: bool = False
    dry_run: bool = False

    def note(self, where: str, message: str) -> None:
        self.errors.append({"where": where, "message": message})

    def reject(self) -> None:
        self.rejected = True
        self.imported = self.created = self.updated = self.enrolled = 0
        self.accounts = []

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "errors": [
                {"where": translate(e["where"]), "message": translate(e["message"])}
                for e in self.errors
            ],
            "created": self.created,
            "updated": self.updated,
            "enrolled": self.enrolled,
            "accounts": self.accounts,
        }


@dataclass(frozen=True)
class _Known:
    """An account as the checks need it (no ORM object: 10,000 of them stay cheap)."""

    id: int
    id_number_hash: str | None
    email: str | None
    mobile: str | None
    organisation_id: int | None
    status: str


@dataclass
class _Plan:
    """One good row: who it is (an existing account or a new one) and what to write."""

    row: RosterRow
    id_hash: str
    organisation_id: int
    known: _Known | None
    email: str | None
    mobile: str | None


def import_roster(
    actor: User | None,
    source: str | Path | bytes,
    org_code: str,
    *,
    sitting_id: int | None = None,
    password: str | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
    filename: str = "",
) -> RosterReport:
    """Import a roster into ``org_code``'s subtree; with ``sitting_id`` enrol every good row.

    ``password``: every new account gets it (hashed once), else each a random one, listed
    once in the report. ``actor`` None is the command line; an org admin may import only
    into the subtree they manage.
    """
    report = RosterReport(dry_run=dry_run)
    try:
        data, filename = _load(source, filename)
        root = _root(actor, org_code)
        sitting = _sitting(sitting_id)
        if password is not None:
            check_password_rules(password)
    except ServiceError as exc:
        report.note(FILE, exc.message)
        report.reject()
        return report
    result = read_roster(data, filename)
    for problem in result.problems:
        report.note(problem.where, problem.message)
    bad = set(result.bad_rows)
    plans = _plan(result.rows, root, sitting, report, bad) if not result.unreadable else []
    db.session.commit()  # end the reads: on SQLite the writes below take the lock
    report.skipped = len(bad)
    if result.unreadable or (bad and not skip_bad) or not plans:
        if not plans and not result.unreadable and not bad:
            report.note(FILE, Msg("no people to import", code="roster_nothing"))
        report.reject()
        return report
    report.imported = len(plans)
    report.created = sum(1 for p in plans if p.known is None)
    report.updated = report.imported - report.created
    if dry_run:
        report.accounts = [
            {"row": p.row.row, "login": p.email or p.mobile, "initial_password": None}
            for p in plans
            if p.known is None
        ]
        report.enrolled = len(plans) if sitting is not None else 0
        return report
    try:
        _write(actor, root, sitting, plans, password, report)
    except IntegrityError:
        db.session.rollback()
        report.note(
            FILE,
            Msg("another change to these accounts was saved at the same time; nothing was "
                "imported: import the file again", code="roster_race"),
        )  # fmt: skip
        report.reject()
    return report


def _load(source: str | Path | bytes, filename: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, filename
    path = Path(source)
    try:
        return path.read_bytes(), filename or path.name
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BadInput(
            _("cannot read %(file)s: %(reason)s", file=str(source), reason=reason),
            code="unreadable_file",
        ) from None


def _root(actor: User | None, org_code: str) -> Organisation:
    root = orgs.require_code(org_code)
    if actor is not None and not actor.has_role(Role.ADMIN):
        managed = actor.managed_organisation if actor.has_role(Role.ORG_ADMIN) else None
        if managed is None or not orgs.in_subtree(root, managed):
            raise NotFound(_("no organisation has the code %(code)s", code=org_code),
                           code="unknown_org")  # fmt: skip
    if root.is_closed:
        raise Conflict(_("the organisation %(code)s is closed", code=root.code), code="org_closed")
    return root


def _sitting(sitting_id: int | None) -> Sitting | None:
    if sitting_id is None:
        return None
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"), code="unknown_sitting")
    if sitting.state(utcnow()) == "closed":
        raise Conflict(_("the sitting has closed"), code="sitting_closed")
    return sitting


# --- checks against the database ------------------------------------------------------------


def _plan(
    rows: list[RosterRow],
    root: Organisation,
    sitting: Sitting | None,
    report: RosterReport,
    bad: set[int],
) -> list[_Plan]:
    subtree = {
        o.code: o for o in db.session.scalars(
            db.select(Organisation).where(Organisation.path.startswith(root.path))
        )
    }  # fmt: skip
    subtree_ids = {o.id for o in subtree.values()}
    hashes = {row.row: id_lookup_hash(row.id_number) for row in rows}
    emails = {}
    for row in rows:
        if row.email:
            try:
                emails[row.row] = normalize_email(row.email)
            except BadInput:
                problem = Msg("%(email)s is not an e-mail address", code="roster_bad_email",
                              email=repr(row.email))  # fmt: skip
                _bad(report, bad, row, problem)
    by_hash = _known(User.id_number_hash, hashes.values())
    by_email = _known(User.email, emails.values())
    by_mobile = _known(User.mobile, [r.mobile for r in rows if r.mobile])
    elsewhere = _codes_elsewhere({r.org_code for r in rows if r.org_code} - set(subtree))
    plans: list[_Plan] = []
    claimed: dict[int, int] = {}
    for row in rows:
        if row.row in bad:
            continue
        email = emails.get(row.row)
        known = by_hash.get(hashes[row.row]) or _unnumbered(
            by_email.get(email or ""), by_mobile.get(row.mobile or "")
        )
        problem = (
            _org_problem(row, root, subtree, elsewhere, known, subtree_ids)
            or _login_problem(known, email, row.mobile, by_email, by_mobile)
            or _claimed_problem(known, claimed, row)
            or _eligibility_problem(known, sitting)
        )
        if problem:
            _bad(report, bad, row, problem)
            continue
        org = subtree[row.org_code] if row.org_code else None
        if org is None:
            keep = known is not None and known.organisation_id in subtree_ids
            organisation_id = known.organisation_id if keep else root.id  # type: ignore[union-attr]
        else:
            organisation_id = org.id
        plans.append(_Plan(row, hashes[row.row], organisation_id, known, email, row.mobile))
    return plans


def _bad(report: RosterReport, bad: set[int], row: RosterRow, message: str) -> None:
    bad.add(row.row)
    report.note(row.where, message)


def _known(column, values: Iterable[str]) -> dict[str, _Known]:
    values = sorted(set(values))
    found: dict[str, _Known] = {}
    for start in range(0, len(values), CHUNK):
        for r in db.session.execute(
            db.select(User.id, User.id_number_hash, User.email, User.mobile,
                      User.organisation_id, User.status, column)
            .where(column.in_(values[start : start + CHUNK]))
        ):  # fmt: skip
            found[r[-1]] = _Known(*r[:-1])
    return found


def _unnumbered(*accounts: _Known | None) -> _Known | None:
    """An account found by its login that has no ID number yet: the same person, registered
    before, whom the roster now identifies."""
    for account in accounts:
        if account is not None and account.id_number_hash is None:
            return account
    return None


def _codes_elsewhere(codes: set[str]) -> set[str]:
    if not codes:
        return set()
    return set(db.session.scalars(db.select(Organisation.code).where(Organisation.code.in_(codes))))


def _org_problem(row, root, subtree, elsewhere, known, subtree_ids) -> Msg | None:
    if row.org_code and row.org_code not in subtree:
        if row.org_code in elsewhere:
            return Msg("the organisation %(org)s is not under %(root)s",
                       code="roster_org_outside", org=row.org_code, root=root.code)  # fmt: skip
        return Msg("no organisation has the code %(org)s", code="roster_org_unknown",
                   org=row.org_code)  # fmt: skip
    if row.org_code and subtree[row.org_code].is_closed:
        return Msg("the organisation %(org)s is closed", code="roster_org_closed", org=row.org_code)
    if (
        known is not None
        and known.organisation_id is not None
        and known.organisation_id not in subtree_ids
    ):
        return Msg("this person belongs to an organisation outside %(root)s",
                   code="roster_person_outside", root=root.code)  # fmt: skip
    return None


def _login_problem(known, email, mobile, by_email, by_mobile) -> Msg | None:
    own = known.id if known is not None else None
    for value, index, label in (
        (email, by_email, Msg("e-mail", code="roster_email_label")),
        (mobile, by_mobile, Msg("mobile number", code="roster_mobile_label")),
    ):
        holder = index.get(value or "")
        if holder is not None and holder.id != own:
            return Msg("another account already uses this %(what)s", code="roster_login_taken",
                       what=label)  # fmt: skip
    return None


def _claimed_problem(known: _Known | None, claimed: dict[int, int], row: RosterRow) -> Msg | None:
    if known is None:
        return None
    first = claimed.setdefault(known.id, row.row)
    if first != row.row:
        return Msg("the same account as row %(first)s", code="roster_same_account", first=first)
    return None


def _eligibility_problem(known: _Known | None, sitting: Sitting | None) -> Msg | None:
    if sitting is None or known is None:
        return None
    if known.status == "pending":
        return Msg("not eligible for the sitting: the registration is not approved yet",
                   code="roster_not_approved")  # fmt: skip
    if known.status == "disabled":
        return Msg("not eligible for the sitting: the account is disabled",
                   code="roster_disabled")  # fmt: skip
    return None


# --- writing --------------------------------------------------------------------------------


def _write(
    actor: User | None,
    root: Organisation,
    sitting: Sitting | None,
    plans: list[_Plan],
    password: str | None,
    report: RosterReport,
) -> None:
    """Every write of the import in one transaction of bulk statements."""
    from flask import current_app

    shared = (
        generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        if password is not None
        else None
    )
    fast_hash = initial_passwords.hasher()
    created: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for plan in plans:
        if plan.known is None:
            initial = None if shared else initial_passwords.new_password()
            created.append(_new_account(plan, shared or fast_hash(initial)))
            report.accounts.append(
                {
                    "row": plan.row.row,
                    "login": plan.email or plan.mobile,
                    "initial_password": initial,
                }
            )
        else:
            updates.append(_changes(plan))
    _insert(User, created)
    new_ids = _ids_by_hash([a["id_number_hash"] for a in created])
    _insert(UserRole, [{"user_id": i, "role": str(Role.CANDIDATE)} for i in new_ids.values()])
    for group in _by_keys(updates):
        db.session.execute(db.update(User), group)
    now = utcnow()
    actor_id = actor.id if actor is not None else None
    _insert(AuditEntry, [
        _entry(actor_id, "user.created", "user", i, now, roster=root.code)
        for i in new_ids.values()
    ] + [
        _entry(actor_id, "user.roster_updated", "user", u["id"], now, roster=root.code)
        for u in updates
    ])  # fmt: skip
    person_ids = [new_ids.get(p.id_hash) if p.known is None else p.known.id for p in plans]
    if sitting is not None:
        report.enrolled = enrol_many(actor, sitting, [i for i in person_ids if i is not None])
    db.session.add(
        AuditEntry(
            actor_id=actor_id, action="roster.imported", subject_type="organisation",
            subject_id=root.id, at=now,
            details={"created": report.created, "updated": report.updated,
                     "skipped": report.skipped, "enrolled": report.enrolled,
                     "sitting": sitting.id if sitting is not None else None},
        )
    )  # fmt: skip
    db.session.commit()


def _profile(plan: _Plan) -> dict[str, Any]:
    row = plan.row
    return {
        "name": row.name,
        "gender": row.gender or None,
        "organisation_id": plan.organisation_id,
    }


def _new_account(plan: _Plan, password_hash: str) -> dict[str, Any]:
    row = plan.row
    return {
        **_profile(plan),
        "email": plan.email,
        "mobile": plan.mobile,
        "password_hash": password_hash,
        "must_change_password": True,
        "status": "active",
        "id_number_enc": encrypt_id(row.id_number),
        "id_number_hash": plan.id_hash,
        "is_party_member": bool(row.is_party_member),
        "party_joined_on": row.joined_on,
        "post": row.post,
        "category": row.category,
        "is_leader": row.leader_override,
    }


def _changes(plan: _Plan) -> dict[str, Any]:
    """What the roster changes of a known person: what it gives, and logins they lack."""
    row, known = plan.row, plan.known
    assert known is not None
    changes: dict[str, Any] = {"id": known.id, **_profile(plan)}
    if known.id_number_hash is None:
        changes["id_number_enc"] = encrypt_id(row.id_number)
        changes["id_number_hash"] = plan.id_hash
    if plan.email and not known.email:
        changes["email"] = plan.email
    if plan.mobile and not known.mobile:
        changes["mobile"] = plan.mobile
    optional = {
        "is_party_member": row.is_party_member,
        "party_joined_on": row.joined_on,
        "post": row.post or None,
        "category": row.category,
        "is_leader": row.leader_override,
    }
    changes.update({k: v for k, v in optional.items() if v is not None})
    return changes


def _by_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def _insert(model, rows: list[dict[str, Any]]) -> None:
    """Insert rows of equal keys as one multi-row statement per chunk. The table's insert, not
    the ORM's: the ORM splits a batch wherever a None follows a value."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(model.__table__.insert(), rows[start : start + CHUNK])


def _ids_by_hash(hashes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(hashes), CHUNK):
        found.update(
            (h, i) for i, h in db.session.execute(
                db.select(User.id, User.id_number_hash)
                .where(User.id_number_hash.in_(hashes[start : start + CHUNK]))
            )
        )  # fmt: skip
    return found


def _entry(actor_id, action, subject_type, subject_id, at, **details) -> dict[str, Any]:
    return {"actor_id": actor_id, "action": action, "subject_type": subject_type,
            "subject_id": subject_id, "at": at, "details": details}  # fmt: skip


def enrol_many(actor: User | None, sitting: Sitting, user_ids: Sequence[int]) -> int:
    """Enrol these people in the sitting (those already enrolled are left as they are); a
    paper is drawn for each when the sitting's papers are drawn or it is open. Flush only;
    returns how many were enrolled."""
    enrolled: set[int] = set()
    wanted = sorted(set(user_ids))
    for start in range(0, len(wanted), CHUNK):
        enrolled.update(db.session.scalars(
            db.select(Enrolment.user_id).where(
                Enrolment.sitting_id == sitting.id,
                Enrolment.user_id.in_(wanted[start : start + CHUNK]),
            )
        ))  # fmt: skip
    new = [u for u in wanted if u not in enrolled]
    now = utcnow()
    marks = {f"pending-{secrets.token_hex(12)}": u for u in new}
    _insert(Enrolment, [
        {"sitting_id": sitting.id, "user_id": u, "admission_no": mark, "enrolled_at": now}
        for mark, u in marks.items()
    ])  # fmt: skip
    ids = _enrolment_ids(sitting, list(marks))
    # The admission number is built from the row's own id, as services/exams.enrol does.
    numbers = [
        {"id": i, "admission_no": f"{sitting.opens_at:%Y}{sitting.id:05d}{i:07d}"} for i in ids
    ]
    for start in range(0, len(numbers), CHUNK):
        db.session.execute(db.update(Enrolment), numbers[start : start + CHUNK])
    papers = _late_papers(sitting, list(ids)) if ids else {}
    actor_id = actor.id if actor is not None else None
    _insert(AuditEntry, [
        _entry(actor_id, "sitting.enrolled", "enrolment", i, now, sitting=sitting.id, user=u,
               paper_seed=papers.get(i, (None, None))[0],
               bank_hash=papers.get(i, (None, None))[1])
        for i, u in ids.items()
    ])  # fmt: skip
    return len(ids)


def _enrolment_ids(sitting: Sitting, marks: list[str]) -> dict[int, int]:
    ids: dict[int, int] = {}
    for start in range(0, len(marks), CHUNK):
        rows = db.session.execute(
            db.select(Enrolment.id, Enrolment.user_id).where(
                Enrolment.sitting_id == sitting.id,
                Enrolment.admission_no.in_(marks[start : start + CHUNK]),
            )
        )
        ids.update((i, u) for i, u in rows)
    return ids


def _late_papers(sitting: Sitting, enrolment_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Papers for enrolments made after the draw or once the sitting is open."""
    if sitting.papers_drawn_at is None and sitting.state(utcnow()) == "scheduled":
        return {}
    from examsvc.services.assembly import draw_late

    papers = {}
    for enrolment_id in sorted(enrolment_ids):
        paper = draw_late(db.session.get(Enrolment, enrolment_id))
        papers[enrolment_id] = (paper.seed, paper.bank_hash)
    return papers


def enrol_people(actor: User | None, sitting_id: int, user_ids: Sequence[int]) -> int:
    """Enrol many people at once (by organisation, by roster); returns how many were new."""
    sitting = _sitting(sitting_id)
    assert sitting is not None
    count = enrol_many(actor, sitting, user_ids)
    db.session.commit()
    return count

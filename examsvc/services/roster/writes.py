"""A checked roster written in one transaction of bulk statements, and bulk enrolment."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from examsvc.extensions import db
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
from examsvc.services import initial_passwords
from examsvc.services.errors import Conflict, NotFound
from examsvc.services.identity import encrypt_id
from examsvc.services.roster.checks import CHUNK, Plan
from examsvc.services.roster.report import RosterReport


def write(
    actor: User | None,
    root: Organisation,
    sitting: Sitting | None,
    plans: list[Plan],
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
        _entry(actor_id, "user.roster_updated", "user", u["id"], now, roster=root.code,
               **_login_changes(u, known))
        for u, known in zip(updates, [p.known for p in plans if p.known], strict=True)
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


def _profile(plan: Plan) -> dict[str, Any]:
    row = plan.row
    return {
        "name": row.name,
        "gender": row.gender or None,
        "organisation_id": plan.organisation_id,
    }


def _new_account(plan: Plan, password_hash: str) -> dict[str, Any]:
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


def _changes(plan: Plan) -> dict[str, Any]:
    """What the roster changes of a known person: what it gives, logins included (the
    checks made sure no other account holds them)."""
    row, known = plan.row, plan.known
    assert known is not None
    changes: dict[str, Any] = {"id": known.id, **_profile(plan)}
    if known.id_number_hash is None:
        changes["id_number_enc"] = encrypt_id(row.id_number)
        changes["id_number_hash"] = plan.id_hash
    if plan.email and plan.email != known.email:
        changes["email"] = plan.email
    if plan.mobile and plan.mobile != known.mobile:
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


def _login_changes(changes: dict[str, Any], known) -> dict[str, Any]:
    """The logins an update replaces, old and new, for the audit trail."""
    logins = {
        key: [getattr(known, key), changes[key]] for key in ("email", "mobile") if key in changes
    }
    return {"logins": logins} if logins else {}


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


def already_enrolled(sitting: Sitting, user_ids: Sequence[int]) -> set[int]:
    """Which of these people the sitting already has."""
    enrolled: set[int] = set()
    for start in range(0, len(user_ids), CHUNK):
        enrolled.update(db.session.scalars(
            db.select(Enrolment.user_id).where(
                Enrolment.sitting_id == sitting.id,
                Enrolment.user_id.in_(user_ids[start : start + CHUNK]),
            )
        ))  # fmt: skip
    return enrolled


def enrol_many(actor: User | None, sitting: Sitting, user_ids: Sequence[int]) -> int:
    """Enrol these people in the sitting (those already enrolled are left as they are); a
    paper is drawn for each when the sitting's papers are drawn or it is open. Flush only;
    returns how many were enrolled."""
    check_enrollable(sitting)  # again under the lock: the caller may have checked long ago
    wanted = sorted(set(user_ids))
    enrolled = already_enrolled(sitting, wanted)
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
        paper = draw_late(db.session.get_one(Enrolment, enrolment_id))
        papers[enrolment_id] = (paper.seed, paper.bank_hash)
    return papers


def enrol_people(actor: User | None, sitting_id: int, user_ids: Sequence[int]) -> int:
    """Enrol many people at once (by organisation, by roster); returns how many were new."""
    sitting = enrollable_sitting(sitting_id)
    assert sitting is not None
    with enrolment_race():
        count = enrol_many(actor, sitting, user_ids)
        db.session.commit()
    return count


@contextmanager
def enrolment_race() -> Iterator[None]:
    """Someone enrolled one of these people between the check and the write: the unique
    constraint refuses the batch; nothing is saved and the user is told to try again."""
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            _("Some of these people were enrolled by someone else at the same time; nothing "
              "was saved. Try again."),
            code="enrolment_race",
        ) from None  # fmt: skip


def enrollable_sitting(sitting_id: int | None) -> Sitting | None:
    """The sitting people may still be enrolled in (None for None)."""
    if sitting_id is None:
        return None
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"), code="unknown_sitting")
    check_enrollable(sitting)
    return sitting


def check_enrollable(sitting: Sitting) -> None:
    """Refuse an enrolment once the sitting has closed or its results are published (a late
    candidate would sit an exam whose results are out, outside every check of publication).

    Reads the row afresh with a share lock on PostgreSQL, held until the commit: a publication
    (which takes the row lock) waits for the enrolment and then counts it, and an enrolment
    that waited for a publication sees it. SQLite runs one writer at a time.
    """
    closes_at, published_at = db.session.execute(
        db.select(Sitting.closes_at, Sitting.results_published_at)
        .where(Sitting.id == sitting.id)
        .with_for_update(read=True)
    ).one()
    if published_at is not None:
        raise Conflict(
            _("the results of this sitting are published: nobody can be enrolled in it any more"),
            code="results_published",
        )
    if utcnow() >= closes_at:
        raise Conflict(_("the sitting has closed"), code="sitting_closed")

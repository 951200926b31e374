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

from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from examsvc.extensions import db, reading, writing
from examsvc.models import Organisation, Role, Sitting, User
from examsvc.services import orgs
from examsvc.services.accounts import check_password_rules
from examsvc.services.errors import BadInput, Conflict, NotFound, ServiceError
from examsvc.services.roster.checks import Plan, plan
from examsvc.services.roster.report import RosterReport
from examsvc.services.roster.writes import (
    already_enrolled,
    enrol_many,
    enrol_people,
    enrollable_sitting,
    write,
)
from question_bank.errors import Msg
from question_bank.formats.common import FILE
from question_bank.roster import read_roster

__all__ = ["RosterReport", "enrol_many", "enrol_people", "import_roster"]


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
    db.session.commit()  # end the caller's transaction: on SQLite it may hold the write lock
    with reading():  # reading and checking take no write lock; the writes come in their own
        checked = _check(actor, source, org_code, sitting_id, password, filename, report)
        db.session.commit()
    if checked is None or (report.skipped and not skip_bad):
        report.reject()
        return report
    root, sitting, plans = checked
    report.imported = len(plans)
    report.created = sum(1 for p in plans if p.known is None)
    report.updated = report.imported - report.created
    for p in plans:
        kind = p.row.category or "unspecified"
        report.by_type[kind] = report.by_type.get(kind, 0) + 1
    if dry_run:
        report.accounts = [
            {"row": p.row.row, "login": p.email or p.mobile, "initial_password": None}
            for p in plans
            if p.known is None
        ]
        if sitting is not None:
            known = [p.known.id for p in plans if p.known is not None]
            report.enrolled = len(plans) - len(already_enrolled(sitting, known))
        return report
    try:
        with writing():
            write(actor, root, sitting, plans, password, report)
    except IntegrityError:
        db.session.rollback()
        report.note(
            FILE,
            Msg("another change to these accounts was saved at the same time; nothing was "
                "imported: import the file again", code="roster_race"),
        )  # fmt: skip
        report.reject()
    except Conflict as exc:  # the sitting closed or was published since the check
        db.session.rollback()
        report.note(FILE, exc.message)
        report.reject()
    return report


def _check(
    actor: User | None,
    source: str | Path | bytes,
    org_code: str,
    sitting_id: int | None,
    password: str | None,
    filename: str,
    report: RosterReport,
) -> tuple[Organisation, Sitting | None, list[Plan]] | None:
    """Read and check the file; the good rows' plans, or None when nothing can be imported."""
    try:
        data, filename = _load(source, filename)
        root = _root(actor, org_code)
        sitting = enrollable_sitting(sitting_id)
        if password is not None:
            check_password_rules(password)
    except ServiceError as exc:
        report.note(FILE, exc.message)
        return None
    result = read_roster(data, filename)
    for problem in result.problems:
        report.note(problem.where, problem.message)
    if result.unreadable:
        return None
    bad = set(result.bad_rows)
    plans = plan(result.rows, root, sitting, report, bad, actor)
    report.skipped = len(bad)
    if not plans:
        if not bad:
            report.note(FILE, Msg("no people to import", code="roster_nothing"))
        return None
    return root, sitting, plans


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

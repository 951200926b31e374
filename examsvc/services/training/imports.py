"""Training records imported in batch from a sheet (xlsx or CSV), all or nothing.

The file is read and checked without writing (question_bank/training_sheets.py), then each
row's person is found by ID number, else mobile, else e-mail, and must belong to the
subtree of the organisation imported into, under the name the sheet gives; a training
already in the person's archive (same name and dates) is a bad row too. One bad row
rejects the file: nothing is written and every problem is listed. Otherwise every record is
written in one transaction, with one audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from examsvc.extensions import db, reading, writing
from examsvc.i18n import translate
from examsvc.models import Organisation, RecordSource, Role, TrainingRecord, User
from examsvc.services import audit, orgs
from examsvc.services.accounts import normalize_email
from examsvc.services.errors import BadInput, NotFound, ServiceError
from examsvc.services.identity import id_lookup_hash
from examsvc.services.training import CHUNK
from question_bank.errors import Msg
from question_bank.formats.common import FILE
from question_bank.training_sheets import PersonKey, TrainingRow, read_training_sheet


@dataclass
class ImportReport:
    """What an import did (or would do); ``as_json()`` is the CLI's contract, shaped like the
    roster import's report."""

    imported: int = 0
    skipped: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    rejected: bool = False
    dry_run: bool = False
    #: Hours the imported records add up to.
    hours: float = 0.0
    people: int = 0

    def note(self, where: str, message: str) -> None:
        self.errors.append({"where": where, "message": message})

    def reject(self) -> None:
        self.rejected = True
        self.imported = self.people = 0
        self.hours = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "errors": [
                {"where": translate(e["where"]), "message": translate(e["message"])}
                for e in self.errors
            ],
        }


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    organisation_id: int | None


def import_records(
    actor: User | None,
    source: str | Path | bytes,
    org_code: str,
    *,
    dry_run: bool = False,
    filename: str = "",
) -> ImportReport:
    """Import a sheet of trainings of people of ``org_code``'s subtree. ``actor`` None is the
    command line; an org admin imports only into the subtree they manage."""
    report = ImportReport(dry_run=dry_run)
    db.session.commit()  # end the caller's transaction: on SQLite it may hold the write lock
    with reading():
        checked = _check(actor, source, org_code, filename, report)
        db.session.commit()
    if checked is None or report.skipped:
        report.reject()
        return report
    root, plans = checked
    report.imported = len(plans)
    report.people = len({person.id for _row, person in plans})
    report.hours = round(sum(float(row.hours) for row, _person in plans), 1)
    if not dry_run:
        with writing():
            _write(actor, root, plans, filename, report)
    return report


def _check(actor, source, org_code, filename, report) -> tuple[Organisation, list] | None:
    try:
        data, filename = _load(source, filename)
        root = _root(actor, org_code)
    except ServiceError as exc:
        report.note(FILE, exc.message)
        return None
    sheet = read_training_sheet(data, filename)
    for problem in sheet.problems:
        report.note(problem.where, problem.message)
    if sheet.unreadable:
        return None
    bad = set(sheet.bad_rows)
    plans = _plans(sheet.rows, root, report, bad)
    report.skipped = len(bad)
    report.errors.sort(key=lambda e: getattr(e["where"], "params", {}).get("row", 0))
    return root, plans


def _load(source: str | Path | bytes, filename: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, filename
    path = Path(source)
    try:
        return path.read_bytes(), filename or path.name
    except OSError as exc:
        raise BadInput(
            _("cannot read %(file)s: %(reason)s", file=str(source),
              reason=exc.strerror or str(exc)),
            code="unreadable_file",
        ) from None  # fmt: skip


def _root(actor: User | None, org_code: str) -> Organisation:
    root = orgs.require_code(org_code)
    if actor is not None and not actor.has_role(Role.ADMIN):
        managed = actor.managed_organisation if actor.has_role(Role.ORG_ADMIN) else None
        if managed is None or not orgs.in_subtree(root, managed):
            raise NotFound(_("no organisation has the code %(code)s", code=org_code),
                           code="unknown_org")  # fmt: skip
    return root


def _plans(
    rows: list[TrainingRow], root: Organisation, report: ImportReport, bad: set[int]
) -> list[tuple[TrainingRow, _Person]]:
    """The good rows with their person; the others noted and counted in ``bad``."""
    found = _people(rows)
    subtree = set(db.session.scalars(orgs.subtree_ids(root)))
    plans = []
    for row in rows:
        person = found.get(row.person)
        problem = _person_problem(row, person, root, subtree)
        if problem is not None:
            bad.add(row.row)
            report.note(row.where, problem)
        elif person is not None:
            plans.append((row, person))
    recorded = _recorded({person.id for _row, person in plans})
    good = []
    for row, person in plans:
        if (person.id, row.course_name, row.starts_on, row.ends_on) in recorded:
            bad.add(row.row)
            report.note(row.where, Msg("this training is already in the person's archive",
                                       code="training_recorded"))  # fmt: skip
        else:
            good.append((row, person))
    return good


def _person_problem(row: TrainingRow, person, root, subtree) -> Msg | None:
    if person is None:
        return {
            "id_number": Msg("nobody is registered with this ID number", code="training_no_id"),
            "mobile": Msg("nobody is registered with this mobile number",
                          code="training_unknown_mobile"),
            "email": Msg("nobody is registered with this e-mail address",
                         code="training_unknown_email"),
        }[row.person.kind]  # fmt: skip
    if person.organisation_id not in subtree:
        return Msg("this person belongs to an organisation outside %(root)s",
                   code="training_person_outside", root=root.code)  # fmt: skip
    if "".join(person.name.split()) != "".join(row.name.split()):
        return Msg("the name %(given)s does not match the person's registered name %(name)s",
                   code="training_name_mismatch", given=row.name, name=person.name)  # fmt: skip
    return None


def _people(rows: list[TrainingRow]) -> dict[PersonKey, _Person]:
    """The registered person of each row's key, in a few queries."""
    keys: dict[str, dict[str, PersonKey]] = {"id_number": {}, "mobile": {}, "email": {}}
    for row in rows:
        key = row.person
        if key.kind == "id_number":
            keys["id_number"][id_lookup_hash(key.value)] = key
        elif key.kind == "email":
            try:
                keys["email"][normalize_email(key.value)] = key
            except BadInput:
                continue
        else:
            keys["mobile"][key.value] = key
    found: dict[PersonKey, _Person] = {}
    for kind, column in (("id_number", User.id_number_hash), ("mobile", User.mobile),
                         ("email", User.email)):  # fmt: skip
        for value, person in _lookup(column, keys[kind]):
            found[keys[kind][value]] = person
    return found


def _lookup(column, values: Iterable[str]):
    values = sorted(set(values))
    for start in range(0, len(values), CHUNK):
        query = db.select(column, User.id, User.name, User.organisation_id).where(
            column.in_(values[start : start + CHUNK])
        )
        for value, *person in db.session.execute(query):
            yield value, _Person(*person)


def _recorded(user_ids: set[int]) -> set[tuple]:
    ids = sorted(user_ids)
    found: set[tuple] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            tuple(r)
            for r in db.session.execute(
                db.select(TrainingRecord.user_id, TrainingRecord.course_name,
                          TrainingRecord.starts_on, TrainingRecord.ends_on)
                .where(TrainingRecord.user_id.in_(ids[start : start + CHUNK]))
            )
        )  # fmt: skip
    return found


def _write(actor: User | None, root: Organisation, plans, filename: str, report) -> None:
    actor_id = actor.id if actor is not None else None
    db.session.execute(
        db.insert(TrainingRecord),
        [
            {
                "user_id": person.id, "course_name": row.course_name,
                "organiser": row.organiser, "kind": row.kind, "starts_on": row.starts_on,
                "ends_on": row.ends_on, "hours": float(row.hours),
                "attendance_certificate": row.certificate, "note": row.note or None,
                "source": str(RecordSource.IMPORT), "created_by_id": actor_id,
            }
            for row, person in plans
        ],
    )  # fmt: skip
    audit.record(actor, "training.imported", root, imported=report.imported,
                 people=report.people, hours=report.hours, file=filename[:200])  # fmt: skip
    db.session.commit()

"""People in an organisation tree with training records, for the training archive's tests."""

from __future__ import annotations

from datetime import date

from examsvc.extensions import db
from examsvc.models import RecordSource, Role, TrainingRecord, User
from examsvc.services import accounts, orgs
from examsvc.services.identity import assign_id_number
from tests.conftest import PASSWORD

ID_A = "11010519491231002X"
ID_B = "440524188001010014"
ID_C = "34052419800101001X"


def tree():
    """区委 T0 → 街道 T0-1 → 支部 T0-1-1, and 街道 T0-2; a second root T9 outside it."""
    root = orgs.create("T0", "区委组织部")
    street = orgs.create("T0-1", "某街道党工委", root)
    branch = orgs.create("T0-1-1", "第一党支部", street)
    other_street = orgs.create("T0-2", "另一街道党工委", root)
    other = orgs.create("T9", "另一区委")
    return {"root": root, "street": street, "branch": branch, "street2": other_street,
            "other": other}  # fmt: skip


_counter = iter(range(1, 1_000_000))


def person(
    org,
    name: str | None = None,
    *,
    category: str | None = "community",
    post: str = "",
    joined_on: date | None = None,
    id_number: str | None = None,
    mobile: str | None = None,
    roles=(Role.CANDIDATE,),
) -> User:
    n = next(_counter)
    user = accounts.create_user(f"p{n}-{org.code.lower()}@example.com", list(roles), PASSWORD,
                                name or f"学员{n}")  # fmt: skip
    user.organisation_id = org.id
    user.category, user.post, user.party_joined_on = category, post, joined_on
    user.mobile = mobile
    if id_number:
        assign_id_number(user, id_number)
    db.session.commit()
    return user


def org_admin(org, **kwargs) -> User:
    admin = person(org, roles=(Role.ORG_ADMIN,), **kwargs)
    admin.managed_organisation_id = org.id
    db.session.commit()
    return admin


def record(user: User, starts: date, ends: date, hours: float, kind: str = "central",
           name: str = "集中培训班") -> TrainingRecord:  # fmt: skip
    row = TrainingRecord(user_id=user.id, course_name=name, kind=kind, starts_on=starts,
                         ends_on=ends, hours=hours, source=str(RecordSource.MANUAL))  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row

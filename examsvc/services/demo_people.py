"""The demo's people: two street party committees with a branch each, members in both.

In each branch one member is a party member and one is not, both enrolled in the open
sitting; the demo org admin manages the first street's subtree.
"""

from __future__ import annotations

from datetime import date

from examsvc.extensions import db
from examsvc.models import Enrolment, Role, Sitting, User
from examsvc.services import accounts, exams, identity, orgs
from question_bank.checksum import id_check_char

#: (code, name, parent code, kind)
ORGANISATIONS = [
    ("000", "某区委", None, "区委"),
    ("000-01", "城东街道党工委", "000", "街道党工委"),
    ("000-01-01", "城东社区党支部", "000-01", "党支部"),
    ("000-02", "城西街道党工委", "000", "街道党工委"),
    ("000-02-01", "城西科技园联合党支部", "000-02", "党支部"),
]
#: (e-mail, name, mobile, first 17 digits of the ID number, branch, party joined on, post, category)
MEMBERS = [
    ("member1@demo.examsvc.cn", "刘红", "13800000001", "11010519800101002",
     "000-01-01", date(2008, 7, 1), "组织委员", "community"),
    ("member2@demo.examsvc.cn", "陈刚", "13800000002", "11010519850202003",
     "000-01-01", None, "社区工作者", "community"),
    ("member3@demo.examsvc.cn", "周晓", "13800000003", "44052419900303004",
     "000-02-01", date(2015, 6, 30), "支部书记", "two_new"),
    ("member4@demo.examsvc.cn", "吴磊", "13800000004", "44052419920404005",
     "000-02-01", None, "党建指导员", "two_new"),
]  # fmt: skip
MEMBER_PASSWORD = "Dangyuan-2026-demo"
#: The demo candidate's profile: (mobile, first 17 digits of the ID number, branch, post, category)
CANDIDATE_PROFILE = ("13800000009", "11010519880808001", "000-01-01", "党务干事", "community")
#: The demo org admin manages this subtree.
ORG_ADMIN_ROOT = "000-01"


def seed_people(
    admin: User, org_admin: User, sitting: Sitting, candidate: User | None = None
) -> list[dict]:
    """Create what is missing of the demo's organisations and members; returns their logins.

    ``candidate``, the demo's own candidate, gets a full profile in the first branch."""
    for code, name, parent, kind in ORGANISATIONS:
        if orgs.by_code(code) is None:
            orgs.create(code, name, orgs.by_code(parent) if parent else None, kind=kind)
    if candidate is not None and candidate.id_number_hash is None:
        mobile, first17, branch, post, category = CANDIDATE_PROFILE
        candidate.mobile, candidate.post, candidate.category = mobile, post, category
        candidate.gender = "M"
        candidate.organisation_id = orgs.require_code(branch).id
        identity.assign_id_number(candidate, first17 + id_check_char(first17))
        db.session.commit()
    if org_admin.managed_organisation_id is None:
        org_admin.managed_organisation_id = orgs.require_code(ORG_ADMIN_ROOT).id
        db.session.commit()
    logins = []
    for email, name, mobile, first17, branch, joined, post, category in MEMBERS:
        person = db.session.scalar(db.select(User).where(User.email == email))
        if person is None:
            person = accounts.create_user(email, [Role.CANDIDATE], MEMBER_PASSWORD, name)
            person.mobile, person.post, person.category = mobile, post, category
            person.is_party_member, person.party_joined_on = joined is not None, joined
            person.gender = "F" if int(first17[-1]) % 2 == 0 else "M"
            person.organisation_id = orgs.require_code(branch).id
            identity.assign_id_number(person, first17 + id_check_char(first17))
            db.session.commit()
        _enrol(admin, sitting, person)
        logins.append(
            {"email": email, "password": MEMBER_PASSWORD, "roles": ["candidate"], "name": name}
        )
    return logins


def _enrol(admin: User, sitting: Sitting, person: User) -> None:
    enrolled = db.session.scalar(
        db.select(Enrolment.id).where(
            Enrolment.sitting_id == sitting.id, Enrolment.user_id == person.id
        )
    )
    if enrolled is None and person.email:  # every demo member has an e-mail address
        exams.enrol(admin, sitting.id, person.email)

"""Helpers shared by the 年检 tests: holders of level certificates, trainings, batches."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from examsvc.extensions import db
from examsvc.models import (
    Certificate,
    InspectionResult,
    PostChange,
    Role,
    TrainingRecord,
    User,
)
from examsvc.services import certificates, inspections, orgs
from examsvc.services.inspections import closing

FAR = date(2031, 1, 1)


def make_world(make_user) -> SimpleNamespace:
    """A district with two branches, an admin and the org admin of the first branch."""
    district = orgs.create("D1", "测试区委")
    branch = orgs.create("D1-1", "甲党支部", district)
    other = orgs.create("D1-2", "乙党支部", district)
    admin = make_user(Role.ADMIN)
    org_admin = make_user(Role.ORG_ADMIN)
    org_admin.managed_organisation_id = branch.id
    db.session.commit()
    return SimpleNamespace(district=district, branch=branch, other=other, admin=admin,
                           org_admin=org_admin)  # fmt: skip


def holder(make_user, org, *, issued=date(2021, 3, 1), level=2, category="two_new",
           leader=False, name=None, status="valid") -> tuple[User, Certificate]:  # fmt: skip
    """A person of ``org`` holding a level certificate issued on ``issued``."""
    person = make_user(Role.CANDIDATE, name=name)
    person.organisation_id = org.id
    person.category, person.is_leader = category, leader
    cert = certificates.create(person, "level", level, issued, valid_until=FAR)
    cert.status = status
    db.session.commit()
    return person, cert


def train(person: User, year: int, hours: float, times: int = 1) -> None:
    for i in range(times):
        db.session.add(TrainingRecord(
            user_id=person.id, course_name=f"轮训{i}", starts_on=date(year, 5, 1 + i),
            ends_on=date(year, 5, 1 + i), hours=hours / times,
        ))  # fmt: skip
    db.session.commit()


def change_post(person: User, on: date, in_post: bool) -> None:
    db.session.add(PostChange(user_id=person.id, old_post="支部书记", new_post="科员",
                              in_party_post=in_post, effective_on=on))  # fmt: skip
    db.session.commit()


def result_of(batch_id: int, person: User) -> InspectionResult:
    db.session.expire_all()
    return db.session.scalar(
        db.select(InspectionResult).where(
            InspectionResult.inspection_id == batch_id, InspectionResult.user_id == person.id
        )
    )


def assess_all(actor: User, batch_id: int, assessment: str | dict) -> None:
    """Enter ``assessment`` for everyone (a dict: by user id)."""
    rows = db.session.execute(
        db.select(InspectionResult.id, InspectionResult.user_id).where(
            InspectionResult.inspection_id == batch_id
        )
    ).all()
    for result_id, user_id in rows:
        value = assessment.get(user_id) if isinstance(assessment, dict) else assessment
        inspections.set_assessment(actor, batch_id, result_id, value)


def inspect(admin: User, org, year: int, assessment: str | dict = "competent", **close_args):
    """Open, assess and close a batch; (batch id, the close report)."""
    batch = inspections.open_batch(admin, org.id, year)
    assess_all(admin, batch.id, assessment)
    return batch.id, closing.close(admin, batch.id, **close_args)


def status_of(cert: Certificate) -> str:
    db.session.expire_all()
    return db.session.get(Certificate, cert.id).status

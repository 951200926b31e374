"""Bulk work of the 年检: status changes of many certificates, rows updated in bulk, the
training totals of a subtree in one query; each as its one-at-a-time counterpart does."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Certificate, InspectionResult, Role
from examsvc.services import bulk, certificates, inspections, training
from examsvc.services.certificate_statuses import change_statuses
from examsvc.services.errors import Conflict
from tests.services.inspection_world import holder, make_world, train


@pytest.fixture
def world(app, make_user):
    return make_world(make_user)


def status(cert: Certificate) -> tuple[str, str | None]:
    db.session.expire_all()
    fresh = db.session.get(Certificate, cert.id)
    return fresh.status, fresh.status_reason


def test_many_certificates_change_status_with_their_reasons_and_audit(world, make_user):
    (_a, valid), (_b, suspended), (_c, other) = (
        holder(make_user, world.branch),
        holder(make_user, world.branch, status="suspended"),
        holder(make_user, world.branch),
    )
    changed = change_statuses(world.admin, [
        (valid.id, "suspend", "  年检  未通过 "), (suspended.id, "reinstate", "年检通过"),
        (other.id, "revoke", "年检未通过"),
    ])  # fmt: skip
    db.session.commit()
    assert [(c.id, c.previous, c.status) for c in changed] == [
        (valid.id, "valid", "suspended"), (suspended.id, "suspended", "valid"),
        (other.id, "valid", "revoked"),
    ]  # fmt: skip
    assert status(valid) == ("suspended", "年检 未通过")  # the reason tidied as one at a time
    assert status(suspended) == ("valid", "年检通过")
    assert status(other) == ("revoked", "年检未通过")
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(AuditEntry.subject_type == "certificate")
        .order_by(AuditEntry.subject_id)
    ).all()
    assert [(e.action, e.actor_id, e.subject_id, e.details["previous"]) for e in entries] == [
        ("certificate.suspended", world.admin.id, valid.id, "valid"),
        ("certificate.reinstated", world.admin.id, suspended.id, "suspended"),
        ("certificate.revoked", world.admin.id, other.id, "valid"),
    ]
    assert entries[0].details == {"number": valid.number, "previous": "valid",
                                  "reason": "年检 未通过"}  # fmt: skip
    # Already in that status: nothing changes, nothing is audited.
    assert change_statuses(world.admin, [(valid.id, "suspend", "again")]) == []
    assert status(valid) == ("suspended", "年检 未通过")


def test_a_change_its_status_does_not_allow_is_refused_as_one_at_a_time(world, make_user):
    _person, cert = holder(make_user, world.branch, status="revoked")
    for change in ("suspend", "reinstate"):
        with pytest.raises(Conflict) as bulk_error:
            change_statuses(world.admin, [(cert.id, change, "年检")])
        with pytest.raises(Conflict) as single_error:
            certificates.change_status(world.admin, cert, change, "年检")
        assert bulk_error.value.code == single_error.value.code
    db.session.rollback()
    assert status(cert)[0] == "revoked"


def test_rows_updated_in_bulk_keep_json_and_times(world, make_user):
    person, _cert = holder(make_user, world.branch)
    batch = inspections.open_batch(world.admin, world.district.id, 2024)
    (row_id,) = db.session.scalars(
        db.select(InspectionResult.id).where(InspectionResult.inspection_id == batch.id)
    )
    when = certificates.utcnow()
    reasons = [{"code": "no_training", "template": "no training in the year", "params": {}}]
    bulk.update_rows(InspectionResult, [{"id": row_id, "reasons": reasons, "decided_at": when,
                                         "outcome": "suspended"}])  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(InspectionResult, row_id)
    assert (row.reasons, row.decided_at, row.outcome) == (reasons, when, "suspended")
    assert row.user_id == person.id and row.assessment is None  # the other columns kept


def test_a_subtrees_training_totals_are_the_totals_of_its_people(world, make_user):
    inside, _c = holder(make_user, world.branch)
    other, _d = holder(make_user, world.other)
    outside = make_user(Role.CANDIDATE)
    for person, hours in ((inside, 30.25), (other, 16), (outside, 8)):
        train(person, 2024, hours, times=2)
    train(inside, 2023, 99)
    by_branch = training.subtree_year_totals(world.branch, 2024)
    assert by_branch == training.year_totals([inside.id], 2024)
    assert by_branch == {inside.id: training.YearTotal(2, 30.2)}
    district = training.subtree_year_totals(world.district, 2024)
    assert district == training.year_totals([inside.id, other.id], 2024)
    assert set(district) == {inside.id, other.id}  # not the trainee outside the district
    assert training.subtree_year_totals(world.district, 2022) == {}

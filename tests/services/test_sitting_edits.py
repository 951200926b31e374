"""Editing a scheduled sitting: it keeps opening in the future, and its blueprint changes only
to an exam everybody enrolled may sit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Sitting, utcnow
from examsvc.services import exams, sittings
from examsvc.services.errors import BadInput, Conflict
from tests.services.test_enrolment_rules import level_certificate, level_sitting, passed


def _args(sitting: Sitting, **changes) -> dict:
    args = dict(name=sitting.name, opens_at=sitting.opens_at, closes_at=sitting.closes_at,
                grace_seconds=sitting.grace_seconds)  # fmt: skip
    return {**args, **changes}


def test_a_scheduled_sitting_cannot_be_moved_to_open_in_the_past(scheduled):
    sitting, admin = scheduled(candidates=1)
    opens = sitting.opens_at
    with pytest.raises(BadInput) as info:
        sittings.edit(admin, sitting.id, **_args(sitting, opens_at=utcnow() - timedelta(minutes=1)))
    assert info.value.code == "invalid_window" and "开考" in str(info.value)
    db.session.rollback()
    sitting = db.session.get(Sitting, sitting.id)
    assert sitting.opens_at == opens and sitting.state(utcnow()) == "scheduled"


def test_a_blueprint_some_enrolled_may_not_sit_is_refused_naming_them(scheduled, make_user):
    sitting, admin = scheduled(candidates=2)
    rows = exams.enrolments_of(sitting)
    holder, beginner = rows[0].user, rows[1].user
    level_certificate(holder, 1)  # holds L1: may sit L2, not L1
    passed(beginner, level_sitting(admin, 1))  # passed L1 (published): L1 refused as well
    level_one = level_sitting(admin, 1).blueprint_id
    original = sitting.blueprint_id
    with pytest.raises(Conflict) as info:
        sittings.edit(admin, sitting.id, **_args(sitting, blueprint_id=level_one))
    assert info.value.code == "enrolled_not_eligible"
    message = str(info.value)
    assert holder.name in message and beginner.name in message
    assert "已持有" in message and "已通过" in message  # the reasons, in Chinese
    db.session.rollback()
    assert db.session.get(Sitting, sitting.id).blueprint_id == original
    assert (
        db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "sitting.edited"))
        is None
    )


def test_a_blueprint_everybody_enrolled_may_sit_is_accepted(scheduled):
    sitting, admin = scheduled(candidates=2)
    level_one = level_sitting(admin, 1).blueprint_id
    sittings.edit(admin, sitting.id, **_args(sitting, blueprint_id=level_one))
    assert db.session.get(Sitting, sitting.id).blueprint_id == level_one

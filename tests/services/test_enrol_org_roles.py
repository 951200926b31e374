"""Enrolling an organisation takes only candidates; an enrolment made by someone else at the
same moment is a clear conflict, not a server error."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import Enrolment, Role
from examsvc.services import enrolment, exams, orgs, roster
from examsvc.services.errors import Conflict
from examsvc.services.roster import writes


def _enrolled(sitting_id: int) -> set[int]:
    return set(db.session.scalars(db.select(Enrolment.user_id).where(
        Enrolment.sitting_id == sitting_id)))  # fmt: skip


def test_enrolling_an_organisation_enrols_candidates_only_and_lists_the_staff(
    app, scheduled, make_user
):
    sitting, admin = scheduled(candidates=0)
    branch = orgs.create("300", "第三支部")
    people = {
        "candidate": make_user(Role.CANDIDATE, name="考生甲"),
        "examiner": make_user(Role.EXAMINER, name="阅卷人"),
        "org_admin": make_user(Role.ORG_ADMIN, name="支部管理员"),
    }
    for person in people.values():
        person.organisation_id = branch.id
    db.session.commit()
    ids = {k: p.id for k, p in people.items()}
    with app.test_request_context():
        report = enrolment.enrol_organisation(admin, sitting.id, branch.id)
    assert report.enrolled == 1
    assert _enrolled(sitting.id) == {ids["candidate"]}
    reasons = {r.user_id: r.reason for r in report.refused}
    assert set(reasons) == {ids["examiner"], ids["org_admin"]}
    assert all("考生角色" in reason for reason in reasons.values()), reasons


def test_an_enrolment_made_meanwhile_is_a_conflict_and_nothing_is_saved(
    app, scheduled, make_user, monkeypatch
):
    sitting, admin = scheduled(candidates=0)
    first, second = make_user(Role.CANDIDATE), make_user(Role.CANDIDATE)
    exams.enrol(admin, sitting.id, first.email)
    sitting_id, ids = sitting.id, [first.id, second.id]
    # The check saw nobody enrolled; the first person's enrolment is the one made meanwhile.
    monkeypatch.setattr(writes, "already_enrolled", lambda sitting, user_ids: set())
    with app.test_request_context(), pytest.raises(Conflict) as refused:
        roster.enrol_people(admin, sitting_id, ids)
    assert refused.value.code == "enrolment_race" and "同时" in refused.value.message
    assert _enrolled(sitting_id) == {ids[0]}


def test_enrolling_an_organisation_meanwhile_is_a_conflict(app, scheduled, make_user, monkeypatch):
    sitting, admin = scheduled(candidates=0)
    branch = orgs.create("301", "第四支部")
    person = make_user(Role.CANDIDATE)
    person.organisation_id = branch.id
    db.session.commit()
    exams.enrol(admin, sitting.id, person.email)
    sitting_id, person_id = sitting.id, person.id
    monkeypatch.setattr(enrolment, "already_enrolled", lambda sitting, user_ids: set())
    monkeypatch.setattr(writes, "already_enrolled", lambda sitting, user_ids: set())
    with app.test_request_context(), pytest.raises(Conflict):
        enrolment.enrol_organisation(admin, sitting_id, branch.id)
    assert _enrolled(sitting_id) == {person_id}

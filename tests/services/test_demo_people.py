"""The demo's organisations and members."""

from examsvc.extensions import db
from examsvc.models import Enrolment, Organisation, User
from examsvc.services import demo, demo_people, orgs, scope
from tests import snapshots


def test_demo_has_two_organisations_with_a_member_and_a_non_member_each_enrolled(app):
    report = snapshots.cached("demo", demo.seed)  # seeded once per test process
    sitting_id = report["sittings"][0]["id"]
    for branch in ("000-01-01", "000-02-01"):
        org = orgs.by_code(branch)
        people = db.session.scalars(db.select(User).where(User.organisation_id == org.id)).all()
        members = [p for p in people if p.email != "candidate@demo.examsvc.cn"]
        assert sorted(p.is_party_member for p in members) == [False, True]
        enrolled = db.session.scalars(
            db.select(Enrolment.user_id).where(Enrolment.sitting_id == sitting_id)
        ).all()
        assert {p.id for p in people} <= set(enrolled)
        assert all(p.id_number_enc and p.id_number_hash and p.mobile for p in people)
    org_admin = db.session.scalar(db.select(User).where(User.email == "orgadmin@demo.examsvc.cn"))
    visible = {p.name for p in db.session.scalars(scope.people_query(org_admin))}
    assert visible == {"刘红", "陈刚", "张明华"}  # the demo candidate is in the first branch
    logins = {u["email"] for u in report["users"]}
    assert {m[0] for m in demo_people.MEMBERS} <= logins
    demo.seed()
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 5

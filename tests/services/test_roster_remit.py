"""What a roster may touch: an org admin never reaches accounts outside the subtree, nobody's
roster touches an account with a role beyond candidate, only an admin replaces a login."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import Role, User
from examsvc.services import orgs, roster
from examsvc.services.identity import assign_id_number, id_lookup_hash
from tests.services.test_roster_import import HEADER, ID_A, ID_B


@pytest.fixture
def tree(app):
    """The ids of 区委 000 and its 街道 000-01 (the org admin's subtree)."""
    root = orgs.create("000", "区委")
    street = orgs.create("000-01", "某街道党工委", root)
    return root.id, street.id


@pytest.fixture
def org_admin(make_user, tree):
    admin = make_user(Role.ORG_ADMIN, name="街道管理员")
    admin.managed_organisation_id = tree[1]
    db.session.commit()
    return admin.id


@pytest.fixture
def run(app):
    def invoke(actor_id: int | None, *rows: str, org: str = "000-01"):
        """Import the rows as the account ``actor_id`` (None: the command line)."""
        actor = db.session.get(User, actor_id) if actor_id is not None else None
        data = "\n".join([HEADER, *rows]).encode("utf-8-sig")
        with app.test_request_context():
            report = roster.import_roster(actor, data, org, filename="名单.csv")
            body = report.as_json()
        db.session.remove()
        return report, body

    return invoke


def _messages(body) -> str:
    return " ".join(e["message"] for e in body["errors"])


def test_an_org_admin_cannot_take_over_an_admin_without_organisation(run, make_user, org_admin):
    boss = make_user(Role.ADMIN, name="主管", email="boss@example.org")
    boss_id = boss.id
    report, body = run(org_admin, f"冒名,{ID_A},13800138000,boss@example.org,,,,,")
    assert report.rejected and body["errors"][0]["where"] == "第 2 行"
    assert "管理角色" in _messages(body), body
    boss = db.session.get(User, boss_id)
    assert boss.name == "主管" and boss.mobile is None and boss.id_number_hash is None
    assert boss.organisation_id is None


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.ORG_ADMIN, Role.CONTRIBUTOR])
def test_no_roster_touches_an_account_with_a_role_beyond_candidate(run, make_user, tree, role):
    """Not even the command line: such accounts change in the accounts administration."""
    person = make_user(Role.CANDIDATE, role, name="原名", email="staff@example.org")
    person.organisation_id = tree[1]
    db.session.commit()
    person_id = person.id
    report, body = run(None, f"新名,{ID_A},,staff@example.org,,,,,")
    assert report.rejected and "管理角色" in _messages(body), body
    assert db.session.get(User, person_id).name == "原名"


def test_an_account_of_no_organisation_is_outside_an_org_admins_subtree(run, make_user, org_admin):
    loner = make_user(Role.CANDIDATE, name="无组织", email="loner@example.org")
    loner_id = loner.id
    report, body = run(org_admin, f"无组织,{ID_A},13800138000,loner@example.org,,,,,")
    assert report.rejected and "不属于任何组织" in _messages(body), body
    assert db.session.get(User, loner_id).organisation_id is None


@pytest.mark.parametrize("who", ["cli", "admin"])
def test_the_command_line_and_an_admin_may_claim_an_account_of_no_organisation(
    run, make_user, tree, who
):
    actor = make_user(Role.ADMIN).id if who == "admin" else None
    loner = make_user(Role.CANDIDATE, name="无组织", email="loner@example.org")
    loner_id = loner.id
    report, body = run(actor, f"无组织,{ID_A},13800138000,loner@example.org,,,,,")
    assert not report.rejected and body["updated"] == 1, body
    loner = db.session.get(User, loner_id)
    assert loner.organisation_id == tree[1] and loner.id_number_hash == id_lookup_hash(ID_A)


def _member(make_user, tree, email: str | None, mobile: str | None) -> int:
    person = make_user(Role.CANDIDATE, name="成员", email=email or "x@example.org")
    person.email, person.mobile = email, mobile
    person.organisation_id = tree[1]
    assign_id_number(person, ID_B)
    db.session.commit()
    return person.id


def test_an_org_admins_roster_may_not_replace_a_login(run, make_user, tree, org_admin):
    person_id = _member(make_user, tree, "old@example.org", "13800138000")
    report, body = run(org_admin, f"成员,{ID_B},13800138000,new@example.org,,,,,")
    assert report.rejected and body["errors"][0]["where"] == "第 2 行"
    assert "只有组织部管理员可以更换" in _messages(body) and "邮箱" in _messages(body), body
    report, body = run(org_admin, f"成员,{ID_B},13900139000,old@example.org,,,,,")
    assert report.rejected and "手机号" in _messages(body), body
    person = db.session.get(User, person_id)
    assert (person.email, person.mobile) == ("old@example.org", "13800138000")


def test_an_org_admins_roster_may_add_a_missing_login(run, make_user, tree, org_admin):
    person_id = _member(make_user, tree, "old@example.org", None)
    report, body = run(org_admin, f"新名,{ID_B},13900139000,old@example.org,,,,,")
    assert not report.rejected and body["updated"] == 1, body
    person = db.session.get(User, person_id)
    assert (person.name, person.email, person.mobile) == ("新名", "old@example.org", "13900139000")


def test_an_admins_roster_may_replace_a_login(run, make_user, tree):
    admin_id = make_user(Role.ADMIN).id
    person_id = _member(make_user, tree, "old@example.org", "13800138000")
    report, body = run(admin_id, f"成员,{ID_B},13900139000,new@example.org,,,,,")
    assert not report.rejected, body
    person = db.session.get(User, person_id)
    assert (person.email, person.mobile) == ("new@example.org", "13900139000")

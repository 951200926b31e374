"""Accounts administration: enabling restores the status before disabling; a login taken
between the check and the write is a clear conflict, not a server error."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import Role, User
from examsvc.services import account_admin, accounts, orgs
from examsvc.services.errors import Conflict
from tests.conftest import PASSWORD
from tests.registration_helpers import complete, register


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="管理员")


@pytest.fixture
def branch(app):
    return orgs.create("B1", "第一支部", orgs.create("D", "区委"))


def test_enabling_a_pending_self_registrant_leaves_them_pending(app, admin, branch):
    person = register(branch)
    complete(person)
    with app.test_request_context():
        account_admin.disable(admin, person)
        assert person.status == "disabled"
        account_admin.enable(admin, person)
    assert db.session.get(User, person.id).status == "pending"


def test_enabling_restores_active_for_an_account_that_was_active(app, admin, make_user):
    person = make_user(Role.CANDIDATE)
    with app.test_request_context():
        account_admin.disable(admin, person)
        account_admin.enable(admin, person)
    assert db.session.get(User, person.id).status == "active"


def test_enabling_restores_the_status_from_the_audit_trail(app, admin, make_user):
    """An account of no registration that was pending (e.g. set so by hand) stays pending."""
    person = make_user(Role.CANDIDATE)
    person.status = "pending"
    db.session.commit()
    with app.test_request_context():
        account_admin.disable(admin, person)
        account_admin.enable(admin, person)
    assert db.session.get(User, person.id).status == "pending"


def _profile(**values) -> account_admin.Profile:
    return account_admin.Profile(name=values.pop("name", "新账号"), **values)


def test_a_login_taken_between_the_check_and_the_insert_is_a_conflict(app, admin, monkeypatch):
    monkeypatch.setattr(account_admin, "_taken", lambda column, value, person_id: False)
    accounts.create_user("race@example.com", [Role.CANDIDATE], PASSWORD, "先到者")
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    with app.test_request_context(), pytest.raises(Conflict) as refused:
        account_admin.create(admin, _profile(email="race@example.com"), [Role.CANDIDATE])
    assert refused.value.code == "login_taken" and "未保存" in refused.value.message
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before


def test_a_login_taken_between_the_check_and_an_edit_is_a_conflict(app, admin, monkeypatch):
    first = accounts.create_user("a@example.com", [Role.CANDIDATE], PASSWORD, "甲")
    first.mobile = "13800138000"
    db.session.commit()
    second = accounts.create_user("b@example.com", [Role.CANDIDATE], PASSWORD, "乙")
    second_id = second.id
    monkeypatch.setattr(account_admin, "_taken", lambda column, value, person_id: False)
    with app.test_request_context(), pytest.raises(Conflict) as refused:
        account_admin.update(admin, second, _profile(name="乙", mobile=first.mobile,
                                                     email="b@example.com"))  # fmt: skip
    assert refused.value.code == "login_taken"
    assert db.session.get(User, second_id).mobile is None

"""Passwords: at least 10 characters, not common, not a pattern, not the account's own name;
refused wherever a password is set (registration, password change, CLI, any account creation)."""

import pytest
from werkzeug.security import check_password_hash

from examsvc.extensions import db
from examsvc.models import Role, User
from examsvc.services import accounts
from examsvc.services.errors import BadInput
from examsvc.services.passwords import MIN_LENGTH, password_problem
from tests.conftest import PASSWORD, post_form

EMAIL = "lixiaoming@example.com"

WEAK = [
    "password1",  # common, and short
    "aaaaaaa1",
    " " * 7 + "1a",
    " " * 10 + "1a",  # long enough, but mostly one character
    "aaaaaaaaaa1b",
    "qwertyuiop12",  # keyboard row
    "1qaz2wsx3edc",  # keyboard columns
    "asdfghjkl;12",
    "abcdefghij12",  # sequences
    "1234567890ab",
    "9876543210zz",
    "Password123!",  # common with decoration
    "P@ssw0rd2026!",
    "ｐａｓｓｗｏｒｄ１２３",  # fullwidth is the same to a guesser
    "woaini1314520",  # common among Chinese users
    "zhangsan123456",
    "Dangjian2026",
    "lixiaoming2026",  # the e-mail's name
    "LiXiaoMing-lamp",
    "plumriverkite",  # no digit
    "20261130123456",  # no letter
]
STRONG = [
    PASSWORD,
    "Plum-river-42",
    "correct horse 7 battery",
    "Harbour-lamp-58",
    "五星红旗Flag-1949x",
]


@pytest.mark.parametrize("password", WEAK)
def test_a_weak_password_is_refused_with_a_reason(app, password):
    problem = password_problem(password, EMAIL, "李晓明")
    assert problem is not None
    with pytest.raises(BadInput) as refused:
        accounts.register(EMAIL, "李晓明", password)
    assert refused.value.code == "weak_password" and refused.value.message == problem
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", STRONG)
def test_a_strong_password_is_accepted(app, password):
    assert password_problem(password, EMAIL, "李晓明") is None
    user = accounts.register(EMAIL, "李晓明", password)
    assert check_password_hash(user.password_hash, password)


def test_the_length_rule_is_ten_characters(app):
    assert MIN_LENGTH == 10
    assert "10" in password_problem("Kp7#vRq2x", EMAIL)
    assert password_problem("Kp7#vRq2xW", EMAIL) is None


def test_every_way_of_creating_an_account_checks_the_password(app):
    with pytest.raises(BadInput):
        accounts.create_user("admin2@example.com", [Role.ADMIN], "password1")
    result = app.test_cli_runner().invoke(
        args=["users", "create", "b@example.com", "--role", "admin", "--password-stdin"],
        input="qwertyuiop12\n",
    )
    assert result.exit_code != 0
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_a_password_change_to_a_weak_password_is_refused(app, make_user):
    user = make_user()
    for weak in ("password1", "1qaz2wsx3edc", user.email.split("@")[0] + "-lamp-42"):
        with pytest.raises(BadInput) as refused:
            accounts.change_password(user, PASSWORD, weak)
        assert refused.value.code == "weak_password"
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, PASSWORD)


def test_the_register_form_refuses_a_weak_password(client):
    for weak in ("aaaaaaa1", "Password123!", "woaini1314520"):
        response = post_form(
            client,
            "/auth/register",
            {"name": "王小红", "email": "wang@example.com", "password": weak, "confirm": weak},
        )
        assert response.status_code in (200, 400)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_the_password_form_refuses_a_weak_password(login_as):
    client, user = login_as("candidate")
    response = post_form(
        client,
        "/auth/password",
        {"current": PASSWORD, "new": "Password123!", "confirm": "Password123!"},
    )
    assert response.status_code == 400
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, PASSWORD)


def test_the_demo_and_test_passwords_pass_the_rules(app):
    from examsvc.services.demo import DEMO_USERS

    for email, name, _roles, password in DEMO_USERS:
        assert password_problem(password, email, name) is None, email
    assert password_problem(PASSWORD, "user1@example.com") is None

"""The login limit counts failures per account, however its e-mail address is typed, and per
client address; form and API share the budget."""

import pytest

from examsvc.auth.views import account_key
from examsvc.services import accounts
from tests.conftest import PASSWORD, csrf_token, form_token

SPELLINGS = [
    "cand@ｔest.examsvc.cn",  # a fullwidth letter in the domain
    "CAND@TEST.EXAMSVC.CN",
    "  cand@test.examsvc.cn  ",
    "Cand@Test.Examsvc.Cn",
]


@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "8 per minute"}


def api_login(client, email: str, password: str) -> int:
    return client.post(
        "/api/v1/session",
        json={"email": email, "password": password},
        headers={"X-CSRFToken": csrf_token(client)},
    ).status_code


def form_login(client, email: str, password: str) -> int:
    token = form_token(client.get("/auth/login").get_data(as_text=True))
    return client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    ).status_code


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_another_spelling_of_a_locked_account_is_locked_too(app, make_user, spelling):
    make_user(email="cand@test.examsvc.cn")
    client = app.test_client()
    assert [api_login(client, "cand@test.examsvc.cn", "wrong-pass-1") for _ in range(3)] == [
        401
    ] * 3
    assert api_login(client, spelling, PASSWORD) == 429
    assert form_login(app.test_client(), spelling, PASSWORD) == 429


def test_failures_under_different_spellings_add_up(app, make_user):
    make_user(email="cand@test.examsvc.cn")
    client = app.test_client()
    statuses = [api_login(client, spelling, "wrong-pass-1") for spelling in SPELLINGS]
    assert statuses == [401, 401, 401, 429]


def test_an_unknown_account_is_limited_under_its_normalised_spelling(app):
    client = app.test_client()
    statuses = [api_login(client, spelling, "wrong-pass-1") for spelling in SPELLINGS]
    assert statuses == [401, 401, 401, 429]


def test_the_address_limit_still_counts_failures_over_all_accounts(app, make_user):
    users = [make_user() for _ in range(4)]
    client = app.test_client()
    statuses = [api_login(client, user.email, "wrong-pass-1") for user in users for _ in range(2)]
    assert statuses == [401] * 8
    fresh = make_user()
    assert api_login(client, fresh.email, PASSWORD) == 429


def test_the_key_is_the_resolved_account(app, make_user):
    user = make_user(email="cand@test.examsvc.cn")
    resolved = [accounts.login_account(spelling) for spelling in SPELLINGS]
    assert {account_key(*r) for r in resolved} == {f"account:{user.id}"}
    unknown = ["nobody@ｔest.examsvc.cn", " NOBODY@test.examsvc.cn", "Nobody@Test.examsvc.cn"]
    keys = {account_key(*accounts.login_account(spelling)) for spelling in unknown}
    assert keys == {"login:nobody@test.examsvc.cn"}
    assert account_key(*accounts.login_account("Not An Address")) == "login:not an address"

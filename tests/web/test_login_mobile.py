"""Login by e-mail or mobile number, the shared limit, and the first-login password change."""

import pytest

from examsvc.extensions import db
from examsvc.services import accounts
from examsvc.services.errors import BadInput
from tests.conftest import PASSWORD, csrf_token, form_token

MOBILE = "13800138000"


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "0086-13800138000",
        "１３８００１３８０００",
        "＋８６１３８００１３８０００",
    ],
)
def test_normalize_mobile_folds_the_spellings(typed):
    assert accounts.normalize_mobile(typed) == MOBILE


@pytest.mark.parametrize("typed", ["1380013800", "23800138000", "138001380001", "abc", ""])
def test_normalize_mobile_refuses_what_is_no_mobile(typed):
    with pytest.raises(BadInput):
        accounts.normalize_mobile(typed)


@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "50 per minute"}


@pytest.fixture
def person(make_user):
    user = make_user(email="li@example.com")
    user.mobile = MOBILE
    db.session.commit()
    return user


def api_login(client, password=PASSWORD, **body):
    return client.post(
        "/api/v1/session",
        json={**body, "password": password},
        headers={"X-CSRFToken": csrf_token(client)},
    )


def test_api_logs_in_by_mobile_under_login_and_by_email_as_before(app, person):
    answer = api_login(app.test_client(), login="+86 138-0013-8000")
    assert answer.status_code == 200
    assert answer.get_json()["user"]["id"] == person.id
    assert answer.get_json()["must_change_password"] is False
    assert api_login(app.test_client(), login="li@example.com").status_code == 200
    assert api_login(app.test_client(), email="LI@example.com").status_code == 200
    assert api_login(app.test_client(), login="13900139000").status_code == 401


def test_form_logs_in_by_mobile(app, person):
    client = app.test_client()
    token = form_token(client.get("/auth/login").get_data(as_text=True))
    data = {"login": "１３８００１３８０００", "password": PASSWORD, "csrf_token": token}
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302
    assert client.get("/api/v1/session").get_json()["user"]["id"] == person.id


def test_failures_by_mobile_and_email_share_the_account_limit(app, person):
    client = app.test_client()
    assert api_login(client, "wrong-pass-1", login=MOBILE).status_code == 401
    assert api_login(client, "wrong-pass-1", login="li@example.com").status_code == 401
    assert api_login(client, "wrong-pass-1", login="138 0013 8000").status_code == 401
    assert api_login(client, login="li@example.com").status_code == 429
    assert api_login(client, login=MOBILE).status_code == 429


def test_must_change_password_redirects_every_page_until_changed(app, person):
    person.must_change_password = True
    db.session.commit()
    client = app.test_client()
    answer = api_login(client, login=MOBILE)
    assert answer.get_json()["must_change_password"] is True
    for page in ("/", "/exam/", "/me"):
        response = client.get(page)
        assert response.status_code == 302 and response.location.endswith("/auth/password")
    assert client.get("/api/v1/me/sittings").status_code == 200  # the exam API keeps working
    form = form_token(client.get("/auth/password").get_data(as_text=True))
    new = "Fresh-pass-2468"
    response = client.post(
        "/auth/password",
        data={"current": PASSWORD, "new": new, "confirm": new, "csrf_token": form},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(person), person.id).must_change_password is False
    assert client.get("/").status_code == 200


def test_form_login_with_must_change_password_goes_to_the_password_page(app, person):
    person.must_change_password = True
    db.session.commit()
    client = app.test_client()
    token = form_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": MOBILE, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302 and response.location.endswith("/auth/password")


def test_a_disabled_person_cannot_log_in_by_either_login(app, person):
    person.status = "disabled"
    db.session.commit()
    for login in (MOBILE, "li@example.com"):  # refused, and told why (the password was right)
        response = api_login(app.test_client(), login=login)
        assert response.status_code == 403
        assert response.get_json()["error"] == "account_disabled"


@pytest.mark.parametrize(
    ("post", "is_leader", "expected"),
    [
        ("支部书记", None, True),
        ("组织委员", None, True),
        ("党员", None, False),
        ("党员", True, True),
        ("副书记", False, False),
    ],
)
def test_leader_is_derived_from_the_post_unless_set(make_user, post, is_leader, expected):
    user = make_user()
    user.post, user.is_leader = post, is_leader
    assert user.leader is expected

"""A login lives on the server: logout, password change and age end it for every copy of
the cookie."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import LoginSession, utcnow
from tests.conftest import PASSWORD, csrf_token, log_in, post_form

COOKIE = "examsvc_session"


def saved_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, cookie: str):
    """A new browser that presents a copy of a saved session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie)
    return other


def assert_logged_out(client) -> None:
    assert client.get("/api/v1/me/sittings").status_code == 401
    assert client.get("/api/v1/session").get_json()["user"] is None
    page = client.get("/exam/")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]


def test_a_cookie_saved_before_logout_no_longer_authenticates(app, login_as):
    client, user = login_as("candidate")
    cookie = saved_cookie(client)
    assert replay(app, cookie).get("/api/v1/me/sittings").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    assert_logged_out(replay(app, cookie))
    assert_logged_out(client)


def test_a_cookie_saved_before_the_api_logout_no_longer_authenticates(app, login_as):
    client, _ = login_as("candidate")
    cookie = saved_cookie(client)
    response = client.delete("/api/v1/session", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 200
    assert_logged_out(replay(app, cookie))


def test_logout_ends_only_its_own_login(app, login_as):
    client, user = login_as("candidate")
    second = log_in(app.test_client(), user)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    assert second.get("/api/v1/me/sittings").status_code == 200


def test_a_login_expires_on_the_server_after_the_session_lifetime(app, login_as):
    client, user = login_as("candidate")
    cookie = saved_cookie(client)
    row = db.session.scalar(db.select(LoginSession).where(LoginSession.user_id == user.id))
    row.created_at = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
    db.session.commit()
    assert_logged_out(replay(app, cookie))


def test_a_password_change_ends_the_other_logins_and_keeps_this_one(app, login_as):
    client, user = login_as("candidate")
    other = log_in(app.test_client(), user)
    other_cookie = saved_cookie(other)
    response = post_form(
        client,
        "/auth/password",
        {"current": PASSWORD, "new": "Harbour-lamp-58", "confirm": "Harbour-lamp-58"},
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me/sittings").status_code == 200
    assert_logged_out(replay(app, other_cookie))
    live = db.select(db.func.count()).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    assert db.session.scalar(live) == 1


def test_a_new_login_clears_the_accounts_ended_logins(app, login_as):
    client, user = login_as("candidate")
    for _ in range(3):
        client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
        log_in(client, user)
    rows = db.session.scalars(db.select(LoginSession).where(LoginSession.user_id == user.id))
    assert [row.ended_at for row in rows] == [None]


def test_the_server_keeps_only_a_hash_of_the_token(login_as):
    client, user = login_as("candidate")
    with client.session_transaction() as session:
        token = session["_login_token"]
    row = db.session.scalar(db.select(LoginSession).where(LoginSession.user_id == user.id))
    assert len(token) >= 40 and token not in row.token_hash and len(row.token_hash) == 64


@pytest.mark.parametrize("path", ["/api/v1/me/sittings", "/exam/"])
def test_a_session_cookie_without_a_login_token_is_anonymous(app, login_as, path):
    client, _ = login_as("candidate")
    with client.session_transaction() as session:
        del session["_login_token"]
    assert client.get(path).status_code in (302, 401)


def test_a_second_login_in_the_same_browser_ends_the_first(app, login_as, make_user):
    """A shared exam-room PC: B logs in over A's session; A's saved cookie must not work."""
    client, first = login_as("candidate")
    cookie = saved_cookie(client)
    second = make_user("candidate")
    log_in(client, second)
    assert client.get("/api/v1/session").get_json()["user"]["id"] == second.id
    assert_logged_out(replay(app, cookie))

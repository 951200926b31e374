"""Register, log in and out, change password, rate limit, safe redirects."""

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, User
from tests.conftest import PASSWORD, csrf_token, form_token, post_form


def test_register_creates_a_contributor_account_and_logs_in(client):
    response = post_form(
        client,
        "/auth/register",
        {
            "name": "王小红",
            "email": "Wang@Example.com",
            "password": "Plum-river-42",
            "confirm": "Plum-river-42",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "wang@example.com"))
    assert user.roles == {"contributor"}  # candidates register at /registration/new
    assert user.password_hash != "Plum-river-42"
    assert client.get("/api/v1/session").get_json()["user"]["email"] == "wang@example.com"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email"}, "电子邮箱地址须包含 @ 符号"),
        ({"password": "plumriverkite", "confirm": "plumriverkite"}, "letters and digits"),
        ({"confirm": "different1"}, "两次输入的密码不一致"),
    ],
)
def test_register_refuses_bad_input_and_creates_nothing(client, data, message):
    base = {
        "name": "王小红",
        "email": "wang@example.com",
        "password": "Plum-river-42",
        "confirm": "Plum-river-42",
    }
    response = post_form(client, "/auth/register", {**base, **data})
    assert response.status_code in (200, 400)
    assert message in response.get_data(as_text=True) or response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_register_twice_with_one_email_is_refused(client, make_user):
    make_user(email="taken@example.com")
    response = post_form(
        client,
        "/auth/register",
        {
            "name": "重复",
            "email": "TAKEN@example.com",
            "password": "Plum-river-42",
            "confirm": "Plum-river-42",
        },
    )
    assert response.status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_wrong_password_is_refused_with_401(client, make_user):
    user = make_user()
    response = post_form(client, "/auth/login", {"email": user.email, "password": "wrong-pass-1"})
    assert response.status_code == 401
    assert client.get("/api/v1/session").get_json()["user"] is None
    api = client.post(
        "/api/v1/session",
        json={"email": user.email, "password": "nope"},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert api.status_code == 401 and api.get_json()["error"] == "invalid_credentials"


def test_login_follows_only_local_next(client, make_user):
    user = make_user()
    token = form_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login?next=https://evil.example/x",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    token = form_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login?next=/exam/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/exam/"
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.logged_in"))


def test_logout_needs_post_and_ends_the_session(login_as):
    client, _ = login_as("candidate")
    assert client.get("/auth/logout").status_code == 405
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    assert client.get("/api/v1/session").get_json()["user"] is None


def test_change_password_ends_other_sessions(app, login_as):
    client, user = login_as("candidate")
    from tests.conftest import log_in

    other = log_in(app.test_client(), user)
    response = post_form(
        client,
        "/auth/password",
        {"current": PASSWORD, "new": "NewPass-456", "confirm": "NewPass-456"},
    )
    assert response.status_code == 302
    assert client.get("/api/v1/session").get_json()["user"]["id"] == user.id
    assert other.get("/api/v1/session").get_json()["user"] is None
    wrong = post_form(
        client,
        "/auth/password",
        {"current": "bad-pass-1", "new": "Harbour-lamp-58", "confirm": "Harbour-lamp-58"},
    )
    assert wrong.status_code == 400


@pytest.fixture
def app_config():
    return {}


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_is_rate_limited(self, client, make_user):
        user = make_user()
        token = csrf_token(client)
        statuses = [
            client.post(
                "/api/v1/session",
                json={"email": user.email, "password": "bad"},
                headers={"X-CSRFToken": token},
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        # The form shares the budget, and the limit is checked before anything else.
        limited = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert limited.status_code == 429


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user()
    token = csrf_token(client)
    response = client.post(
        "/api/v1/session",
        json={"email": user.email, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


class TestRoomBehindOneAddress:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute"}

    def test_successful_logins_from_one_address_are_not_limited(self, app, make_user):
        from tests.conftest import log_in

        for _ in range(6):  # a room of candidates behind one NAT address
            log_in(app.test_client(), make_user())

    def test_one_account_failing_does_not_lock_out_the_next(self, client, make_user):
        first, second = make_user(), make_user()
        token = csrf_token(client)
        for _ in range(3):
            client.post(
                "/api/v1/session",
                json={"email": first.email, "password": "x"},
                headers={"X-CSRFToken": token},
            )
        blocked = client.post(
            "/api/v1/session",
            json={"email": first.email, "password": PASSWORD},
            headers={"X-CSRFToken": token},
        )
        assert blocked.status_code == 429
        other = client.post(
            "/api/v1/session",
            json={"email": second.email, "password": PASSWORD},
            headers={"X-CSRFToken": token},
        )
        assert other.status_code == 200

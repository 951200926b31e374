"""An administrator's "reset password": a one-time link, hashed at rest, expiring, single use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, PasswordReset, Role, User, utcnow
from tests.conftest import PASSWORD, csrf_token, form_token, log_in
from tests.web.test_sessions import replay, saved_cookie

NEW_PASSWORD = "Copper-lantern-5817"


def issue_link(client, person: User) -> str:
    """Press "reset password" on the account page; the path of the link shown."""
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{person.id}/reset-password", data={"csrf_token": form_token(page)}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = re.search(r">http://localhost(/auth/reset/[^<]+)<", response.get_data(as_text=True))
    assert match, "no link on the page"
    return match.group(1)


def set_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(link)
    if page.status_code != 200:
        return page
    return client.post(
        link,
        data={
            "csrf_token": form_token(page.get_data(as_text=True)),
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def api_login(app, login: str, password: str):
    client = app.test_client()
    return client.post(
        "/api/v1/session",
        json={"login": login, "password": password},
        headers={"X-CSRFToken": csrf_token(client)},
    )


@pytest.fixture
def person(make_user):
    someone = make_user(Role.CANDIDATE, email="reset.me@example.com", name="孙重置")
    someone.must_change_password = True
    db.session.commit()
    return someone


def test_the_link_sets_a_password_once_and_ends_every_login(app, login_as, person):
    browser = log_in(app.test_client(), person)
    cookie = saved_cookie(browser)
    admin_client, admin = login_as(Role.ADMIN)
    link = issue_link(admin_client, person)
    token = link.rsplit("/", 1)[1]
    row = db.session.scalars(db.select(PasswordReset)).one()
    assert token not in row.token_hash and len(row.token_hash) == 64  # only a hash is kept
    assert timedelta(hours=71) < row.expires_at - utcnow() <= timedelta(hours=72)
    # Until the link is used the old password still works.
    assert api_login(app, person.email, PASSWORD).status_code == 200
    anonymous = app.test_client()
    done = set_password(anonymous, link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")
    assert replay(app, cookie).get("/api/v1/me/sittings").status_code == 401
    assert api_login(app, person.email, PASSWORD).status_code == 401
    assert api_login(app, person.email, NEW_PASSWORD).status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, person.id).must_change_password
    again = anonymous.get(link)
    assert again.status_code == 404 and "已使用" in again.get_data(as_text=True)
    actions = list(
        db.session.scalars(
            db.select(AuditEntry.action).where(
                AuditEntry.subject_type == "user", AuditEntry.subject_id == person.id
            )
        )
    )
    assert "user.password_link_issued" in actions and "user.password_set_by_link" in actions


def test_a_weak_password_is_refused_and_the_link_stays_usable(app, login_as, person):
    admin_client, _ = login_as(Role.ADMIN)
    link = issue_link(admin_client, person)
    client = app.test_client()
    weak = set_password(client, link, "password123")
    assert weak.status_code == 400 and "密码" in weak.get_data(as_text=True)
    differ = set_password(client, link, NEW_PASSWORD, confirm="Copper-lantern-5818")
    assert differ.status_code == 200 and "两次输入的密码不一致" in differ.get_data(as_text=True)
    assert set_password(client, link).status_code == 302


def test_an_expired_unknown_or_replaced_link_gets_a_clear_page(app, login_as, person):
    admin_client, _ = login_as(Role.ADMIN)
    first = issue_link(admin_client, person)
    second = issue_link(admin_client, person)  # replaces the first
    client = app.test_client()
    replaced = client.get(first)
    assert replaced.status_code == 404 and "新链接取代" in replaced.get_data(as_text=True)
    db.session.execute(db.update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = set_password(client, second)
    assert expired.status_code == 404 and "已过期" in expired.get_data(as_text=True)
    for bogus in ("nonsense", "x" * 500, "%E4%B8%AD"):
        unknown = client.get(f"/auth/reset/{bogus}")
        assert unknown.status_code == 404 and "链接无效" in unknown.get_data(as_text=True)
    token = csrf_token(client)
    posted = client.post("/auth/reset/nonsense", data={"csrf_token": token, "password": "x"})
    assert posted.status_code == 404
    assert api_login(app, person.email, PASSWORD).status_code == 200  # nothing changed


def test_disabling_the_account_ends_its_links(app, login_as, person):
    admin_client, _ = login_as(Role.ADMIN)
    link = issue_link(admin_client, person)
    admin_client.post(
        f"/admin/users/{person.id}/disable", data={"csrf_token": csrf_token(admin_client)}
    )
    assert app.test_client().get(link).status_code == 404
    refused = admin_client.post(
        f"/admin/users/{person.id}/reset-password",
        data={"csrf_token": csrf_token(admin_client)},
        follow_redirects=True,
    )
    assert "请先启用" in refused.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RESET_RATE_LIMIT": "3 per hour"}])
def test_the_reset_page_is_rate_limited_per_address(app):
    client = app.test_client()
    statuses = [client.get(f"/auth/reset/guess{i}").status_code for i in range(4)]
    assert statuses == [404, 404, 404, 429]

"""Accounts administration: create, edit, roles, disable/enable, search; each change audited."""

from __future__ import annotations

import re

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Role, User
from examsvc.services import account_admin, identity, orgs
from examsvc.services.errors import Conflict, Forbidden
from tests.at_rest import assert_no_id_number, stored_bytes
from tests.conftest import PASSWORD, csrf_token, form_token, log_in

NUMBER = "11010519491231002X"


@pytest.fixture
def branch(app):
    district = orgs.create("A1", "测试区委")
    return orgs.create("A1-1", "第一党支部", district)


def entries(action: str, person: User | None = None) -> list[AuditEntry]:
    query = db.select(AuditEntry).where(AuditEntry.action == action)
    if person is not None:
        query = query.where(AuditEntry.subject_type == "user", AuditEntry.subject_id == person.id)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def new_account(client, **fields):
    """Post the new-account form as a browser does (the page's token, its default choices)."""
    token = form_token(client.get("/admin/users/new").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "name": "王新建",
        "email": "",
        "mobile": "",
        "gender": "",
        "id_number": "",
        "is_party_member": "0",
        "party_joined_on": "",
        "post": "",
        "category": "",
        "organisation": "",
        "roles": ["candidate"],
        "managed_organisation": "",
        "password_by": "link",
    }
    data.update(fields)
    return client.post("/admin/users/new", data=data)


def profile_of(person: User, **changes) -> dict:
    data = {
        "name": person.name,
        "email": person.email or "",
        "mobile": person.mobile or "",
        "gender": person.gender or "",
        "id_number": "",
        "is_party_member": "1" if person.is_party_member else "0",
        "party_joined_on": person.party_joined_on.isoformat() if person.party_joined_on else "",
        "post": person.post or "",
        "category": person.category or "",
        "organisation": str(person.organisation_id or ""),
    }
    data.update(changes)
    return data


def text_of(response) -> str:
    """The page's text with runs of white space as one space."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def link_in(page: str) -> str:
    match = re.search(r">(http://localhost/auth/reset/[^<]+)<", page)
    assert match, "no set-password link on the page"
    return match.group(1).removeprefix("http://localhost")


def test_admin_creates_an_account_with_a_link_and_the_person_sets_a_password(app, login_as, branch):
    client, admin = login_as(Role.ADMIN)
    response = new_account(
        client,
        name="王新建",
        email=" Wang.XinJian@Example.COM ",
        mobile="+86 138-0013-8000",
        id_number=NUMBER.lower(),
        is_party_member="1",
        party_joined_on="2001-07-01",
        post="支部书记",
        category="community",
        organisation=str(branch.id),
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "只显示这一次" in page and NUMBER not in page
    person = db.session.scalar(db.select(User).where(User.name == "王新建"))
    assert (person.email, person.mobile) == ("wang.xinjian@example.com", "13800138000")
    assert person.is_party_member and person.party_joined_on.isoformat() == "2001-07-01"
    assert person.organisation_id == branch.id and person.category == "community"
    assert person.gender == "F"  # the sequence 002 is even
    assert identity.decrypt_id(person.id_number_enc) == NUMBER
    assert person.roles == {"candidate"} and not person.must_change_password
    (created,) = entries("user.created", person)
    assert created.actor_id == admin.id and created.details["password_link"] is True
    assert created.details["id_number"] == "1101**********002X"
    assert NUMBER not in str(created.details)
    # No password opens the account before the person sets one.
    anonymous = app.test_client()
    refused = anonymous.post(
        "/api/v1/session",
        json={"login": "13800138000", "password": ""},
        headers={"X-CSRFToken": csrf_token(anonymous)},
    )
    assert refused.status_code in (400, 401)
    link = link_in(page)
    form = anonymous.get(link)
    assert form.status_code == 200 and "设置密码" in form.get_data(as_text=True)
    done = anonymous.post(
        link,
        data={
            "csrf_token": form_token(form.get_data(as_text=True)),
            "password": "Lotus-river-2931",
            "confirm": "Lotus-river-2931",
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")
    fresh = app.test_client()
    logged = fresh.post(
        "/api/v1/session",
        json={"login": "138 0013 8000", "password": "Lotus-river-2931"},
        headers={"X-CSRFToken": csrf_token(fresh)},
    )
    assert logged.status_code == 200, logged.get_json()
    assert entries("user.password_set_by_link", person)


def test_an_initial_password_is_shown_once_and_must_be_changed(app, login_as):
    client, _ = login_as(Role.ADMIN)
    page = new_account(client, email="chu@example.com", password_by="initial").get_data(
        as_text=True
    )
    password = re.search(r'id="secret-password">([^<]+)<', page).group(1)
    person = db.session.scalar(db.select(User).where(User.email == "chu@example.com"))
    assert person.must_change_password
    assert password not in person.password_hash
    other = app.test_client()
    response = other.post(
        "/auth/login",
        data={
            "csrf_token": form_token(other.get("/auth/login").get_data(as_text=True)),
            "email": "chu@example.com",
            "password": password,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/auth/password"


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(app, login_as, make_user, branch):
    client, _ = login_as(Role.ADMIN)
    taken = make_user(Role.CANDIDATE, email="taken@example.com")
    taken.mobile = "13900000000"
    identity.assign_id_number(taken, NUMBER)
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    created_before = len(entries("user.created"))
    cases = [
        ({"email": "", "mobile": ""}, "电子邮箱或手机号"),
        ({"email": "TAKEN@example.com"}, "已有其他账号使用此电子邮箱"),
        ({"mobile": "139 0000 0000"}, "已有其他账号使用此手机号"),
        ({"mobile": "12345"}, "11 位"),
        ({"email": "x@example.com", "id_number": "340524198001010013"}, "身份证号"),
        ({"email": "x@example.com", "id_number": NUMBER}, "已有其他账号使用此身份证号"),
        ({"email": "x@example.com", "roles": []}, "至少选择一个角色"),
        ({"email": "x@example.com", "roles": ["org_admin"]}, "管理的组织"),
        (
            {"email": "x@example.com", "is_party_member": "1", "party_joined_on": "2999-01-01"},
            "入党时间",
        ),
    ]
    for fields, message in cases:
        response = new_account(client, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 400, 409), fields  # 200: refused by the form
        assert message in page, (fields, message)
        assert 'value="王新建"' in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before
    assert len(entries("user.created")) == created_before


def test_an_org_admin_is_created_with_the_subtree_they_manage(login_as, branch):
    client, _ = login_as(Role.ADMIN)
    new_account(
        client, email="org@example.com", roles=["org_admin"], managed_organisation=str(branch.id)
    )
    person = db.session.scalar(db.select(User).where(User.email == "org@example.com"))
    assert person.roles == {"org_admin"} and person.managed_organisation_id == branch.id


def test_editing_records_before_and_after_without_the_raw_id_number(
    app, login_as, make_user, branch
):
    client, admin = login_as(Role.ADMIN)
    person = make_user(Role.CANDIDATE, name="李编辑", party_member=False)
    identity.assign_id_number(person, NUMBER)
    db.session.commit()
    page = client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert "1101**********002X" in page and NUMBER not in page
    response = client.post(
        f"/admin/users/{person.id}/edit",
        data={
            **profile_of(
                person,
                name="李改名",
                is_party_member="1",
                party_joined_on="2010-07-01",
                organisation=str(branch.id),
                mobile="13700000001",
                id_number="440524188001010014",
            ),
            "csrf_token": form_token(page),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert (person.name, person.is_party_member, person.organisation_id) == (
        "李改名",
        True,
        branch.id,
    )
    assert identity.decrypt_id(person.id_number_enc) == "440524188001010014"
    (entry,) = entries("user.profile_updated", person)
    assert entry.actor_id == admin.id
    assert entry.details["name"] == {"before": "李编辑", "after": "李改名"}
    assert entry.details["is_party_member"] == {"before": False, "after": True}
    assert entry.details["organisation"] == {"before": None, "after": "A1-1 第一党支部"}
    assert entry.details["id_number"] == {
        "before": "1101**********002X",
        "after": "4405**********0014",
    }
    assert "email" not in entry.details  # unchanged fields are not listed
    account_page = text_of(client.get(f"/admin/users/{person.id}"))
    assert "李编辑 → 李改名" in account_page and "管理员修改了个人信息" in account_page
    assert "李编辑 → 李改名" in text_of(client.get("/admin/audit"))
    stored = stored_bytes(app, app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0])
    assert_no_id_number(stored, NUMBER)
    assert_no_id_number(stored, "440524188001010014")


def test_saving_without_changes_writes_no_audit_entry(login_as, make_user):
    client, _ = login_as(Role.ADMIN)
    person = make_user(Role.CANDIDATE)
    page = client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    client.post(
        f"/admin/users/{person.id}/edit",
        data={**profile_of(person), "csrf_token": form_token(page)},
    )
    assert not entries("user.profile_updated", person)


def test_roles_are_set_and_audited(login_as, make_user, branch):
    client, admin = login_as(Role.ADMIN)
    person = make_user(Role.CANDIDATE)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{person.id}/roles",
        data={
            "csrf_token": form_token(page),
            "roles": ["examiner", "org_admin"],
            "managed_organisation": str(branch.id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.roles == {"examiner", "org_admin"} and person.managed_organisation_id == branch.id
    (entry,) = entries("user.roles_changed", person)
    assert entry.details["roles"] == {"before": ["candidate"], "after": ["examiner", "org_admin"]}
    assert "角色已变更" in client.get(f"/admin/users/{person.id}").get_data(as_text=True)


def test_an_admin_cannot_drop_their_own_admin_role_or_disable_themselves(login_as):
    client, admin = login_as(Role.ADMIN)
    token = csrf_token(client)
    client.post(f"/admin/users/{admin.id}/roles", data={"csrf_token": token, "roles": ["examiner"]})
    follow = client.post(
        f"/admin/users/{admin.id}/disable", data={"csrf_token": token}, follow_redirects=True
    )
    db.session.expire_all()
    me = db.session.get(User, admin.id)
    assert me.has_role(Role.ADMIN) and me.status == "active"
    assert "不能停用自己的账号" in follow.get_data(as_text=True)
    assert not entries("user.roles_changed") and not entries("user.disabled")


def test_the_last_active_admin_cannot_be_demoted_or_disabled(app, make_user):
    first, second = make_user(Role.ADMIN), make_user(Role.ADMIN)
    account_admin.disable(second, first)
    # ``first`` is disabled: ``second`` is the last active admin, whoever asks.
    with pytest.raises(Conflict) as refused:
        account_admin.set_roles(first, second, [Role.CANDIDATE])
    assert refused.value.code == "last_admin"
    with pytest.raises(Conflict):
        account_admin.disable(first, second)
    with pytest.raises(Forbidden):
        account_admin.set_roles(second, second, [Role.CANDIDATE])
    db.session.expire_all()
    assert db.session.get(User, second.id).has_role(Role.ADMIN)
    # With another active admin it may go.
    account_admin.enable(second, first)
    account_admin.set_roles(first, second, [Role.CANDIDATE])
    assert not db.session.get(User, second.id).has_role(Role.ADMIN)


def test_disabling_ends_every_login_and_refuses_new_ones_with_a_reason(app, login_as, make_user):
    from tests.web.test_sessions import replay, saved_cookie

    person = make_user(Role.CANDIDATE, email="gone@example.com")
    browser = log_in(app.test_client(), person)
    cookie = saved_cookie(browser)
    client, admin = login_as(Role.ADMIN)
    response = client.post(
        f"/admin/users/{person.id}/disable", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    assert replay(app, cookie).get("/api/v1/me/sittings").status_code == 401
    assert browser.get("/exam/").status_code == 302
    (entry,) = entries("user.disabled", person)
    assert entry.details["person_status"] == {"before": "active", "after": "disabled"}
    assert entry.details["sessions_ended"] == 1
    fresh = app.test_client()
    page = fresh.post(
        "/auth/login",
        data={
            "csrf_token": form_token(fresh.get("/auth/login").get_data(as_text=True)),
            "email": "gone@example.com",
            "password": PASSWORD,
        },
    )
    assert page.status_code == 403 and "该账号已停用" in page.get_data(as_text=True)
    wrong = fresh.post(
        "/api/v1/session",
        json={"login": "gone@example.com", "password": "Not-the-password-1"},
        headers={"X-CSRFToken": csrf_token(fresh)},
    )
    assert wrong.status_code == 401  # the reason only for someone who knows the password
    api = fresh.post(
        "/api/v1/session",
        json={"login": "gone@example.com", "password": PASSWORD},
        headers={"X-CSRFToken": csrf_token(fresh)},
    )
    assert api.status_code == 403 and api.get_json()["error"] == "account_disabled"
    client.post(f"/admin/users/{person.id}/enable", data={"csrf_token": csrf_token(client)})
    assert entries("user.enabled", person)
    log_in(app.test_client(), person)


def test_search_filters_by_role_status_organisation_and_pages(login_as, make_user, branch):
    client, _ = login_as(Role.ADMIN)
    member = make_user(Role.EXAMINER, name="赵筛选")
    member.organisation_id, member.mobile = branch.id, "13600000009"
    other = make_user(Role.CANDIDATE, name="钱筛选")
    other.status = "disabled"
    db.session.commit()

    def names(query: str) -> str:
        return client.get("/admin/users?" + query).get_data(as_text=True)

    assert "赵筛选" in names("q=0000 0009") and "钱筛选" not in names("q=0000 0009")
    assert "赵筛选" in names("role=examiner") and "钱筛选" not in names("role=examiner")
    assert "钱筛选" in names("status=disabled") and "赵筛选" not in names("status=disabled")
    district = branch.parent_id
    assert "赵筛选" in names(f"org={district}") and "钱筛选" not in names(f"org={district}")
    assert "赵筛选" in names("role=nonsense&status=nonsense&org=999999")
    for _ in range(55):
        make_user(Role.CANDIDATE)
    first, second = names("page=1"), names("page=2")
    assert 'rel="next"' in first and "钱筛选" in second + first


def test_no_raw_id_number_in_the_database_after_creating_an_account(app, login_as, backend):
    client, _ = login_as(Role.ADMIN)
    new_account(client, email="ids@example.com", id_number=NUMBER)
    assert db.session.scalar(db.select(User.id_number_hash).where(User.email == "ids@example.com"))
    assert_no_id_number(stored_bytes(app, backend), NUMBER)


def test_unknown_accounts_are_404(login_as):
    client, _ = login_as(Role.ADMIN)
    token = csrf_token(client)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/users/999999/edit").status_code == 404
    for action in ("roles", "disable", "enable", "reset-password"):
        assert (
            client.post(f"/admin/users/999999/{action}", data={"csrf_token": token}).status_code
            == 404
        )

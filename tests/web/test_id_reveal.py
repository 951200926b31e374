"""An administrator's "show in full" of an ID number: masked everywhere else, POST only."""

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Role
from examsvc.services import identity
from tests.conftest import csrf_token

NUMBER = "11010519491231002X"


@pytest.fixture
def person(make_user):
    someone = make_user(Role.CANDIDATE, name="张身份")
    identity.assign_id_number(someone, NUMBER.lower())
    db.session.commit()
    return someone


def _reveals() -> int:
    query = db.select(db.func.count()).select_from(AuditEntry)
    return db.session.scalar(query.where(AuditEntry.action == "id_number.revealed"))


def test_the_accounts_page_shows_it_masked_and_an_admin_sees_it_in_full(login_as, person):
    client, admin = login_as(Role.ADMIN)
    page = client.get("/admin/users?q=张身份").get_data(as_text=True)
    assert "1101**********002X" in page and NUMBER not in page and "19491231" not in page
    response = client.post(
        f"/admin/users/{person.id}/id-number",
        data={"csrf_token": csrf_token(client), "reason": "核对报名材料"},
    )
    assert response.status_code == 200
    assert NUMBER in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "id_number.revealed")
    ).one()
    assert (entry.actor_id, entry.subject_id) == (admin.id, person.id)
    assert entry.details == {"reason": "核对报名材料"}
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "查看完整身份证号" in audit_page and NUMBER not in audit_page


def test_it_takes_a_reason_and_an_account_with_a_number(login_as, person, make_user):
    client, _ = login_as(Role.ADMIN)
    token = csrf_token(client)
    empty = client.post(f"/admin/users/{person.id}/id-number", data={"csrf_token": token})
    assert empty.status_code == 302 and NUMBER not in empty.get_data(as_text=True)
    nobody = client.post("/admin/users/999999/id-number", data={"csrf_token": token, "reason": "x"})
    assert nobody.status_code == 404
    plain = make_user(Role.CANDIDATE)
    without = client.post(
        f"/admin/users/{plain.id}/id-number", data={"csrf_token": token, "reason": "x"}
    )
    assert without.status_code == 404
    assert client.get(f"/admin/users/{person.id}/id-number").status_code == 405
    no_token = client.post(f"/admin/users/{person.id}/id-number", data={"reason": "核对"})
    assert no_token.status_code == 400 and NUMBER not in no_token.get_data(as_text=True)
    assert _reveals() == 0


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_nobody_but_an_admin_may(login_as, person, role):
    client, _ = login_as(role)
    response = client.post(
        f"/admin/users/{person.id}/id-number",
        data={"csrf_token": csrf_token(client), "reason": "好奇"},
    )
    assert response.status_code == 403 and NUMBER not in response.get_data(as_text=True)
    assert _reveals() == 0


def test_anonymous_visitors_are_sent_to_log_in(client, person):
    response = client.post(
        f"/admin/users/{person.id}/id-number",
        data={"csrf_token": csrf_token(client), "reason": "x"},
    )
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert _reveals() == 0


def test_a_key_rotation_reads_in_chinese_on_the_audit_page(app, login_as, person):
    app.config["DATA_KEY"] = identity.new_data_key()
    assert identity.rotate_keys().reencrypted == 1
    client, _ = login_as(Role.ADMIN)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "身份证号已用新密钥重新加密" in page and "已重新加密" in page
    assert "reencrypted" not in page and "unreadable" not in page

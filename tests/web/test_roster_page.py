"""组织报名 page: upload, preview with row errors in Chinese, confirm, passwords shown once."""

import base64
import io
import re

import pytest
from openpyxl import load_workbook

from examsvc.extensions import db
from examsvc.models import Role, Upload, User
from examsvc.services import orgs
from tests.conftest import form_token, log_in

ID_A = "11010519491231002X"
ID_B = "440524188001010014"
BAD_CHECK = "340524198001010013"
HEADER = "姓名,身份证号码,手机号,邮箱,所属组织"


@pytest.fixture
def tree(app):
    root = orgs.create("000", "区委")
    a = orgs.create("A", "甲街道党工委", root)
    orgs.create("A1", "甲第一支部", a)
    orgs.create("B", "乙街道党工委", root)
    return root


@pytest.fixture
def org_admin(app, make_user, tree):
    admin = make_user(Role.ORG_ADMIN, name="甲管理员")
    admin.managed_organisation_id = orgs.by_code("A").id
    db.session.commit()
    return log_in(app.test_client(), admin)


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8-sig")


def _preview(client, data: bytes, org: str = "A", skip_bad: bool = False):
    token = form_token(client.get("/roster/").get_data(as_text=True))
    fields = {
        "csrf_token": token,
        "org": org,
        "sitting": "",
        "file": (io.BytesIO(data), "名单.csv"),
    }
    if skip_bad:
        fields["skip_bad"] = "y"
    return client.post("/roster/", data=fields, content_type="multipart/form-data")


def _confirm(client, preview_html: str):
    match = re.search(r'action="/roster/confirm".*?name="csrf_token" type="hidden" value="([^"]+)"',
                      preview_html, re.S)  # fmt: skip
    assert match, "no confirm form"
    return client.post("/roster/confirm", data={"csrf_token": match.group(1)})


def test_org_admin_sees_only_its_subtree_as_choices(org_admin):
    html = org_admin.get("/roster/").get_data(as_text=True)
    assert 'value="A"' in html and 'value="A1"' in html
    assert 'value="B"' not in html and 'value="000"' not in html


def test_preview_shows_row_errors_in_chinese_and_writes_nothing(org_admin):
    response = _preview(
        org_admin, _csv(f"张三,{ID_A},13800138000,,", f"王五,{BAD_CHECK},13800138001,,")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第 3 行" in html and "身份证号无效" in html and BAD_CHECK not in html
    assert 'action="/roster/confirm"' not in html
    assert db.session.scalar(db.select(User).where(User.mobile == "13800138000")) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Upload)) == 0


def test_another_subtrees_organisation_is_refused(org_admin):
    response = _preview(org_admin, _csv(f"张三,{ID_A},13800138000,,"), org="B")
    assert response.status_code == 200  # the form refuses a choice it does not offer
    assert "A1" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Upload)) == 0


def test_confirm_imports_and_shows_the_initial_passwords_once(org_admin):
    rows = (
        f"张三,{ID_A},13800138000,,A1",
        f"王五,{BAD_CHECK},13800138001,,",
        f"李四,{ID_B},,li@example.com,",
    )
    preview = _preview(org_admin, _csv(*rows), skip_bad=True)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "第 3 行" in html
    assert db.session.scalar(db.select(User).where(User.mobile == "13800138000")) is None
    done = _confirm(org_admin, html)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    zhang = db.session.scalar(db.select(User).where(User.mobile == "13800138000"))
    assert zhang.organisation.code == "A1" and zhang.must_change_password
    sheet = re.search(r'href="data:[^;]+;base64,([^"]+)"', page).group(1)
    rows = list(load_workbook(io.BytesIO(base64.b64decode(sheet))).active.values)
    assert rows[0] == ("行号", "登录名", "初始密码")
    assert [r[1] for r in rows[1:]] == ["13800138000", "li@example.com"]
    assert all(r[2] and r[2] in page for r in rows[1:])
    assert ID_A not in page
    again = org_admin.post("/roster/confirm", data={"csrf_token": form_token(page)})
    assert again.status_code == 302  # the upload is used up
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 3


def test_the_blank_template_has_the_chinese_header(org_admin):
    response = org_admin.get("/roster/template.xlsx")
    assert response.status_code == 200
    header = next(load_workbook(io.BytesIO(response.data)).active.values)
    assert header[:3] == ("姓名", "身份证号", "手机号")


def test_the_template_reads_back_as_a_roster(org_admin):
    from question_bank.roster import read_roster

    data = org_admin.get("/roster/template.xlsx").data
    result = read_roster(data, "t.xlsx")
    assert result.unreadable and result.problems[0].message.code == "roster_no_rows"


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.CONTRIBUTOR, Role.EXAMINER])
def test_other_roles_cannot_confirm_a_roster(login_as, role):
    from tests.conftest import csrf_token

    client, _ = login_as(role)
    response = client.post("/roster/confirm", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 403

"""个人报名 on the web: the form, consent, ID numbers, uploads, review and scoping."""

from __future__ import annotations

import re

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Registration, RegistrationDocument, Role, User
from examsvc.services import identity, orgs
from tests.at_rest import assert_no_id_number, stored_bytes
from tests.conftest import form_token, log_in, post_form
from tests.registration_helpers import (
    EXE,
    HTML,
    JPEG,
    PDF,
    PNG,
    ZIP,
    complete,
    files,
    form_data,
    id_number,
    register,
)


@pytest.fixture
def tree(app):
    root = orgs.create("000", "区委")
    a = orgs.create("A", "甲街道党工委", root)
    a1 = orgs.create("A1", "甲第一支部", a)
    b = orgs.create("B", "乙街道党工委", root)
    return {"root": root, "A": a, "A1": a1, "B": b}


@pytest.fixture
def org_admin(app, make_user, tree):
    def factory(code: str):
        admin = make_user(Role.ORG_ADMIN, name=f"{code}管理员")
        admin.managed_organisation_id = tree[code].id
        db.session.commit()
        return log_in(app.test_client(), admin)

    return factory


def _users() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def _upload(client, kind: str, *items):
    token = form_token(client.get("/registration/").get_data(as_text=True))
    return client.post(
        "/registration/documents",
        data={"kind": kind, "files": files(*items), "csrf_token": token},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _person_client(app, person):
    client = app.test_client()
    token = form_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login",
        data={"email": person.login, "password": "Plum-river-42", "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def test_registering_makes_a_pending_candidate_who_is_logged_in(client, tree):
    response = post_form(client, "/registration/new", form_data(tree["A1"]))
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(db.select(User).where(User.mobile == "13800138000"))
    assert person.status == "pending" and person.roles == {"candidate"}
    assert person.organisation_id == tree["A1"].id and person.is_party_member
    reg = db.session.scalar(db.select(Registration).where(Registration.user_id == person.id))
    assert reg.state == "draft" and reg.consent_version and reg.consent_at is not None
    page = client.get("/registration/").get_data(as_text=True)
    assert "待提交" in page and "王报名" in page


def test_registration_is_refused_without_the_separate_consent(client, tree):
    form = client.get("/registration/new").get_data(as_text=True)
    assert 'name="consent"' in form and "checked" not in form.split('name="consent"')[1][:40]
    response = post_form(client, "/registration/new", form_data(tree["A1"], consent=None))
    assert response.status_code == 400
    assert "同意" in response.get_data(as_text=True)
    assert _users() == 0


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("340524198001010013", "校验码"),  # the check character should be X
        (id_number(born="19490230"), "出生日期"),  # no 30 February
        (id_number(region="991005"), "地区"),  # no province 99
        ("11010519491231002", "18"),  # one character short
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(client, tree, number, message):
    response = post_form(client, "/registration/new", form_data(tree["A1"], id_number=number))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert number not in page.split('name="id_number"')[0]  # the message does not repeat it
    assert _users() == 0


def test_a_lowercase_x_is_accepted_and_stored_upper_case(client, tree):
    data = form_data(tree["A1"], id_number="11010519491231002x", gender="F")
    assert post_form(client, "/registration/new", data).status_code == 302
    person = db.session.scalar(db.select(User).where(User.mobile == "13800138000"))
    assert person.id_number_hash == identity.id_lookup_hash("11010519491231002X")
    assert identity.decrypt_id(person.id_number_enc) == "11010519491231002X"
    assert "1101**********002X" in client.get("/registration/").get_data(as_text=True)


def test_a_gender_that_contradicts_the_id_number_is_refused(client, tree):
    response = post_form(client, "/registration/new", form_data(tree["A1"], gender="F"))
    assert response.status_code == 400 and "性别" in response.get_data(as_text=True)


def test_the_same_id_number_or_mobile_cannot_register_twice(app, tree):
    register(tree["A1"])
    client = app.test_client()
    again = post_form(client, "/registration/new", form_data(tree["A1"], mobile="13900000000"))
    assert again.status_code == 400 and "身份证号" in again.get_data(as_text=True)
    other = form_data(tree["A1"], id_number=id_number(sequence="135"))
    assert post_form(client, "/registration/new", other).status_code == 400
    assert _users() == 1


@pytest.mark.parametrize(("content", "named"), [(ZIP, "ZIP"), (EXE, "EXE"), (HTML, "HTML")])
def test_a_file_with_a_forged_extension_is_refused(app, tree, content, named):
    client = _person_client(app, register(tree["A1"]))
    page = _upload(client, "application_form", (content, "报名表.pdf")).get_data(as_text=True)
    assert "不是 PDF、JPEG 或 PNG" in page and named in page
    assert db.session.scalar(db.select(db.func.count()).select_from(RegistrationDocument)) == 0


def test_a_pdf_is_no_photo(app, tree):
    client = _person_client(app, register(tree["A1"]))
    page = _upload(client, "photo", (PDF, "photo.jpg"), (JPEG, "b.jpg")).get_data(as_text=True)
    assert "照片须为 JPEG 或 PNG" in page


@pytest.fixture
def app_config():
    return {"UPLOAD_MAX_BYTES": 1000, "MAX_CONTENT_LENGTH": 4096}


def test_a_file_over_the_size_limit_is_refused(app, tree):
    client = _person_client(app, register(tree["A1"]))
    page = _upload(client, "education", (PDF + b"0" * 1000, "big.pdf")).get_data(as_text=True)
    assert "文件大于 1 KB" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(RegistrationDocument)) == 0


def test_a_request_over_the_total_limit_gets_a_clear_message(app, tree):
    assert app.config["MAX_CONTENT_LENGTH"] == 4096  # set on purpose: kept
    client = _person_client(app, register(tree["A1"]))
    response = _upload(client, "honour", (PDF + b"0" * 5000, "huge.pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "上传的内容过大" in page
    assert "Request Entity Too Large" not in page
    assert "我的报名" in page  # back on the registration page, nothing lost


def test_no_raw_id_number_is_stored_after_registration(app, backend, tree):
    number = id_number(sequence="246")
    person = register(tree["A1"], id_number=number.lower(), gender="F")
    complete(person)
    assert_no_id_number(stored_bytes(app, backend), number)


def test_approve_return_and_resubmit(app, tree, org_admin):
    person = register(tree["A1"])
    complete(person)
    me = _person_client(app, person)
    assert "已提交" in _upload(me, "honour", (PNG, "x.png")).get_data(as_text=True)
    reviewer = org_admin("A")
    queue = reviewer.get("/registration/review/").get_data(as_text=True)
    reg = db.session.scalar(db.select(Registration))
    assert "王报名" in queue and f"/registration/review/{reg.id}" in queue
    page = f"/registration/review/{reg.id}"
    empty = post_form(reviewer, f"{page}/return", {"reason": ""}, page=page)
    assert empty.status_code == 400 and "退回原因" in empty.get_data(as_text=True)
    back = post_form(reviewer, f"{page}/return", {"reason": "照片不清晰，请重新上传。"}, page=page)
    assert back.status_code == 302
    mine = me.get("/registration/").get_data(as_text=True)
    assert "已退回" in mine and "照片不清晰" in mine
    assert "照片" in _upload(me, "photo", (PNG, "new.png")).get_data(as_text=True)
    edit = post_form(me, "/registration/edit", form_data(tree["A1"], id_number="", post="支部书记"))
    assert edit.status_code == 302, edit.get_data(as_text=True)
    assert post_form(me, "/registration/submit", {}, page="/registration/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).state == "submitted"
    assert db.session.get(User, person.id).post == "支部书记"
    assert post_form(reviewer, f"{page}/approve", {}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).status == "active"
    assert "已通过" in me.get("/registration/").get_data(as_text=True)
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"registration.returned", "registration.submitted", "registration.approved"} <= actions


def test_an_org_admin_of_another_subtree_gets_404(app, tree, org_admin, make_user):
    person = register(tree["A1"])
    complete(person)
    reg = db.session.scalar(db.select(Registration))
    doc = db.session.scalar(db.select(RegistrationDocument).limit(1))
    outsider = org_admin("B")
    assert outsider.get(f"/registration/review/{reg.id}").status_code == 404
    assert outsider.get(f"/registration/documents/{doc.id}").status_code == 404
    token = form_token(outsider.get("/registration/review/").get_data(as_text=True))
    for action in ("approve", "return"):
        response = outsider.post(
            f"/registration/review/{reg.id}/{action}", data={"csrf_token": token, "reason": "x"}
        )
        assert response.status_code == 404
    assert "王报名" not in outsider.get("/registration/review/").get_data(as_text=True)
    stranger = log_in(app.test_client(), make_user(Role.CANDIDATE))
    assert stranger.get(f"/registration/documents/{doc.id}").status_code == 404
    assert org_admin("A").get(f"/registration/documents/{doc.id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).state == "submitted"


def test_documents_are_served_privately_with_their_sniffed_type(app, tree):
    person = register(tree["A1"])
    complete(person, submit=False)
    client = _person_client(app, person)
    docs = {d.kind: d for d in db.session.scalars(db.select(RegistrationDocument))}
    pdf = client.get(f"/registration/documents/{docs['education'].id}")
    assert pdf.data == PDF and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert f"education-{docs['education'].id}.pdf" in pdf.headers["Content-Disposition"]
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in pdf.headers["Cache-Control"] and "private" in pdf.headers["Cache-Control"]
    photo = client.get(f"/registration/documents/{docs['id_copy'].id}")
    assert photo.mimetype == "image/jpeg" and photo.headers["Content-Disposition"].startswith(
        "inline"
    )
    assert app.test_client().get(f"/registration/documents/{docs['photo'].id}").status_code == 302


def test_the_id_number_is_masked_on_every_page_that_shows_it(app, tree, org_admin, login_as):
    number = id_number(sequence="357")
    person = register(tree["A1"], id_number=number)
    complete(person)
    reg = db.session.scalar(db.select(Registration))
    masked = number[:4] + "*" * 10 + number[-4:]
    me = _person_client(app, person)
    admin, _ = login_as(Role.ADMIN)
    pages = [
        (me, "/registration/"),
        (me, "/me/"),
        (org_admin("A"), "/registration/review/"),
        (org_admin("A"), f"/registration/review/{reg.id}"),
        (admin, f"/registration/review/{reg.id}"),
        (admin, f"/orgs/people/{person.id}"),
    ]
    for client, path in pages:
        page = client.get(path).get_data(as_text=True)
        assert masked in page, path
        assert number not in page and number[6:14] not in page, path
    reg.state = "returned"
    db.session.commit()
    edit = me.get("/registration/edit").get_data(as_text=True)
    assert masked in edit and number not in edit
    assert re.search(r'<input checked[^>]*value="yes"', edit)  # the form shows what is stored
    assert re.search(rf'<option selected value="{tree["A1"].id}"', edit)


def test_documents_in_a_shared_folder_are_named_at_random(app, tree, tmp_path):
    app.config["UPLOAD_PATH"] = str(tmp_path / "shared")
    person = register(tree["A1"])
    complete(person, submit=False)
    docs = list(db.session.scalars(db.select(RegistrationDocument)))
    assert all(d.data is None and d.stored_name for d in docs)
    stored = [p for p in (tmp_path / "shared").rglob("*") if p.is_file()]
    assert len(stored) == len(docs) and not any(p.name.startswith(".part") for p in stored)
    assert all(p.name in {d.stored_name for d in docs} for p in stored)
    client = _person_client(app, person)
    first = next(d for d in docs if d.kind == "application_form")
    assert client.get(f"/registration/documents/{first.id}").data == PDF


def test_quick_accounts_point_candidates_to_individual_registration(client):
    page = client.get("/auth/register").get_data(as_text=True)
    assert "/registration/new" in page
    assert "/registration/new" in client.get("/auth/login").get_data(as_text=True)
    assert "/registration/new" in client.get("/").get_data(as_text=True)


def test_the_default_request_limit_grows_with_the_document_limit(tmp_path):
    from examsvc import create_app

    url = f"sqlite:///{tmp_path / 'x.db'}"
    where = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path)}
    big = create_app({**where, "UPLOAD_MAX_BYTES": 10**7})
    assert big.config["MAX_CONTENT_LENGTH"] == 2 * 10**7 + 2**20
    default = create_app(where)
    assert default.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024

"""Messages users see come out in Chinese: error pages, domain errors, form validation."""

from __future__ import annotations

import pytest
from flask import abort
from flask_babel import refresh

from examsvc.i18n import translate
from examsvc.models import Role
from question_bank.errors import AssemblyInfeasible, Shortfall
from tests.conftest import post_form

STRONG = "红旗渠-1964-太行山"


@pytest.fixture
def app_config() -> dict:
    return {"MAX_CONTENT_LENGTH": 4096}


def test_a_shortfall_reads_in_chinese_with_labels_for_area_and_type(app):
    error = AssemblyInfeasible([Shortfall(2, "discipline", "fill", 50, 3, band=(1, 2))])
    with app.test_request_context("/"):
        text = translate(error.messages[0])
    assert text == "第 3 行（纪律与廉洁 × 填空题 × 难度 1–2）：需要 50 题，题库仅有 3 题"
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        refresh()  # the test's app context cached the Chinese locale
        text = translate(error.messages[0])
    assert text == (
        "row 3 (Discipline and integrity × Fill in the blank × difficulty 1–2): "
        "needs 50, bank has 3"
    )


def test_question_form_problems_are_shown_in_chinese(login_as):
    client, _ = login_as(Role.CONTRIBUTOR)
    response = post_form(
        client,
        "/bank/submit",
        {
            "type": "single",
            "area": "history",
            "stem": "党的一大在哪里召开？",
            "option_a": "上海",
            "option_b": "北京",
            "key": "",
            "channel": "public",
            "difficulty": "3",
            "exams": ["training"],
        },
    )
    page = response.get_data(as_text=True)
    assert "单项选择题须在选项中指定唯一的正确答案" in page
    assert "single-choice question" not in page


@pytest.mark.parametrize(
    ("path", "status", "chinese"),
    [
        ("/no/such/page", 404, "您要访问的页面或内容不存在"),
        ("/admin/", 403, "您没有访问此页面的权限"),
        ("/auth/logout", 405, "此地址不接受该类请求"),
    ],
)
def test_error_pages_and_json_errors_are_chinese(login_as, path, status, chinese):
    client, _ = login_as(Role.CANDIDATE)
    page = client.get(path)
    assert page.status_code == status
    text = page.get_data(as_text=True)
    assert chinese in text and "The requested URL" not in text and "permission" not in text
    api = client.get(path, headers={"Accept": "application/json"})
    assert api.status_code == status and chinese in api.get_json()["message"]


def test_an_upload_too_large_is_a_chinese_413(client):
    response = client.post("/auth/login", data={"x": "y" * 10_000})
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)


def test_rate_limits_and_server_errors_are_chinese(app, client):
    def boom():
        raise RuntimeError("internal detail")

    def busy():
        abort(429)

    app.add_url_rule("/boom", view_func=boom)
    app.add_url_rule("/busy", view_func=busy)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failed = client.get("/boom")
    assert failed.status_code == 500
    assert "服务器出现错误" in failed.get_data(as_text=True)
    assert "internal detail" not in failed.get_data(as_text=True)
    assert "操作过于频繁" in client.get("/busy").get_data(as_text=True)


def test_english_stays_available_on_request(client):
    client.get("/?lang=en")
    assert "does not exist" in client.get("/no/such/page").get_data(as_text=True)


def test_registration_problems_are_chinese(client):
    base = {"name": "王小红", "email": "wang@example.com", "password": "", "confirm": ""}
    missing = post_form(client, "/auth/register", {**base, "name": ""}).get_data(as_text=True)
    assert "该字段是必填字段" in missing and "This field is required" not in missing
    response = post_form(
        client,
        "/auth/register",
        {
            **base,
            "email": "wang.example.com",
            "password": "红旗渠-1964-太行山",
            "confirm": "红旗渠-1964-太行山",
        },
    )
    page = response.get_data(as_text=True)
    assert "电子邮箱地址须包含 @ 符号" in page and "@-sign" not in page


GIFT_WITH_PROBLEMS = """\
::q1:: 党的最高领导机关是 {=党的全国代表大会和它所产生的中央委员会 ~国务院 ~全国政协}

::q2:: 把下列会议与年份配对 {=中共一大 -> 1921 =遵义会议 -> 1935 =古田会议 -> 1929}

::q3:: 入党誓词中要求党员 {=永不叛党 =严守党的纪律 ~随意}
"""


def test_an_import_report_is_chinese(login_as):
    from tests.web.test_import_page import preview

    client, _ = login_as(Role.EXAMINER)
    response = preview(client, GIFT_WITH_PROBLEMS.encode(), area="history")
    page = response.get_data(as_text=True)
    assert "已跳过" in page, page
    assert "skipped" not in page and "line " not in page and "question " not in page


def test_api_refusals_are_chinese(client):
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    response = client.post("/api/v1/session", json=[], headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["message"] == "请求正文须为 JSON 对象"
    response = client.post("/api/v1/session", json={"email": 1}, headers={"X-CSRFToken": token})
    assert response.get_json()["message"] == "须填写电子邮箱和密码"


def test_form_validator_messages_are_chinese_where_wtforms_lacks_them(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import SelectChoice, SelectMultipleField, StringField
    from wtforms.validators import AnyOf, DataRequired

    from examsvc.web import BaseForm

    class Form(BaseForm):
        exams = SelectMultipleField(choices=[SelectChoice("training", "培训")])
        decision = StringField(validators=[DataRequired(), AnyOf(["approve", "return"])])

    with app.test_request_context("/", method="POST"):
        form = Form(MultiDict([("exams", "bogus"), ("decision", "x")]), meta={"csrf": False})
        assert not form.validate()
    assert form.errors == {
        "exams": ["“bogus”不是此字段的有效选项。"],
        "decision": ["无效的值，必须是下列之一：approve, return。"],
    }


def test_an_infeasible_blueprint_is_refused_in_chinese_with_full_width_punctuation(make_user):
    from examsvc.services import exams
    from examsvc.services.errors import Conflict

    admin = make_user(Role.ADMIN)
    rows = [exams.RowSpec(None, "judge", 2, 1.0), exams.RowSpec("law", "fill", 1, 1.0)]
    with pytest.raises(Conflict) as info:
        exams.create_blueprint(
            admin, name="规则", exam_kind="training", duration_minutes=30, pass_mark=1, rows=rows
        )
    assert "（不限领域 × 判断题：0/2；法律法规 × 填空题：0/1）" in info.value.message


def test_a_level_certificate_names_its_level_in_chinese(client, make_user):
    """A level certificate comes from a completed promotion (tests/services/test_promotions.py):
    here it is written directly, the verify page is what is checked."""
    from examsvc.extensions import db
    from examsvc.services import certificates

    cert = certificates.create(make_user(), "level", 2, certificates.today_local())
    db.session.commit()
    page = client.get(f"/verify/{cert.number}").get_data(as_text=True)
    assert "中级（L2）" in page

"""The public registration form: it does not tell whether an ID number is registered, and
posts are limited per address (loosely: an office registers from behind one) and per ID
number."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import User
from examsvc.services import orgs
from tests.conftest import post_form
from tests.registration_helpers import form_data, id_number, register

GENERIC = "无法用这些信息报名，请联系所在组织。"


@pytest.fixture
def app_config():
    return {"REGISTRATION_ID_RATE_LIMIT": "3 per hour"}


@pytest.fixture
def branch(app):
    return orgs.create("A1", "甲第一支部", orgs.create("000", "区委"))


def _users() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def test_a_registered_id_number_gets_the_same_words_as_any_refusal(app, branch):
    register(branch)
    client = app.test_client()
    again = post_form(client, "/registration/new", form_data(branch, mobile="13900000000"))
    page = again.get_data(as_text=True)
    assert again.status_code == 400 and GENERIC in page
    assert "已有其他账号使用此身份证号" not in page
    assert _users() == 1


def test_the_registration_limits_have_documented_defaults(app):
    from examsvc.config import DEFAULTS

    assert DEFAULTS["REGISTRATION_RATE_LIMIT"] == "200 per hour"
    assert DEFAULTS["REGISTRATION_ID_RATE_LIMIT"] == "10 per hour"
    with open("README.md", encoding="utf-8") as readme:
        text = readme.read()
    assert "EXAMSVC_REGISTRATION_RATE_LIMIT" in text
    assert "EXAMSVC_REGISTRATION_ID_RATE_LIMIT" in text


def test_posts_are_limited_per_id_number(app, branch):
    client = app.test_client()
    probed = form_data(branch, id_number=id_number(sequence="135"), gender="F")  # gender wrong
    statuses = [post_form(client, "/registration/new", probed).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    # Another number from the same address is not held back by the first one's limit.
    other = form_data(branch, id_number=id_number(sequence="137"))
    assert post_form(client, "/registration/new", other).status_code == 302
    assert _users() == 1

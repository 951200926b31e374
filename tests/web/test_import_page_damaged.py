"""The upload page on damaged files: a 4xx page with the report, never a 500."""

from __future__ import annotations

import io

import pytest

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import Question, Role
from question_bank import formats
from tests.conftest import form_token
from tests.services.test_cli_bank_damaged import DAMAGED


def preview(client, data: bytes, name: str):
    token = form_token(client.get("/bank/import").get_data(as_text=True))
    form = {"csrf_token": token, "fmt": "auto", "channel": "public", "area": "practice"}
    form["file"] = (io.BytesIO(data), name)
    return client.post("/bank/import", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_a_damaged_file_gives_a_4xx_page_with_the_report(app, login_as, name):
    client, _ = login_as(Role.EXAMINER)
    data = DAMAGED[name]()
    page = preview(client, data, name)
    assert 400 <= page.status_code < 500, page.status_code
    html = page.get_data(as_text=True)
    assert "/bank/import/confirm" not in html
    problem = formats.read(data, filename=name).errors[-1]
    with app.test_request_context():
        shown = translate(problem.message)
    escaped = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped.replace("'", "&#39;").replace('"', "&#34;")[:20] in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0

"""The upload page: who may use it, preview then confirm, the template, CSRF and size limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from examsvc.extensions import db
from examsvc.models import Job, Question, Role, Upload
from question_bank import formats
from tests.conftest import csrf_token, form_token
from tests.unit.formats.conftest import ours, shared


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": 64 * 1024}


def count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Question))


def preview(client, data: bytes, name: str = "bank.gift", **fields):
    token = form_token(client.get("/bank/import").get_data(as_text=True))
    form = {"csrf_token": token, "fmt": "auto", "channel": "public", "area": "", **fields}
    form["file"] = (io.BytesIO(data), name)
    return client.post("/bank/import", data=form, content_type="multipart/form-data")


def confirm(client, page_html: str):
    return client.post("/bank/import/confirm", data={"csrf_token": form_token(page_html)})


def stashed(app) -> list[int]:
    """Uploads waiting for confirmation: in the database, and nothing in the instance folder."""
    assert not (Path(app.instance_path) / "imports").exists()
    return list(db.session.scalars(db.select(Upload.id)))


def test_anonymous_users_are_sent_to_log_in(client):
    for path in ("/bank/import", "/bank/import/template.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.ORG_ADMIN, Role.ADMIN, Role.CONTRIBUTOR])
def test_who_is_neither_examiner_nor_institution_is_refused(login_as, role):
    client, _ = login_as(role)
    assert client.get("/bank/import").status_code == 403
    assert client.get("/bank/import/template.xlsx").status_code == 403
    token = csrf_token(client)
    assert client.post("/bank/import/confirm", data={"csrf_token": token}).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(login_as):
    client, _ = login_as(Role.EXAMINER)
    response = client.post(
        "/bank/import",
        data={"file": (io.BytesIO(ours("quirks.gift")), "a.gift"), "channel": "public"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and count() == 0


def test_preview_shows_the_report_and_confirm_imports(app, login_as):
    client, examiner = login_as(Role.EXAMINER)
    page = preview(client, ours("quirks.gift"), skip_bad="y")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "第 22 行" in html and "/bank/import/confirm" in html
    assert count() == 0 and len(stashed(app)) == 1
    done = confirm(client, html)
    job = db.session.scalar(db.select(Job))
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/bank/import/jobs/{job.id}")
    assert count() == 6 and stashed(app) == []
    assert set(db.session.scalars(db.select(Question.contributor_id))) == {examiner.id}
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "第 22 行" in page and "/bank/mine" in page and 'id="job-bar"' not in page
    state = client.get(f"/api/v1/jobs/{job.id}").get_json()
    assert (state["state"], state["result"]["imported"], state["percent"]) == ("done", 6, 100)


def test_confirming_twice_imports_once(app, login_as):
    client, _ = login_as(Role.EXAMINER)
    html = preview(client, ours("quirks.gift"), skip_bad="y").get_data(as_text=True)
    assert confirm(client, html).status_code == 302
    again = confirm(client, html)
    assert again.status_code == 302 and again.headers["Location"].endswith("/bank/import")
    assert count() == 6 and db.session.scalar(db.select(db.func.count()).select_from(Job)) == 1


def test_a_job_page_is_shown_to_its_starter_only(app, login_as):
    client, _ = login_as(Role.EXAMINER)
    html = preview(client, ours("quirks.gift"), skip_bad="y").get_data(as_text=True)
    location = confirm(client, html).headers["Location"]
    job_id = db.session.scalar(db.select(Job.id))
    other, _ = login_as(Role.EXAMINER)
    assert other.get(location).status_code == 404
    assert other.get(f"/api/v1/jobs/{job_id}").status_code == 404
    admin, _ = login_as(Role.ADMIN)
    assert admin.get(f"/api/v1/jobs/{job_id}").get_json()["state"] == "done"
    assert client.get("/bank/import/jobs/999999").status_code == 404


def test_a_running_job_page_polls_its_state_with_a_static_script(app, login_as):
    from examsvc.services import jobs

    client, examiner = login_as(Role.EXAMINER)
    job = jobs.new_job(examiner, "import", {"filename": "big.gift"}, total=50)
    jobs.step(job.id, 20)
    db.session.commit()
    page = client.get(f"/bank/import/jobs/{job.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="job-bar"' in html and 'value="20" max="50"' in html
    assert "/static/js/job_progress.js" in html and "<script>" not in html
    assert f'data-job-url="/api/v1/jobs/{job.id}"' in html


def test_a_refused_file_offers_no_confirm_and_keeps_nothing(app, login_as):
    client, _ = login_as(Role.EXAMINER)
    page = preview(client, shared("cn-eldercare-template.xlsx"), "t.xlsx", area="practice")
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "12" in html
    assert "/bank/import/confirm" not in html and stashed(app) == []
    assert confirm(client, html).status_code == 302 and count() == 0


def test_confirm_without_a_preview_ignores_any_path_the_client_sends(login_as):
    client, _ = login_as(Role.EXAMINER)
    html = client.get("/bank/import").get_data(as_text=True)
    response = client.post(
        "/bank/import/confirm",
        data={"csrf_token": form_token(html), "path": "/etc/passwd", "token": "0" * 32},
    )
    assert response.status_code == 302 and count() == 0


def test_a_verified_institution_imports_but_may_not_approve(login_as):
    client, contributor = login_as(Role.CONTRIBUTOR)
    contributor.is_institution = True
    db.session.commit()
    refused = preview(client, ours("quirks.gift"), skip_bad="y", approve="y")
    assert refused.status_code == 403 and count() == 0
    page = preview(client, ours("quirks.gift"), skip_bad="y", channel="institution")
    assert confirm(client, page.get_data(as_text=True)).status_code == 302
    assert set(db.session.scalars(db.select(Question.channel))) == {"institution"}


def test_the_blank_template_downloads_and_reads_as_empty(login_as):
    client, _ = login_as(Role.EXAMINER)
    response = client.get("/bank/import/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    parsed = formats.read(response.data)
    assert parsed.format == "xlsx" and parsed.items == []
    assert [p.message for p in parsed.problems] == ["no question rows below the header"]


def test_an_upload_over_the_size_limit_is_refused(login_as):
    client, _ = login_as(Role.EXAMINER)
    response = preview(client, b"x" * (65 * 1024), "big.csv")
    assert response.status_code == 413 and count() == 0

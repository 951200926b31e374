"""The admin pages of a sitting's papers, and who may not use them."""

import pytest

from examsvc.extensions import db
from examsvc.models import Enrolment, Role
from tests.conftest import csrf_token, log_in


@pytest.fixture
def drawn(scheduled):
    sitting, admin = scheduled(candidates=3)
    return sitting.id, admin


def test_admin_randomizes_reads_the_report_and_previews_a_paper(app, drawn):
    sitting_id, admin = drawn
    client = log_in(app.test_client(), admin)
    assert "随机组卷" in client.get(f"/admin/sittings/{sitting_id}").get_data(as_text=True)
    response = client.post(
        f"/admin/sittings/{sitting_id}/randomize", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    page = client.get(f"/admin/sittings/{sitting_id}").get_data(as_text=True)
    assert "重新组卷" in page and 'class="small paper-link"' in page
    report = client.get(f"/admin/sittings/{sitting_id}/fairness").get_data(as_text=True)
    assert report.count("<svg") == 2 and "fairness-figures" in report
    enrolment_id = db.session.scalar(
        db.select(Enrolment.id).where(Enrolment.sitting_id == sitting_id).limit(1)
    )
    preview = client.get(f"/admin/sittings/{sitting_id}/papers/{enrolment_id}").get_data(
        as_text=True
    )
    assert preview.count('class="mb-3 paper-item"') == 4 and preview.count("key-line") == 4
    assert client.get(f"/admin/sittings/{sitting_id}/papers/999999").status_code == 404


def test_blueprint_check_reports_each_row(app, drawn):
    _, admin = drawn
    client = log_in(app.test_client(), admin)
    body = {
        "exam_kind": "post_qualification",
        "level": 0,
        "exposure_cap": 20,
        "rows": [
            {"area": "", "type": "single", "count": 2},
            {"area": "law", "type": "judge", "count": 1},
        ],
    }
    response = client.post(
        "/admin/blueprints/check", json=body, headers={"X-CSRFToken": csrf_token(client)}
    )
    rows = response.get_json()["rows"]
    assert [(r["available"], r["enough"]) for r in rows] == [(8, True), (0, False)]
    bad = client.post(
        "/admin/blueprints/check",
        json={"rows": [{"type": "single"}]},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.CONTRIBUTOR, Role.EXAMINER, Role.ORG_ADMIN])
def test_only_admins_use_the_paper_pages(app, drawn, login_as, role):
    sitting_id, _ = drawn
    client, _ = login_as(role)
    token = csrf_token(client)
    enrolment_id = db.session.scalar(
        db.select(Enrolment.id).where(Enrolment.sitting_id == sitting_id).limit(1)
    )
    assert (
        client.post(
            f"/admin/sittings/{sitting_id}/randomize", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert client.get(f"/admin/sittings/{sitting_id}/fairness").status_code == 403
    assert client.get(f"/admin/sittings/{sitting_id}/papers/{enrolment_id}").status_code == 403
    assert (
        client.post("/admin/blueprints/check", json={}, headers={"X-CSRFToken": token}).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.scalar(db.select(Enrolment).where(Enrolment.id == enrolment_id)).paper is None


def test_randomizing_runs_as_a_job_whose_page_shows_the_outcome(app, drawn, make_user):
    from examsvc.models import Job
    from examsvc.services import draw_jobs, jobs

    sitting_id, admin = drawn
    client = log_in(app.test_client(), admin)
    client.post(f"/admin/sittings/{sitting_id}/randomize", data={"csrf_token": csrf_token(client)})
    job = db.session.scalar(db.select(Job).where(Job.kind == "randomize"))
    assert (job.state, job.result["papers"], job.progress, job.total) == ("done", 3, 1, 2)
    page = client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert f"/admin/sittings/{sitting_id}" in page and 'id="job-bar"' not in page
    running = jobs.new_job(admin, draw_jobs.RANDOMIZE_JOB, {"sitting_id": sitting_id}, total=2)
    db.session.commit()
    page = client.get(f"/admin/jobs/{running.id}").get_data(as_text=True)
    assert 'id="job-bar"' in page and "/static/js/job_progress.js" in page
    assert client.get("/admin/jobs/999999").status_code == 404


def test_a_randomize_that_cannot_draw_fails_its_job_and_says_why(app, scheduled):
    from examsvc.models import Job
    from examsvc.services import draw_jobs

    sitting, admin = scheduled(candidates=0)  # nobody enrolled: nothing to draw
    client = log_in(app.test_client(), admin)
    response = client.post(
        f"/admin/sittings/{sitting.id}/randomize", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    job = db.session.scalar(db.select(Job).where(Job.kind == draw_jobs.RANDOMIZE_JOB))
    assert job.state == "failed" and job.error
    assert job.error in client.get(response.headers["Location"]).get_data(as_text=True)


def test_no_draw_is_offered_once_an_open_sitting_has_papers(app, open_sitting):
    from tests.services.test_results import sit

    sitting, admin, (person,) = open_sitting()  # open: enrolling drew the paper
    client = log_in(app.test_client(), admin)
    page = client.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="randomize-button"' not in page  # the draw would be refused
    sit(person, sitting)
    page = client.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="randomize-button"' not in page and 'id="live-link"' in page

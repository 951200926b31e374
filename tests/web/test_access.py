"""Who may not use which route: every guarded route, every role that lacks it."""

import pytest

from examsvc.models import Role
from tests.conftest import csrf_token

GUARDED_PAGES = {
    "/bank/submit": {Role.CONTRIBUTOR, Role.EXAMINER},
    "/bank/mine": {Role.CONTRIBUTOR, Role.EXAMINER},
    "/review/": {Role.EXAMINER},
    "/review/1": {Role.EXAMINER},
    "/admin/": {Role.ADMIN},
    "/admin/blueprints/new": {Role.ADMIN},
    "/admin/sittings/new": {Role.ADMIN},
    "/admin/sittings/1": {Role.ADMIN},
    "/admin/audit": {Role.ADMIN},
    "/admin/users": {Role.ADMIN},
    "/review/bank": {Role.EXAMINER},
    "/review/credit": {Role.EXAMINER},
    "/bank/import/jobs/1": {Role.EXAMINER},  # and verified institutions
    "/admin/jobs/1": {Role.ADMIN},
    "/orgs/": {Role.ADMIN, Role.ORG_ADMIN},
    "/orgs/new": {Role.ADMIN},
    "/orgs/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/orgs/people": {Role.ADMIN, Role.ORG_ADMIN},
    "/orgs/people/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/roster/": {Role.ADMIN, Role.ORG_ADMIN},
    "/roster/template.xlsx": {Role.ADMIN, Role.ORG_ADMIN},
    "/orgs/sittings": {Role.ADMIN, Role.ORG_ADMIN},
    "/orgs/sittings/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 without the org admin's people
    "/admin/sittings/1/edit": {Role.ADMIN},
    "/admin/sittings/1/candidates/1": {Role.ADMIN},
    "/registration/review/": {Role.ADMIN, Role.ORG_ADMIN},
    "/registration/review/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside the subtree
    "/tickets/sittings/1/all.pdf": {Role.ADMIN, Role.ORG_ADMIN},  # 404 without their people
    "/exports/people.xlsx": {Role.ADMIN, Role.ORG_ADMIN},
    "/exports/sittings/1/roster.xlsx": {Role.ADMIN, Role.ORG_ADMIN},  # 404 without their people
    "/admin/users/new": {Role.ADMIN},
    "/admin/users/1": {Role.ADMIN},
    "/admin/users/1/edit": {Role.ADMIN},
    "/admin/attempts/1/events": {Role.ADMIN},
    "/results/sittings/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/results/sittings/1/candidates/1": {Role.ADMIN, Role.ORG_ADMIN},
    "/results/sittings/1/results.xlsx": {Role.ADMIN, Role.ORG_ADMIN},
    "/results/admin/sittings/1/answers.xlsx": {Role.ADMIN},
    "/results/admin/disputes/1": {Role.ADMIN},
    "/results/admin/calendar": {Role.ADMIN},
    "/results/admin/sittings/1/resit": {Role.ADMIN},
    "/certificates/admin/Q0-0000-2026-123456787": {Role.ADMIN},  # 404: no such certificate
    "/certificates/admin/sittings/1.pdf": {Role.ADMIN},
    "/admin/sittings/1/live": {Role.ADMIN},
    "/admin/sittings/1/live.json": {Role.ADMIN},
    "/marking/": {Role.EXAMINER, Role.ADMIN},
    "/marking/sittings/1": {Role.EXAMINER, Role.ADMIN},
    "/marking/sittings/1/next": {Role.EXAMINER},
    "/marking/answers/1": {Role.EXAMINER},  # 404 unless it waits for this examiner's mark
    "/marking/sittings/1/rescore": {Role.ADMIN},
    "/marking/jobs/1": {Role.EXAMINER, Role.ADMIN},
    "/stats/sittings/1": {Role.EXAMINER, Role.ADMIN},
    "/stats/sittings/1/questions/1": {Role.EXAMINER, Role.ADMIN},
    "/archive/people/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/archive/orgs/": {Role.ADMIN, Role.ORG_ADMIN},
    "/archive/orgs/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/training/": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/report.xlsx": {Role.ADMIN, Role.ORG_ADMIN},  # 404 with no organisation
    "/training/people/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside the subtree
    "/training/people/1/records/new": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/records/1/edit": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/courses": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/courses/new": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/courses/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside the subtree
    "/training/courses/1/edit": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/import": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/import/template.xlsx": {Role.ADMIN, Role.ORG_ADMIN},
    "/levels/promotions": {Role.ADMIN, Role.ORG_ADMIN},
    "/levels/promotions/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/levels/people/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/levels/people/1/posts": {Role.ADMIN, Role.ORG_ADMIN},
    "/levels/rules/": {Role.ADMIN},
    "/levels/rules/L2": {Role.ADMIN},
    "/inspections/": {Role.ADMIN, Role.ORG_ADMIN},
    "/inspections/1": {Role.ADMIN, Role.ORG_ADMIN},  # 404 outside an org admin's subtree
    "/inspections/1/assessments.xlsx": {Role.ADMIN, Role.ORG_ADMIN},
}
FORM_PAGES = {
    "/bank/submit",
    "/review/1",
    "/admin/blueprints/new",
    "/admin/sittings/new",
    "/orgs/new",
    "/roster/",
    "/admin/sittings/1/edit",
    "/admin/users/new",
    "/admin/users/1/edit",
    "/results/admin/disputes/1",
    "/results/admin/calendar",
    "/results/admin/sittings/1/resit",
    "/marking/answers/1",
    "/marking/sittings/1/rescore",
    "/training/people/1/records/new",
    "/training/records/1/edit",
    "/training/courses/new",
    "/training/courses/1/edit",
    "/training/import",
    "/levels/people/1/posts",
    "/levels/rules/L2",
}
ADMIN_POSTS = [
    "/admin/users/1/institution",
    "/admin/users/1/id-number",
    "/admin/sittings/1/enrol",
    "/admin/sittings/1/publish",
    "/admin/sittings/1/certificates",
    "/orgs/1/rename",
    "/orgs/1/move",
    "/orgs/1/close",
    "/orgs/1/admins",
    "/orgs/1/admins/1/remove",
    "/admin/sittings/1/enrol-organisation",
    "/admin/sittings/1/candidates/1/remove",
    "/admin/sittings/1/candidates/1/extra-time",
    "/tickets/sittings/1/seats",
    "/admin/users/1/roles",
    "/admin/users/1/disable",
    "/admin/users/1/enable",
    "/admin/users/1/reset-password",
    "/results/admin/calendar/1/remove",
    "/results/admin/sittings/1/enrol-failed",
    "/certificates/admin/Q0-0000-2026-123456787/revoke",
    "/certificates/admin/Q0-0000-2026-123456787/reissue",
    "/certificates/admin/Q0-0000-2026-123456787/suspend",
    "/certificates/admin/Q0-0000-2026-123456787/reinstate",
    "/admin/sittings/1/live/1/extra-time",
    "/admin/sittings/1/live/1/hand-in",
    "/marking/sittings/1/plan",
    "/marking/sittings/1/score",
    "/marking/sittings/1/rescore",
    "/levels/rules/L2",
    "/inspections/1/close",
]
LOGIN_PAGES = [
    "/exam/",
    "/exam/sittings/1",
    "/exam/attempts/1",
    "/auth/password",
    "/me/",
    "/registration/",
    "/registration/edit",
    "/registration/documents/1",
    "/tickets/1",  # a candidate's own admission ticket: 404 unless enrolled
    "/tickets/1.pdf",
    "/my-results/",
    "/archive/",
    "/notice/1/results/1/objection",
    "/certificates/",
    "/certificates/Q0-0000-2026-123456787.pdf",  # 404 unless the holder's, or theirs to see
    "/levels/mine/",
    "/notices/",
    *GUARDED_PAGES,
]
API_LOGIN = [
    ("GET", "/api/v1/me/sittings"),
    ("POST", "/api/v1/sittings/1/attempt"),
    ("PUT", "/api/v1/attempts/1/answers"),
    ("POST", "/api/v1/attempts/1/submit"),
    ("GET", "/api/v1/attempts/1"),
    ("GET", "/api/v1/jobs/1"),
    ("POST", "/api/v1/attempts/1/events"),
    ("GET", "/api/v1/me/certificates"),
]


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize(("method", "path"), API_LOGIN)
def test_anonymous_api_calls_get_401_json(client, method, path):
    response = client.open(
        path, method=method, json={}, headers={"X-CSRFToken": csrf_token(client)}
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_only_its_own_pages(login_as, role):
    client, _ = login_as(role)
    for path, allowed in GUARDED_PAGES.items():
        status = client.get(path).status_code
        if role in allowed:
            assert status in (200, 404), (role, path, status)
        else:
            assert status == 403, (role, path, status)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_cannot_post_to_pages_of_other_roles(login_as, role):
    client, _ = login_as(role)
    token = csrf_token(client)
    for path, allowed in GUARDED_PAGES.items():
        if role not in allowed and path in FORM_PAGES:
            assert client.post(path, data={"csrf_token": token}).status_code == 403, (role, path)


def test_unknown_ids_are_404_for_those_allowed(login_as):
    admin, _ = login_as(Role.ADMIN)
    assert admin.get("/admin/sittings/999").status_code == 404
    examiner, _ = login_as(Role.EXAMINER)
    assert examiner.get("/review/999").status_code == 404
    candidate, _ = login_as(Role.CANDIDATE)
    assert candidate.get("/exam/sittings/999").status_code == 404
    assert candidate.get("/exam/attempts/999").status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_non_admins_cannot_post_admin_actions(login_as, role):
    client, _ = login_as(role)
    token = csrf_token(client)
    for path in ADMIN_POSTS:
        assert (
            client.post(path, data={"csrf_token": token, "email": "x@example.com"}).status_code
            == 403
        )


def test_a_post_without_csrf_token_is_refused(login_as):
    client, _ = login_as(Role.CONTRIBUTOR)
    response = client.post("/bank/submit", data={"stem": "x"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True) or "令牌" in response.get_data(
        as_text=True
    )


def test_an_api_call_without_csrf_header_is_refused(login_as, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    client = login_as(Role.CANDIDATE)[0]
    response = client.post(f"/api/v1/sittings/{sitting.id}/attempt")
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf_failed"


def test_public_pages_need_no_login(client):
    public = ("/", "/verify/", "/auth/login", "/auth/register", "/healthz", "/registration/new")
    for path in (*public, "/notice/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/verify/Q0-0000-2026-000001-0").status_code == 404
    assert (
        client.get("/api/v1/certificates/Q0-0000-2026-000001-0").get_json()["error"]
        == "unknown_certificate"
    )


def test_a_candidate_cannot_open_another_candidates_attempt(app, open_sitting):
    from tests.conftest import log_in

    sitting, _, (owner, other) = open_sitting(candidates=2)
    owner_client = log_in(app.test_client(), owner)
    attempt_id = owner_client.post(
        f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": csrf_token(owner_client)}
    ).get_json()["attempt_id"]
    other_client = log_in(app.test_client(), other)
    token = csrf_token(other_client)
    assert other_client.get(f"/api/v1/attempts/{attempt_id}").status_code == 404
    assert other_client.get(f"/exam/attempts/{attempt_id}").status_code == 404
    put = other_client.put(
        f"/api/v1/attempts/{attempt_id}/answers",
        json={"answers": {}, "seq": 1},
        headers={"X-CSRFToken": token},
    )
    assert put.status_code == 404
    submit = other_client.post(
        f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token}
    )
    assert submit.status_code == 404
    assert owner_client.get(f"/api/v1/attempts/{attempt_id}").get_json()["status"] == "in_progress"


def test_candidates_cannot_read_questions_under_review(login_as, make_user):
    from examsvc.services import bank
    from tests.conftest import single_fields

    contributor = make_user(Role.CONTRIBUTOR)
    question = bank.submit_question(contributor, "public", single_fields(1))
    client, _ = login_as(Role.CANDIDATE)
    response = client.get(f"/review/{question.id}")
    assert response.status_code == 403
    assert question.stem not in response.get_data(as_text=True)


def test_admin_verifies_an_institution(app, login_as, make_user):
    from examsvc.extensions import db
    from examsvc.models import AuditEntry, User

    person = make_user(Role.CONTRIBUTOR, name="市党建研究会")
    client, _ = login_as(Role.ADMIN)
    assert "市党建研究会" in client.get("/admin/users?q=研究会").get_data(as_text=True)
    token = csrf_token(client)
    response = client.post(
        f"/admin/users/{person.id}/institution", data={"verified": "1", "csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).is_institution
    assert db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "user.institution_verified")
    )


def test_look_up_posts_take_no_write_lock(app):
    """POST views that only read are marked so SQLite does not serialize them with saves."""
    views = app.view_functions
    assert all(
        getattr(views[name], "read_only", False)
        for name in ("bank.similar", "admin.check_blueprint", "bank.import_upload")
    )
    assert not any(
        getattr(views[name], "read_only", False)
        for name in ("api.save_answers", "api.submit_attempt", "auth.login", "bank.import_confirm")
    )


@pytest.mark.parametrize("role", list(Role))
def test_nobody_sees_a_job_someone_else_started_but_admins(app, login_as, make_user, role):
    from examsvc.extensions import db
    from examsvc.services import jobs

    starter = make_user(Role.EXAMINER)
    job = jobs.new_job(starter, "import", {"filename": "bank.gift"})
    db.session.commit()
    client, _ = login_as(role)
    api = client.get(f"/api/v1/jobs/{job.id}")
    page = client.get(f"/bank/import/jobs/{job.id}")
    if role == Role.ADMIN:
        assert api.status_code == 200 and api.get_json()["state"] == "queued"
    else:
        assert api.status_code == 404
    assert page.status_code == (404 if role == Role.EXAMINER else 403)


LIST_VARIANTS = {
    "/bank/mine?q=x&page=2": {Role.CONTRIBUTOR, Role.EXAMINER},
    "/review/?page=2&type=single": {Role.EXAMINER},
    "/review/credit?q=x&page=2": {Role.EXAMINER},
    "/review/bank?text=x&page=2": {Role.EXAMINER},
    "/admin/?q=x&sittings_page=2&blueprints_page=3": {Role.ADMIN},
    "/admin/audit?action=sitting.enrolled&q=x&page=2": {Role.ADMIN},
    "/admin/users?q=x&page=2": {Role.ADMIN},
    "/admin/users?q=x&role=admin&status=disabled&org=1&page=2": {Role.ADMIN},
    "/orgs/people?q=x&page=2": {Role.ADMIN, Role.ORG_ADMIN},
    "/levels/promotions?step=org_review&state=open&level=2&q=x&page=2": {
        Role.ADMIN,
        Role.ORG_ADMIN,
    },
    "/exports/people.xlsx?q=x&page=2": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/?q=x&page=2&below=1&by=category&year=1999": {Role.ADMIN, Role.ORG_ADMIN},
    "/training/courses?page=2": {Role.ADMIN, Role.ORG_ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
def test_searching_and_paging_a_list_opens_it_to_nobody_new(login_as, role):
    client, _ = login_as(role)
    for path, allowed in LIST_VARIANTS.items():
        status = client.get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)


def test_the_exam_page_of_another_candidates_sitting_stays_404_once_handed_in(
    app, open_sitting, make_user
):
    from examsvc.services import attempts
    from tests.conftest import log_in

    sitting, _, (owner,) = open_sitting()
    attempt = attempts.start_or_resume(owner, sitting.id)
    attempts.submit(owner, attempt.id)  # the owner's exam page now redirects to the result
    outsider = log_in(app.test_client(), make_user(Role.CANDIDATE))
    assert outsider.get(f"/exam/sittings/{sitting.id}").status_code == 404
    assert outsider.get(f"/exam/attempts/{attempt.id}").status_code == 404


#: Reviewing a registration: admins and org admins (of the person's subtree) only.
REVIEW_POSTS = ["/registration/review/1/approve", "/registration/review/1/return"]
#: The person's own registration actions: any logged-in account (on its own registration).
PERSON_POSTS = [
    "/registration/documents",
    "/registration/documents/1/delete",
    "/registration/submit",
    "/registration/edit",
]


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.ORG_ADMIN)])
def test_only_reviewers_may_decide_a_registration(login_as, role):
    client, _ = login_as(role)
    token = csrf_token(client)
    for path in REVIEW_POSTS:
        response = client.post(path, data={"csrf_token": token, "reason": "x"})
        assert response.status_code == 403, (role, path)


def test_anonymous_users_cannot_post_to_a_registration(client):
    token = csrf_token(client)
    for path in PERSON_POSTS + REVIEW_POSTS:
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login?next="), path


#: The training archive's actions: admins and org admins (of the person's or course's subtree).
TRAINING_POSTS = [
    "/training/records/1/delete",
    "/training/import/confirm",
    "/training/courses/1/members",
    "/training/courses/1/members/organisation",
    "/training/courses/1/members/1/hours",
    "/training/courses/1/members/1/remove",
    "/training/courses/1/complete",
]


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.ORG_ADMIN)])
def test_only_admins_and_org_admins_may_change_training_records(login_as, role):
    client, _ = login_as(role)
    token = csrf_token(client)
    for path in TRAINING_POSTS:
        response = client.post(path, data={"csrf_token": token, "hours": "8", "logins": "x"})
        assert response.status_code == 403, (role, path)


def test_anonymous_users_cannot_post_to_the_training_archive(client):
    token = csrf_token(client)
    for path in TRAINING_POSTS:
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login?next="), path


#: Level applications and changes of post: admins and org admins (their subtree) only.
LEVEL_POSTS = [
    "/levels/promotions/1/steps",
    "/levels/promotions/1/withdraw",
    "/levels/people/1/declare",
    "/levels/people/1/posts",
]
#: The person's own level: any logged-in account (their own applications only).
MY_LEVEL_POSTS = ["/levels/mine/declare", "/levels/mine/promotions/1/withdraw"]


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.ORG_ADMIN)])
def test_only_admins_and_org_admins_decide_level_applications(login_as, role):
    client, _ = login_as(role)
    token = csrf_token(client)
    for path in LEVEL_POSTS:
        response = client.post(path, data={"csrf_token": token, "outcome": "passed"})
        assert response.status_code == 403, (role, path)


def test_anonymous_users_cannot_post_level_forms(client):
    token = csrf_token(client)
    for path in LEVEL_POSTS + MY_LEVEL_POSTS + ["/levels/rules/L2"]:
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login?next="), path


#: 年检: admins and org admins (of the batch's subtree) prepare a batch; only admins close it.
INSPECTION_POSTS = [
    "/inspections/new",
    "/inspections/1/results/1",
    "/inspections/1/import",
    "/inspections/1/refresh",
]
#: The person's own notices: any logged-in account (404 for another's notice).
NOTICE_POSTS = ["/notices/1/read", "/notices/read"]


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.ORG_ADMIN)])
def test_only_admins_and_org_admins_prepare_an_annual_inspection(login_as, role):
    client, _ = login_as(role)
    token = csrf_token(client)
    for path in INSPECTION_POSTS:
        response = client.post(path, data={"csrf_token": token, "org": "1", "year": "2024"})
        assert response.status_code == 403, (role, path)


def test_anonymous_users_cannot_post_to_inspections_or_notices(client):
    token = csrf_token(client)
    for path in [*INSPECTION_POSTS, "/inspections/1/close", *NOTICE_POSTS]:
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login?next="), path

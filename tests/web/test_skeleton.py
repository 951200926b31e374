"""The walking skeleton through the forms and the API: submit → approve → blueprint →
sitting → enrol → sit → score → publish → certificate → public verification."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Certificate, Enrolment, Question, Role, utcnow
from tests.conftest import csrf_token, log_in, post_form


@pytest.fixture
def app_config():
    return {"NOTICE_WORKING_DAYS": 0}


FAIRNESS = {
    "paper_mode": "per_candidate",
    "exposure_cap": "20",
    "tolerance_points": "0.5",
    "shuffle_questions": "y",
    "shuffle_options": "y",
    "enemy_rule": "y",
}


def test_skeleton_through_forms_and_api(app, make_user):
    contributor, examiner, admin = (
        make_user(Role.CONTRIBUTOR),
        make_user(Role.EXAMINER),
        make_user(Role.ADMIN),
    )
    candidate = make_user(Role.CANDIDATE, name="张明华")
    c_client = log_in(app.test_client(), contributor)
    response = post_form(
        c_client,
        "/bank/submit",
        {
            "type": "single",
            "exams": ["post_qualification", "training"],
            "area": "constitution",
            "difficulty": "2",
            "channel": "grassroots",
            "stem": "党的最高领导机关是（  ）。",
            "option_a": "国务院",
            "option_b": "党的全国代表大会和它所产生的中央委员会",
            "option_c": "全国政协",
            "option_d": "中央纪律检查委员会",
            "key": "B",
            "explanation": "党章第十条。",
            "source": "《中国共产党章程》",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    question = db.session.scalar(db.select(Question))
    assert (question.status, question.channel, question.key) == ("submitted", "grassroots", "B")
    assert "党的最高领导机关" in c_client.get("/bank/mine").get_data(as_text=True)

    e_client = log_in(app.test_client(), examiner)
    assert question.stem in e_client.get("/review/").get_data(as_text=True)
    response = post_form(e_client, f"/review/{question.id}", {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).status == "approved"

    a_client = log_in(app.test_client(), admin)
    rows = {
        "rows-0-area": "constitution",
        "rows-0-qtype": "single",
        "rows-0-count": "1",
        "rows-0-points": "100",
    }
    response = post_form(
        a_client,
        "/admin/blueprints/new",
        {
            "name": "上岗资格（一题）",
            "exam_kind": "post_qualification",
            "level": "0",
            "duration_minutes": "90",
            "pass_mark": "60",
            "multiple_rule": "all_or_nothing",
            **FAIRNESS,
            **rows,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    now = utcnow() + timedelta(hours=8)  # the form takes Beijing time
    response = post_form(
        a_client,
        "/admin/sittings/new",
        {
            "name": "演示场次",
            "blueprint_id": "1",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    sitting_path = response.headers["Location"]
    sitting_id = int(sitting_path.rsplit("/", 1)[1])
    response = post_form(
        a_client, f"{sitting_path}/enrol", {"email": candidate.email}, page=sitting_path
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == candidate.id)).paper
        is not None
    )

    k_client = log_in(app.test_client(), candidate)
    token = csrf_token(k_client)
    paper = k_client.post(
        f"/api/v1/sittings/{sitting_id}/attempt", headers={"X-CSRFToken": token}
    ).get_json()
    (item,) = paper["items"]
    right = next(o["key"] for o in item["options"] if o["text"].startswith("党的全国代表大会"))
    k_client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers",
        json={"answers": {str(item["id"]): right}, "seq": 1},
        headers={"X-CSRFToken": token},
    )
    k_client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit", headers={"X-CSRFToken": token})

    page = a_client.get(sitting_path).get_data(as_text=True)
    assert "100 / 100" in page
    post_form(a_client, f"{sitting_path}/publish", {}, page=sitting_path)
    state = k_client.get(f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    assert state["result"] == {
        "score": 100.0,
        "max_score": 100.0,
        "passed": True,
        "pass_mark": 60.0,
    }
    post_form(a_client, f"{sitting_path}/certificates", {}, page=sitting_path)
    cert = db.session.scalar(db.select(Certificate))
    assert cert.user_id == candidate.id and cert.number.startswith("Q0-")

    anonymous = app.test_client()
    public = anonymous.get(f"/api/v1/certificates/{cert.number}").get_json()
    assert (
        public["holder"] == "张*华"
        and public["status"] == "valid"
        and public["kind"] == "post_qualification"
    )
    html = anonymous.get(f"/verify/{cert.number}").get_data(as_text=True)
    assert cert.number in html and "张*华" in html and "张明华" not in html

    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {
        "question.submitted",
        "question.approved",
        "blueprint.created",
        "sitting.created",
        "sitting.enrolled",
        "attempt.started",
        "attempt.submitted",
        "sitting.results_published",
        "certificate.issued",
    } <= actions
    assert "question.approved" in a_client.get("/admin/audit").get_data(as_text=True)


def test_bad_submission_form_shows_the_problem_and_saves_nothing(app, login_as):
    client, _ = login_as(Role.CONTRIBUTOR)
    response = post_form(
        client,
        "/bank/submit",
        {
            "type": "single",
            "exams": ["training"],
            "area": "constitution",
            "difficulty": "2",
            "channel": "public",
            "stem": "题干",
            "option_a": "甲",
            "option_b": "甲",
            "key": "A",
        },
    )
    assert response.status_code == 400
    assert "option B repeats option A" in response.get_data(
        as_text=True
    ) or "选项" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_examiner_cannot_review_own_question_through_the_form(app, make_user):
    from examsvc.services import bank
    from tests.conftest import single_fields

    examiner = make_user(Role.EXAMINER, Role.CONTRIBUTOR)
    question = bank.submit_question(examiner, "public", single_fields(1))
    client = log_in(app.test_client(), examiner)
    response = post_form(client, f"/review/{question.id}", {"decision": "approve"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Question, question.id).status == "submitted"


def test_return_without_reason_is_refused(app, make_user):
    from examsvc.services import bank
    from tests.conftest import single_fields

    question = bank.submit_question(make_user(Role.CONTRIBUTOR), "public", single_fields(1))
    client = log_in(app.test_client(), make_user(Role.EXAMINER))
    response = post_form(client, f"/review/{question.id}", {"decision": "return", "reason": " "})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Question, question.id).status == "submitted"


def test_blueprint_with_unreachable_pass_mark_is_refused(app, login_as):
    client, _ = login_as(Role.ADMIN)
    response = post_form(
        client,
        "/admin/blueprints/new",
        {
            "name": "坏蓝图",
            "exam_kind": "training",
            "level": "0",
            "duration_minutes": "60",
            "pass_mark": "90",
            "multiple_rule": "all_or_nothing",
            **FAIRNESS,
            "rows-0-area": "",
            "rows-0-qtype": "single",
            "rows-0-count": "10",
            "rows-0-points": "1",
        },
    )
    assert response.status_code == 400
    assert "10" in response.get_data(as_text=True)

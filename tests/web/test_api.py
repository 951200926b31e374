"""The JSON API contract of DESIGN.md §4 and its error answers."""

import pytest

from examsvc.extensions import db
from examsvc.models import Answer
from tests.conftest import csrf_token, log_in


@pytest.fixture
def candidate_client(app, open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    client = log_in(app.test_client(), candidate)
    return client, sitting, csrf_token(client)


def start(client, sitting_id, token):
    return client.post(f"/api/v1/sittings/{sitting_id}/attempt", headers={"X-CSRFToken": token})


def test_session_endpoint_reports_token_and_user(candidate_client):
    client, _, _ = candidate_client
    body = client.get("/api/v1/session").get_json()
    assert body["csrf_token"] and body["user"]["roles"] == ["candidate"]
    assert "password_hash" not in body["user"]


def test_start_returns_the_paper_without_keys(candidate_client):
    client, sitting, token = candidate_client
    body = start(client, sitting.id, token).get_json()
    assert set(body) >= {"attempt_id", "deadline", "server_time", "items", "answers"}
    assert len(body["items"]) == 8 and body["answers"] == {}
    judge = next(i for i in body["items"] if i["type"] == "judge")
    assert [o["key"] for o in judge["options"]] == [True, False]
    fill = next(i for i in body["items"] if i["type"] == "fill")
    assert fill["blanks"] == 1 and fill["options"] == []
    assert all(
        set(i) == {"id", "type", "stem", "options", "points", "blanks", "section"}
        for i in body["items"]
    )


def test_save_resume_and_submit_round_trip(candidate_client):
    client, sitting, token = candidate_client
    paper = start(client, sitting.id, token).get_json()
    single = next(i for i in paper["items"] if i["type"] == "single")
    multiple = next(i for i in paper["items"] if i["type"] == "multiple")
    answers = {str(single["id"]): "B", str(multiple["id"]): ["A", "C"]}
    saved = client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers",
        json={"answers": answers, "seq": 1},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200 and saved.get_json()["saved"] == 2
    resumed = start(client, sitting.id, token).get_json()
    assert resumed["attempt_id"] == paper["attempt_id"] and resumed["answers"] == answers
    state = client.get(f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    assert state["status"] == "in_progress" and state["result"] is None
    submitted = client.post(
        f"/api/v1/attempts/{paper['attempt_id']}/submit", headers={"X-CSRFToken": token}
    )
    assert submitted.get_json()["status"] == "submitted"
    again = client.post(
        f"/api/v1/attempts/{paper['attempt_id']}/submit", headers={"X-CSRFToken": token}
    )
    assert again.get_json() == submitted.get_json()
    late = client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers",
        json={"answers": answers, "seq": 2},
        headers={"X-CSRFToken": token},
    )
    assert late.status_code == 409 and late.get_json()["error"] == "attempt_closed"
    state = client.get(f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    assert state["result"] is None  # not published yet: no score, no key


def test_a_time_up_hand_in_is_refused_while_the_deadline_is_ahead(candidate_client):
    client, sitting, token = candidate_client
    paper = start(client, sitting.id, token).get_json()
    url = f"/api/v1/attempts/{paper['attempt_id']}/submit"
    refused = client.post(url, json={"reason": "time_up"}, headers={"X-CSRFToken": token})
    body = refused.get_json()
    assert refused.status_code == 409 and body["error"] == "time_left"
    assert body["deadline"] == paper["deadline"] and body["server_time"] and body["message"]
    handed_in = client.post(url, headers={"X-CSRFToken": token})  # the candidate's own
    assert handed_in.get_json()["status"] == "submitted"
    again = client.post(url, json={"reason": "time_up"}, headers={"X-CSRFToken": token})
    assert again.status_code == 200  # idempotent once handed in


def test_a_stale_save_names_the_seq_stored(candidate_client):
    client, sitting, token = candidate_client
    paper = start(client, sitting.id, token).get_json()
    judge = str(next(i for i in paper["items"] if i["type"] == "judge")["id"])
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers"
    client.put(url, json={"answers": {judge: True}, "seq": 5}, headers={"X-CSRFToken": token})
    stale = client.put(
        url, json={"answers": {judge: False}, "seq": 2}, headers={"X-CSRFToken": token}
    )
    assert stale.get_json()["stale"] == 1 and stale.get_json()["stale_items"] == {judge: 5}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b'{"answers": {"999999": "A"}, "seq": 1}', 400, "unknown_item"),
        (b'{"answers": {}, "seq": "x"}', 400, "invalid_seq"),
        (b'{"answers": "A", "seq": 1}', 400, "invalid_answers"),
    ],
)
def test_bad_answer_bodies_get_clear_4xx_and_store_nothing(candidate_client, body, status, code):
    client, sitting, token = candidate_client
    attempt_id = start(client, sitting.id, token).get_json()["attempt_id"]
    response = client.put(
        f"/api/v1/attempts/{attempt_id}/answers",
        data=body,
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert response.get_json()["error"] == code and response.get_json()["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 0


def test_wrong_response_shape_names_the_item(candidate_client):
    client, sitting, token = candidate_client
    paper = start(client, sitting.id, token).get_json()
    judge = next(i for i in paper["items"] if i["type"] == "judge")
    response = client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers",
        json={"answers": {str(judge["id"]): "对"}, "seq": 1},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "invalid_response",
        "message": f"题目 {judge['id']}：答案应为“正确”或“错误”",
    }


def test_unknown_sitting_and_attempt_are_404(candidate_client):
    client, _, token = candidate_client
    assert start(client, 424242, token).get_json()["error"] == "not_enrolled"
    assert client.get("/api/v1/attempts/424242").status_code == 404
    assert client.get("/api/v1/nothing-here").get_json()["error"] == "not_found"


def test_my_sittings_lists_state(candidate_client):
    client, sitting, _ = candidate_client
    body = client.get("/api/v1/me/sittings").get_json()
    assert [(s["id"], s["state"], s["attempt_id"]) for s in body["sittings"]] == [
        (sitting.id, "open", None)
    ]


def test_oversized_body_is_413(app, candidate_client):
    client, sitting, token = candidate_client
    app.config["MAX_CONTENT_LENGTH"] = 1000
    attempt_id = start(client, sitting.id, token).get_json()["attempt_id"]
    response = client.put(
        f"/api/v1/attempts/{attempt_id}/answers",
        json={"answers": {"1": "x" * 5000}, "seq": 1},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"


def test_routes_spared_the_limit_look_up_have_no_limit(app):
    """The exam-day routes skip Flask-Limiter's per-request look-up: none may carry a limit
    (nor may the app or the API blueprint), or the filter would switch it off."""
    from flask_limiter.util import get_qualified_name

    from examsvc.api.views import UNLIMITED_ENDPOINTS
    from examsvc.extensions import limiter

    manager = limiter.limit_manager
    assert not manager.default_limits and not manager.application_limits
    assert not manager.blueprint_limits(app, "api")
    for endpoint in UNLIMITED_ENDPOINTS:
        view = app.view_functions[endpoint]
        assert not manager.decorated_limits(get_qualified_name(view)), endpoint
    events = get_qualified_name(app.view_functions["api.report_events"])
    assert manager.decorated_limits(events)  # the check sees a limit where there is one

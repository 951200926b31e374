"""Integrity events through POST /api/v1/attempts/{id}/events (DESIGN.md §4), on both
databases: what is accepted, what is refused, who may not, and the focus-loss limit."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, AttemptEvent, AuditEntry, Role, utcnow
from examsvc.services import attempts, integrity
from tests.conftest import csrf_token, log_in, post_form

AT = "2026-11-30T08:00:00.000Z"


def at(n: int) -> str:
    return f"2026-11-30T08:00:{n:02d}.000Z"


@pytest.fixture
def sitter(app, open_sitting):
    """(client, token, attempt id, sitting) for a candidate with an attempt under way."""

    def factory(limit=None, candidates=1):
        sitting, admin, people = open_sitting(candidates=candidates)
        sitting.focus_loss_limit = limit
        db.session.commit()
        client = log_in(app.test_client(), people[0])
        token = csrf_token(client)
        body = client.post(
            f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": token}
        ).get_json()
        return client, token, body, sitting, people

    return factory


def send(client, token, attempt_id, events):
    return client.post(
        f"/api/v1/attempts/{attempt_id}/events",
        json={"events": events},
        headers={"X-CSRFToken": token},
    )


def test_events_are_stored_with_both_clocks_and_counted(sitter):
    client, token, paper, _, _ = sitter()
    assert (paper["focus_losses"], paper["focus_loss_limit"]) == (0, None)
    events = [
        {"type": "blur", "at": at(1)},
        {"type": "focus", "at": at(2)},
        {"type": "copy", "at": at(3)},
        {"type": "paste", "at": at(4)},
        {"type": "fullscreen_exit", "at": at(5)},
        {"type": "offline", "at": at(6)},
        {"type": "online", "at": "2026-11-30T16:00:07+08:00"},
    ]
    response = send(client, token, paper["attempt_id"], events)
    assert response.status_code == 200
    assert response.get_json() == {
        "accepted": 7,
        "focus_losses": 1,
        "limit": None,
        "handed_in": False,
    }
    stored = db.session.scalars(db.select(AttemptEvent).order_by(AttemptEvent.id)).all()
    assert [(e.type, e.client_at) for e in stored] == [(e["type"], e["at"]) for e in events]
    assert all(abs(e.recorded_at - utcnow()) < timedelta(minutes=1) for e in stored)


def test_a_batch_sent_again_is_stored_once(sitter):
    client, token, paper, _, _ = sitter(limit=3)
    batch = [{"type": "blur", "at": at(1)}, {"type": "focus", "at": at(2)}]
    assert send(client, token, paper["attempt_id"], batch).get_json()["accepted"] == 2
    again = send(client, token, paper["attempt_id"], batch).get_json()
    assert again == {"accepted": 0, "focus_losses": 1, "limit": 3, "handed_in": False}
    assert db.session.scalar(db.select(db.func.count(AttemptEvent.id))) == 2


@pytest.mark.parametrize(
    ("events", "status", "code"),
    [
        ("blur", 400, "invalid_events"),
        ([{"type": "keydown", "at": AT}], 400, "invalid_event_type"),
        ([{"type": "limit_reached", "at": AT}], 400, "invalid_event_type"),
        ([{"type": "blur"}], 400, "invalid_event_time"),
        ([{"type": "blur", "at": "yesterday"}], 400, "invalid_event_time"),
        ([{"type": "blur", "at": 1700000000}], 400, "invalid_event_time"),
        ([{"type": "blur", "at": AT + "x" * 40}], 400, "invalid_event_time"),
        ([{"type": "copy", "at": at(i % 60)} for i in range(101)], 413, "too_many_events"),
    ],
)
def test_bad_batches_are_refused_whole_and_store_nothing(sitter, events, status, code):
    client, token, paper, _, _ = sitter()
    response = send(client, token, paper["attempt_id"], events)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"] == code and body["message"]
    assert db.session.scalar(db.select(db.func.count(AttemptEvent.id))) == 0


def test_a_bad_event_in_a_batch_stores_none_of_it(sitter):
    client, token, paper, _, _ = sitter()
    response = send(
        client, token, paper["attempt_id"], [{"type": "copy", "at": AT}, {"type": "x", "at": AT}]
    )
    assert response.status_code == 400 and "2" in response.get_json()["message"]
    assert db.session.scalar(db.select(db.func.count(AttemptEvent.id))) == 0


def test_only_the_owner_may_report_and_only_while_in_progress(app, sitter):
    client, token, paper, sitting, (owner, other) = sitter(candidates=2)
    stranger = log_in(app.test_client(), other)
    response = send(
        stranger, csrf_token(stranger), paper["attempt_id"], [{"type": "blur", "at": AT}]
    )
    assert response.status_code == 404
    anonymous = app.test_client()
    response = send(anonymous, csrf_token(anonymous), paper["attempt_id"], [])
    assert response.status_code == 401
    no_csrf = client.post(f"/api/v1/attempts/{paper['attempt_id']}/events", json={"events": []})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["error"] == "csrf_failed"
    client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit", headers={"X-CSRFToken": token})
    late = send(client, token, paper["attempt_id"], [{"type": "blur", "at": AT}])
    assert late.status_code == 409 and late.get_json()["error"] == "attempt_closed"
    assert db.session.scalar(db.select(db.func.count(AttemptEvent.id))) == 0


def test_events_after_the_deadline_close_the_attempt_and_are_refused(sitter):
    client, token, paper, sitting, _ = sitter()
    attempt = db.session.get(Attempt, paper["attempt_id"])
    attempt.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    late = send(client, token, paper["attempt_id"], [{"type": "blur", "at": AT}])
    assert late.status_code == 409
    db.session.expire_all()
    assert db.session.get(Attempt, paper["attempt_id"]).status == "submitted"


def test_the_focus_loss_limit_hands_in_with_every_answer_scored(sitter):
    client, token, paper, _, _ = sitter(limit=3)
    attempt_id = paper["attempt_id"]
    judge = next(i for i in paper["items"] if i["type"] == "judge")
    saved = client.put(
        f"/api/v1/attempts/{attempt_id}/answers",
        json={"answers": {str(judge["id"]): True}, "seq": 1},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200
    first = send(
        client, token, attempt_id, [{"type": "blur", "at": at(1)}, {"type": "focus", "at": at(2)}]
    )
    assert first.get_json() == {"accepted": 2, "focus_losses": 1, "limit": 3, "handed_in": False}
    second = send(client, token, attempt_id, [{"type": "blur", "at": at(3)}]).get_json()
    assert (second["focus_losses"], second["handed_in"]) == (2, False)  # the page warns now
    assert db.session.get(Attempt, attempt_id).status == "in_progress"
    third = send(client, token, attempt_id, [{"type": "blur", "at": at(4)}]).get_json()
    assert third == {"accepted": 1, "focus_losses": 3, "limit": 3, "handed_in": True}
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "submitted" and attempt.score is not None
    answer = db.session.scalar(db.select(Answer).where(Answer.attempt_id == attempt_id))
    assert answer.points is not None  # the acknowledged answer was scored
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "attempt.focus_limit_reached")
    )
    assert entry.subject_id == attempt_id
    assert entry.details["reason"] == "focus_loss_limit" and entry.details["focus_losses"] == 3
    assert integrity.handed_in_at_limit(attempt_id)
    after = send(client, token, attempt_id, [{"type": "blur", "at": at(5)}])
    assert after.status_code == 409
    page = client.get(f"/exam/attempts/{attempt_id}").get_data(as_text=True)
    assert 'id="focus-limit-note"' in page


def test_without_a_limit_focus_losses_are_only_recorded(sitter):
    client, token, paper, _, _ = sitter()
    events = [{"type": "blur", "at": at(i)} for i in range(30)]
    body = send(client, token, paper["attempt_id"], events).get_json()
    assert body == {"accepted": 30, "focus_losses": 30, "limit": None, "handed_in": False}
    assert db.session.get(Attempt, paper["attempt_id"]).status == "in_progress"


def test_a_flood_stores_at_most_the_cap_but_still_counts_focus_losses(sitter, monkeypatch):
    monkeypatch.setattr(integrity, "MAX_STORED", 5)
    client, token, paper, _, _ = sitter(limit=50)
    copies = [{"type": "copy", "at": f"2026-11-30T08:00:00.{i:03d}Z"} for i in range(10)]
    assert send(client, token, paper["attempt_id"], copies).get_json()["accepted"] == 5
    blur = send(client, token, paper["attempt_id"], [{"type": "blur", "at": AT}]).get_json()
    assert (blur["accepted"], blur["focus_losses"]) == (1, 1)


def test_admin_sets_the_limit_and_reads_the_events(app, sitter, login_as):
    client, token, paper, sitting, _ = sitter()
    send(
        client,
        token,
        paper["attempt_id"],
        [{"type": "blur", "at": at(1)}, {"type": "paste", "at": at(2)}],
    )
    admin, _ = login_as(Role.ADMIN)
    page = admin.get(f"/admin/attempts/{paper['attempt_id']}/events").get_data(as_text=True)
    assert "离开考试页面" in page and "粘贴" in page and at(2) in page
    sitting_page = admin.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    assert f"/admin/attempts/{paper['attempt_id']}/events" in sitting_page
    assert admin.get("/admin/attempts/999999/events").status_code == 404
    now = utcnow() + timedelta(hours=8)
    response = post_form(
        admin,
        "/admin/sittings/new",
        {
            "name": "限切屏场次",
            "blueprint_id": str(sitting.blueprint_id),
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "focus_loss_limit": "4",
        },
    )
    assert response.status_code == 302
    from examsvc.models import Sitting

    created = db.session.scalar(db.select(Sitting).where(Sitting.name == "限切屏场次"))
    assert created.focus_loss_limit == 4
    bad = post_form(
        admin,
        "/admin/sittings/new",
        {
            "name": "坏场次",
            "blueprint_id": str(sitting.blueprint_id),
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "focus_loss_limit": "0",
        },
    )
    assert bad.status_code == 200 and "坏场次" in bad.get_data(as_text=True)


def test_a_resumed_attempt_skips_the_rules(app, sitter):
    client, token, paper, sitting, _ = sitter(limit=3)
    page = client.get(f"/exam/sittings/{sitting.id}").get_data(as_text=True)
    assert 'data-in-progress="1"' in page and 'id="rules-screen"' not in page


def test_the_rules_come_before_the_clock(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    sitting.focus_loss_limit = 2
    db.session.commit()
    client = log_in(app.test_client(), candidate)
    page = client.get(f"/exam/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="rules-screen"' in page and "考生须知" in page and 'id="rules-focus-limit"' in page
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 0  # the clock waits


def test_the_service_hands_in_once_when_two_batches_cross_the_limit(sitter):
    client, token, paper, _, (owner,) = sitter(limit=1)
    first = integrity.record(owner, paper["attempt_id"], [{"type": "blur", "at": at(1)}])
    assert first.handed_in
    with pytest.raises(attempts.AttemptClosed):
        integrity.record(owner, paper["attempt_id"], [{"type": "blur", "at": at(2)}])
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "attempt.focus_limit_reached")
    ).all()
    assert len(entries) == 1


def test_reports_are_rate_limited_per_account_not_per_address(app, sitter):
    client, token, paper, sitting, (owner, other) = sitter(candidates=2)
    for n in range(60):
        assert send(client, token, paper["attempt_id"], []).status_code == 200, n
    refused = send(client, token, paper["attempt_id"], [{"type": "blur", "at": AT}])
    assert refused.status_code == 429
    assert refused.get_json()["error"] and refused.get_json()["message"]
    # another candidate behind the same address is not held up
    neighbour = log_in(app.test_client(), other)
    neighbour_token = csrf_token(neighbour)
    theirs = neighbour.post(
        f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": neighbour_token}
    ).get_json()
    response = send(neighbour, neighbour_token, theirs["attempt_id"], [{"type": "copy", "at": AT}])
    assert response.status_code == 200

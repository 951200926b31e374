"""The live view of a sitting (监考): its rows in every state, its cost, and the invigilator's
two actions on one candidate (extra time, handing in for them)."""

from __future__ import annotations

from datetime import timedelta

from examsvc.extensions import db
from examsvc.models import Attempt, AttemptEvent, AuditEntry, Enrolment, Role, utcnow
from examsvc.services import attempts, integrity, proctor
from tests.conftest import csrf_token, log_in, post_form
from tests.services.test_attempts import correct_response
from tests.services.test_save_cost import StatementCounter


def _enrolment(sitting_id: int, user) -> Enrolment:
    return db.session.scalar(
        db.select(Enrolment).where(Enrolment.sitting_id == sitting_id, Enrolment.user_id == user.id)
    )


def _move_back(attempt: Attempt, minutes: int) -> None:
    """Pretend the attempt started ``minutes`` earlier (its deadline moves with it)."""
    attempt.started_at -= timedelta(minutes=minutes)
    attempt.deadline -= timedelta(minutes=minutes)
    db.session.commit()


def _world(open_sitting):
    """A sitting with a candidate in each state; returns (sitting, admin, {state: user})."""
    sitting, admin, people = open_sitting(candidates=5)
    fresh, working, done, closed, late = people
    running = attempts.start_or_resume(working, sitting.id)
    items = running.enrolment.paper.items
    attempts.save_answers(
        working, running.id, {str(i.id): correct_response(None, i) for i in items[:3]}, seq=1
    )
    attempts.save_answers(working, running.id, {str(items[3].id): None}, seq=2)  # cleared
    integrity.record(
        working, running.id,
        [{"type": "blur", "at": "2026-05-01T09:00:00+08:00"},
         {"type": "blur", "at": "2026-05-01T09:01:00+08:00"},
         {"type": "copy", "at": "2026-05-01T09:02:00+08:00"},
         {"type": "focus", "at": "2026-05-01T09:03:00+08:00"}],
    )  # fmt: skip
    attempts.submit(done, attempts.start_or_resume(done, sitting.id).id)
    _move_back(attempts.start_or_resume(closed, sitting.id), 40)
    attempts.close_expired()
    _move_back(attempts.start_or_resume(late, sitting.id), 31)  # over, not yet swept
    states = {"not_started": fresh, "in_progress": working, "handed_in": done,
              "auto_handed_in": closed, "time_over": late}  # fmt: skip
    return sitting, admin, states


def test_the_json_shows_every_candidate_in_their_state(app, open_sitting):
    sitting, admin, states = _world(open_sitting)
    client = log_in(app.test_client(), admin)
    body = client.get(f"/admin/sittings/{sitting.id}/live.json").get_json()
    assert body["counts"] == dict.fromkeys(proctor.STATES, 1)
    rows = {r["state"]: r for r in body["rows"]}
    assert set(rows) == set(proctor.STATES)
    for state, user in states.items():
        assert rows[state]["name"] == user.name
        assert rows[state]["admission_no"] == _enrolment(sitting.id, user).admission_no
    working = rows["in_progress"]
    assert (working["answered"], working["items"]) == (3, 8)
    assert working["last_saved_at"] and working["last_saved"]
    assert (working["focus_losses"], working["other_events"]) == (2, 1)
    assert working["events"] == {"blur": 2, "copy": 1}
    assert 29 * 60 < working["seconds_left"] <= 30 * 60
    assert rows["not_started"]["attempt_id"] is None
    assert rows["not_started"]["seconds_left"] is None and rows["not_started"]["answered"] == 0
    assert rows["time_over"]["seconds_left"] == 0
    assert rows["handed_in"]["seconds_left"] is None
    assert not any(r["by_invigilator"] for r in body["rows"])


def test_filters_and_search_narrow_the_rows_not_the_counts(app, open_sitting):
    sitting, admin, states = _world(open_sitting)
    client = log_in(app.test_client(), admin)
    base = f"/admin/sittings/{sitting.id}/live.json"
    body = client.get(f"{base}?state=in_progress").get_json()
    assert [r["state"] for r in body["rows"]] == ["in_progress"]
    assert sum(body["counts"].values()) == 5
    number = _enrolment(sitting.id, states["time_over"]).admission_no
    assert [r["admission_no"] for r in client.get(f"{base}?q={number}").get_json()["rows"]] == [
        number
    ]
    name = states["handed_in"].name
    assert [r["name"] for r in client.get(f"{base}?q={name}").get_json()["rows"]] == [name]
    assert client.get(f"{base}?state=nonsense&q=%25").get_json()["rows"] == []
    page = client.get(f"/admin/sittings/{sitting.id}/live?state=time_over")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert number in text and states["in_progress"].name not in text


def _json_statements(app, admin, sitting_id: int) -> list[str]:
    client = log_in(app.test_client(), admin)
    client.get(f"/admin/sittings/{sitting_id}/live.json")  # the session's first request
    with StatementCounter(db.engine) as counter:
        response = client.get(f"/admin/sittings/{sitting_id}/live.json")
    assert response.status_code == 200
    return [s.split()[0].upper() for s in counter.statements]


def test_the_json_costs_the_same_for_3_and_for_30_candidates(app, open_sitting):
    counts = []
    for size in (3, 30):
        sitting, admin, people = open_sitting(candidates=size)
        started = []
        for person in people[: size - 1]:  # all but one started, each with an answer
            attempt = attempts.start_or_resume(person, sitting.id)
            started.append(attempt.id)
            item = attempt.enrolment.paper.items[0]
            attempts.save_answers(person, attempt.id, {str(item.id): correct_response(None, item)},
                                  seq=1)  # fmt: skip
            integrity.record(person, attempt.id, [{"type": "blur", "at": "2026-05-01T09:00:00"}])
        attempts.submit(people[0], started[0])
        statements = _json_statements(app, admin, sitting.id)
        body = (
            log_in(app.test_client(), admin)
            .get(f"/admin/sittings/{sitting.id}/live.json")
            .get_json()
        )
        assert len(body["rows"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 14, counts


def test_an_invigilator_hands_in_for_a_candidate(app, open_sitting):
    sitting, admin, (candidate, other) = open_sitting(candidates=2)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    items = attempt.enrolment.paper.items
    answers = {str(i.id): correct_response(None, i) for i in items}
    attempts.save_answers(candidate, attempt.id, answers, seq=1)
    enrolment_id, attempt_id = attempt.enrolment_id, attempt.id
    client = log_in(app.test_client(), admin)
    page = f"/admin/sittings/{sitting.id}/live"
    url = f"/admin/sittings/{sitting.id}/live/{enrolment_id}/hand-in"
    refused = post_form(client, url, {"reason": "  "}, page=page)
    assert refused.status_code == 400
    assert "请" in refused.get_data(as_text=True) or "必填" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).status == "in_progress"
    reason = "考生身体不适，经本人同意提前交卷"
    done = post_form(client, url, {"reason": reason, "state": "in_progress"}, page=page)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"live?state=in_progress#candidate-{enrolment_id}")
    db.session.expire_all()
    handed = db.session.get(Attempt, attempt_id)
    assert handed.status == "submitted" and not handed.auto_submitted
    assert handed.score == handed.max_score == 11  # every acknowledged answer is scored
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "attempt.handed_in_by_invigilator")
    )
    assert entry.actor_id == admin.id and entry.subject_id == attempt_id
    assert entry.details["reason"] == reason and entry.details["score"] == 11
    row = client.get(f"{page}.json").get_json()["rows"]
    mine = next(r for r in row if r["enrolment_id"] == enrolment_id)
    assert mine["state"] == "handed_in" and mine["by_invigilator"]
    again = post_form(client, url, {"reason": reason}, page=page)
    assert again.status_code == 409
    assert "已交卷" in again.get_data(as_text=True)
    other_id = _enrolment(sitting.id, other).id
    not_started = post_form(
        client, f"/admin/sittings/{sitting.id}/live/{other_id}/hand-in", {"reason": reason},
        page=page,
    )  # fmt: skip
    assert not_started.status_code == 409
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "attempt.handed_in_by_invigilator")) == 1  # fmt: skip
    # The candidate's result page says who handed it in.
    mine_client = log_in(app.test_client(), candidate)
    result = mine_client.get(f"/exam/attempts/{attempt_id}").get_data(as_text=True)
    assert 'id="invigilator-note"' in result and "监考" in result
    save = mine_client.put(
        f"/api/v1/attempts/{attempt_id}/answers", json={"answers": {}, "seq": 9},
        headers={"X-CSRFToken": csrf_token(mine_client)},
    )  # fmt: skip
    assert save.status_code == 409


def test_a_candidate_of_another_sitting_is_404(app, open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    other, _, (someone,) = open_sitting()
    attempts.start_or_resume(someone, other.id)
    client = log_in(app.test_client(), admin)
    foreign = _enrolment(other.id, someone).id
    for action in ("hand-in", "extra-time"):
        response = post_form(
            client, f"/admin/sittings/{sitting.id}/live/{foreign}/{action}",
            {"reason": "误操作", "minutes": "5"}, page=f"/admin/sittings/{sitting.id}/live",
        )  # fmt: skip
        assert response.status_code == 404, action
    assert client.get("/admin/sittings/9999/live").status_code == 404
    assert client.get("/admin/sittings/9999/live.json").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(db.select(Attempt)).status == "in_progress"


def test_extra_time_shows_in_the_time_left(app, open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    client = log_in(app.test_client(), admin)
    page = f"/admin/sittings/{sitting.id}/live"
    before = client.get(f"{page}.json").get_json()["rows"][0]
    url = f"{page}/{attempt.enrolment_id}/extra-time"
    missing = post_form(client, url, {"minutes": "10", "reason": ""}, page=page)
    assert missing.status_code == 400 and 'value="10"' in missing.get_data(as_text=True)
    done = post_form(client, url, {"minutes": "10", "reason": "网络故障"}, page=page)
    assert done.status_code == 302
    after = client.get(f"{page}.json").get_json()["rows"][0]
    assert after["extra_minutes"] == 10
    assert 590 <= after["seconds_left"] - before["seconds_left"] <= 610
    assert "+10" in client.get(page).get_data(as_text=True)


def test_the_page_shows_the_rows_and_the_actions_it_allows(app, open_sitting):
    sitting, admin, states = _world(open_sitting)
    client = log_in(app.test_client(), admin)
    assert 'id="live-link"' in client.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    text = client.get(f"/admin/sittings/{sitting.id}/live").get_data(as_text=True)
    for user in states.values():
        assert user.name in text
    done = _enrolment(sitting.id, states["handed_in"]).id
    running = _enrolment(sitting.id, states["in_progress"]).id
    row_done = text.split(f'id="candidate-{done}"')[1].split("</tr>")[0]
    row_running = text.split(f'id="candidate-{running}"')[1].split("</tr>")[0]
    assert 'class="live-actions d-none"' in row_done
    assert "/hand-in" in row_running and 'class="act-hand-in"' in row_running
    assert db.session.scalar(db.select(db.func.count(AttemptEvent.id))) == 4


def test_hand_in_service_closes_an_attempt_whose_time_is_over(app, open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    _move_back(attempt, 40)
    import pytest

    from examsvc.services.errors import Conflict

    with pytest.raises(Conflict):
        proctor.hand_in_for(admin, sitting.id, attempt.enrolment_id, "超时", now=utcnow())
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt.id)
    assert closed.status == "submitted" and closed.auto_submitted
    assert not proctor.handed_in_by_invigilator(closed.id)


def test_only_admins_reach_the_live_view(login_as, open_sitting):
    sitting, _, _ = open_sitting()
    for role in (Role.CANDIDATE, Role.ORG_ADMIN, Role.EXAMINER):
        client, _ = login_as(role)
        assert client.get(f"/admin/sittings/{sitting.id}/live.json").status_code == 403

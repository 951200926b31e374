"""The admin's sitting pages: edit before opening, enrol an organisation, the extra-time
ledger (honoured by the exam API) and removing a candidate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Attempt, AuditEntry, Enrolment, Role, Sitting, TimeExtension, utcnow
from examsvc.services import exams, orgs
from tests.conftest import csrf_token, log_in, post_form


def admin_client(app, admin):
    return log_in(app.test_client(), admin)


def test_the_sitting_page_has_its_sections_and_links_the_roster_with_the_sitting(app, scheduled):
    sitting, admin = scheduled(candidates=1)
    client = admin_client(app, admin)
    page = client.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    for marker in ('id="enrol-one"', 'id="enrol-roster"', 'id="candidates"', 'id="party-note"'):
        assert marker in page, marker
    assert f'href="/roster/?sitting={sitting.id}"' in page
    assert "只有考试合格的中共党员" in page  # anyone may sit; only members get the certificate
    roster = client.get(f"/roster/?sitting={sitting.id}").get_data(as_text=True)
    assert f'<option selected value="{sitting.id}">' in roster


def test_edit_before_opening_saves_and_after_opening_refuses(app, scheduled, open_sitting):
    sitting, admin = scheduled(candidates=1)
    client = admin_client(app, admin)
    path = f"/admin/sittings/{sitting.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'value="明日场次"' in page
    opens = (utcnow() + timedelta(days=3)).astimezone()
    response = post_form(client, path, {
        "name": "改期后的场次", "blueprint_id": sitting.blueprint_id,
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "grace_seconds": "45",
    })  # fmt: skip
    assert response.status_code == 302
    assert db.session.get(Sitting, sitting.id).name == "改期后的场次"
    assert db.session.get(Sitting, sitting.id).grace_seconds == 45
    opened, admin2, _ = open_sitting()
    client2 = admin_client(app, admin2)
    page = client2.get(f"/admin/sittings/{opened.id}/edit").get_data(as_text=True)
    assert "考试已开始，不能再修改考试场次" in page
    response = client2.post(
        f"/admin/sittings/{opened.id}/edit",
        data={"csrf_token": csrf_token(client2), "name": "偷改",
              "blueprint_id": opened.blueprint_id, "opens_at": "2030-01-01T09:00",
              "closes_at": "2030-01-01T11:00", "grace_seconds": "30"},
    )  # fmt: skip
    assert response.status_code == 409
    assert db.session.get(Sitting, opened.id).name == "测试场次"


def test_enrol_by_organisation_reports_counts_and_reasons(app, scheduled, make_user):
    sitting, admin = scheduled(candidates=0)
    org = orgs.create("300", "第三支部")
    ok, waiting = make_user(Role.CANDIDATE, name="甲党员"), make_user(Role.CANDIDATE, name="乙待审")
    ok.organisation_id = waiting.organisation_id = org.id
    waiting.status = "pending"
    db.session.commit()
    client = admin_client(app, admin)
    response = post_form(
        client, f"/admin/sittings/{sitting.id}/enrol-organisation", {"org_id": org.id},
        page=f"/admin/sittings/{sitting.id}",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="count-enrolled">1<' in page and 'id="count-refused">1<' in page
    assert "乙待审" in page and "报名尚未审核通过" in page
    enrolled = db.session.scalars(
        db.select(Enrolment.user_id).where(Enrolment.sitting_id == sitting.id)
    )
    assert set(enrolled) == {ok.id}


def test_remove_a_candidate_before_opening_from_their_page(app, scheduled):
    sitting, admin = scheduled(candidates=2)
    row = exams.enrolments_of(sitting)[0]
    row_id = row.id
    client = admin_client(app, admin)
    page = client.get(f"/admin/sittings/{sitting.id}/candidates/{row.id}").get_data(as_text=True)
    assert 'id="remove-button"' in page
    response = post_form(
        client, f"/admin/sittings/{sitting.id}/candidates/{row.id}/remove", {},
        page=f"/admin/sittings/{sitting.id}/candidates/{row.id}",
    )  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(db.select(Enrolment.id).where(Enrolment.id == row_id)) is None


def test_a_candidate_of_another_sitting_is_404(app, scheduled):
    sitting, admin = scheduled(candidates=1)
    other, _ = scheduled(candidates=1)
    row = exams.enrolments_of(other)[0]
    client = admin_client(app, admin)
    assert client.get(f"/admin/sittings/{sitting.id}/candidates/{row.id}").status_code == 404
    token = csrf_token(client)
    for action in ("remove", "extra-time"):
        path = f"/admin/sittings/{sitting.id}/candidates/{row.id}/{action}"
        assert client.post(path, data={"csrf_token": token}).status_code == 404
    assert db.session.get(Enrolment, row.id) is not None


def _run_out_of_time(attempt_id: int, minutes: int) -> None:
    """Move the attempt into the past as if ``minutes`` had gone by since it started."""
    attempt = db.session.get(Attempt, attempt_id)
    shift = timedelta(minutes=minutes)
    attempt.started_at -= shift
    attempt.deadline -= shift
    db.session.commit()


@pytest.mark.parametrize("extended", [True, False])
def test_extra_time_lets_a_save_after_the_old_deadline_through(app, open_sitting, extended):
    sitting, admin, (person,) = open_sitting(duration=30)
    candidate = log_in(app.test_client(), person)
    token = csrf_token(candidate)
    started = candidate.post(
        f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": token}
    ).get_json()
    row = exams.enrolments_of(sitting)[0]
    if extended:
        client = admin_client(app, admin)
        path = f"/admin/sittings/{sitting.id}/candidates/{row.id}"
        response = post_form(
            client, f"{path}/extra-time", {"minutes": "20", "reason": "考场断电"}, page=path
        )
        assert response.status_code == 302
        assert "+20" in client.get(path).get_data(as_text=True)
    _run_out_of_time(started["attempt_id"], 35)  # 5 minutes past the old deadline and grace
    item = started["items"][0]
    answer = "A" if item["type"] == "single" else True
    response = candidate.put(
        f"/api/v1/attempts/{started['attempt_id']}/answers",
        json={"answers": {str(item["id"]): answer}, "seq": 1},
        headers={"X-CSRFToken": token},
    )
    if extended:
        assert response.status_code == 200, response.get_json()
        attempt = db.session.get(Attempt, started["attempt_id"])
        assert response.get_json()["deadline"] == attempt.deadline.isoformat()
        assert attempt.deadline == attempt.started_at + timedelta(minutes=50)
    else:
        assert response.status_code == 409
        assert response.get_json()["error"] == "attempt_closed"


def test_extra_time_is_capped_by_the_close_and_recorded(app, open_sitting):
    sitting, admin, (person,) = open_sitting(duration=30)
    from examsvc.services import attempts, extra_time

    attempt = attempts.start_or_resume(person, sitting.id)
    row = exams.enrolments_of(sitting)[0]
    extra_time.grant(admin, sitting.id, row.id, 600, "特殊情况")
    closes = db.session.get(Sitting, sitting.id).closes_at
    assert db.session.get(Attempt, attempt.id).deadline == closes
    entry = db.session.scalar(db.select(TimeExtension))
    assert (entry.minutes, entry.reason, entry.approved_by_id) == (600, "特殊情况", admin.id)
    audit = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "enrolment.time_extended")
    )
    assert audit.details["minutes"] == 600 and audit.details["deadline"] == closes.isoformat()
    client = admin_client(app, admin)
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "延长考试时间" in log


@pytest.mark.parametrize(("minutes", "reason"), [("0", "理由"), ("601", "理由"), ("10", " ")])
def test_bad_extra_time_is_refused_and_records_nothing(app, open_sitting, minutes, reason):
    sitting, admin, _ = open_sitting()
    row = exams.enrolments_of(sitting)[0]
    client = admin_client(app, admin)
    path = f"/admin/sittings/{sitting.id}/candidates/{row.id}"
    response = post_form(client, f"{path}/extra-time", {"minutes": minutes, "reason": reason},
                         page=path)  # fmt: skip
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(TimeExtension)) == 0


def test_the_new_pages_speak_chinese(app, scheduled, make_user):
    """The walk sees these pages only in some states: a scheduled sitting, a report with
    every kind of refusal, a candidate with extra time."""
    from examsvc.services import extra_time
    from tests.services.test_enrolment_rules import level_certificate, level_sitting
    from tests.web.test_chinese_walk import english_in, visible_text

    _, admin = scheduled(candidates=0)
    sitting = level_sitting(admin, 2)
    org = orgs.create("400", "第四支部")
    names = ["丙待审", "丁无级", "戊持证", "己已持"]
    people = [make_user(Role.CANDIDATE, name=n) for n in names]
    for person in people:
        person.organisation_id = org.id
    people[0].status = "pending"
    level_certificate(people[2], 1)
    level_certificate(people[3], 2)
    db.session.commit()
    client = admin_client(app, admin)
    page = f"/admin/sittings/{sitting.id}"
    report = post_form(
        client, f"{page}/enrol-organisation", {"org_id": org.id}, page=page
    ).get_data(as_text=True)
    assert "须先持有" in report and "已持有" in report and "报名尚未审核通过" in report
    row = exams.enrolments_of(sitting)[0]
    extra_time.grant(admin, sitting.id, row.id, 10, "延时")
    user_data = [*names, "第四支部", sitting.name, sitting.blueprint.name, admin.name, "延时"]
    for path in (page, f"{page}/edit", f"{page}/candidates/{row.id}"):
        html = client.get(path).get_data(as_text=True)
        assert english_in(visible_text(html), user_data) == [], path
    assert english_in(visible_text(report), user_data) == []


def test_a_published_sitting_offers_no_enrolment_and_cannot_be_started(
    app, open_sitting, make_user
):
    """Published while still open (everyone handed in early): no enrolment form, no roster
    choice, and the exam page of someone enrolled earlier without an attempt opens no paper."""
    from examsvc.services import results
    from tests.services.test_results import sit

    sitting, admin, (first, waiting) = open_sitting(candidates=2)
    sit(first, sitting)
    sit(waiting, sitting)
    results.publish(admin, sitting.id)
    client = admin_client(app, admin)
    page = client.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="enrol-one"' not in page and 'id="enrol-roster"' not in page
    roster = client.get(f"/roster/?sitting={sitting.id}").get_data(as_text=True)
    assert f'value="{sitting.id}"' not in roster
    late = make_user(Role.CANDIDATE)
    response = post_form(client, f"/admin/sittings/{sitting.id}/enrol", {"email": late.email},
                         page=f"/admin/sittings/{sitting.id}")  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(db.select(Enrolment.id).where(Enrolment.user_id == late.id)) is None
    db.session.add(Enrolment(sitting_id=sitting.id, user_id=late.id, admission_no="legacy-1"))
    db.session.commit()  # enrolled before publications refused it
    candidate = log_in(app.test_client(), late)
    page = candidate.get(f"/exam/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="not-open"' in page
    response = candidate.post(
        f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": csrf_token(candidate)}
    )
    assert response.status_code == 409 and response.get_json()["error"] == "results_published"
    assert db.session.scalar(db.select(Attempt.id).join(Enrolment).where(
        Enrolment.user_id == late.id)) is None  # fmt: skip

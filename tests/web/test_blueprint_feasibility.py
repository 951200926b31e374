"""A blueprint the bank cannot fill is never saved, and no page claims a paper not drawn."""

from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Blueprint, Question, Role, Sitting, utcnow
from examsvc.services import assembly, exams
from examsvc.services.errors import Conflict
from tests.conftest import log_in, post_form
from tests.web.test_skeleton import FAIRNESS

SHORT_ROWS = [exams.RowSpec("constitution", "single", 50, 2.0)]


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_blueprint_the_bank_cannot_fill_is_refused_with_its_shortfalls(make_user, bank_of):
    admin = make_user(Role.ADMIN)
    bank_of(3, "single")
    with pytest.raises(Conflict) as info:
        exams.create_blueprint(
            admin,
            name="缺题",
            exam_kind="post_qualification",
            duration_minutes=60,
            pass_mark=60,
            rows=SHORT_ROWS,
        )
    assert info.value.code == "blueprint_infeasible"
    assert "3/50" in info.value.message and "党章党规" in info.value.message
    assert count(Blueprint) == 0


def test_the_blueprint_form_shows_the_shortfall_and_saves_nothing(app, login_as, bank_of):
    bank_of(3, "single")
    client, _ = login_as(Role.ADMIN)
    response = post_form(
        client,
        "/admin/blueprints/new",
        {
            "name": "缺题",
            "exam_kind": "post_qualification",
            "level": "0",
            "duration_minutes": "60",
            "pass_mark": "60",
            "multiple_rule": "all_or_nothing",
            **FAIRNESS,
            "rows-0-area": "constitution",
            "rows-0-qtype": "single",
            "rows-0-count": "50",
            "rows-0-points": "2",
        },
    )
    assert response.status_code == 409
    assert "3/50" in response.get_data(as_text=True)
    assert count(Blueprint) == 0


def test_no_sitting_is_scheduled_for_a_blueprint_the_bank_no_longer_fills(scheduled):
    sitting, admin = scheduled(candidates=0)
    db.session.execute(db.update(Question).where(Question.type == "judge").values(status="retired"))
    db.session.commit()
    now = utcnow()
    with pytest.raises(Conflict) as info:
        exams.create_sitting(
            admin,
            sitting.blueprint_id,
            "再来一场",
            now + timedelta(days=3),
            now + timedelta(days=4),
        )
    assert info.value.code == "blueprint_infeasible" and "0/2" in info.value.message
    assert count(Sitting) == 1


def test_enrolling_before_the_draw_does_not_claim_a_paper(app, scheduled, make_user):
    sitting, admin = scheduled(candidates=1)
    client = log_in(app.test_client(), admin)
    early, late = make_user(), make_user()
    page = f"/admin/sittings/{sitting.id}"
    response = post_form(client, f"{page}/enrol", {"email": early.email}, page=page)
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "试卷已生成" not in text and "paper drawn" not in text
    assert 'class="alert alert-success' in text
    assembly.randomize(admin, sitting.id)
    response = post_form(client, f"{page}/enrol", {"email": late.email}, page=page)
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "试卷已生成" in text

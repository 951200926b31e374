"""Why a passed candidate holds no certificate, where people look for it: the candidate's
result page and the admin's sitting page, after the issue run as well as before it (the
issue's flash message is gone after one page)."""

from __future__ import annotations

import pytest

from examsvc.extensions import db
from examsvc.models import Certificate
from examsvc.services import results
from tests.conftest import log_in
from tests.services.test_certificate_rules import attended, course_for
from tests.services.test_results import sit

REASON = "课程“基层党务工作者培训班”规定 16 学时，已记录 8 学时"


@pytest.fixture
def app_config() -> dict:
    return {"NOTICE_WORKING_DAYS": 0}


@pytest.fixture
def training(app, open_sitting):
    """A published training test: one candidate with the course's hours, one short of them."""
    sitting, admin, (full, short) = open_sitting(candidates=2, kind="training")
    full.name, short.name = "全勤学员", "缺课学员"
    course = course_for(sitting, admin, 16)
    attended(course, full, 16)
    attended(course, short, 8)
    attempts = {p.id: sit(p, sitting) for p in (full, short)}
    results.publish(admin, sitting.id)
    return sitting, admin, full, short, attempts


def test_the_candidate_short_of_hours_reads_why_on_their_result(app, training):
    sitting, admin, full, short, attempts = training
    short_page = log_in(app.test_client(), short)
    page = short_page.get(f"/exam/attempts/{attempts[short.id].id}").get_data(as_text=True)
    assert 'id="no-certificate"' in page and REASON in page
    results.issue_certificates(admin, sitting.id)
    page = short_page.get(f"/exam/attempts/{attempts[short.id].id}").get_data(as_text=True)
    assert 'id="no-certificate"' in page and REASON in page
    full_page = log_in(app.test_client(), full)
    page = full_page.get(f"/exam/attempts/{attempts[full.id].id}").get_data(as_text=True)
    number = db.session.scalar(db.select(Certificate.number).where(Certificate.user_id == full.id))
    assert 'id="no-certificate"' not in page and number in page


def test_the_sitting_page_says_why_a_pass_has_no_certificate(app, training):
    sitting, admin, _full, _short, _attempts = training
    results.issue_certificates(admin, sitting.id)
    client = log_in(app.test_client(), admin)
    page = client.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    assert page.count('no-certificate"') == 1
    assert REASON in page and page.count('class="cert-number"') == 1


def test_a_failed_candidate_is_told_nothing_about_certificates(app, open_sitting):
    sitting, admin, (person,) = open_sitting(kind="training")
    attempt = sit(person, sitting, right=False)
    results.publish(admin, sitting.id)
    page = log_in(app.test_client(), person).get(f"/exam/attempts/{attempt.id}")
    assert 'id="no-certificate"' not in page.get_data(as_text=True)

"""The archive pages: a person's own (培训档案), one of their people for admins and org
admins, and an organisation's dashboard; every figure read from what is recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import (
    Assessment,
    Inspection,
    InspectionResult,
    LevelRecord,
    Role,
    TrainingRecord,
)
from examsvc.services import archive, certificates, orgs
from tests.conftest import log_in


@pytest.fixture
def people(app, make_user):
    """An organisation tree (district → branch A, branch B) with a member of A who trained,
    holds L1 (then suspended by 年检) and a certificate, and a member of B who did not."""
    district = orgs.create("D1", "某区委")
    branch_a = orgs.create("A1", "第一党支部", parent=district)
    branch_b = orgs.create("B1", "第二党支部", parent=district)
    trained = make_user(Role.CANDIDATE, name="张三")
    trained.organisation, trained.category, trained.post = branch_a, "community", "组织委员"
    idle = make_user(Role.CANDIDATE, name="李四")
    idle.organisation, idle.category = branch_b, "organ"
    last_year = certificates.today_local().year - 1
    for hours, day in ((16.0, 3), (12.0, 20)):
        db.session.add(
            TrainingRecord(
                user=trained, course_name=f"党务实务培训{day}", organiser="区委党校",
                starts_on=date(last_year, 5, day), ends_on=date(last_year, 5, day), hours=hours,
            )
        )  # fmt: skip
    cert = certificates.create(
        trained, "level", 1, certificates.today_local() - timedelta(days=3 * 365 - 30)
    )
    db.session.add_all(
        [
            LevelRecord(user_id=trained.id, level=1, effective_on=date(last_year - 1, 3, 1),
                        decision="certified", basis="初级考试合格", certificate=cert),
            LevelRecord(user_id=trained.id, level=1, effective_on=date(last_year + 1, 1, 20),
                        decision="suspended", basis=f"{last_year}年度年检未通过"),
        ]
    )  # fmt: skip
    inspection = Inspection(organisation=branch_a, year=last_year, state="closed")
    db.session.add(inspection)
    db.session.flush()
    db.session.add(
        InspectionResult(
            inspection_id=inspection.id, user_id=trained.id, certificate_id=cert.id,
            assessment=Assessment.INCOMPETENT.value, in_party_post=True, trainings=2,
            hours=28.0, minimum_hours=24.0, passed=False, outcome="suspended",
        )
    )  # fmt: skip
    db.session.commit()
    return {"district": district, "a": branch_a, "b": branch_b, "trained": trained,
            "idle": idle, "cert": cert, "year": last_year}  # fmt: skip


def test_a_person_reads_their_whole_archive(app, people):
    client = log_in(app.test_client(), people["trained"])
    page = client.get("/archive/").get_data(as_text=True)
    assert "我的档案" in page and "党务实务培训3" in page and "区委党校" in page
    assert people["cert"].number in page
    assert "年检" in page and "不称职" in page and "初级考试合格" in page
    assert "暂停" in page  # the level is held, suspended
    record = archive.person(people["trained"])
    last = next(y for y in record.years if y.year == people["year"])
    assert (last.trainings, last.hours, last.minimum, last.basis) == (2, 28.0, 24, "leader")
    assert last.met and (record.level, record.level_suspended) == (1, True)


def test_the_dashboard_counts_the_subtree(app, people, make_user):
    admin = make_user(Role.ADMIN)
    client = log_in(app.test_client(), admin)
    year = people["year"]
    response = client.get(f"/archive/orgs/{people['district'].id}?year={year}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in page
    board = archive.dashboard(people["district"], year)
    assert board.people == 2 and (board.hours_met, board.hours_short) == (1, 1)
    assert board.by_level[1] == 1 and board.by_level[0] == 1 and board.suspended == 1
    assert [p.name for p, _ in board.short_people] == ["李四"]
    assert board.short_people[0][1].short == 24.0
    assert board.by_category == {"community": (1, 0), "organ": (0, 1)}
    assert [c.number for c in board.expiring] == [people["cert"].number]
    only_b = archive.dashboard(people["b"], year)
    assert only_b.people == 1 and only_b.expiring == []


def test_org_admins_see_their_subtree_only(app, people, make_user):
    org_admin = make_user(Role.ORG_ADMIN)
    org_admin.managed_organisation = people["a"]
    db.session.commit()
    client = log_in(app.test_client(), org_admin)
    assert client.get(f"/archive/people/{people['trained'].id}").status_code == 200
    assert client.get(f"/archive/people/{people['idle'].id}").status_code == 404
    assert client.get(f"/archive/orgs/{people['a'].id}").status_code == 200
    assert client.get(f"/archive/orgs/{people['b'].id}").status_code == 404
    assert client.get(f"/archive/orgs/{people['district'].id}").status_code == 404
    went = client.get("/archive/orgs/")
    assert went.status_code == 302 and went.headers["Location"].endswith(
        f"/archive/orgs/{people['a'].id}"
    )


def test_a_candidate_sees_only_their_own_archive(app, people):
    client = log_in(app.test_client(), people["idle"])
    assert client.get(f"/archive/people/{people['trained'].id}").status_code == 403
    assert client.get(f"/archive/orgs/{people['a'].id}").status_code == 403
    page = client.get("/archive/").get_data(as_text=True)
    assert "张三" not in page and "李四" in page


def test_a_year_out_of_range_falls_back_to_this_year(app, people, make_user):
    client = log_in(app.test_client(), make_user(Role.ADMIN))
    page = client.get(f"/archive/orgs/{people['a'].id}?year=1900").get_data(as_text=True)
    assert f'<option value="{certificates.today_local().year}" selected>' in page

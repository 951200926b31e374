"""The level pages: applying, the six steps recorded from the application's page, a person's
level and changes of post, the rule pages; and what another subtree's org admin cannot see."""

from __future__ import annotations

import re

import pytest

from examsvc.extensions import db
from examsvc.models import PostChange, Promotion, Role, RuleSet
from examsvc.services import levels
from examsvc.services.levels import promotions, rules
from tests.conftest import form_token, log_in, post_form
from tests.services.level_world import member, tree


@pytest.fixture
def people(app, make_user) -> dict:
    found = tree(make_user)
    found["admin"] = make_user(Role.ADMIN)
    found["person"] = member(make_user, found["branch"], name="孙晋级")
    return found


def client_of(app, user):
    return log_in(app.test_client(), user)


def test_a_candidate_applies_from_their_own_page_and_follows_the_steps(app, people):
    person = people["person"]
    client = client_of(app, person)
    page = client.get("/levels/mine/").get_data(as_text=True)
    assert 'id="declare-form"' in page and 'id="level-held"' in page
    response = post_form(client, "/levels/mine/declare", {"to_level": "1", "note": "三年党务"},
                         page="/levels/mine/")  # fmt: skip
    assert response.status_code == 302
    (promotion,) = db.session.scalars(db.select(Promotion)).all()
    assert promotion.user_id == person.id and promotion.current_step == "org_review"
    page = client.get("/levels/mine/").get_data(as_text=True)
    assert 'id="open-application"' in page and 'id="declare-form"' not in page
    assert "三年党务" in page
    # a stale page applying for a level no longer next is refused, nothing written
    post_form(client, "/levels/mine/declare", {"to_level": "1"}, page="/levels/mine/")
    assert db.session.scalar(db.select(db.func.count(Promotion.id))) == 1
    response = post_form(client, f"/levels/mine/promotions/{promotion.id}/withdraw",
                         {"reason": "暂不申报"}, page="/levels/mine/")  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(promotion)
    assert promotion.state == "withdrawn"


def test_the_steps_are_recorded_from_the_application_page_in_order(app, people):
    admin, org_admin, person = people["admin"], people["org_admin"], people["person"]
    promotion = promotions.declare(person, person.id, 1, "")
    path = f"/levels/promotions/{promotion.id}"
    org = client_of(app, org_admin)
    page = org.get(path).get_data(as_text=True)
    assert 'id="step-form"' in page and 'id="rule-preview"' in page
    out_of_order = post_form(org, f"{path}/steps", {"step": "field_visit", "outcome": "passed"},
                             page=path)  # fmt: skip
    assert out_of_order.status_code == 409
    review = {"step": "org_review", "outcome": "passed", "note": "同意"}
    assert post_form(org, f"{path}/steps", review, page=path).status_code == 302
    assert 'id="not-yours"' in org.get(path).get_data(as_text=True)  # the test is the admins'
    boss = client_of(app, admin)
    page = boss.get(path).get_data(as_text=True)
    assert 'name="attempt"' in page
    refused = post_form(boss, f"{path}/steps", {"step": "training_test", "outcome": "passed",
                                                "attempt": ""}, page=path)  # fmt: skip
    assert refused.status_code == 409  # no attempt and no note: no evidence
    data = {"step": "training_test", "outcome": "failed", "note": "测试未达合格线", "attempt": ""}
    assert post_form(boss, f"{path}/steps", data, page=path).status_code == 302
    db.session.refresh(promotion)
    assert promotion.state == "refused"
    page = boss.get(path).get_data(as_text=True)
    assert "测试未达合格线" in page and 'id="step-form"' not in page


def test_an_admin_completes_an_application_and_the_person_page_shows_the_level(app, people):
    admin, org_admin, person = people["admin"], people["org_admin"], people["person"]
    promotion = promotions.declare(org_admin, person.id, 1, "组织推荐")
    promotions.decide(org_admin, promotion.id, "org_review", "passed", "")
    boss = client_of(app, admin)
    path = f"/levels/promotions/{promotion.id}"
    for step, extra in [
        ("training_test", {"note": "区委党校测试合格", "attempt": ""}),
        ("field_visit", {}),
        ("assessment", {"panel": "王一\n李二\n张三"}),
        ("public_notice", {}),
    ]:
        response = post_form(boss, f"{path}/steps", {"step": step, "outcome": "passed", **extra},
                             page=path)  # fmt: skip
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
    page = boss.get(path).get_data(as_text=True)
    assert 'id="promotion-certificate"' in page and "王一、李二、张三" in page
    person_page = boss.get(f"/levels/people/{person.id}").get_data(as_text=True)
    assert 'id="level-history"' in person_page and levels.standing(person).level == 1
    assert re.search(r"L1-0000-\d{4}-\d{9}", person_page) or "L1-" in person_page
    listing = boss.get("/levels/promotions?state=approved").get_data(as_text=True)
    assert f"/levels/promotions/{promotion.id}" in listing
    assert f"/levels/promotions/{promotion.id}" not in boss.get(
        "/levels/promotions?state=open"
    ).get_data(as_text=True)


def test_another_subtrees_org_admin_sees_nothing(app, people):
    person, stranger = people["person"], people["stranger"]
    promotion = promotions.declare(person, person.id, 1, "")
    client = client_of(app, stranger)
    for path in (f"/levels/promotions/{promotion.id}", f"/levels/people/{person.id}",
                 f"/levels/people/{person.id}/posts"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    token = form_token(client.get("/levels/promotions").get_data(as_text=True))
    posts = [
        f"/levels/promotions/{promotion.id}/steps",
        f"/levels/promotions/{promotion.id}/withdraw",
        f"/levels/people/{person.id}/declare",
        f"/levels/people/{person.id}/posts",
    ]
    for path in posts:
        data = {"csrf_token": token, "step": "org_review", "outcome": "passed", "reason": "x"}
        assert client.post(path, data=data).status_code == 404, path
    assert promotion.state == "open" and promotion.current_step == "org_review"
    listing = client.get("/levels/promotions").get_data(as_text=True)
    assert person.name not in listing
    other = client_of(app, member_of_nobody(app, people))
    data = {"csrf_token": csrf(other), "reason": "x"}
    response = other.post(f"/levels/mine/promotions/{promotion.id}/withdraw", data=data)
    assert response.status_code == 404


def member_of_nobody(app, people):
    from examsvc.services import accounts
    from tests.conftest import PASSWORD

    return accounts.create_user("nobody@example.com", [Role.CANDIDATE], PASSWORD, "路人甲")


def csrf(client) -> str:
    return client.get("/api/v1/session").get_json()["csrf_token"]


def test_a_change_of_post_is_reported_from_its_page(app, people):
    org_admin, person = people["org_admin"], people["person"]
    client = client_of(app, org_admin)
    path = f"/levels/people/{person.id}/posts"
    bad = post_form(client, path, {"new_post": "", "in_party_post": "yes",
                                   "effective_on": "2026-02-30"})  # fmt: skip
    assert bad.status_code == 400 and db.session.scalar(db.select(PostChange.id)) is None
    response = post_form(client, path, {"old_post": "组织委员", "new_post": "销售经理",
                                        "in_party_post": "no", "effective_on": "2026-01-01",
                                        "note": "调离党务岗位"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "销售经理" in page and "调离党务岗位" in page
    db.session.refresh(person)
    assert person.post == "销售经理"


def test_rules_are_read_as_sentences_and_a_new_version_is_saved_from_rows(app, people):
    admin = people["admin"]
    client = client_of(app, admin)
    index = client.get("/levels/rules/").get_data(as_text=True)
    assert index.count('class="col-12 col-lg-6"') == 6
    path = "/levels/rules/L2"
    page = client.get(path).get_data(as_text=True)
    assert 'name="conditions-0-check"' in page and 'id="checks"' in page
    assert db.session.scalar(db.select(db.func.count(RuleSet.id))) == 0  # reading saves nothing
    bad = post_form(client, path, {"conditions-0-check": "months_in_level",
                                   "conditions-0-value": "abc", "note": "试行",
                                   "base_version": "1"})  # fmt: skip
    assert bad.status_code == 400 and 'id="rule-problems"' in bad.get_data(as_text=True)
    good = post_form(client, path, {"conditions-0-check": "level_held", "conditions-0-value": "1",
                                    "conditions-2-check": "hours_per_year",
                                    "conditions-2-value": "16", "conditions-2-years": "1",
                                    "note": "试行新办法", "base_version": "1"})  # fmt: skip
    assert good.status_code == 302
    row = rules.current("level", 2, seed=False)
    assert row.version == 2 and row.conditions == [
        {"check": "level_held", "level": 1},
        {"check": "hours_per_year", "hours": 16, "years": 1},
    ]
    page = client.get(path).get_data(as_text=True)
    assert 'id="version-1"' in page and 'id="version-2"' in page
    stale = post_form(client, path, {"conditions-0-check": "party_member", "note": "旧页面",
                                     "base_version": "1"})  # fmt: skip
    assert stale.status_code == 409
    audit = client.get("/admin/audit?action=rules.version_created").get_data(as_text=True)
    assert "rules.version_created" in audit and "hours_per_year" not in audit.split("<main", 1)[1]
    assert client.get("/levels/rules/L9").status_code == 404

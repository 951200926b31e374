"""The curation pages: every type through the form, who may not see or change what."""

import pytest

from examsvc.extensions import db
from examsvc.models import Question, Role
from examsvc.services import bank, review
from tests.conftest import csrf_token, log_in, post_form, single_fields

BASE = {"area": "practice", "difficulty": "2", "channel": "public", "exams": ["training", "L1"]}
FORMS = {
    "single": {
        "stem": "三会一课中的“一课”是指（  ）。",
        "option_a": "党课",
        "option_b": "团课",
        "option_c": "网课",
        "key": "A",
    },
    "multiple": {
        "stem": "三会一课包括（  ）。",
        "option_a": "支部党员大会",
        "option_b": "支部委员会",
        "option_c": "党小组会",
        "option_d": "职工代表大会",
        "keys": ["A", "B", "C"],
    },
    "judge": {"stem": "党小组会一般每月召开1次。", "judge_key": "true"},
    "fill": {"stem": "党支部党员大会一般每____召开1次。", "blanks": "季度 | 一季度"},
    "short": {
        "stem": "简述“三会一课”制度的主要内容。",
        "reference": "支部党员大会、支部委员会、党小组会和党课",
        "rubric": "答出三会 | 6\n答出党课 | 4",
    },
}


@pytest.mark.parametrize("qtype", list(FORMS))
def test_every_type_can_be_submitted_through_the_form(login_as, qtype):
    client, user = login_as(Role.CONTRIBUTOR)
    response = post_form(client, "/bank/submit", {**BASE, "type": qtype, **FORMS[qtype]})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    question = db.session.scalar(db.select(Question))
    assert (question.type, question.contributor_id, question.exams) == (
        qtype,
        user.id,
        {"training", "L1"},
    )
    if qtype == "fill":
        assert question.key == [["季度", "一季度"]]
    if qtype == "short":
        assert question.rubric == [["答出三会", 6.0], ["答出党课", 4.0]]


def test_a_bad_form_names_the_problems_and_saves_nothing(login_as):
    client, _ = login_as(Role.CONTRIBUTOR)
    data = {
        **BASE,
        "type": "multiple",
        "stem": "题干",
        "option_a": "甲",
        "option_b": "甲",
        "option_c": "丙",
        "keys": ["A"],
    }
    response = post_form(client, "/bank/submit", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "选项 B 与选项 A 重复" in page and "至少要有两个正确答案" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_contributors_see_and_edit_only_their_own_questions(app, make_user):
    owner, other = make_user(Role.CONTRIBUTOR), make_user(Role.CONTRIBUTOR)
    question = bank.submit_question(owner, "public", single_fields(1))
    intruder = log_in(app.test_client(), other)
    assert intruder.get(f"/bank/questions/{question.id}").status_code == 404
    assert intruder.get(f"/bank/questions/{question.id}/edit").status_code == 404
    token = csrf_token(intruder)
    edit = intruder.post(
        f"/bank/questions/{question.id}/edit",
        data={**BASE, "type": "judge", "stem": "改", "judge_key": "true", "csrf_token": token},
    )
    assert edit.status_code == 404
    intruder.post(
        f"/bank/questions/{question.id}/comments", data={"body": "hi", "csrf_token": token}
    )
    db.session.expire_all()
    stored = db.session.get(Question, question.id)
    assert stored.stem == question.stem and stored.comments == []
    assert question.stem not in intruder.get("/bank/mine").get_data(as_text=True)
    mine = log_in(app.test_client(), owner)
    assert question.stem in mine.get(f"/bank/questions/{question.id}").get_data(as_text=True)


def test_returned_question_round_trip_through_the_pages(app, make_user):
    owner, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    question = bank.submit_question(owner, "public", single_fields(1))
    e_client = log_in(app.test_client(), examiner)
    response = post_form(
        e_client, f"/review/{question.id}", {"decision": "return", "reason": "请补充出处"}
    )
    assert response.status_code == 302
    c_client = log_in(app.test_client(), owner)
    assert "请补充出处" in c_client.get(f"/bank/questions/{question.id}").get_data(as_text=True)
    edit_page = c_client.get(f"/bank/questions/{question.id}/edit").get_data(as_text=True)
    assert "党的最高领导机关" in edit_page
    data = {
        **BASE,
        "area": "constitution",
        "type": "single",
        "stem": single_fields(1)["stem"],
        "option_a": "党的全国代表大会和它所产生的中央委员会",
        "option_b": "国务院",
        "option_c": "全国政协",
        "option_d": "最高人民法院",
        "key": "A",
        "source": "《中国共产党章程》第十条",
    }
    response = post_form(c_client, f"/bank/questions/{question.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).status == "submitted"
    review_page = e_client.get(f"/review/{question.id}").get_data(as_text=True)
    assert "请补充出处" in review_page
    assert review_page.count("badge text-bg-light border") == 2  # the two exams it may serve


def test_similar_lookup_never_shows_a_contributor_the_text_of_other_questions(app, make_user):
    owner, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    pending = bank.submit_question(owner, "public", single_fields(1))
    approved = bank.submit_question(
        owner,
        "public",
        single_fields(
            2, stem="预备党员的预备期为（  ）。", options=["半年", "一年", "两年", "三年"], key="B"
        ),
    )
    review.review(examiner, approved.id, "approve")
    writer = log_in(app.test_client(), make_user(Role.CONTRIBUTOR))
    token = csrf_token(writer)

    def look(client, question, stem=None):
        response = client.post(
            "/bank/similar",
            json={"stem": stem or question.stem, "options": question.options},
            headers={"X-CSRFToken": token if client is writer else csrf_token(client)},
        )
        assert response.status_code == 200
        return response.get_json()["similar"]

    for question in (pending, approved):
        (seen,) = look(writer, question)
        assert seen == {"score": 1.0, "status": question.status, "own": False}
        body = writer.post(
            "/bank/similar",
            json={"stem": question.stem, "options": question.options},
            headers={"X-CSRFToken": token},
        ).get_data(as_text=True)
        assert "预备期" not in body and "最高领导机关" not in body and "国务院" not in body
    # A near miss tells a contributor no more than a tenth of similarity.
    (near,) = look(writer, approved, stem="预备党员的预备期是（ ）")
    assert 0.6 <= near["score"] < 1 and round(near["score"] * 10, 9).is_integer()
    # The author sees their own question in full; examiners see everything.
    owner_client = log_in(app.test_client(), owner)
    (mine,) = look(owner_client, approved)
    assert (mine["id"], mine["stem"], mine["own"]) == (approved.id, approved.stem, True)
    e_client = log_in(app.test_client(), examiner)
    (full,) = look(e_client, pending)
    assert (full["id"], full["stem"], full["status"]) == (pending.id, pending.stem, "submitted")
    bad = writer.post("/bank/similar", json={"stem": 5}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"stem": "x", "exclude": []},
        {"stem": "x", "exclude": {}},
        {"stem": "x", "exclude": "3"},
        {"stem": "x", "exclude": True},
        {"stem": "x", "options": "AB"},
        {"stem": None},
    ],
)
def test_similar_lookup_refuses_malformed_bodies_with_a_clear_400(app, make_user, body):
    writer = log_in(app.test_client(), make_user(Role.CONTRIBUTOR))
    response = writer.post("/bank/similar", json=body, headers={"X-CSRFToken": csrf_token(writer)})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_similar_lookup_excludes_the_question_being_edited(app, make_user):
    owner = make_user(Role.CONTRIBUTOR)
    question = bank.submit_question(owner, "public", single_fields(1))
    client = log_in(app.test_client(), owner)
    body = {"stem": question.stem, "options": question.options}
    token = csrf_token(client)
    assert client.post("/bank/similar", json=body, headers={"X-CSRFToken": token}).get_json()[
        "similar"
    ]
    for exclude, expected in ((question.id, 0), (question.id + 1, 1), (2**62, 1)):
        found = client.post(
            "/bank/similar", json={**body, "exclude": exclude}, headers={"X-CSRFToken": token}
        ).get_json()["similar"]
        assert len(found) == expected, exclude


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.CONTRIBUTOR, Role.ORG_ADMIN, Role.ADMIN])
def test_non_examiners_cannot_use_the_review_pages(login_as, make_user, role):
    question = bank.submit_question(make_user(Role.CONTRIBUTOR), "public", single_fields(1))
    client, _ = login_as(role)
    token = csrf_token(client)
    for path in (
        "/review/",
        "/review/bank",
        "/review/credit",
        f"/review/{question.id}",
        f"/review/{question.id}/history",
        f"/review/{question.id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    assert (
        client.post(
            f"/review/{question.id}", data={"decision": "approve", "csrf_token": token}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/review/{question.id}/retire", data={"reason": "x", "csrf_token": token}
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).status == "submitted"


def test_candidates_cannot_submit_or_read_submissions(login_as, make_user):
    question = bank.submit_question(make_user(Role.CONTRIBUTOR), "public", single_fields(1))
    client, _ = login_as(Role.CANDIDATE)
    for path in ("/bank/submit", "/bank/mine", f"/bank/questions/{question.id}"):
        assert client.get(path).status_code == 403, path
    assert (
        client.post(
            "/bank/similar",
            json={"stem": question.stem},
            headers={"X-CSRFToken": csrf_token(client)},
        ).status_code
        == 403
    )


def test_examiner_pages_render_with_filters(app, make_user):
    owner, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    question = bank.submit_question(owner, "public", single_fields(1))
    review.review(examiner, question.id, "approve")
    client = log_in(app.test_client(), examiner)
    assert question.stem in client.get(
        "/review/bank?area=constitution&type=single&difficulty=2&status=approved"
    ).get_data(as_text=True)
    assert question.stem not in client.get("/review/bank?area=history").get_data(as_text=True)
    assert client.get("/review/bank?difficulty=bogus&page=99").status_code == 200
    assert owner.name in client.get("/review/credit").get_data(as_text=True)
    assert "v1" in client.get(f"/review/{question.id}/history").get_data(as_text=True)
    edit = client.get(f"/review/{question.id}/edit").get_data(as_text=True)
    assert question.stem in edit


def test_json_endpoints_refuse_bodies_that_are_not_objects(app, make_user):
    contributor = log_in(app.test_client(), make_user(Role.CONTRIBUTOR))
    response = contributor.post(
        "/bank/similar", json=["x"], headers={"X-CSRFToken": csrf_token(contributor)}
    )
    assert response.status_code == 400
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    for body in (["x"], {"rows": "x"}, {"rows": ["x"]}):
        response = admin.post(
            "/admin/blueprints/check", json=body, headers={"X-CSRFToken": csrf_token(admin)}
        )
        assert response.status_code == 400, body

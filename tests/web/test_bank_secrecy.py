"""No path shows a non-examiner the text or key of somebody else's bank question."""

import io

import pytest

from examsvc.extensions import db
from examsvc.models import Role
from examsvc.services import bank, review
from tests.conftest import csrf_token, form_token, log_in, post_form

SECRET = {
    "type": "single",
    "area": "discipline",
    "stem": "依照纪律处分条例，党员受到严重警告处分后多长时间内不得在党内提升职务（  ）。",
    "options": ["六个月", "一年", "一年半", "两年"],
    "key": "C",
    "explanation": "机密解析：依据条例第十条的规定作答。",
    "difficulty": 3,
}
HIDDEN = [SECRET["stem"][:12], SECRET["explanation"], "一年半"]


@pytest.fixture
def approved(make_user):
    author, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    question = bank.submit_question(author, "public", SECRET)
    review.review(examiner, question.id, "approve")
    return question


def assert_hidden(body: str, where: str) -> None:
    for text in HIDDEN:
        assert text not in body, (where, text)


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.CONTRIBUTOR, Role.ORG_ADMIN, Role.ADMIN])
def test_pages_never_show_another_s_bank_question(app, approved, login_as, role):
    client, _ = login_as(role, Role.CONTRIBUTOR) if role == Role.CANDIDATE else login_as(role)
    qid = approved.id
    for path in (
        "/",
        "/bank/mine",
        f"/bank/questions/{qid}",
        f"/bank/questions/{qid}/edit",
        "/review/",
        "/review/bank",
        f"/review/{qid}",
        f"/review/{qid}/history",
        f"/review/{qid}/edit",
        "/exam/",
    ):
        response = client.get(path)
        assert response.status_code in (200, 302, 403, 404), path
        assert_hidden(response.get_data(as_text=True), path)
    token = csrf_token(client)
    comment = client.post(
        f"/bank/questions/{qid}/comments", data={"body": "让我看看", "csrf_token": token}
    )
    assert comment.status_code in (302, 403)
    assert_hidden(
        client.get(comment.headers.get("Location", "/")).get_data(as_text=True), "comment"
    )
    similar = client.post(
        "/bank/similar",
        json={"stem": SECRET["stem"], "options": SECRET["options"]},
        headers={"X-CSRFToken": token},
    )
    assert_hidden(similar.get_data(as_text=True), "similar")


def test_refusing_an_exact_copy_names_no_text_and_links_nowhere(app, approved, make_user):
    client = log_in(app.test_client(), make_user(Role.CONTRIBUTOR))
    data = {
        "type": "single",
        "area": "discipline",
        "difficulty": "3",
        "channel": "public",
        "exams": ["post_qualification"],
        "stem": SECRET["stem"],
        "option_a": "六个月",
        "option_b": "一年",
        "option_c": "一年半",
        "option_d": "两年",
        "key": "A",
    }
    response = post_form(client, "/bank/submit", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"#{approved.id}" in body  # the number only: the examiner can find it
    assert f'href="/bank/questions/{approved.id}"' not in body
    assert f'href="/review/{approved.id}"' not in body
    assert SECRET["explanation"] not in body
    assert client.get(f"/bank/questions/{approved.id}").status_code == 404


def test_an_institution_s_import_preview_shows_no_bank_text(app, approved, make_user):
    institution = make_user(Role.CONTRIBUTOR)
    institution.is_institution = True
    db.session.commit()
    client = log_in(app.test_client(), institution)
    near = SECRET["stem"].replace("多长时间内", "多久内")
    gift = f"::q1:: {near} {{ ~六个月 ~一年 =一年半 ~两年 }}\n".encode()
    token = form_token(client.get("/bank/import").get_data(as_text=True))
    response = client.post(
        "/bank/import",
        data={
            "csrf_token": token,
            "fmt": "auto",
            "channel": "institution",
            "area": "discipline",
            "file": (io.BytesIO(gift), "near.gift"),
        },
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"#{approved.id}" in body  # it is flagged …
    assert SECRET["explanation"] not in body and SECRET["stem"] not in body  # … not shown


def test_an_author_sees_what_they_wrote_not_the_bank_s_revision(app, make_user):
    author, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    question = bank.submit_question(author, "public", SECRET)
    review.review(examiner, question.id, "approve")
    revised = {**SECRET, "stem": "修订后的题干：严重警告处分的影响期是多长（  ）。", "key": "B"}
    bank.edit_approved(examiner, question.id, revised, "改写题干")
    client = log_in(app.test_client(), author)
    page = client.get(f"/bank/questions/{question.id}").get_data(as_text=True)
    assert SECRET["stem"][:20] in page and revised["stem"][:10] not in page
    assert 'id="revised-note"' in page
    edit = client.get(f"/bank/questions/{question.id}/edit")
    assert edit.status_code == 302 and edit.headers["Location"].endswith(f"/{question.id}")
    examiner_client = log_in(app.test_client(), examiner)
    full = examiner_client.get(f"/bank/questions/{question.id}").get_data(as_text=True)
    assert revised["stem"][:10] in full and 'id="revised-note"' not in full


def test_the_look_alike_lookup_hides_the_bank_s_revision_of_one_s_own_question(app, make_user):
    author, examiner = make_user(Role.CONTRIBUTOR), make_user(Role.EXAMINER)
    question = bank.submit_question(author, "public", SECRET)
    review.review(examiner, question.id, "approve")
    revised = {
        **SECRET,
        "explanation": "修订后的解析。",
        "options": ["半年", "一年", "一年半", "两年"],
    }
    bank.edit_approved(examiner, question.id, revised, "改写选项")
    client = log_in(app.test_client(), author)
    (match,) = client.post(
        "/bank/similar",
        json={"stem": SECRET["stem"], "options": SECRET["options"]},
        headers={"X-CSRFToken": csrf_token(client)},
    ).get_json()["similar"]
    assert match["id"] == question.id and match["own"] and "stem" not in match
    # Only a tenth: an exact score of the hidden revision would let guesses climb towards it.
    assert match["score"] == int(match["score"] * 10) / 10

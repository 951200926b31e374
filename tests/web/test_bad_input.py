"""Bad input is a clear 4xx on every route, never a 500 (issue 8), on both databases."""

import json

import pytest

from examsvc.extensions import db
from examsvc.models import Answer, Question, ReviewComment, Role
from tests.conftest import csrf_token, log_in, post_form

HUGE = "9223372036854775808"  # 2**63: one more than a signed 64-bit column holds
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def paper(app, open_sitting):
    """A candidate's client, CSRF token and started paper in an open sitting."""
    sitting, admin, (candidate,) = open_sitting()
    client = log_in(app.test_client(), candidate)
    token = csrf_token(client)
    body = client.post(
        f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": token}
    ).get_json()
    return client, token, body


def put_answers(client, token, attempt_id, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.put(
        f"/api/v1/attempts/{attempt_id}/answers",
        data=data,
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )


def assert_json_error(response, status=400, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["error"] and body["message"], body
    if code:
        assert body["error"] == code, body


def stored_answers() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Answer))


def item_of(paper_body, qtype):
    return next(i for i in paper_body["items"] if i["type"] == qtype)


@pytest.mark.parametrize("key", ["²", "①", "١٢", "1" * 30, "1" * 5000, "-1", "1.0", " 1", ""])
def test_answer_keys_that_are_not_ascii_item_ids_are_unknown_items(paper, key):
    client, token, body = paper
    response = put_answers(client, token, body["attempt_id"], {"answers": {key: "A"}, "seq": 3})
    assert_json_error(response, 400, "unknown_item")
    assert len(response.get_json()["message"]) < 200  # a long key is not echoed whole
    assert stored_answers() == 0


def test_a_body_nested_a_hundred_thousand_deep_is_a_400(paper):
    client, token, body = paper
    assert_json_error(put_answers(client, token, body["attempt_id"], DEEP), 400, "invalid_json")
    nested = {"answers": {}, "seq": 1, "x": json.loads("[" * 40 + "]" * 40)}
    assert_json_error(put_answers(client, token, body["attempt_id"], nested), 400, "invalid_json")


@pytest.mark.parametrize(
    "raw",
    [
        '{"answers": {}, "seq": NaN}',
        '{"answers": {}, "seq": Infinity}',
        '{"answers": {}, "seq": -Infinity}',
        '{"answers": {}, "seq": 1e400}',
        '{"answers": {}, "seq": 1000000000000000000000000000000}',
        '{"answers": {}, "seq": ' + HUGE + "}",
        '{"answers": {}, "seq": ' + "9" * 5000 + "}",
        b'{"answers": {}, "seq": 1, "note": "\xff\xfe"}',
        b'{"answers": {}, "seq": 1}\x00',
    ],
)
def test_bodies_that_are_not_strict_storable_json_are_a_400(paper, raw):
    client, token, body = paper
    response = put_answers(client, token, body["attempt_id"], raw)
    assert_json_error(response, 400, "invalid_json")


@pytest.mark.parametrize("seq", [True, False, "3", -1, 1.5, 2**62, None, [1], {"n": 1}])
def test_seq_must_be_a_bounded_whole_number(paper, seq):
    client, token, body = paper
    single = item_of(body, "single")
    answers = {str(single["id"]): "A"}
    response = put_answers(client, token, body["attempt_id"], {"answers": answers, "seq": seq})
    assert_json_error(response, 400, "invalid_seq")
    assert stored_answers() == 0


JUNK = {
    "single": [1, 1.5, ["A"], {"A": 1}, "Z", "AB", "", "\u00c5", True],
    "multiple": ["A", [1], ["Z"], [["A"]], [None], {"A": True}, True],
    "judge": ["true", 1, 0, "对", ["true"], {}],
    "fill": ["x", [1], [], ["a", "b"], [["a"]], ["x" * 501], {"0": "x"}, True],
}


@pytest.mark.parametrize(("qtype", "value"), [(t, v) for t, vs in JUNK.items() for v in vs])
def test_answers_of_the_wrong_shape_for_their_type_are_a_400(paper, qtype, value):
    client, token, body = paper
    item = item_of(body, qtype)
    answers = {str(item["id"]): value}
    response = put_answers(client, token, body["attempt_id"], {"answers": answers, "seq": 1})
    assert_json_error(response, 400, "invalid_response")
    assert stored_answers() == 0


def test_text_a_database_cannot_store_is_cleaned_and_the_answer_saved(paper):
    """A stray NUL or half an emoji must not make the answer (and every later save) fail."""
    client, token, body = paper
    fill = item_of(body, "fill")
    for seq, (raw, kept) in enumerate([('["a\\u0000b"]', "ab"), ('["x\\udc80"]', "x\ufffd")], 1):
        answers = '{"answers": {"' + str(fill["id"]) + '": ' + raw + '}, "seq": ' + str(seq) + "}"
        response = put_answers(client, token, body["attempt_id"], answers)
        assert response.status_code == 200, response.get_json()
        db.session.expire_all()
        assert db.session.scalar(db.select(Answer.response)) == [kept]


def test_many_answers_and_long_text_are_refused_quickly(paper):
    client, token, body = paper
    many = {str(n): "A" for n in range(100_000, 120_000)}
    response = put_answers(client, token, body["attempt_id"], {"answers": many, "seq": 1})
    assert_json_error(response, 400, "unknown_item")
    fill = item_of(body, "fill")
    long = {str(fill["id"]): ["字" * 100_000]}
    response = put_answers(client, token, body["attempt_id"], {"answers": long, "seq": 1})
    assert_json_error(response, 400, "invalid_response")
    assert stored_answers() == 0


def test_valid_answers_still_save_after_the_checks(paper):
    client, token, body = paper
    fill, judge = item_of(body, "fill"), item_of(body, "judge")
    answers = {str(fill["id"]): ["代表大会😀"], str(judge["id"]): False}
    response = put_answers(client, token, body["attempt_id"], {"answers": answers, "seq": 2})
    assert response.status_code == 200 and response.get_json()["saved"] == 2
    empty_submit = client.post(
        f"/api/v1/attempts/{body['attempt_id']}/submit",
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert empty_submit.status_code == 200  # the exam page sends no body with a JSON type


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (f"/api/v1/attempts/{HUGE}", Role.CANDIDATE),
        (f"/exam/attempts/{HUGE}", Role.CANDIDATE),
        (f"/exam/sittings/{HUGE}", Role.CANDIDATE),
        (f"/admin/sittings/{HUGE}", Role.ADMIN),
        (f"/admin/sittings/1/papers/{HUGE}", Role.ADMIN),
        (f"/review/{HUGE}", Role.EXAMINER),
        (f"/review/{HUGE}/history", Role.EXAMINER),
        (f"/bank/questions/{HUGE}", Role.CONTRIBUTOR),
        (f"/bank/questions/{'9' * 5000}", Role.CONTRIBUTOR),
    ],
)
def test_ids_beyond_any_column_are_404(login_as, path, role):
    client, _ = login_as(role)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/admin/audit?page=99999999999999999999",
        "/admin/users?page=99999999999999999999",
        "/admin/users?page=-5",
        "/admin/users?page=²",
        "/review/bank?page=99999999999999999999",
        "/admin/audit?page=" + "9" * 5000,
    ],
)
def test_page_numbers_beyond_the_last_page_show_a_page(login_as, path):
    client, _ = login_as(Role.ADMIN, Role.EXAMINER)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "difficulty=²",
        "difficulty=" + HUGE,
        "difficulty=0",
        "area=nowhere&type=essay&status=%E2%91%A0&channel=x&exam=y",
        "text=" + "题" * 5000,
    ],
)
@pytest.mark.parametrize("page", ["/review/", "/review/bank"])
def test_filters_outside_their_choices_filter_nothing(login_as, bank_of, page, query):
    ids = bank_of(2)
    client, _ = login_as(Role.EXAMINER)
    response = client.get(f"{page}?{query}")
    assert response.status_code == 200
    if page == "/review/bank":  # the bank browser lists the approved questions unfiltered
        assert all(f'href="/review/{i}"' in response.get_data(as_text=True) for i in ids)


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/admin/users?q=%00", Role.ADMIN),
        ("/admin/audit?action=%00", Role.ADMIN),
        ("/review/bank?text=a%00b", Role.EXAMINER),
        ("/verify/%00", None),
        ("/verify/?number=%00", None),
        ("/auth/login?next=/%00", None),
        ("/?lang=%00", None),
    ],
)
def test_nul_in_a_query_or_path_is_a_400(app, login_as, path, role):
    client = login_as(role)[0] if role else app.test_client()
    assert client.get(path).status_code == 400


def test_nul_in_an_api_path_is_a_json_400(client):
    assert_json_error(client.get("/api/v1/certificates/CERT%00"), 400, "bad_request")


def test_nul_in_a_comment_is_refused_and_nothing_is_stored(login_as, bank_of):
    (question_id,) = bank_of(1)
    comments = db.session.scalar(db.select(db.func.count()).select_from(ReviewComment))
    client, _ = login_as(Role.EXAMINER)
    response = post_form(
        client,
        f"/bank/questions/{question_id}/comments",
        {"body": "看\x00不见"},
        page=f"/bank/questions/{question_id}",
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(ReviewComment)) == comments


def test_nul_in_a_login_or_enrolment_form_is_a_400(app, login_as, open_sitting):
    sitting, _, _ = open_sitting()
    client, _ = login_as(Role.ADMIN)
    response = post_form(
        client,
        f"/admin/sittings/{sitting.id}/enrol",
        {"email": "a\x00@example.com"},
        page=f"/admin/sittings/{sitting.id}",
    )
    assert response.status_code == 400
    anonymous = app.test_client()
    response = post_form(anonymous, "/auth/login", {"email": "x\x00@example.com", "password": "p"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "raw",
    [DEEP, '{"stem": "x", "options": [], "n": NaN}'],
)
def test_json_bodies_of_other_routes_are_checked_the_same_way(login_as, raw):
    client, _ = login_as(Role.ADMIN, Role.CONTRIBUTOR)
    token = csrf_token(client)
    for path in ("/bank/similar", "/admin/blueprints/check", "/api/v1/session"):
        response = client.post(
            path, data=raw, headers={"X-CSRFToken": token, "Content-Type": "application/json"}
        )
        assert_json_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    "field", ["pass_mark", "exposure_cap", "tolerance_points", "rows-0-points"]
)
@pytest.mark.parametrize("value", ["sNaN", "NaN", "-sNaN", "Infinity"])
def test_blueprint_numbers_that_are_not_finite_are_form_errors(login_as, field, value):
    client, _ = login_as(Role.ADMIN)
    data = {
        "name": "蓝图",
        "exam_kind": "training",
        "level": "0",
        "duration_minutes": "60",
        "pass_mark": "6",
        "multiple_rule": "all_or_nothing",
        "paper_mode": "per_candidate",
        "exposure_cap": "20",
        "tolerance_points": "0.5",
        "rows-0-qtype": "single",
        "rows-0-count": "1",
        "rows-0-points": "1",
        "rows-0-difficulty_min": "1",
        "rows-0-difficulty_max": "5",
    }
    response = post_form(client, "/admin/blueprints/new", {**data, field: value})
    assert response.status_code == 200  # the form again, with its errors


@pytest.mark.parametrize("points", ["nan", "inf", "-inf", "1e999", "NaN"])
def test_rubric_points_must_be_a_finite_number(login_as, points):
    client, _ = login_as(Role.CONTRIBUTOR)
    data = {
        "type": "short",
        "area": "practice",
        "difficulty": "2",
        "channel": "public",
        "exams": ["training"],
        "stem": "简述“三会一课”制度的主要内容。",
        "reference": "支部党员大会、支部委员会、党小组会和党课",
        "rubric": f"答出三会 | {points}",
    }
    response = post_form(client, "/bank/submit", data)
    assert response.status_code in (200, 400)
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0
    response = post_form(client, "/bank/submit", {**data, "rubric": "答出三会 | 6"})
    assert response.status_code == 302  # the same question with finite points is taken


@pytest.mark.parametrize(
    "raw", [b"false", b"[1, 2]", b'"x"', b"7", b'{"name": [1, {"a": 2}]}', b'{"name": 5}']
)
def test_json_bodies_given_to_a_form_must_be_text_fields(login_as, raw):
    client, _ = login_as(Role.ADMIN)
    response = client.post(
        "/admin/blueprints/new",
        data=raw,
        headers={"X-CSRFToken": csrf_token(client), "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_every_form_of_the_app_reads_json_bodies_safely():
    from flask_wtf import FlaskForm

    from examsvc.web import BaseForm
    from tests.web.fuzzing import all_form_classes

    forms = [cls for cls in all_form_classes() if cls is not BaseForm]
    assert len(forms) >= 10
    assert [cls for cls in forms if not issubclass(cls, BaseForm)] == []
    assert BaseForm.__bases__ == (FlaskForm,)


def test_a_client_that_sends_json_gets_its_errors_as_json(app, login_as):
    anonymous = app.test_client()
    headers = {"X-CSRFToken": csrf_token(anonymous), "Accept": "*/*"}
    response = anonymous.post("/bank/similar", json={"stem": "x"}, headers=headers)
    assert_json_error(response, 401, "unauthorized")
    client, _ = login_as(Role.CANDIDATE)
    response = client.post(
        "/admin/blueprints/check",
        json={"rows": []},
        headers={"X-CSRFToken": csrf_token(client), "Accept": "*/*"},
    )
    assert_json_error(response, 403, "forbidden")


@pytest.mark.parametrize(
    "path", ["/admin/users?q=", "/admin/audit?q=", "/review/bank?text=", "/admin/?q="]
)
def test_a_search_longer_than_any_value_finds_nothing_instead_of_failing(login_as, path):
    client, user = login_as(Role.ADMIN, Role.EXAMINER)
    response = client.get(path + "%25a" * 30_000)  # SQLite refuses LIKE patterns over 50 kB
    assert response.status_code == 200
    found = client.get(path + user.email)
    assert found.status_code == 200
    if path.startswith("/admin/users"):
        assert user.email in found.get_data(as_text=True)
        assert user.email not in response.get_data(as_text=True)


@pytest.mark.parametrize("target", [HUGE, "99999999999", "2147483648", "-1", "0"])
def test_a_duplicate_of_no_possible_question_is_a_form_error(app, login_as, make_user, target):
    from examsvc.services import bank
    from tests.conftest import question_fields

    pending = bank.submit_question(
        make_user(Role.CONTRIBUTOR), "public", question_fields("single", "dup")
    )
    client, _ = login_as(Role.EXAMINER)
    response = post_form(
        client, f"/review/{pending.id}", {"decision": "duplicate", "duplicate_of": target}
    )
    assert response.status_code in (200, 400)
    assert db.session.get(Question, pending.id).status != "rejected"


def test_every_number_field_of_every_form_has_an_upper_bound(app):
    """An unbounded number overflows its column (a 500): forms added later are checked too."""
    from wtforms import DecimalField, FieldList, FormField, IntegerField
    from wtforms.validators import NumberRange

    from examsvc.web import MAX_ID
    from tests.web.fuzzing import all_form_classes

    def fields(form):
        for field in form:
            if isinstance(field, FieldList | FormField):
                yield from fields(field)
            else:
                yield field

    unbounded = []
    with app.test_request_context():
        for cls in all_form_classes():
            for field in fields(cls(meta={"csrf": False})):
                if not isinstance(field, IntegerField | DecimalField):
                    continue
                ranges = [v for v in field.validators if isinstance(v, NumberRange)]
                if not any(r.max is not None and r.max <= MAX_ID for r in ranges):
                    unbounded.append(f"{cls.__name__}.{field.name}")
    assert unbounded == []


def test_every_date_field_of_every_form_refuses_dates_no_clock_reaches(app):
    """Year 1 in Beijing time is before year 1 in UTC: converting it overflowed (a 500)."""
    from werkzeug.datastructures import MultiDict
    from wtforms import DateField, DateTimeField

    from tests.web.fuzzing import all_form_classes

    checked = []
    with app.test_request_context():
        for cls in all_form_classes():
            for field in cls(meta={"csrf": False}):
                if not isinstance(field, DateField | DateTimeField):
                    continue
                for text in ("0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "9999-12-31"):
                    form = cls(MultiDict({field.name: text}), meta={"csrf": False})
                    bound = getattr(form, field.name)
                    valid = bound.validate(form)  # this field alone: others may lack choices
                    assert bound.data is None or not valid, f"{cls.__name__}.{field.name}"
                checked.append(field.name)
    assert checked  # the sitting form's opening and closing times at least


def test_a_sitting_in_year_one_is_a_form_error(login_as, open_sitting):
    sitting, *_ = open_sitting()
    client, _ = login_as(Role.ADMIN)
    data = {"name": "远古场次", "blueprint_id": str(sitting.blueprint_id)}
    times = [("0001-01-01T00:00", "2030-01-01T00:00"), ("2030-01-01T00:00", "9999-12-31T23:59")]
    for opens, closes in times:
        response = post_form(
            client, "/admin/sittings/new", {**data, "opens_at": opens, "closes_at": closes}
        )
        assert response.status_code == 200  # the form again, with its error


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20x=1", "/exam/%0a", "/%E2%80%AEgnp.exe"])
def test_a_next_address_with_control_characters_is_not_followed(app, make_user, target):
    from tests.conftest import PASSWORD

    user = make_user(Role.CANDIDATE)
    client = app.test_client()
    response = post_form(
        client,
        f"/auth/login?next={target}",
        {"email": user.email, "password": PASSWORD},
        page=f"/auth/login?next={target}",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")

"""Property-based fuzzing of the HTML pages and forms: no field value is ever a 500.

Routes come from ``app.url_map`` and field names from every ``FlaskForm`` of the app at run
time, so pages and fields added later are fuzzed without editing this file.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wtforms import FieldList, FormField

from examsvc.extensions import db
from examsvc.models import Inspection, InspectionResult, Role
from examsvc.services import bank
from tests.conftest import csrf_token, log_in, question_fields
from tests.web.fuzzing import (
    ARGUMENT,
    CONTENT_TYPES,
    FUZZ,
    all_form_classes,
    bodies,
    numbers,
    url_texts,
)

#: Values that have broken form parsing before: signalling NaN, huge and odd numbers, dates
#: at the ends of the calendar, digits int() refuses, long text.
TRICKY_VALUES = [
    "sNaN",
    "-sNaN",
    "NaN",
    "Infinity",
    "1e999",
    "-0",
    "0",
    "²",
    "9223372036854775808",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30T25:61",
    "x@example.com",
    "题" * 3000,
    "%_" * 26_000,  # a LIKE pattern SQLite finds too complex
    "答出三会 | nan\n答出党课 | 1e999",
    "a | b | c\n|\n",
]
SKIPPED = {"static", "auth.logout", "api.log_out"}  # logging out would end the walk


def _names(fields):
    for field in fields:
        if isinstance(field, FieldList | FormField):
            yield from _names(field)
        else:
            yield field.name


def form_field_names(app) -> list[str]:
    names = set()
    with app.test_request_context():
        for cls in all_form_classes():
            names.update(_names(cls(meta={"csrf": False})))
    names.discard("csrf_token")
    assert {"stem", "email", "pass_mark"} <= names, "the app's forms were not found"
    return sorted(names)


def field_values():
    return st.one_of(url_texts, numbers.map(str), st.sampled_from(TRICKY_VALUES))


@pytest.fixture
def walker(app, open_sitting, make_user):
    """A user holding every role, ids of real things to aim at, the app's field names, and
    clients of one role each."""
    sitting, admin, (candidate,) = open_sitting()
    contributor = make_user(Role.CONTRIBUTOR)
    pending = bank.submit_question(contributor, "public", question_fields("single", "fuzz"))
    user = make_user(Role.ADMIN, Role.EXAMINER, Role.CONTRIBUTOR, Role.CANDIDATE)
    client = log_in(app.test_client(), user)
    batch = inspection_batch(admin, candidate)
    ids = [1, 2, sitting.id, pending.id, candidate.id, user.id, batch.id]
    others = {  # the same pages seen by one role each (their own branches)
        "contributor": log_in(app.test_client(), contributor),
        "candidate": log_in(app.test_client(), candidate),
        "anonymous": app.test_client(),
    }
    return client, user, ids, form_field_names(app), others


def test_every_page_and_form_takes_junk_without_a_server_error(app, walker):
    everyone, user, ids, names, others = walker
    clients = {"everyone": everyone, **others}
    tokens = {who: csrf_token(c) for who, c in clients.items()}
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED),
        key=lambda r: (r.rule, sorted(r.methods)),
    )
    segments = st.one_of(st.sampled_from(ids).map(str), numbers.map(str), url_texts)
    fields = st.dictionaries(
        st.one_of(st.sampled_from(names), url_texts), field_values(), max_size=12
    )

    @FUZZ
    @given(data=st.data())
    def check(data):
        rule = data.draw(st.sampled_from(rules), label="rule")
        method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        who = data.draw(st.sampled_from(sorted(clients)), label="who")
        client, token = clients[who], tokens[who]
        path = ARGUMENT.sub(
            lambda _: quote(data.draw(segments.filter(lambda s: s not in ("", ".", ".."))), ""),
            rule.rule,
        )
        values = data.draw(fields, label="fields")
        if method == "GET":
            response = client.get(path, query_string=values)
        elif data.draw(st.booleans(), label="raw body"):
            kind = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
            headers = {"X-CSRFToken": token, **({"Content-Type": kind} if kind else {})}
            raw = data.draw(bodies(), label="body")
            response = client.open(path, method=method, data=raw, headers=headers)
        else:
            response = client.open(path, method=method, data={**values, "csrf_token": token})
        assert response.status_code < 500, f"{who} {method} {path} {values!r}"

    check()


def inspection_batch(admin, candidate):
    """An open 年检 batch of an organisation where the candidate holds a level certificate."""
    from datetime import date

    from examsvc.services import certificates, inspections, orgs

    org = orgs.create("FZ1", "模糊测试党支部")
    candidate.organisation_id = org.id
    certificates.create(candidate, "level", 1, date(2023, 3, 1), valid_until=date(2031, 1, 1))
    db.session.commit()
    return inspections.open_batch(admin, org.id, 2024)


def inspection_forms(batch_id: int, result_id: int, org_id: int) -> dict:
    """Valid bodies of the 年检 forms (the close form last: it makes the batch read-only)."""
    return {
        "/inspections/new": {"org": str(org_id), "year": "2023"},
        f"/inspections/{batch_id}/results/{result_id}": {"assessment": "competent"},
        f"/inspections/{batch_id}/close": {"confirm": "y", "missing_fail": "y"},
    }


def near_valid_forms(sitting_id: int, question_id: int, pending_id: int, candidate) -> dict:
    """A valid body for each form that writes, by path: the fuzz changes a few of its fields."""
    short = {
        "type": "short",
        "area": "practice",
        "difficulty": "2",
        "channel": "public",
        "exams": ["training"],
        "stem": "简述“三会一课”制度的主要内容。",
        "reference": "支部党员大会、支部委员会、党小组会和党课",
        "rubric": "答出三会 | 6\n答出党课 | 4",
        "option_a": "甲",
        "option_b": "乙",
        "option_c": "丙",
        "key": "A",
        "keys": ["A", "C"],
        "judge_key": "true",
        "blanks": "季度 | 一季度",
    }
    blueprint = {
        "name": "蓝图",
        "exam_kind": "training",
        "level": "0",
        "duration_minutes": "60",
        "pass_mark": "6",
        "multiple_rule": "all_or_nothing",
        "paper_mode": "per_candidate",
        "exposure_cap": "20",
        "tolerance_points": "0.5",
        "rows-0-area": "",
        "rows-0-qtype": "single",
        "rows-0-count": "1",
        "rows-0-points": "1",
        "rows-0-difficulty_min": "1",
        "rows-0-difficulty_max": "5",
        "rows-0-section": "一、单选",
    }
    return {
        "/bank/submit": short,
        f"/review/{question_id}/edit": {**short, "note": "改"},
        "/admin/blueprints/new": blueprint,
        "/admin/sittings/new": {
            "name": "场次",
            "blueprint_id": "1",
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-01-01T11:00",
        },
        f"/admin/sittings/{sitting_id}/enrol": {"email": candidate.email},
        f"/bank/questions/{question_id}/comments": {"body": "意见", "back": "review"},
        f"/review/{pending_id}": {"decision": "return", "reason": "请改", "duplicate_of": ""},
        f"/review/{question_id}/retire": {"reason": "过时"},
        "/auth/register": {
            "name": "新人",
            "email": "new@example.com",
            "password": "Long-enough-pass-9",
            "confirm": "Long-enough-pass-9",
        },
        "/auth/password": {"current": "x", "new": "Long-enough-pass-9", "confirm": "x"},
        "/admin/users/1/institution": {"verified": "1"},
        f"/training/people/{candidate.id}/records/new": {
            "course_name": "培训班",
            "organiser": "区委党校",
            "kind": "central",
            "starts_on": "2025-03-02",
            "ends_on": "2025-03-03",
            "hours": "16",
            "attendance_certificate": "JY-1",
            "note": "",
        },
        "/training/courses/new": {
            "name": "轮训班",
            "organiser": "区委组织部",
            "kind": "rotation",
            "starts_on": "2025-04-07",
            "ends_on": "2025-04-09",
            "hours": "24",
            "organisation": "",
            "blueprint": "",
        },
        f"/levels/people/{candidate.id}/posts": {
            "old_post": "组织委员",
            "new_post": "支部书记",
            "in_party_post": "yes",
            "effective_on": "2026-01-01",
            "note": "换届",
        },
        f"/levels/people/{candidate.id}/declare": {"to_level": "1", "note": "申报"},
        "/levels/mine/declare": {"to_level": "1", "note": "申报"},
        "/levels/rules/L2": {
            "conditions-0-check": "level_held",
            "conditions-0-value": "1",
            "conditions-1-check": "hours_per_year",
            "conditions-1-value": "24",
            "conditions-1-years": "2",
            "note": "新版本",
            "base_version": "1",
        },
    }


def test_forms_close_to_valid_ones_never_fail(app, walker):
    client, user, (_, _, sitting_id, pending_id, *_), *_ = walker
    forms = near_valid_forms(sitting_id, 1, pending_id, user)
    batch = db.session.scalar(db.select(Inspection))
    result = db.session.scalar(db.select(InspectionResult))
    forms.update(inspection_forms(batch.id, result.id, batch.organisation_id))
    token = csrf_token(client)

    @FUZZ
    @given(data=st.data())
    def check(data):
        path = data.draw(st.sampled_from(sorted(forms)), label="path")
        valid = forms[path]
        changes = data.draw(
            st.dictionaries(st.sampled_from(sorted(valid)), field_values(), min_size=1, max_size=3),
            label="changes",
        )
        dropped = data.draw(st.sets(st.sampled_from(sorted(valid)), max_size=2), label="dropped")
        body = {k: v for k, v in {**valid, **changes}.items() if k not in dropped}
        response = client.post(path, data={**body, "csrf_token": token})
        assert response.status_code < 500, f"POST {path} {body!r} → {response.status_code}"

    check()


def upload_contents():
    """Files an importer might upload: junk bytes and spreadsheets with junk cells."""
    header = "题干,题型,选项A,选项B,选项C,正确答案,难度,解析\n"
    cells = st.lists(field_values().map(lambda v: v.replace('"', "'")), min_size=8, max_size=8)
    rows = st.lists(cells, min_size=1, max_size=3).map(
        lambda rows: header + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows)
    )
    return st.one_of(st.binary(max_size=200), rows.map(lambda t: t.encode("utf-8", "replace")))


def test_uploads_of_junk_files_never_fail(app, walker):
    client, *_ = walker
    token = csrf_token(client)
    names = st.tuples(url_texts, st.sampled_from([".csv", ".xlsx", ".xml", ".gift", ".txt", ""]))

    @FUZZ
    @given(content=upload_contents(), name=names, fmt=st.sampled_from(["auto", "csv", "x"]))
    def check(content, name, fmt):
        filename = "".join(name)
        data = {
            "file": (io.BytesIO(content), filename),
            "fmt": fmt,
            "channel": "public",
            "area": "practice",
            "skip_bad": "y",
            "csrf_token": token,
        }
        response = client.post("/bank/import", data=data, content_type="multipart/form-data")
        assert response.status_code < 500, f"{filename!r} {content[:200]!r}"
        if response.status_code == 200:
            confirm = client.post("/bank/import/confirm", data={"csrf_token": token})
            assert confirm.status_code < 500, f"confirm {filename!r} {content[:200]!r}"

    check()


def junk_sheets(header: str):
    """Sheets with ``header`` and junk cells, and junk bytes."""
    width = header.count(",") + 1
    cells = st.lists(
        field_values().map(lambda v: v.replace('"', "'")), min_size=width, max_size=width
    )
    rows = st.lists(cells, min_size=1, max_size=3).map(
        lambda rows: header + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows)
    )
    return st.one_of(st.binary(max_size=200), rows.map(lambda t: t.encode("utf-8", "replace")))


def training_sheets():
    return junk_sheets(
        "姓名,身份证号,培训名称,主办单位,培训形式,开始日期,结束日期,学时,结业证书编号\n"
    )


def assessment_sheets():
    return junk_sheets("姓名,登录名,身份证号,年度考核\n")


def test_training_sheets_of_junk_never_fail(app, walker):
    from examsvc.services import orgs

    orgs.create("F0", "模糊测试区委")
    client, *_ = walker
    token = csrf_token(client)
    names = st.tuples(url_texts, st.sampled_from([".csv", ".xlsx", ".xls", ""]))

    @FUZZ
    @given(content=training_sheets(), name=names)
    def check(content, name):
        filename = "".join(name)
        data = {"file": (io.BytesIO(content), filename), "org": "F0", "csrf_token": token}
        response = client.post("/training/import", data=data, content_type="multipart/form-data")
        assert response.status_code < 500, f"{filename!r} {content[:200]!r}"
        if response.status_code == 200:
            confirm = client.post("/training/import/confirm", data={"csrf_token": token})
            assert confirm.status_code < 500, f"confirm {filename!r} {content[:200]!r}"

    check()


def test_annual_inspection_forms_and_sheets_of_junk_never_fail(app, walker):
    client, *_ = walker
    token = csrf_token(client)
    batch = db.session.scalar(db.select(Inspection))
    result = db.session.scalar(db.select(InspectionResult))

    @FUZZ
    @given(content=assessment_sheets(), name=url_texts, year=field_values(), value=field_values())
    def check(content, name, year, value):
        data = {"file": (io.BytesIO(content), f"{name}.csv"), "csrf_token": token}
        response = client.post(f"/inspections/{batch.id}/import", data=data,
                               content_type="multipart/form-data")  # fmt: skip
        assert response.status_code < 500, f"{name!r} {content[:200]!r}"
        opened = client.post("/inspections/new", data={"org": value, "year": year,
                                                       "csrf_token": token})  # fmt: skip
        assert opened.status_code < 500, (value, year)
        path = f"/inspections/{batch.id}/results/{result.id}"
        assessed = client.post(path, data={"assessment": value, "csrf_token": token})
        assert assessed.status_code < 500, value

    check()

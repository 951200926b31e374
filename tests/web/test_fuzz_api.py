"""Property-based fuzzing of the JSON API: no input is ever a 500, every error is JSON.

The routes are read from ``app.url_map`` at run time, so a route added later is fuzzed
without editing this file. Each test builds its data once (the ``app`` fixture gives a fresh
database per test, on SQLite and PostgreSQL) and Hypothesis then sends many requests to it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import csrf_token, log_in
from tests.web.fuzzing import (
    ARGUMENT,
    CONTENT_TYPES,
    FUZZ,
    bodies,
    encoded,
    json_values,
    numbers,
    scalars,
    texts,
    url_texts,
)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def api_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    assert len(rules) >= 8, "the API routes were not found"
    return sorted(rules, key=lambda r: (r.rule, sorted(r.methods)))


def path_segments(known_ids: list[int]):
    """Values for one path argument: real ids (to reach deep code), junk and huge numbers."""
    return st.one_of(
        st.sampled_from(known_ids).map(str),
        numbers.map(str),
        url_texts.filter(lambda t: t not in ("", ".", "..")),
    )


def fill_path(rule, draw, known_ids) -> str:
    def segment(match: re.Match) -> str:
        return quote(draw(path_segments(known_ids)), safe="")

    return ARGUMENT.sub(segment, rule.rule)


def assert_no_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what} → {response.status_code}"
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        assert isinstance(body, dict), f"{what} → {response.status_code}, not JSON"
        assert body.get("error") and body.get("message"), f"{what} → {body}"


@pytest.fixture
def fuzz_clients(app, open_sitting):
    """A candidate logged in with an attempt under way, and an anonymous client."""
    sitting, admin, (candidate,) = open_sitting()
    client = log_in(app.test_client(), candidate)
    token = csrf_token(client)
    paper = client.post(
        f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": token}
    ).get_json()
    anonymous = app.test_client()
    ids = [sitting.id, paper["attempt_id"], 1, *(i["id"] for i in paper["items"])]
    return {
        "candidate": (client, token, candidate),
        "anonymous": (anonymous, csrf_token(anonymous), None),
        "ids": ids,
        "paper": paper,
    }


def send(client, token, method, path, body, content_type):
    headers = {"X-CSRFToken": token}
    if content_type:
        headers["Content-Type"] = content_type
    return client.open(path, method=method, data=body, headers=headers)


def test_every_api_route_answers_junk_without_a_server_error(app, fuzz_clients):
    rules = api_rules(app)

    @FUZZ
    @given(data=st.data())
    def check(data):
        rule = data.draw(st.sampled_from(rules), label="rule")
        allowed = sorted(rule.methods - {"HEAD", "OPTIONS"})
        method = data.draw(st.sampled_from([*allowed * 8, "PATCH"]), label="method")  # a 405
        who = data.draw(st.sampled_from(["candidate", "anonymous"]), label="who")
        client, token, user = fuzz_clients[who]
        path = fill_path(rule, data.draw, fuzz_clients["ids"])
        query = data.draw(st.dictionaries(url_texts, url_texts, max_size=3), label="query")
        body = data.draw(bodies(), label="body") if method in UNSAFE else b""
        kind = data.draw(st.sampled_from(CONTENT_TYPES))
        what = f"{who} {method} {path} {body[:200]!r}"
        headers = {"X-CSRFToken": token, **({"Content-Type": kind} if kind else {})}
        response = client.open(path, method=method, data=body, query_string=query, headers=headers)
        assert_no_server_error(response, what)
        if user is not None and rule.endpoint in ("api.log_out", "api.log_in"):
            log_in(client, user)  # keep the candidate's deep paths reachable
            fuzz_clients[who] = (client, csrf_token(client), user)

    check()


def test_answer_saves_close_to_valid_ones_never_fail(app, fuzz_clients):
    client, token, _ = fuzz_clients["candidate"]
    paper = fuzz_clients["paper"]
    item_ids = [str(i["id"]) for i in paper["items"]]
    keys = st.one_of(st.sampled_from(item_ids), texts, numbers.map(str))
    answer_values = st.one_of(
        st.sampled_from(["A", "b", "Z", "", True, False, None, ["A", "C"], ["x"], ["x", "y"]]),
        json_values(),
    )
    seqs = st.one_of(numbers, scalars, st.sampled_from([1, 2**62 - 1, 2**62, True]))
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers"

    @FUZZ
    @given(
        answers=st.dictionaries(keys, answer_values, max_size=6),
        seq=seqs,
        extra=st.dictionaries(texts, json_values(), max_size=2),
    )
    def check(answers, seq, extra):
        body = encoded({**extra, "answers": answers, "seq": seq})
        response = send(client, token, "PUT", url, body, "application/json")
        assert_no_server_error(response, f"PUT {url} {body[:300]!r}")
        if response.status_code == 200:
            assert set(response.get_json()) >= {"saved", "stale", "server_time", "deadline"}

    check()


def test_json_routes_of_the_pages_take_junk_close_to_valid_bodies(app, login_as, bank_of):
    """The pages' own JSON calls (feasibility check, look-alike lookup) with near-valid bodies."""
    bank_of(3)
    client, user = login_as("admin", "examiner", "contributor")
    token = csrf_token(client)
    row = {"area": "constitution", "type": "single", "count": 2, "min": 1, "max": 5}
    valid = {
        "/admin/blueprints/check": {
            "rows": [row],
            "exposure_cap": 20,
            "exam_kind": "training",
            "level": 0,
        },
        "/bank/similar": {"stem": "党的最高领导机关是", "options": ["甲", "乙"], "exclude": 1},
    }
    for path, body in valid.items():  # the fuzz starts from bodies that work
        assert (
            send(client, token, "POST", path, encoded(body), "application/json").status_code == 200
        )
    junk = st.one_of(scalars, json_values())

    @FUZZ
    @given(data=st.data())
    def check(data):
        path = data.draw(st.sampled_from(sorted(valid)), label="path")
        body = dict(valid[path])
        for key in data.draw(st.sets(st.sampled_from(sorted(body)), max_size=2), label="junk"):
            body[key] = data.draw(junk, label=key)
        if path.endswith("check") and data.draw(st.booleans(), label="junk row"):
            body["rows"] = [
                {**row, **data.draw(st.dictionaries(st.sampled_from(sorted(row)), junk))}
            ]
        raw = encoded(body)
        response = send(client, token, "POST", path, raw, "application/json")
        assert_no_server_error(response, f"POST {path} {raw[:300]!r}")

    check()

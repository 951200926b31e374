"""Hypothesis strategies and helpers shared by the fuzz tests (not a test module)."""

from __future__ import annotations

import json
import re

from flask_wtf import FlaskForm
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,  # nothing written into the working tree; a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

CONTENT_TYPES = [
    "application/json",
    "application/json; charset=latin-1",
    "text/plain",
    None,
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "application/merge-patch+json",
]
#: Text that has broken parsers before: digits int() refuses, NUL, surrogates, RTL, emoji.
TRICKY_TEXT = ["²", "①", "١٢", "\x00", "\ud800", "‮", "😀", "", " ", "-1", "1e400", "NaN", "null"]
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30]),
)
texts = st.one_of(st.text(max_size=30), st.sampled_from(TRICKY_TEXT))
#: A URL carries UTF-8: a lone surrogate cannot even be sent there (it can in JSON).
url_texts = texts.filter(lambda t: "\ud800" not in t)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)


def json_values(keys=texts):
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=12,
    )


def encoded(value) -> bytes:
    """JSON as a careless client writes it: NaN and Infinity included, surrogates escaped."""
    return json.dumps(value, allow_nan=True).encode()


def bodies(keys=texts):
    return st.one_of(
        json_values(keys).map(encoded),
        st.binary(max_size=64),
        st.sampled_from(
            [b"", b"[" * 2000 + b"]" * 2000, b'{"a":' * 1500 + b"1" + b"}" * 1500, b"\xff\xfe"]
        ),
    )


def all_form_classes() -> list[type]:
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("examsvc."):
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return found

"""Request input checked in one place for every blueprint: bounded numbers, storable text."""

from __future__ import annotations

import json
import math
import re
from datetime import date

from flask import Flask, abort, flash, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from examsvc.errors import error_response
from examsvc.i18n import today_local

#: Ids are 32-bit integer columns on PostgreSQL; a larger number in a path can match nothing.
MAX_ID = 2**31 - 1
#: No list has this many pages; a larger ``page`` is treated as out of range (an empty page).
MAX_PAGE = 1_000_000


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: a number too large for an id is a 404, never an overflow."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_arg(name: str = "page") -> int:
    """The page number asked for in the query string: 1 when absent or unreadable."""
    raw = request.args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return MAX_PAGE if len(raw) > 7 else min(max(int(raw), 1), MAX_PAGE)


def int_arg(name: str, default: int | None = None) -> int | None:
    """An optional id or count from the query string, bounded like route ids."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return default
    value = int(raw)
    return value if value <= MAX_ID else default


#: JSON request bodies nest no deeper than this (the deepest body of the API has 3 levels).
MAX_JSON_DEPTH = 32
#: Whole numbers in a JSON body fit a signed 64-bit column; JavaScript cannot send more anyway.
MAX_JSON_INT = 2**63
#: Text no database column stores: NUL (PostgreSQL refuses it) and lone UTF-16 surrogates
#: (they cannot be encoded as UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_unusable_input)


def _bounded_int(text: str) -> int:
    # Checked on the digits before converting: int() of thousands of digits is slow.
    if len(text.lstrip("-")) > 19 or not -MAX_JSON_INT <= (value := int(text)) < MAX_JSON_INT:
        raise ValueError("number too large")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number too large")
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _storable(text: str) -> str:
    """Text as a database keeps it: NUL dropped, a lone surrogate shown as U+FFFD."""
    return UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def _check_parsed(value: object) -> object:
    """Refuse containers nested too deeply; clean text no database stores (walked, not recursed).

    A candidate's typed answer with a stray NUL or half an emoji is saved without that
    character rather than refused: a refused answer would hold back every later autosave.
    """
    if isinstance(value, str):
        return _storable(value)
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError("nested too deeply")
        if isinstance(item, dict):
            for key in [k for k in item if UNSTORABLE.search(k)]:
                item[_storable(key)] = item.pop(key)
            slots = list(item.items())
        elif isinstance(item, list):
            slots = list(enumerate(item))
        else:
            continue
        for slot, child in slots:
            if isinstance(child, str):
                if UNSTORABLE.search(child):
                    item[slot] = _storable(child)
            elif isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Request bodies (and the session) are strict JSON: no NaN, bounded numbers and nesting."""

    def loads(self, data: str | bytes, **kwargs) -> object:
        try:
            value = json.loads(
                data,
                parse_int=_bounded_int,
                parse_float=_finite_float,
                parse_constant=_refuse_constant,
                **kwargs,
            )
        except RecursionError:
            raise ValueError("nested too deeply") from None
        return _check_parsed(value)


def _texts() -> list[str]:
    texts = [request.path]
    for multi in (request.args, request.form):
        for key, values in multi.lists():
            texts.append(key)
            texts.extend(values)
    texts.extend(f.filename or "" for f in request.files.values())
    return texts


def refuse_unusable_input():
    """Refuse, before any view runs, text with NUL characters and a body that is bad JSON."""
    if any("\x00" in text for text in _texts()):
        return error_response(
            400, "bad_request", _("The request contains a NUL character, which no field accepts.")
        )
    if request.is_json and request.get_data(cache=True):  # an empty body is no body
        try:
            request.get_json()
        except BadRequest:
            message = _(
                "The request body is not valid JSON: UTF-8 text, no NaN, numbers below 2^63, "
                "nested at most %(depth)d levels.",
                depth=MAX_JSON_DEPTH,
            )
            return jsonify({"error": "invalid_json", "message": message}), 400
    return None


class BaseForm(FlaskForm):
    """Every form of the app: Flask-WTF also reads a JSON body as the form's fields; then the
    body must be an object whose values are text or lists of text, as a browser would send."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            """Validator messages in the user's language (WTForms' catalog, gaps filled)."""
            from flask import current_app

            from examsvc.i18n import form_translations

            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return form_translations()

        def wrap_formdata(self, form, formdata):
            given = hasattr(formdata, "getlist")  # the view passed its own data (request.args)
            sent = request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json
            if given or request.form or not (sent and request.get_data(cache=True)):
                return super().wrap_formdata(form, formdata)
            body = request.get_json(silent=True)
            fields = body.items() if isinstance(body, dict) else [(None, None)]
            for _key, value in fields:
                values = value if isinstance(value, list) else [value]
                if not all(isinstance(v, str) for v in values):
                    abort(400, _("Form fields sent as JSON must be an object of text values."))
            return super().wrap_formdata(form, formdata)


def run_action(action, success_message: str | None):
    """Run a service call for a page: its ServiceError becomes a red message (None is
    returned), success a green one; the outcome otherwise."""
    from examsvc.services.errors import ServiceError

    try:
        outcome = action()
    except ServiceError as exc:
        flash(exc.message, "danger")
        return None
    if success_message:
        flash(success_message, "success")
    return outcome


#: The founding of the Party: no one joined before.
PARTY_FOUNDED = date(1921, 7, 1)


def past_party_date(form, field) -> None:
    """A form validator: a date of joining the Party is past and not before July 1921."""
    from flask_babel import lazy_gettext as _l
    from wtforms.validators import ValidationError

    if field.data is not None and not PARTY_FOUNDED <= field.data <= today_local():
        raise ValidationError(
            _l("The date of joining the Party must be a past date, not before July 1921.")
        )

"""Request-argument helpers shared by every blueprint: numbers are bounded in one place."""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

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

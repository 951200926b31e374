"""Small query helpers shared by the services."""

from __future__ import annotations

from sqlalchemy import false

#: No searched column holds more (stems are at most 2000 characters, names and e-mails less);
#: SQLite also refuses a LIKE pattern over 50,000 bytes ("pattern too complex").
MAX_SEARCH = 2000


def contains(column, text: str):
    """A LIKE condition matching the text literally anywhere in the column."""
    if len(text) > MAX_SEARCH:
        return false()  # longer than any value searched: nothing contains it
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return column.like(f"%{escaped}%", escape="\\")

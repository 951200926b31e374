"""Small query helpers shared by the services."""

from __future__ import annotations


def contains(column, text: str):
    """A LIKE condition matching the text literally anywhere in the column."""
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return column.like(f"%{escaped}%", escape="\\")

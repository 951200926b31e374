"""An upload previewed on one request and confirmed on the next: its token waits in the
session, tied to the user who previewed it (question imports and rosters alike)."""

from __future__ import annotations

from flask import session
from flask_login import current_user
from flask_wtf import FlaskForm


def remember(key: str, token: str | None) -> None:
    """Keep the token of the upload just previewed (or forget one when the file was refused)."""
    session[key] = {"token": token, "user": current_user.id} if token else None


def waiting(key: str) -> str | None:
    """The token of this user's previewed upload, if the session holds one."""
    entry = session.get(key)
    if not isinstance(entry, dict) or entry.get("user") != current_user.id:
        return None
    token = entry.get("token")
    return token if isinstance(token, str) else None


def confirmed(key: str, form: FlaskForm) -> str | None:
    """The waiting token once the confirm form is valid (the session then forgets it), or None."""
    token = waiting(key)
    if not form.validate_on_submit() or token is None:
        return None
    session.pop(key, None)
    return token

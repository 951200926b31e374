"""Where registration documents are kept: in the database, or in a shared folder.

By default a document's bytes are a column of its row, so every host of the service reads
them and a backup of the database holds them. With ``EXAMSVC_UPLOAD_PATH`` set they are
files in that folder instead (a mount every host shares, outside any web root), named by a
random token — never by the name the user's file had — and written atomically: to a
temporary file in the same folder, flushed to disk, then renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
from pathlib import Path

from flask import current_app

from examsvc.models import RegistrationDocument

#: Files go under this sub-folder of EXAMSVC_UPLOAD_PATH.
SUBFOLDER = "registration"


def folder() -> Path | None:
    """The shared folder documents are written to, or None when they live in the database."""
    configured = current_app.config.get("UPLOAD_PATH")
    return Path(str(configured)) / SUBFOLDER if configured else None


def _path(name: str) -> Path:
    base = folder()
    if base is None or not name.isalnum():  # a stored name is hex: never a path of the user's
        raise FileNotFoundError(name)
    return base / name[:2] / name


def keep(document: RegistrationDocument, data: bytes) -> None:
    """Store ``data`` for a new document (before its transaction commits)."""
    document.size = len(data)
    document.sha256 = hashlib.sha256(data).hexdigest()
    base = folder()
    if base is None:
        document.data = data
        return
    name = secrets.token_hex(20)
    target = _path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    document.stored_name = name


def read(document: RegistrationDocument) -> bytes:
    """The document's bytes, wherever they are kept."""
    if document.stored_name:
        return _path(document.stored_name).read_bytes()
    return document.data or b""


def forget(stored_names: list[str]) -> None:
    """Remove files of documents that are gone (after the transaction that removed them)."""
    for name in stored_names:
        with contextlib.suppress(OSError):
            _path(name).unlink()

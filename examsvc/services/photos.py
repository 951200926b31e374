"""Registration photos (证件照): checked with Pillow at upload, shrunk once for tickets.

A photo is refused at upload unless Pillow reads it and it has at most ``MAX_PIXELS``
pixels: a small file can hold a huge picture (a 9400 × 9400 PNG of 280 KB takes seconds and
hundreds of MB to decode), and tickets decode every photo they print.

Tickets print each photo as a small JPEG (``pdf.PHOTO_PIXELS`` on its longest side). It is
made once per document and kept in ``<instance>/ticket-photos`` (``EXAMSVC_TICKET_PHOTO_CACHE``
to move it), named by the document's id and the sha256 of its bytes, so a batch of
tickets, and every later batch, reads a few tens of KB per photo instead of decoding it.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings
from pathlib import Path

from flask import current_app

from examsvc.extensions import db
from examsvc.models import RegistrationDocument
from examsvc.services import pdf
from examsvc.services import registration_files as files
from question_bank.errors import Msg

#: The most pixels a photo may have (20 megapixels: a 5472 × 3648 camera picture).
MAX_PIXELS = 20_000_000


def problem(data: bytes, kind_code: str) -> Msg | None:
    """Why ``data`` cannot be kept as a photo (None when it can, or is no photo)."""
    if kind_code != "photo":
        return None
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return Msg(
                        "the picture is %(width)s × %(height)s pixels: a photo may have at "
                        "most %(limit)s million pixels",
                        code="photo_too_large", width=width, height=height,
                        limit=MAX_PIXELS // 1_000_000,
                    )  # fmt: skip
                image.verify()
    except Exception:  # Pillow raises many kinds for a damaged or hostile file
        return Msg("the picture cannot be read: it is damaged or no photo", code="photo_damaged")
    return None


def cache_dir() -> Path:
    configured = current_app.config.get("TICKET_PHOTO_CACHE")
    return Path(configured or os.path.join(current_app.instance_path, "ticket-photos"))


def _cache_file(document_id: int, sha256: str) -> Path | None:
    if not sha256.isalnum():
        return None
    return cache_dir() / f"{document_id}-{sha256[:32]}.jpg"


def _original(document_id: int) -> bytes | None:
    """The document's bytes, read without keeping them in the session."""
    row = db.session.execute(
        db.select(RegistrationDocument.data, RegistrationDocument.stored_name).where(
            RegistrationDocument.id == document_id
        )
    ).first()
    if row is None:
        return None
    try:
        return files.read(RegistrationDocument(data=row.data, stored_name=row.stored_name))
    except OSError:
        return None


def ticket_jpeg(document_id: int, sha256: str) -> bytes | None:
    """The photo as printed on tickets (a small JPEG), from the cache or made and kept
    there; None when the document is gone or no readable picture."""
    target = _cache_file(document_id, sha256)
    if target is not None:
        with contextlib.suppress(OSError):
            return target.read_bytes()
    original = _original(document_id)
    small = pdf.shrink_image(original) if original else None
    if small is None:
        return None
    data = small.getvalue()
    if target is not None:
        with contextlib.suppress(OSError):
            _write(target, data)
    return data


def _write(target: Path, data: bytes) -> None:
    """Atomically: a half-written file is never read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)

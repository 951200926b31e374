"""A sheet of trainings uploaded on the web: previewed (a dry run), kept until confirmed, then
imported — the roster page's flow (services/roster/uploads.py), under its own upload kind so
neither confirm takes the other's file."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _

from examsvc.extensions import db, writing
from examsvc.models import Upload, User, utcnow
from examsvc.services.errors import NotFound
from examsvc.services.training.imports import ImportReport, import_records
from examsvc.services.uploads import STALE_AFTER

KIND = "training"


def preview(
    actor: User, data: bytes, filename: str, org_code: str, replaces: str | None
) -> tuple[ImportReport, str | None]:
    """Dry-run the sheet and keep it for the confirm step: the report and the upload's token
    (None when the file is refused). ``replaces``: an earlier preview's token, dropped."""
    report = import_records(actor, data, org_code, dry_run=True, filename=filename)
    token = None if report.rejected else secrets.token_hex(16)
    with writing():
        _drop(actor.id, replaces)
        if token is not None:
            db.session.add(
                Upload(token=token, user_id=actor.id, filename=filename[:200],
                       options={"kind": KIND, "org_code": org_code}, data=data)
            )  # fmt: skip
        db.session.commit()
    return report, token


def confirm(actor: User, token: str | None) -> ImportReport:
    """Import the previewed sheet (the upload is used up whatever the outcome)."""
    upload = None
    if token:
        upload = db.session.scalar(
            db.select(Upload).where(Upload.token == token, Upload.user_id == actor.id)
        )
    if upload is None or (upload.options or {}).get("kind") != KIND:
        raise NotFound(_("Nothing to import: upload the file again."), code="no_upload")
    data, filename, org_code = upload.data, upload.filename, upload.options["org_code"]
    with writing():
        db.session.execute(db.delete(Upload).where(Upload.id == upload.id))
        db.session.commit()
    return import_records(actor, data, org_code, filename=filename)


def _drop(user_id: int, token: str | None) -> None:
    stale = Upload.created_at < utcnow() - STALE_AFTER
    mine = (Upload.user_id == user_id) & (Upload.token == (token or ""))
    db.session.execute(db.delete(Upload).where(stale | mine))

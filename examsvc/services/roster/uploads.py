"""A roster uploaded on the web: previewed (a dry run), kept until confirmed, then imported.

The file waits in the `uploads` table (every host reads it) under a random token only the
uploader's signed session holds, marked as a roster so the bank's confirm never takes it.
The import runs in the confirming request: its initial passwords are shown once in the
answer, never stored in the clear.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _

from examsvc.extensions import db, writing
from examsvc.models import Organisation, Sitting, Upload, User, utcnow
from examsvc.services import scope
from examsvc.services.errors import NotFound
from examsvc.services.roster import import_roster
from examsvc.services.roster.report import RosterReport
from examsvc.services.uploads import STALE_AFTER

KIND = "roster"


def organisations(actor: User) -> list[Organisation]:
    """The open organisations ``actor`` may import into (an org admin's subtree)."""
    query = db.select(Organisation).where(Organisation.is_closed.is_(False))
    visible = scope.visible_org_ids(actor)
    if visible is not None:
        query = query.where(Organisation.id.in_(visible))
    return list(db.session.scalars(query.order_by(Organisation.path, Organisation.code)))


def sittings() -> list[Sitting]:
    """Sittings people may still be enrolled in, soonest first."""
    now = utcnow()
    return list(
        db.session.scalars(
            db.select(Sitting)
            .where(Sitting.closes_at > now, Sitting.results_published_at.is_(None))
            .order_by(Sitting.opens_at)
        )
    )


def preview(
    actor: User, data: bytes, filename: str, options: dict[str, Any], replaces: str | None
) -> tuple[RosterReport, str | None]:
    """Dry-run the roster and keep it for the confirm step: the report and the upload's token
    (None when the file is refused). ``replaces``: the token of an earlier preview, dropped."""
    options = {k: options.get(k) for k in ("org_code", "sitting_id", "skip_bad")}
    report = import_roster(
        actor, data, options["org_code"], sitting_id=options["sitting_id"], dry_run=True,
        skip_bad=bool(options["skip_bad"]), filename=filename,
    )  # fmt: skip
    token = None if report.rejected else secrets.token_hex(16)
    with writing():
        _drop(actor.id, replaces)
        if token is not None:
            db.session.add(
                Upload(
                    token=token, user_id=actor.id, filename=filename[:200],
                    options={"kind": KIND, **options}, data=data,
                )
            )  # fmt: skip
        db.session.commit()
    return report, token


def confirm(actor: User, token: str | None) -> RosterReport:
    """Import the previewed roster (the upload is used up whatever the outcome)."""
    upload = None
    if token:
        upload = db.session.scalar(
            db.select(Upload).where(Upload.token == token, Upload.user_id == actor.id)
        )
    if upload is None or (upload.options or {}).get("kind") != KIND:
        raise NotFound(_("Nothing to import: upload the file again."), code="no_upload")
    data, filename, options = upload.data, upload.filename, dict(upload.options)
    with writing():
        db.session.execute(db.delete(Upload).where(Upload.id == upload.id))
        db.session.commit()
    return import_roster(
        actor, data, options["org_code"], sitting_id=options.get("sitting_id"),
        skip_bad=bool(options.get("skip_bad")), filename=filename,
    )  # fmt: skip


def discard(actor: User, token: str | None) -> None:
    with writing():
        _drop(actor.id, token)
        db.session.commit()


def _drop(user_id: int, token: str | None) -> None:
    stale = Upload.created_at < utcnow() - STALE_AFTER
    mine = (Upload.user_id == user_id) & (Upload.token == (token or ""))
    db.session.execute(db.delete(Upload).where(stale | mine))

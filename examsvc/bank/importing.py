"""Upload a question file: a preview (the dry-run report) first, then confirm; the template.

Between preview and confirm the upload waits in the instance folder under a random name
that only this user's signed session knows; confirm (or a new preview) deletes it.
"""

from __future__ import annotations

import io
import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField

from examsvc.bank import bp
from examsvc.extensions import read_only
from examsvc.labels import AREA_LABELS, CHANNEL_LABELS, choices
from examsvc.models import Role
from examsvc.services import importing
from examsvc.services.errors import ServiceError
from question_bank import formats

SESSION_KEY = "bank_import"
STALE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(FlaskForm):
    file = FileField(_l("Question file"), validators=[FileRequired()])
    fmt = SelectField(
        _l("Format"),
        choices=choices(
            {f: f for f in formats.FORMATS}, first=("auto", _l("Detect from the file"))
        ),
        default="auto",
    )
    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS), default="institution")
    area = SelectField(
        _l("Knowledge area for items that name none"),
        choices=choices(AREA_LABELS, first=("", _l("None: such items are errors"))),
        default="",
    )
    skip_bad = BooleanField(_l("Import the good items and leave out the bad ones"))
    approve = BooleanField(_l("Approve them at once (examiners only)"))
    submit = SubmitField(_l("Preview"))

    def options(self) -> dict:
        return {
            "fmt": self.fmt.data,
            "channel": self.channel.data,
            "default_area": self.area.data or None,
            "skip_bad": bool(self.skip_bad.data),
            "approve": bool(self.approve.data),
        }


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import"))


def _require_importer() -> None:
    """Examiners, and contributors verified as an institution, import files."""
    if not (current_user.has_role(Role.EXAMINER) or current_user.is_institution):
        abort(403)


@bp.route("/import", methods=["GET", "POST"])
@read_only  # the preview is a dry run: it reads the bank and writes nothing to it
def import_upload():
    _require_importer()
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("bank/import.html", form=form, report=None)
    upload = form.file.data
    path = _stash(upload.read(), upload.filename or "", form.options())
    try:
        report = importing.import_file(
            current_user, path, filename=upload.filename or "", dry_run=True, **form.options()
        )
    except ServiceError as exc:
        _discard()
        flash(exc.message, "danger")
        return render_template("bank/import.html", form=form, report=None), exc.status
    if report.rejected:
        _discard()
    page = render_template(
        "bank/import.html",
        form=form,
        report=report,
        confirm=ConfirmForm(),
        filename=upload.filename,
    )
    return page, 422 if report.rejected else 200  # a refused file is the user's to fix


@bp.route("/import/confirm", methods=["POST"])
def import_confirm():
    _require_importer()
    pending = _pending()
    if not ConfirmForm().validate_on_submit() or pending is None:
        flash(_("Nothing to import: upload the file again."), "warning")
        return redirect(url_for("bank.import_upload"))
    path, filename, options = pending
    try:
        report = importing.import_file(current_user, path, filename=filename, **options)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("bank.import_upload"))
    finally:
        _discard()
    if report.rejected:
        form = ImportForm(formdata=None)
        return render_template("bank/import.html", form=form, report=report, filename=filename), 422
    flash(_("Imported %(n)s questions; %(skipped)s left out.", n=report.imported,
            skipped=report.skipped), "success")  # fmt: skip
    return redirect(url_for("bank.mine"))


@bp.route("/import/template.xlsx")
def import_template():
    _require_importer()
    return send_file(
        io.BytesIO(formats.blank_template()),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="question-bank-template.xlsx",
    )


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


def _stash(data: bytes, filename: str, options: dict) -> Path:
    """Keep the upload for the confirm step; the session holds its random name."""
    _discard()
    _sweep()
    token = secrets.token_hex(16)
    path = _folder() / f"{token}.upload"
    path.write_bytes(data)
    session[SESSION_KEY] = {
        "token": token,
        "user": current_user.id,
        "filename": filename[:200],
        "options": options,
    }
    return path


def _pending() -> tuple[Path, str, dict] | None:
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict) or entry.get("user") != current_user.id:
        return None
    token = str(entry.get("token", ""))
    path = _folder() / f"{token}.upload"
    if not _TOKEN.match(token) or not path.is_file():
        return None
    return path, str(entry.get("filename", "")), dict(entry.get("options") or {})


def _discard() -> None:
    entry = session.pop(SESSION_KEY, None)
    token = str(entry.get("token", "")) if isinstance(entry, dict) else ""
    if _TOKEN.match(token):
        (_folder() / f"{token}.upload").unlink(missing_ok=True)


def _sweep() -> None:
    """Delete uploads whose preview was never confirmed."""
    cutoff = time.time() - STALE_SECONDS
    for stale in _folder().glob("*.upload"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)

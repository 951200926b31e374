"""`examsvc uploads sweep`: files of the shared upload folder that no document names."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.group("uploads")
def uploads_group() -> None:
    """The shared folder of uploaded documents (EXAMSVC_UPLOAD_PATH)."""


@uploads_group.command("sweep")
@click.option("--delete", is_flag=True, help="Remove the orphans (default: only list them).")
@click.option(
    "--min-age-minutes",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Leave younger files alone: their upload may still be committing.",
)
@with_appcontext
def sweep_command(delete: bool, min_age_minutes: int) -> None:
    """Print, as JSON, the files no registration document names; --delete removes them.

    Exit 0, or 1 when EXAMSVC_UPLOAD_PATH is not set or a file could not be removed."""
    from examsvc.services import upload_sweep

    report = upload_sweep.sweep(delete=delete, grace_seconds=min_age_minutes * 60)
    click.echo(json.dumps(report.as_json(), ensure_ascii=False))
    if report.folder is None:
        click.echo("EXAMSVC_UPLOAD_PATH is not set: documents are kept in the database.", err=True)
        raise SystemExit(1)
    if report.failed:
        raise SystemExit(1)

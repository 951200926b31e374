"""`examsvc training import`: training records of an organisation's people from a sheet."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.group("training")
def training_group() -> None:
    """The training archive (培训档案)."""


@training_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--org", "org_code", required=True, help="Code of the organisation whose people "
              "trained (its whole subtree).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@with_appcontext
def import_command(file: str, org_code: str, dry_run: bool, as_json: bool) -> None:
    """Import FILE all-or-nothing; exit 0 when it went through, 1 when it was rejected.

    The report is the roster import's: {"imported", "skipped", "errors": [{"where",
    "message"}]}; "skipped" counts the bad rows (any rejects the file)."""
    from examsvc.services.training.imports import import_records

    report = import_records(None, file, org_code, dry_run=dry_run)
    shown = report.as_json()
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False))
    else:
        for error in shown["errors"]:
            click.echo(f"{error['where']}: {error['message']}", err=True)
        if report.rejected:
            click.echo(f"rejected: nothing was written; bad rows {report.skipped}")
        else:
            verb = "would import" if dry_run else "imported"
            click.echo(f"{verb} {report.imported} trainings of {report.people} people, "
                       f"{report.hours:g} hours")  # fmt: skip
    if report.rejected:
        raise SystemExit(1)

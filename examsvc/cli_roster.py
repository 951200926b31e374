"""`examsvc roster import` (组织报名 from the command line; DESIGN.md §4)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext


@click.group("roster")
def roster_group() -> None:
    """Import rosters of people (组织报名)."""


@roster_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--org", "org_code", required=True, help="Code of the organisation imported into.")
@click.option("--sitting", "sitting_id", type=int, default=None, help="Enrol every good row.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Give every new account the password read from standard input (else a random one each).",
)
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
@click.option("--skip-bad", is_flag=True, help="Import the good rows, report the bad ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@with_appcontext
def import_command(
    file: str,
    org_code: str,
    sitting_id: int | None,
    password_stdin: bool,
    dry_run: bool,
    skip_bad: bool,
    as_json: bool,
) -> None:
    """Import FILE all-or-nothing; exit 0 when it went through, 1 when it was rejected."""
    from examsvc.services import roster

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    report = roster.import_roster(
        None, file, org_code, sitting_id=sitting_id, password=password,
        dry_run=dry_run, skip_bad=skip_bad,
    )  # fmt: skip
    _print_report(report, as_json)
    if report.rejected:
        raise SystemExit(1)


def _print_report(report, as_json: bool) -> None:
    shown = report.as_json()
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False))
        return
    for error in shown["errors"]:
        click.echo(f"{error['where']}: {error['message']}", err=True)
    if report.rejected:
        click.echo(f"rejected: nothing was written; bad rows {report.skipped}")
        return
    verb = "would import" if report.dry_run else "imported"
    click.echo(
        f"{verb} {report.imported} (created {report.created}, updated {report.updated}, "
        f"enrolled {report.enrolled}); skipped {report.skipped}"
    )
    for account in shown["accounts"]:
        if account["initial_password"]:
            click.echo(f"row {account['row']}\t{account['login']}\t{account['initial_password']}")

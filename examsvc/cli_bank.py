"""`examsvc bank import` and `examsvc bank export` (DESIGN.md §4)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from question_bank.formats import FORMATS, WRITABLE
from question_bank.model import AREAS, Channel


@click.group("bank")
def bank_group() -> None:
    """Import and export question files."""


@bank_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["auto", *FORMATS]), default="auto")
@click.option(
    "--source", "channel", type=click.Choice([c.value for c in Channel]), default="institution"
)
@click.option(
    "--as",
    "email",
    default=None,
    help="Import as this account (default: the first examiner; with --approve, the first admin).",
)
@click.option("--area", type=click.Choice(AREAS), default=None, help="Area of items naming none.")
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
@click.option("--skip-bad", is_flag=True, help="Import the good items, report the bad ones.")
@click.option(
    "--approve",
    is_flag=True,
    help="An administrator's import goes straight into the bank (or gets the first of two "
    "approvals where REVIEW_SECOND_APPROVAL asks for two); refused to anyone else, whose "
    "imported questions wait for another examiner's review.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@with_appcontext
def import_command(
    file: str,
    fmt: str,
    channel: str,
    email: str | None,
    area: str | None,
    dry_run: bool,
    skip_bad: bool,
    approve: bool,
    as_json: bool,
) -> None:
    """Import FILE all-or-nothing; exit 0 when it went through, 1 when it was rejected."""
    from examsvc.services import importing
    from examsvc.services.errors import ServiceError

    try:
        actor = importing.importing_account(email, approve)
        report = importing.import_file(
            actor, file, fmt=fmt, channel=channel, default_area=area,
            dry_run=dry_run, skip_bad=skip_bad, approve=approve,
        )  # fmt: skip
    except ServiceError as exc:
        report = importing.ImportReport()
        report.note("command", exc.message)
        report.reject()
    _print_report(report, as_json)
    if report.rejected:
        raise SystemExit(1)


def _print_report(report, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for error in report.errors:
        click.echo(f"{error['where']}: {error['message']}", err=True)
    verb = "would import" if report.dry_run else "imported"
    counts = ", ".join(f"{t} {n}" for t, n in report.by_type.items() if n)
    state = "rejected: nothing was written" if report.rejected else f"{verb} {report.imported}"
    click.echo(f"{state}; skipped {report.skipped}" + (f" ({counts})" if counts else ""))


@bank_group.command("export")
@click.option("--format", "fmt", type=click.Choice(WRITABLE), required=True)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True)
@click.option("--status", default="approved", help="Questions of this status (default approved).")
@with_appcontext
def export_command(fmt: str, output: str, status: str) -> None:
    """Export the bank's approved questions to a file."""
    from examsvc.services import importing
    from examsvc.services.errors import ServiceError

    try:
        report = importing.export_bank(fmt, output, status=status)
    except (ServiceError, OSError) as exc:
        raise click.ClickException(getattr(exc, "message", None) or str(exc)) from None
    for skipped in report.skipped:
        click.echo(f"{skipped['where']}: {skipped['message']}", err=True)
    click.echo(f"exported {report.exported} questions to {output}")

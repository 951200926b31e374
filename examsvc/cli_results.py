"""`examsvc results publish` (DESIGN.md §4): publish a sitting's results for public notice."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext


@click.group("results")
def results_group() -> None:
    """Results and their public notice (公示)."""


@results_group.command("publish")
@click.argument("sitting", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@with_appcontext
def publish_command(sitting: int, as_json: bool) -> None:
    """Publish SITTING's results: the public notice and its objection window start.

    Exit 0 when published; exit 1 when answers are unmarked, candidates are still sitting,
    the results are published already or there is no such sitting.
    """
    from examsvc.services.errors import ServiceError
    from examsvc.services.results import publication_report, publish

    try:
        done = publish(None, sitting)
    except ServiceError as exc:
        if as_json:
            click.echo(json.dumps({"error": exc.code, "message": exc.message}, ensure_ascii=False))
        else:
            click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    report = publication_report(done)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(
            f"sitting {report['sitting']} published at {report['published_at']}: "
            f"{report['passed']} of {report['candidates']} passed; "
            f"notice ends on {report['notice_ends_on']}"
        )

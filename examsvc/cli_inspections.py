"""`examsvc inspections run ORG_CODE --year Y [--assessments FILE] [--close] [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from examsvc.cli_certificates import _fail


@click.group("inspections")
def inspections_group() -> None:
    """年检: the annual inspection of level certificates."""


@inspections_group.command("run")
@click.argument("org_code")
@click.option("--year", type=int, default=None, help="The year inspected (default: last year).")
@click.option(
    "--assessments",
    "sheet",
    type=click.Path(exists=True, dir_okay=False),
    help="An xlsx or CSV sheet of annual assessments to import (all or nothing).",
)
@click.option("--close", "close", is_flag=True, help="Apply the outcomes and close the batch.")
@click.option(
    "--missing-fail", is_flag=True, help="On --close, people without an annual assessment fail."
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@with_appcontext
def run_command(org_code, year, sheet, close, missing_fail, as_json) -> None:  # fmt: skip
    """Open (or take up) the 年检 batch of ORG_CODE's subtree for a year, import the
    assessments of a sheet, print each outcome's count, and with --close apply them.

    Prints {"inspection", "organisation", "year", "state", "people", "missing", "passed",
    "reinstated", "suspended", "revoked", "changed": [number...]} with --json; the counts
    are what closing would decide until the batch is closed. Exit 1 with {"error",
    "message"} for an unknown organisation, a year that is not past, a sheet with bad rows
    (nothing imported) or missing assessments on --close without --missing-fail.
    """
    from examsvc.services import inspections, orgs
    from examsvc.services.errors import BadInput, ServiceError
    from examsvc.services.inspections import assessments, closing

    try:
        batch = _batch(orgs.require_code(org_code), year)
        if sheet:
            report = assessments.import_sheet(None, batch.id, Path(sheet).read_bytes(), sheet)
            if report.problems:
                message = "; ".join(f"{where}: {problem}" for where, problem in report.problems)
                raise BadInput(message, code="bad_sheet")
        changed = []
        if close:
            changed = closing.close(None, batch.id, missing_fail=missing_fail).changed
        elif batch.state == "open":
            inspections.refresh(None, batch.id)
    except ServiceError as exc:
        _fail(exc, as_json)
        return
    out = {"inspection": batch.id, "organisation": batch.organisation.code, "year": batch.year,
           "state": batch.state, **inspections.summary(batch), "changed": changed}  # fmt: skip
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    for key in ("people", "missing", "passed", "reinstated", "suspended", "revoked"):
        click.echo(f"{key}: {out[key]}")


def _batch(org, year):
    """The organisation's batch of the year: the existing one, else a new one."""
    from examsvc.extensions import db
    from examsvc.models import Inspection
    from examsvc.services import inspections

    year = inspections.check_year(year if year is not None else inspections.default_year())
    found = db.session.scalar(
        db.select(Inspection).where(Inspection.organisation_id == org.id, Inspection.year == year)
    )
    return found if found is not None else inspections.open_batch(None, org.id, year)

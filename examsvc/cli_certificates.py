"""`examsvc certificates issue|revoke` (DESIGN.md §4)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext


@click.group("certificates")
def certificates_group() -> None:
    """Certificates: issue a sitting's, revoke one."""


def _fail(exc, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"error": exc.code, "message": exc.message}, ensure_ascii=False))
    else:
        click.echo(f"Error: {exc.message}", err=True)
    sys.exit(1)


@certificates_group.command("issue")
@click.argument("sitting", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@with_appcontext
def issue_command(sitting: int, as_json: bool) -> None:
    """Issue SITTING's certificates to everyone who passed.

    Prints {"issued": [number...], "refused": [{"candidate", "reason"}]} with --json
    (refused: passed but no certificate; those who failed are not listed). Exit 1 while
    the public notice runs or an appeal or objection is open, before publication, or for
    an unknown sitting.
    """
    from examsvc.services import certificates
    from examsvc.services.errors import ServiceError

    try:
        report = certificates.issue_for_sitting(None, sitting)
    except ServiceError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for number in report.issued:
        click.echo(number)
    for refused in report.refused:
        click.echo(f"no certificate: {refused['candidate']}: {refused['reason']}")
    click.echo(f"{len(report.issued)} issued, {len(report.refused)} refused", err=True)


@certificates_group.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="Why (kept with the certificate and audited).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@with_appcontext
def revoke_command(number: str, reason: str, as_json: bool) -> None:
    """Revoke certificate NUMBER; the record stays, with the reason.

    Exit 1 for an unknown number or an empty reason; revoking a revoked certificate changes
    nothing and exits 0.
    """
    from examsvc.services import certificates
    from examsvc.services.errors import ServiceError

    try:
        cert, changed = certificates.revoke(None, number, reason)
    except ServiceError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        click.echo(json.dumps({"number": cert.number, "status": cert.status, "changed": changed},
                              ensure_ascii=False))  # fmt: skip
    else:
        click.echo(f"{cert.number} revoked" if changed else f"{cert.number} was revoked already")

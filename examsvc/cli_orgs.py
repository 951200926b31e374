"""`examsvc orgs create` (DESIGN.md §4)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext


@click.group("orgs")
def orgs_group() -> None:
    """Manage the organisation tree."""


@orgs_group.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", default=None, help="Code of the parent organisation.")
@click.option("--kind", default=None, help="What it is, such as 党委 or 党支部.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@with_appcontext
def create_command(
    code: str, name: str, parent_code: str | None, kind: str | None, as_json: bool
) -> None:
    """Create organisation CODE (letters, digits, '-'; unique) called NAME."""
    from examsvc.services import orgs
    from examsvc.services.errors import ServiceError

    try:
        parent = orgs.require_code(parent_code) if parent_code is not None else None
        org = orgs.create(code, name, parent, kind=kind)
    except ServiceError as exc:
        if as_json:
            click.echo(json.dumps({"error": exc.code, "message": exc.message}, ensure_ascii=False))
        else:
            click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    if as_json:
        payload = {"id": org.id, "code": org.code, "name": org.name, "parent": parent_code}
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        click.echo(f"created organisation {org.id} {org.code} {org.name}")

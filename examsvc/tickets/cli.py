"""``examsvc tickets prepare-fonts``: build the cached font subset before the first PDF."""

import click

from examsvc.services import pdf
from examsvc.tickets import bp


@bp.cli.command("prepare-fonts")
def prepare_fonts() -> None:
    """Write the subset of the Chinese font that makes each PDF fast (once per host)."""
    try:
        paths = pdf.prepare_fonts()
    except pdf.FontMissing as exc:
        raise click.ClickException(str(exc)) from None
    for path in paths:
        click.echo(str(path))

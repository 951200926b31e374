"""`examsvc stats items` (DESIGN.md §4): item analysis of a response-matrix CSV."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click
from flask.cli import with_appcontext


@click.group("stats")
def stats_group() -> None:
    """Item and test statistics."""


@stats_group.command("items")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as one JSON object.")
@with_appcontext
def items_command(file: str, as_json: bool) -> None:
    """Analyse FILE: a CSV of 'candidate' and item names, a 'key' row, one row per candidate.

    Exit 0 with the analysis; exit 1 when FILE cannot be read or is not such a matrix.
    """
    from flask_babel import gettext as _

    from examsvc.i18n import translate
    from question_bank.response_matrix import (
        ResponseMatrixRejected,
        analyse_matrix,
        parse_response_matrix,
    )

    try:
        text = _read_text(file)
    except OSError:
        _fail("unreadable", _("The file cannot be read."), as_json)
    except UnicodeDecodeError:
        _fail("encoding", _("The file is neither UTF-8 nor GB18030 text."), as_json)
    try:
        analysis = analyse_matrix(parse_response_matrix(text))
    except ResponseMatrixRejected as exc:
        message = exc.args[0]
        _fail(getattr(message, "code", "") or "rejected", translate(message), as_json)
    if as_json:
        click.echo(json.dumps(analysis.as_json(), ensure_ascii=False))
    else:
        _print_table(analysis)


def _read_text(path: str) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030 as Excel saves it in China."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _fail(code: str, message: str, as_json: bool) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"error": code, "message": message}, ensure_ascii=False))
    else:
        click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _print_table(analysis) -> None:
    def show(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    click.echo(f"{'item':<16} key facility    sd  rest_r   eff  flags")
    for item in analysis.items:
        flags = ",".join(item.flags)
        if item.suggest:
            flags += f" (suggest {item.suggest})"
        click.echo(
            f"{item.item[:16]:<16} {item.key:<3} {show(item.facility):>8} {show(item.sd):>5} "
            f"{show(item.item_rest_r):>7} {show(item.discriminative_efficiency):>5}  {flags}"
        )
    test = analysis.test
    click.echo(
        f"candidates {analysis.candidates}  mean {show(test.mean)}  sd {show(test.sd)}  "
        f"alpha {show(test.alpha)}  sem {show(test.sem)}"
    )

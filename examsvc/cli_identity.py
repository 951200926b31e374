"""`examsvc ids`: the data key that encrypts ID numbers (new key, rotation)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.group("ids")
def ids_group() -> None:
    """ID numbers stored encrypted: data keys and their rotation."""


@ids_group.command("new-key")
def new_key() -> None:
    """Print a fresh random data key for EXAMSVC_DATA_KEY (base64 of 32 bytes)."""
    from examsvc.services.identity import new_data_key

    click.echo(new_data_key())


@ids_group.command("rotate-key")
@click.option(
    "--rehash",
    is_flag=True,
    help="Also recompute the lookup hashes (needed after EXAMSVC_SECRET_KEY changed).",
)
@click.option(
    "--batch", type=click.IntRange(1, 10_000), default=200, help="Accounts per transaction."
)
@with_appcontext
def rotate_key(rehash: bool, batch: int) -> None:
    """Re-encrypt every stored ID number under the current EXAMSVC_DATA_KEY.

    Keep the previous key in EXAMSVC_DATA_KEY_OLD while this runs (and while the web
    processes restart); remove it afterwards. Safe to run again: numbers already under the
    current key are skipped. Prints a JSON report; exits 1 when some number no configured key
    opens (their account ids are listed).
    """
    from examsvc.services.identity import keyring, rotate_keys

    report = rotate_keys(rehash=rehash, batch=batch)
    click.echo(json.dumps({"key_id": keyring().current_id, **report.as_dict()}))
    if report.unreadable:
        raise click.ClickException(
            f"{len(report.unreadable)} ID numbers could not be decrypted with the configured "
            "keys (add the key they were stored under to EXAMSVC_DATA_KEY_OLD): accounts "
            + ", ".join(map(str, report.unreadable[:50]))
        )

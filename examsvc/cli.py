"""The `examsvc` command: a Flask CLI group (db, users, demo, attempts)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from examsvc.cli_bank import bank_group
from examsvc.cli_certificates import certificates_group
from examsvc.cli_inspections import inspections_group
from examsvc.cli_orgs import orgs_group
from examsvc.cli_results import results_group
from examsvc.cli_roster import roster_group
from examsvc.cli_stats import stats_group
from examsvc.cli_training import training_group
from examsvc.cli_uploads import uploads_group
from examsvc.models import Role
from examsvc.services.errors import ServiceError


def _create_app():
    from examsvc import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """examsvc: online exams and question bank."""


def register_commands(app) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(attempts_group)
    app.cli.add_command(bank_group)
    app.cli.add_command(orgs_group)
    app.cli.add_command(roster_group)
    app.cli.add_command(worker)
    app.cli.add_command(stats_group)
    app.cli.add_command(inspections_group)
    app.cli.add_command(results_group)
    app.cli.add_command(uploads_group)
    app.cli.add_command(certificates_group)
    app.cli.add_command(training_group)


@click.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.argument("email")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role])
)
@click.option("--name", default=None, help="Full name (defaults to the e-mail's local part).")
@click.option("--party-member", is_flag=True, help="The person is a party member (中共党员).")
@click.option(
    "--password-stdin", is_flag=True, required=True, help="Read the password from standard input."
)
@with_appcontext
def create_user(
    email: str, roles: tuple[str, ...], name: str | None, party_member: bool, password_stdin: bool
) -> None:
    """Create an account with one or more roles."""
    from examsvc.services import accounts

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(email, roles, password, name, is_party_member=party_member)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created user {user.id} {user.email} roles={','.join(sorted(user.roles))}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print users and sittings as JSON.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has any account.")
@with_appcontext
def demo(as_json: bool, if_empty: bool) -> None:
    """Seed the demo: users for every role, ≥300 questions, a blueprint, an open sitting."""
    from examsvc.services import demo as demo_service

    if if_empty and not demo_service.database_is_empty():
        click.echo("the database has accounts already: demo not seeded")
        return
    try:
        report = demo_service.seed()
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(
            json.dumps(
                {"users": report["users"], "sittings": report["sittings"]}, ensure_ascii=False
            )
        )
        return
    click.echo(f"questions added: {report['questions_added']}")
    click.echo("demo accounts (e-mail / password / roles):")
    for user in report["users"]:
        click.echo(f"  {user['email']:32} {user['password']:22} {','.join(user['roles'])}")
    for sitting in report["sittings"]:
        click.echo(f"open sitting: #{sitting['id']} {sitting['name']}")


@click.group("attempts")
def attempts_group() -> None:
    """Exam attempts."""


@attempts_group.command("close-expired")
@click.option("--json", "as_json", is_flag=True, help='Print {"closed": N}.')
@click.option("--quiet", is_flag=True, help="Print nothing unless an attempt was closed.")
@with_appcontext
def close_expired(as_json: bool, quiet: bool) -> None:
    """Submit every attempt whose time is over (run from cron every minute).

    Exit 0 when the sweep ran (even if nothing was due), 1 when the database failed it
    (the batches handed in before the failure stay handed in; the next run does the rest).
    """
    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    from examsvc.services import attempts

    try:
        closed = attempts.close_expired()
    except SQLAlchemyError as exc:
        current_app.logger.exception("close-expired failed")
        message = f"could not close expired attempts: {type(exc).__name__}"
        if as_json:
            click.echo(json.dumps({"error": "database_error", "message": message}))
        else:
            click.echo(message, err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"closed": closed}))
    elif closed or not quiet:
        click.echo(f"closed {closed} attempts")


@click.command()
@click.option("--threads", type=click.IntRange(1, 16), default=2, help="Jobs run at once.")
@with_appcontext
def worker(threads: int) -> None:
    """Run background jobs (imports, randomize…) until stopped (Ctrl-C or SIGTERM).

    Jobs are queued in Redis with EXAMSVC_REDIS_URL, else in instance/jobs-queue.db. Web
    processes run jobs themselves unless EXAMSVC_JOBS_RUNNER=worker. SIGTERM or Ctrl-C
    stops it once its running jobs end; a second one stops it at once (those jobs are then
    marked failed, and what they staged removed, when a worker starts again).
    """
    from flask import current_app

    from examsvc.jobqueue import queue
    from examsvc.services import staging

    staging.sweep()  # jobs, and batches of imports, that died with an earlier process
    jobs = queue()
    click.echo(f"examsvc worker: {threads} threads, {type(jobs.huey.storage).__name__}")
    jobs.consumer(threads).run()
    current_app.logger.info("examsvc worker stopped")

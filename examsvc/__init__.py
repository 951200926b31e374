"""examsvc: the online exam and question-bank service."""

from __future__ import annotations

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, errors, CLI. Never touches the database."""
    instance = (config or {}).get("INSTANCE_PATH") or os.environ.get("EXAMSVC_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance or "instance"),
        instance_relative_config=True,
        template_folder=_shipped("templates"),
    )
    from examsvc.config import load_config

    load_config(app, config)
    from examsvc import web

    web.init_app(app)  # bounded route ids, strict JSON bodies, no NUL in any input
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from examsvc import errors, i18n, security
    from examsvc.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    _check_idle_connections(app)
    migrate.init_app(app, db, directory=_shipped("migrations"))
    limiter.init_app(app)  # before CSRF: a brute-force attempt is refused first
    csrf.init_app(app)
    security.init_app(app, login_manager)
    i18n.init_app(app)
    errors.init_app(app)
    from examsvc import jobqueue

    jobqueue.init_app(app)
    from examsvc.services import identity

    identity.init_app(app)  # ID numbers masked in every log record; data keys checked
    _register_blueprints(app)
    from examsvc.cli import register_commands

    register_commands(app)
    from examsvc.cli_identity import ids_group

    app.cli.add_command(ids_group)  # examsvc ids new-key / rotate-key
    return app


def _check_idle_connections(app: Flask) -> None:
    """A network database's idle connections are checked before use (unless the operator
    asked SQLAlchemy to ping before every use)."""
    from examsvc.extensions import db, ping_after_idle

    if app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
        return
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        ping_after_idle(engine, float(app.config["DB_PING_AFTER_IDLE_SECONDS"]))


def _shipped(name: str) -> str:
    """A top-level folder of the repository, or its copy inside an installed wheel (setup.py)."""
    here = os.path.dirname(os.path.abspath(__file__))
    packaged = os.path.join(here, name)
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(here), name)


def _register_blueprints(app: Flask) -> None:
    from examsvc.admin import bp as admin_bp
    from examsvc.api import bp as api_bp
    from examsvc.auth import bp as auth_bp
    from examsvc.bank import bp as bank_bp
    from examsvc.exam import bp as exam_bp
    from examsvc.main import bp as main_bp
    from examsvc.marking import bp as marking_bp
    from examsvc.marking import stats_bp
    from examsvc.orgs import bp as orgs_bp
    from examsvc.orgs import me_bp
    from examsvc.registration import bp as registration_bp
    from examsvc.registration import review_bp as registration_review_bp
    from examsvc.review import bp as review_bp
    from examsvc.roster import bp as roster_bp
    from examsvc.verify import bp as verify_bp

    blueprints = (main_bp, auth_bp, bank_bp, review_bp, admin_bp, exam_bp, verify_bp, api_bp)
    for bp in (*blueprints, orgs_bp, me_bp, roster_bp, marking_bp, stats_bp):
        app.register_blueprint(bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(registration_review_bp)
    from examsvc.tickets import bp as tickets_bp
    from examsvc.tickets import exports_bp

    app.register_blueprint(tickets_bp)
    app.register_blueprint(exports_bp)
    from examsvc.results import BLUEPRINTS as results_blueprints

    for bp in results_blueprints:
        app.register_blueprint(bp)
    from examsvc.archive import bp as archive_bp

    app.register_blueprint(archive_bp)
    from examsvc.certificates import BLUEPRINTS as certificate_blueprints

    for bp in certificate_blueprints:
        app.register_blueprint(bp)
    from examsvc.training import bp as training_bp

    app.register_blueprint(training_bp)
    from examsvc.levels import BLUEPRINTS as level_blueprints

    for bp in level_blueprints:
        app.register_blueprint(bp)
    from examsvc.inspections import bp as inspections_bp
    from examsvc.notices import bp as notices_bp

    app.register_blueprint(inspections_bp)
    app.register_blueprint(notices_bp)

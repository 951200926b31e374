"""Configuration from the environment (EXAMSVC_*) and the instance folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from examsvc import (
    ratelimit,  # registers the examsvc+sqlite storage scheme with limits
    sqlite_writer,
)


class ConfigError(RuntimeError):
    """The service cannot start with this configuration."""


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    #: A pooled database connection idle this long is checked before use (extensions.py).
    "DB_PING_AFTER_IDLE_SECONDS": 10,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "examsvc_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SECURE_COOKIES": False,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead: exams last hours
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "BABEL_DEFAULT_LOCALE": "zh",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "DISPLAY_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh", "en"],
    #: Failed logins per account (however its e-mail is typed), and per client address.
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "LOGIN_ADDRESS_RATE_LIMIT": "200 per hour",
    #: Opening and posting set-password links, per client address.
    "RESET_RATE_LIMIT": "30 per hour",
    #: Posts of the public registration form per client address (an office registers from
    #: behind one address), and per ID number entered.
    "REGISTRATION_RATE_LIMIT": "200 per hour",
    "REGISTRATION_ID_RATE_LIMIT": "10 per hour",
    #: How long a set-password link an administrator gives out stays valid.
    "RESET_LINK_HOURS": 72,
    #: Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (werkzeug ProxyFix).
    "PROXY_FIX": 0,
    #: Default: a counter file in the instance folder that all workers of the host share;
    #: EXAMSVC_REDIS_URL puts the counters in Redis, shared by every host.
    "RATELIMIT_STORAGE_URI": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    "NOTICE_WORKING_DAYS": 5,
    "PASSWORD_HASH_METHOD": "scrypt",
    #: Questions serving certification exams need a second examiner's approval.
    "REVIEW_SECOND_APPROVAL": False,
    #: Who runs background jobs: thread (in the web process), worker, inline (examsvc/jobqueue.py).
    "JOBS_RUNNER": "thread",
    #: Questions one import file may hold.
    "IMPORT_MAX_QUESTIONS": 50_000,
    "CERTIFICATE_VALID_YEARS": 3,
    "CERTIFICATE_ORG_CODE": "0000",
    #: One registration document (报名表, photo…) at most this large.
    "UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    #: Registration documents as files in this shared folder; unset: in the database.
    "UPLOAD_PATH": None,
}


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill app.config from defaults, EXAMSVC_* variables and explicit overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("EXAMSVC")
    if overrides:
        app.config.from_mapping(overrides)
    cfg = app.config
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    default_db = "sqlite:///" + str(Path(app.instance_path) / "examsvc.db")
    cfg.setdefault("SQLALCHEMY_DATABASE_URI", cfg.get("DATABASE_URL") or default_db)
    if cfg.get("REDIS_URL"):
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    elif not cfg.get("RATELIMIT_STORAGE_URI"):
        cfg["RATELIMIT_STORAGE_URI"] = ratelimit.storage_uri(
            Path(app.instance_path) / "ratelimit.db"
        )
    secure = bool(cfg["SECURE_COOKIES"])
    cfg["SESSION_COOKIE_SECURE"] = cfg["REMEMBER_COOKIE_SECURE"] = secure
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(cfg["SQLALCHEMY_DATABASE_URI"], cfg)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _embedded_secret(app, default_db)
    _upload_limits(cfg)


def _upload_limits(cfg) -> None:
    """The default request limit grows to carry two registration documents at their limit
    (the two photos) when EXAMSVC_UPLOAD_MAX_BYTES is raised; a limit set on purpose stays."""
    per_file = int(cfg["UPLOAD_MAX_BYTES"])
    if per_file <= 0:
        raise ConfigError("EXAMSVC_UPLOAD_MAX_BYTES must be a positive number of bytes")
    if cfg.get("MAX_CONTENT_LENGTH") == DEFAULTS["MAX_CONTENT_LENGTH"]:
        cfg["MAX_CONTENT_LENGTH"] = max(DEFAULTS["MAX_CONTENT_LENGTH"], 2 * per_file + 2**20)


def _engine_options(url: str, cfg) -> dict:
    options = dict(cfg["SQLALCHEMY_ENGINE_OPTIONS"])
    if url.startswith("sqlite"):
        # busy_timeout is set per connection in extensions; the driver's timeout is the wait
        # for the database lock before "database is locked". The connection class lets go
        # of our writer lock when a transaction ends (sqlite_writer.py).
        options["connect_args"] = {
            "timeout": sqlite_writer.BUSY_TIMEOUT_S,
            "factory": sqlite_writer.WriterConnection,
            **options.get("connect_args", {}),
        }
        options.pop("pool_pre_ping", None)
    return options


def _embedded_secret(app: Flask, default_db: str) -> str:
    """Only the embedded SQLite demo may run without EXAMSVC_SECRET_KEY: keep one on disk."""
    if app.config.get("TESTING"):
        return "testing-only-secret"
    if app.config["SQLALCHEMY_DATABASE_URI"] != default_db:
        raise ConfigError(
            "EXAMSVC_SECRET_KEY is not set; a service with an external database needs one"
        )
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()

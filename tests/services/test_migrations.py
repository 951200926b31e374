"""The migrations build the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from examsvc import create_app
from examsvc.extensions import db
from tests.conftest import make_config


def _fresh_app(backend, tmp_path, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        import uuid

        import psycopg

        from tests.conftest import PG_ADMIN_URL

        request.getfixturevalue("pg_database")  # fails or skips when PostgreSQL is missing
        name = f"examsvc_mig_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        request.addfinalizer(lambda: _drop(name))
        url = (
            PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
            + "/"
            + name
        )
    return create_app(make_config(url, str(tmp_path / "instance")))


def _drop(name):
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(backend, tmp_path, request):
    app = _fresh_app(backend, tmp_path, request)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_inspection_results_leave_room_for_updates_in_place_on_postgresql(tmp_path, request):
    """年检 rows are written again twice: the table's pages keep room for that (HOT)."""
    app = _fresh_app("postgresql", tmp_path, request)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            options = conn.exec_driver_sql(
                "SELECT reloptions FROM pg_class WHERE relname = 'inspection_results'"
            ).scalar()
        assert options == ["fillfactor=35"]
        downgrade(revision="base")
        db.engine.dispose()

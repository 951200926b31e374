"""Enrolment ids are never reused on SQLite (AUTOINCREMENT): admission numbers derive from them

Revision ID: 8d3a02b49fa9
Revises: 5a0dcfe16c76
Create Date: 2026-12-02 09:00:00

SQLite gives a new row the largest rowid + 1, so after the newest enrolment is removed the
next one got its id, and with it its admission number. AUTOINCREMENT needs the table rebuilt
(the rows are copied; their ids, and so the admission numbers printed, stay). PostgreSQL
sequences never reuse a value: nothing to do there.
"""

from alembic import op

revision = "8d3a02b49fa9"
down_revision = "5a0dcfe16c76"
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "enrolments", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)

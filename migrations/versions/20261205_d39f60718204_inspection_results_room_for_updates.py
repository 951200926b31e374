"""年检 results: room on their pages for the updates a batch makes, and one index fewer

Revision ID: d39f60718204
Revises: b17d4e5f6082
Create Date: 2026-12-05 09:00:00

A batch inserts a row per person, then writes every row again twice (the assessments, the
outcomes). On PostgreSQL a fillfactor of 35 leaves room on each page, so those updates
are made in place without new index entries (HOT). The index on ``inspection_id`` alone
duplicated the first column of the unique (inspection_id, user_id) constraint's index.
"""

import sqlalchemy as sa
from alembic import op

revision = "d39f60718204"
down_revision = "b17d4e5f6082"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inspection_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_results_inspection_id"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("ALTER TABLE inspection_results SET (fillfactor = 35)"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("ALTER TABLE inspection_results RESET (fillfactor)"))
    with op.batch_alter_table("inspection_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_results_inspection_id"), ["inspection_id"], unique=False
        )

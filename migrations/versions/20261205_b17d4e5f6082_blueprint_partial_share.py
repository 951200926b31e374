"""Blueprints keep the share of a 多选 item's points a correct subset earns under
fixed_partial (0.5 by default: 少选得一半); answers remember points an admin set when
deciding an appeal or objection, so that scoring again keeps them

Revision ID: b17d4e5f6082
Revises: 7c2fe0a1b3d4
Create Date: 2026-12-05 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b17d4e5f6082"
down_revision = "7c2fe0a1b3d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("blueprints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("partial_share", sa.Double(), server_default="0.5", nullable=False)
        )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_corrected", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_index(
        "ix_answers_corrected",
        "answers",
        ["attempt_id"],
        postgresql_where=sa.text("is_corrected"),
        sqlite_where=sa.text("is_corrected = 1"),
    )


def downgrade():
    op.drop_index("ix_answers_corrected", table_name="answers")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("is_corrected")
    with op.batch_alter_table("blueprints", schema=None) as batch_op:
        batch_op.drop_column("partial_share")

"""Certificates keep why and when their status changed, and which one a reissue replaces

Revision ID: a5f6c7d8e9b1
Revises: 8d3a02b49fa9
Create Date: 2026-12-03 09:00:00

Existing certificates keep their numbers (sequential six-digit serials); new ones get random
eight-digit serials, which need no column change.
"""

import sqlalchemy as sa
from alembic import op

revision = "a5f6c7d8e9b1"
down_revision = "8d3a02b49fa9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_certificates_replaces_id"), ["replaces_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_replaces_id_certificates"),
            "certificates",
            ["replaces_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_certificates_replaces_id_certificates"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_certificates_replaces_id"))
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status_reason")

"""Integrity events of attempts and a sitting's focus-loss limit

Revision ID: 4f9cbed05b65
Revises: 1c6f8bad2e32
Create Date: 2026-11-30 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4f9cbed05b65"
down_revision = "1c6f8bad2e32"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attempt_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("client_at", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"],
            name=op.f("fk_attempt_events_attempt_id_attempts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_events")),
        sa.UniqueConstraint(
            "attempt_id", "type", "client_at",
            name=op.f("uq_attempt_events_attempt_id_type_client_at"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("focus_loss_limit", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.drop_column("focus_loss_limit")
    op.drop_table("attempt_events")

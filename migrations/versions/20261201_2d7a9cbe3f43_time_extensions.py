"""The extra-time ledger of enrolments

Revision ID: 2d7a9cbe3f43
Revises: f1a2b3c4d5e6
Create Date: 2026-12-01 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "2d7a9cbe3f43"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "time_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolments.id"],
            name=op.f("fk_time_extensions_enrolment_id_enrolments"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_time_extensions_approved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_extensions")),
    )  # fmt: skip
    with op.batch_alter_table("time_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_extensions_enrolment_id"), ["enrolment_id"])


def downgrade():
    with op.batch_alter_table("time_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_extensions_enrolment_id"))
    op.drop_table("time_extensions")

"""Appeals and objections, days added to the notice calendar, resit sittings

Revision ID: 5a0dcfe16c76
Revises: 4f9cbed05b65
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5a0dcfe16c76"
down_revision = "4f9cbed05b65"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_calendar_days_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_days_day")),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("score_before", sa.Double(), nullable=True),
        sa.Column("score_after", sa.Double(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_disputes_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_disputes_raised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_disputes_resolved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"], ["sittings.id"], name=op.f("fk_disputes_sitting_id_sittings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_attempt_id"), ["attempt_id"])
        batch_op.create_index(batch_op.f("ix_disputes_raised_by_id"), ["raised_by_id"])
        batch_op.create_index(batch_op.f("ix_disputes_sitting_id"), ["sitting_id"])
    with op.batch_alter_table("blueprints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resits_allowed", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("resit_counts", sa.String(length=8), server_default="latest", nullable=False)
        )
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resit_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sittings_resit_of_id"), ["resit_of_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_sittings_resit_of_id_sittings"), "sittings", ["resit_of_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sittings_resit_of_id_sittings"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sittings_resit_of_id"))
        batch_op.drop_column("resit_of_id")
    with op.batch_alter_table("blueprints", schema=None) as batch_op:
        batch_op.drop_column("resit_counts")
        batch_op.drop_column("resits_allowed")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disputes_sitting_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_raised_by_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_attempt_id"))
    op.drop_table("disputes")
    op.drop_table("calendar_days")

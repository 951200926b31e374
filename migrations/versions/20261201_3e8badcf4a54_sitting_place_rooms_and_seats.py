"""Sitting place, and the room and seat of each enrolment (admission tickets)

Revision ID: 3e8badcf4a54
Revises: 0b5e7a9c1d21
Create Date: 2026-12-01 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3e8badcf4a54"
down_revision = "0b5e7a9c1d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("place", sa.String(length=200), server_default="", nullable=False)
        )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("room", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("seat", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_column("seat")
        batch_op.drop_column("room")
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.drop_column("place")

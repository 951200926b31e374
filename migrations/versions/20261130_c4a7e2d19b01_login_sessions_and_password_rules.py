"""Login sessions that logout ends on the server

Revision ID: c4a7e2d19b01
Revises: 11ce9ade6392
Create Date: 2026-11-30 04:00:00

"""

revision = "c4a7e2d19b01"
down_revision = "11ce9ade6392"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""Background jobs, uploads kept between preview and confirm, import staging

Revision ID: d81f3a6c5e02
Revises: c4a7e2d19b01
Create Date: 2026-11-30 04:00:00

"""

revision = "d81f3a6c5e02"
down_revision = "c4a7e2d19b01"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""Organisations and the person profile of accounts

Revision ID: f1a2b3c4d5e6
Revises: d81f3a6c5e02
Create Date: 2026-11-30 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f1a2b3c4d5e6"
down_revision = "d81f3a6c5e02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("path", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("is_closed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["organisations.id"],
            name=op.f("fk_organisations_parent_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("code", name=op.f("uq_organisations_code")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_parent_id"), ["parent_id"])
        batch_op.create_index(batch_op.f("ix_organisations_path"), ["path"])

    with op.batch_alter_table("users", schema=None) as batch_op:
        # A person registered by roster may have a mobile number and no e-mail address.
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch_op.add_column(sa.Column("id_number_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("id_number_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("gender", sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column("mobile", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("party_joined_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("post", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("category", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("is_leader", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("managed_organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="active", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.create_unique_constraint(batch_op.f("uq_users_id_number_hash"), ["id_number_hash"])
        batch_op.create_unique_constraint(batch_op.f("uq_users_mobile"), ["mobile"])
        batch_op.create_index(batch_op.f("ix_users_organisation_id"), ["organisation_id"])
        batch_op.create_index(
            batch_op.f("ix_users_managed_organisation_id"), ["managed_organisation_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_organisation_id_organisations"),
            "organisations", ["organisation_id"], ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_managed_organisation_id_organisations"),
            "organisations", ["managed_organisation_id"], ["id"],
        )


def downgrade():
    # Accounts known by mobile only get a placeholder address, unique by id.
    op.execute(
        "UPDATE users SET email = 'user-' || CAST(id AS VARCHAR(20)) || '@mobile.invalid' "
        "WHERE email IS NULL"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_users_managed_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_users_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_users_managed_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_users_organisation_id"))
        batch_op.drop_constraint(batch_op.f("uq_users_mobile"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_users_id_number_hash"), type_="unique")
        for column in (
            "must_change_password", "status", "managed_organisation_id", "organisation_id",
            "is_leader", "category", "post", "party_joined_on", "mobile", "gender",
            "id_number_hash", "id_number_enc",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_path"))
        batch_op.drop_index(batch_op.f("ix_organisations_parent_id"))
    op.drop_table("organisations")

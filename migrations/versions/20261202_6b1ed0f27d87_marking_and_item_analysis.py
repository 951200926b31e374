"""Marking of subjective answers, per-area scores, item analyses, flags and measured facility

Revision ID: 6b1ed0f27d87
Revises: a5f6c7d8e9b1
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "6b1ed0f27d87"
down_revision = "a5f6c7d8e9b1"
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete=None):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "marking_plans",
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("is_double", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("tolerance", sa.Double(), server_default="2.0", nullable=False),
        sa.Column("exclude_own_org", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("marking_plans", "sitting_id", "sittings", "CASCADE"),
        sa.PrimaryKeyConstraint("sitting_id", name=op.f("pk_marking_plans")),
    )
    op.create_table(
        "marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("points", sa.Double(), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("void_key", sa.Integer(), server_default="0", nullable=False),
        _fk("marks", "answer_id", "answers", "CASCADE"),
        _fk("marks", "marker_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marks")),
        sa.UniqueConstraint(
            "answer_id", "round", "void_key", name=op.f("uq_marks_answer_id_round_void_key")
        ),
    )
    with op.batch_alter_table("marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marks_answer_id"), ["answer_id"])
        batch_op.create_index(batch_op.f("ix_marks_marker_id"), ["marker_id"])
    op.create_table(
        "attempt_area_scores",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        _fk("attempt_area_scores", "attempt_id", "attempts", "CASCADE"),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_attempt_area_scores")),
    )
    op.create_table(
        "item_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        _fk("item_analyses", "sitting_id", "sittings", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_analyses")),
        sa.UniqueConstraint("sitting_id", name=op.f("uq_item_analyses_sitting_id")),
    )
    op.create_table(
        "item_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("question_version", sa.Integer(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("suggest", sa.String(length=8), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=500), server_default="", nullable=False),
        _fk("item_flags", "question_id", "questions", "CASCADE"),
        _fk("item_flags", "sitting_id", "sittings", "CASCADE"),
        _fk("item_flags", "resolved_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_flags")),
        sa.UniqueConstraint(
            "question_id", "sitting_id", name=op.f("uq_item_flags_question_id_sitting_id")
        ),
    )
    with op.batch_alter_table("item_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_flags_question_id"), ["question_id"])
    op.create_table(
        "question_facilities",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("facility", sa.Double(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        _fk("question_facilities", "question_id", "questions", "CASCADE"),
        _fk("question_facilities", "sitting_id", "sittings", "SET NULL"),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_question_facilities")),
    )


def downgrade():
    op.drop_table("question_facilities")
    with op.batch_alter_table("item_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_flags_question_id"))
    op.drop_table("item_flags")
    op.drop_table("item_analyses")
    op.drop_table("attempt_area_scores")
    with op.batch_alter_table("marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marks_marker_id"))
        batch_op.drop_index(batch_op.f("ix_marks_answer_id"))
    op.drop_table("marks")
    op.drop_table("marking_plans")

"""notes: contrôles and grades

Revision ID: notes_0001
Revises:
Create Date: 2026-12-03 17:10:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "notes_0001"
down_revision = None
branch_labels = ("notes",)
depends_on = "0009_api_tokens_accesses"


def _tenant(table: str) -> list[Any]:
    return [
        sa.Column("establishment_id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f(f"fk_{table}_academy_id_academies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishments.id"],
            name=op.f(f"fk_{table}_establishment_id_establishments"),
            ondelete="CASCADE",
        ),
    ]


def _indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_academy_id"), ["academy_id"])
        batch_op.create_index(batch_op.f(f"ix_{table}_establishment_id"), ["establishment_id"])


def upgrade() -> None:
    op.create_table(
        "notes_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("coefficient", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("publication_on", sa.Date(), nullable=False),
        sa.Column("class_code", sa.String(length=40), nullable=False),
        *_tenant("notes_assessments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes_assessments")),
        sa.UniqueConstraint(
            "establishment_id", "key", name=op.f("uq_notes_assessments_establishment_id_key")
        ),
    )
    _indexes("notes_assessments")
    op.create_table(
        "notes_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("code", sa.String(length=4), nullable=False),
        *_tenant("notes_grades"),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["notes_assessments.id"],
            name=op.f("fk_notes_grades_assessment_id_notes_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_notes_grades_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes_grades")),
        sa.UniqueConstraint(
            "assessment_id", "student_id", name=op.f("uq_notes_grades_assessment_id_student_id")
        ),
    )
    _indexes("notes_grades")
    with op.batch_alter_table("notes_grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_grades_student_id"), ["student_id"])


def downgrade() -> None:
    op.drop_table("notes_grades")
    op.drop_table("notes_assessments")

"""« Absences »: the vie-scolaire events of the students

Revision ID: absences_0001_events
Revises:
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "absences_0001_events"
down_revision = None
branch_labels = ("absences",)
depends_on = "0009_api_tokens_accesses"


def upgrade() -> None:
    op.create_table(
        "absences_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("identifiant", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("justified", sa.Boolean(), nullable=False),
        sa.Column("processed", sa.Boolean(), nullable=False),
        sa.Column("legitimate_reason", sa.Boolean(), nullable=False),
        sa.Column("establishment_id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f("fk_absences_events_academy_id_academies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishments.id"],
            name=op.f("fk_absences_events_establishment_id_establishments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_absences_events_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences_events")),
        sa.UniqueConstraint(
            "establishment_id",
            "identifiant",
            name=op.f("uq_absences_events_establishment_id_identifiant"),
        ),
    )
    with op.batch_alter_table("absences_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absences_events_academy_id"), ["academy_id"])
        batch_op.create_index(
            batch_op.f("ix_absences_events_establishment_id"), ["establishment_id"]
        )
        batch_op.create_index("ix_absences_events_student_id_start_at", ["student_id", "start_at"])


def downgrade() -> None:
    with op.batch_alter_table("absences_events", schema=None) as batch_op:
        batch_op.drop_index("ix_absences_events_student_id_start_at")
        batch_op.drop_index(batch_op.f("ix_absences_events_establishment_id"))
        batch_op.drop_index(batch_op.f("ix_absences_events_academy_id"))
    op.drop_table("absences_events")

"""letters: the establishments' letter templates

Revision ID: 0006_letters
Revises: 0005_account_lifecycle
Create Date: 2026-11-22 07:07:13.063224
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_letters"
down_revision = "0005_account_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "representative_new",
                "representative_continuity",
                "student_new",
                "student_continuity",
                name="letterkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("header_html", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("establishment_id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f("fk_letter_templates_academy_id_academies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishments.id"],
            name=op.f("fk_letter_templates_establishment_id_establishments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_templates")),
        sa.UniqueConstraint(
            "establishment_id", "kind", name=op.f("uq_letter_templates_establishment_id_kind")
        ),
    )
    with op.batch_alter_table("letter_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_templates_academy_id"), ["academy_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_letter_templates_establishment_id"), ["establishment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("letter_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_templates_establishment_id"))
        batch_op.drop_index(batch_op.f("ix_letter_templates_academy_id"))

    op.drop_table("letter_templates")

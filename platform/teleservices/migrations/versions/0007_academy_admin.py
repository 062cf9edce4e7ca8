"""academy admin: national availability, experimental téléservices, academic services

Revision ID: 0007_academy_admin
Revises: 0006_letters
Create Date: 2026-11-22 07:24:58.024135
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_academy_admin"
down_revision = "0006_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_availability")),
        sa.UniqueConstraint("code", name=op.f("uq_national_availability_code")),
    )
    op.create_table(
        "academic_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f("fk_academic_services_academy_id_academies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_academic_services")),
    )
    with op.batch_alter_table("academic_services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_academic_services_academy_id"), ["academy_id"], unique=False
        )

    op.create_table(
        "experimental_teleservices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("establishment_ids", sa.JSON(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f("fk_experimental_teleservices_academy_id_academies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experimental_teleservices")),
        sa.UniqueConstraint(
            "academy_id", "code", name=op.f("uq_experimental_teleservices_academy_id_code")
        ),
    )
    with op.batch_alter_table("experimental_teleservices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experimental_teleservices_academy_id"), ["academy_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("experimental_teleservices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experimental_teleservices_academy_id"))

    op.drop_table("experimental_teleservices")
    with op.batch_alter_table("academic_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_academic_services_academy_id"))

    op.drop_table("academic_services")
    op.drop_table("national_availability")

"""API tokens of the establishments and accesses to the téléservices

Revision ID: 0009_api_tokens_accesses
Revises: 0008_mass_notifications
Create Date: 2026-12-03 16:50:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009_api_tokens_accesses"
down_revision = "0008_mass_notifications"
branch_labels = None
depends_on = None


def _tenant_columns(table: str) -> list[Any]:
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


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        *_tenant_columns("api_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("establishment_id", name=op.f("uq_api_tokens_establishment_id")),
    )
    op.create_table(
        "service_accesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        *_tenant_columns("service_accesses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_accesses")),
        sa.UniqueConstraint(
            "establishment_id",
            "category",
            "day",
            "audience",
            name=op.f("uq_service_accesses_establishment_id_category_day_audience"),
        ),
    )
    for table in ("api_tokens", "service_accesses"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_academy_id"), ["academy_id"])
            batch_op.create_index(batch_op.f(f"ix_{table}_establishment_id"), ["establishment_id"])


def downgrade() -> None:
    for table in ("service_accesses", "api_tokens"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_establishment_id"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_academy_id"))
        op.drop_table(table)

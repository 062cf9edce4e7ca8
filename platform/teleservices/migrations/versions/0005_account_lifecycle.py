"""account life cycle: session nonce and first connection date of accounts, single-use links

Revision ID: 0005_account_lifecycle
Revises: 0004_staff_admin
Create Date: 2026-11-22 07:10:54.438369
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_account_lifecycle"
down_revision = "0004_staff_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "email_confirmation",
                "password_reset",
                name="tokenpurpose",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f("fk_account_tokens_academy_id_academies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_account_tokens_digest")),
    )
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_tokens_academy_id"), ["academy_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_account_tokens_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_connection_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("session_nonce", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("session_nonce")
        batch_op.drop_column("first_connection_at")

    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_tokens_account_id"))
        batch_op.drop_index(batch_op.f("ix_account_tokens_academy_id"))

    op.drop_table("account_tokens")

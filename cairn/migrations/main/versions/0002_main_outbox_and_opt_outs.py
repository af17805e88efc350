"""outbox and opt-outs

Revision ID: 0002_main
Revises: 0001_main
Create Date: 2026-11-24 02:37:47.514386
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_main"
down_revision: str | None = "0001_main"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("delivery_status", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    for column in ("channel", "conversation_id", "status", "provider_id"):
        op.create_index(op.f(f"ix_outbox_{column}"), "outbox", [column], unique=False)
    op.create_table(
        "opt_outs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_outs")),
    )


def downgrade() -> None:
    op.drop_table("opt_outs")
    for column in ("channel", "conversation_id", "status", "provider_id"):
        op.drop_index(op.f(f"ix_outbox_{column}"), table_name="outbox")
    op.drop_table("outbox")

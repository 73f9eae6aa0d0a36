"""Record how each signature was given: drawn on the pad, or typed from the keyboard.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the append-only triggers on signatures stay in place.
    op.add_column(
        "signatures",
        sa.Column("method", sa.String(length=10), nullable=False, server_default="drawn"),
    )


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch_op:
        batch_op.drop_column("method")

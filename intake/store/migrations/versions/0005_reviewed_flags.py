"""Keep, with the prescriber's countersignature, the serious flags ticked as reviewed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the append-only triggers on signatures stay in place.
    op.add_column(
        "signatures",
        sa.Column("reviewed", sa.JSON(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch_op:
        batch_op.drop_column("reviewed")

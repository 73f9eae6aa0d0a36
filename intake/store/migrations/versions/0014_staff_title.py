"""A title on staff accounts ("Dr", "Dra."), printed before the clinician's name on documents.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: existing accounts have no title ("").
    op.add_column(
        "staff_users",
        sa.Column("title", sa.String(length=20), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.drop_column("title")

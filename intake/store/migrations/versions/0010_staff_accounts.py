"""Demo records are marked; a staff account's lock-out is capped per hour.

``demo`` on ``staff_users`` and ``patients``: made by ``main.py demo``, which works only on a
database holding nothing else; demo accounts cannot sign in. ``lock_window_start`` and
``lock_window_seconds``: when the account's current hour of lock-outs began and how many
seconds of lock-out it has had in it (at most 15 minutes an hour).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild): the triggers on these tables stay in place.
    false = sa.false()
    op.add_column(
        "staff_users", sa.Column("demo", sa.Boolean(), nullable=False, server_default=false)
    )
    op.add_column(
        "staff_users", sa.Column("lock_window_start", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "staff_users",
        sa.Column("lock_window_seconds", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("patients", sa.Column("demo", sa.Boolean(), nullable=False, server_default=false))


def downgrade() -> None:
    with op.batch_alter_table("patients") as batch_op:
        batch_op.drop_column("demo")
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.drop_column("lock_window_seconds")
        batch_op.drop_column("lock_window_start")
        batch_op.drop_column("demo")

"""Indexes for the status board and the dermatologist's queue; when a kiosk let go of a visit.

The board reads today's visits by ``updated_at`` (newest first) and the queue reads submitted
visits by ``submitted_at`` (oldest first, paged): without these indexes both scan the whole
table. ``kiosk_released_at`` records that the kiosk wiped (idle timeout) or closed an unfinished
visit, so the board can say "left the kiosk" instead of "at the kiosk".

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the triggers on visits stay in place.
    op.add_column("visits", sa.Column("kiosk_released_at", sa.DateTime(timezone=True)))
    op.create_index("ix_visits_updated_at", "visits", ["updated_at"])
    op.create_index("ix_visits_status_submitted_at_id", "visits", ["status", "submitted_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_visits_status_submitted_at_id", table_name="visits")
    op.drop_index("ix_visits_updated_at", table_name="visits")
    with op.batch_alter_table("visits") as batch_op:
        batch_op.drop_column("kiosk_released_at")

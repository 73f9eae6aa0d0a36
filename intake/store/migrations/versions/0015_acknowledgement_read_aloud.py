"""Record whether a risk statement was read aloud to the person who initialled it.

The kiosk's "Listen" (or "Read aloud" on a topic page) says a statement through the speech
engine; its acknowledgement then records that the patient listened rather than read. Existing
rows were all read: false.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the append-only triggers on acknowledgements stay.
    op.add_column(
        "acknowledgements",
        sa.Column("read_aloud", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("acknowledgements") as batch_op:
        batch_op.drop_column("read_aloud")

"""Find names with one typo; say why an unfinished visit was abandoned.

``name_keys`` holds each patient name word with every form of it one letter short (its
deletion neighbourhood), so that "nguen" finds "nguyen" by exact lookups on SQLite and
PostgreSQL alike; it is filled here from the patients already registered. ``visits`` gains
``abandon_reason``.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from intake.domain.names import index_entries

revision = "0007"
# Merge note: the revision before this one is 0006 (being written alongside); until it lands
# this migration follows 0005.
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade() -> None:
    table = op.create_table(
        "name_keys",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", "word", name=op.f("pk_name_keys")),
    )
    # A plain ADD COLUMN (no table rebuild): the triggers on visits stay in place.
    op.add_column(
        "visits",
        sa.Column("abandon_reason", sa.String(length=200), nullable=False, server_default=""),
    )
    bind = op.get_bind()
    patients = sa.table("patients", sa.column("first_name"), sa.column("last_name"))
    entries: set[tuple[str, str]] = set()
    for first, last in bind.execute(sa.select(patients.c.first_name, patients.c.last_name)):
        entries |= index_entries(first, last)
    rows = [{"key": k, "word": w} for k, w in sorted(entries)]
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("visits") as batch_op:
        batch_op.drop_column("abandon_reason")
    op.drop_table("name_keys")

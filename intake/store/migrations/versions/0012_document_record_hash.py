"""The SHA-256 of the record each document was drawn from, to find a paper copy by its fingerprint.

Every page prints a fingerprint (the first 12 hex digits of this hash) and carries it in its QR
code; ``main.py verify --id`` and "Check a printed copy" find the document by it. Documents are
append-only, so rows issued before this revision keep NULL: they are found by their id.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the append-only triggers on documents stay.
    op.add_column("documents", sa.Column("record_sha256", sa.String(length=64), nullable=True))
    op.create_index("ix_documents_record_sha256", "documents", ["record_sha256"])


def downgrade() -> None:
    op.drop_index("ix_documents_record_sha256", table_name="documents")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_column("record_sha256")

"""Documents sealed while the time-stamping authority could not be reached, and their timestamps.

``documents.timestamp_pending`` is set when a document is sealed B-B because the clinic's
time-stamping authority gave no token; ``document_timestamps`` holds, for such a document, the
same file with an RFC 3161 document timestamp appended (PAdES B-T) and its SHA-256, added later
by ``main.py timestamp pending``. Both stay append-only: a document row never changes, and the
timestamped file is a new stored version beside it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLE = "document_timestamps"


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the append-only triggers on documents stay.
    op.add_column(
        "documents",
        sa.Column("timestamp_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        TABLE,
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("station", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_timestamps_document_id")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_timestamps")),
    )
    op.create_index(op.f("ix_document_timestamps_sha256"), TABLE, ["sha256"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER trg_{TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION intake_refuse('{TABLE} are append-only')"
        )
    else:
        for event in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER trg_{TABLE}_no_{event} BEFORE {event.upper()} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} are append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS trg_{TABLE}_append_only ON {TABLE}")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{TABLE}_no_{event}")
    op.drop_index(op.f("ix_document_timestamps_sha256"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_column("timestamp_pending")

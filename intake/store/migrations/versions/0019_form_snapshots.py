"""Keep the content of each risks form version a visit used, addressed by its SHA-256.

A visit signed under one version of the risk statements and countersigned after another was
loaded is drawn from this copy, so its consent shows the statements exactly as signed.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLE = "form_snapshots"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("form_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("form_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_form_snapshots")),
        sa.UniqueConstraint(
            "form_id", "form_sha256", name=op.f("uq_form_snapshots_form_id_form_sha256")
        ),
    )
    # Append-only, as the other signed content (0002): a kept form is never edited.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER trg_{TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION intake_refuse('{TABLE} are append-only')"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_{TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} are append-only'); END"
            )


def downgrade() -> None:
    op.drop_table(TABLE)  # its triggers go with it

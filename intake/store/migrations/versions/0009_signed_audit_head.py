"""A signed audit head: the clinic key's signature over (seq, hash) and its signer.

Also an index of audit events by record, for the checks that look up a visit's signing events
and a document's creation event.

Existing heads start unsigned; ``main.py audit seal`` signs one after the chain is checked
(a unit of work never signs over a head that does not verify, see intake.services.seal).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "audit_head", sa.Column("signature", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "audit_head", sa.Column("signer", sa.String(64), nullable=False, server_default="")
    )
    op.create_index("ix_audit_events_entity_entity_id", "audit_events", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_entity_entity_id", table_name="audit_events")
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("signer")
        batch_op.drop_column("signature")

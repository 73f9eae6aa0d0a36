"""An index of audit events by entity, entity id, action and sequence.

Every service call checks the acting staff account against its latest audited change
(``intake.services.accounts``): with only (entity, entity_id) indexed, that read walked back
through every sign-in of the account since its last change (thousands for a busy
dermatologist). With the action in the index it reads the few change events directly.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_events_entity_entity_id_action_seq",
        "audit_events",
        ["entity", "entity_id", "action", "seq"],
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_entity_entity_id_action_seq", table_name="audit_events")

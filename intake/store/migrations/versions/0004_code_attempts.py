"""Wrong visit codes are counted, so that a code cannot be guessed at the kiosk.

``code_attempts`` holds one row per wrong code, keyed by an HMAC of the date of birth typed with
it (never the date, never the code); ``installation_secrets`` holds the HMAC key, made here once
for the whole installation so that every station counts the same attempts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dob_key", sa.String(length=64), nullable=False),
        sa.Column("station", sa.String(length=60), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_attempts")),
    )
    op.create_index(op.f("ix_code_attempts_dob_key"), "code_attempts", ["dob_key"])
    op.create_index(op.f("ix_code_attempts_at"), "code_attempts", ["at"])
    table = op.create_table(
        "installation_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_installation_secrets")),
    )
    op.bulk_insert(table, [{"name": "code_attempts", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("installation_secrets")
    op.drop_index(op.f("ix_code_attempts_at"), table_name="code_attempts")
    op.drop_index(op.f("ix_code_attempts_dob_key"), table_name="code_attempts")
    op.drop_table("code_attempts")

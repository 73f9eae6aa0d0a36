"""The dermatologist responsible for a visit, and who released a mood-screen alert, with a note.

``visits.dermatologist_id``: the clinician named on the documents until one countersigns
(chosen when the visit is started, changeable until then; frozen once countersigned).
``alert_releases``: append-only; one row each time a member of staff releases a paused visit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FROZEN = "the visit is submitted and cannot be changed"

SQLITE = [
    "CREATE TRIGGER trg_alert_releases_no_update BEFORE UPDATE ON alert_releases "
    "BEGIN SELECT RAISE(ABORT, 'alert_releases are append-only'); END",
    "CREATE TRIGGER trg_alert_releases_no_delete BEFORE DELETE ON alert_releases "
    "BEGIN SELECT RAISE(ABORT, 'alert_releases are append-only'); END",
    "CREATE TRIGGER trg_visits_dermatologist_frozen BEFORE UPDATE OF dermatologist_id ON visits "
    "WHEN OLD.status = 'countersigned' AND NEW.dermatologist_id IS NOT OLD.dermatologist_id "
    f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
]

POSTGRES = [
    "CREATE TRIGGER trg_alert_releases_append_only BEFORE UPDATE OR DELETE ON alert_releases "
    "FOR EACH ROW EXECUTE FUNCTION intake_refuse('alert_releases are append-only')",
    f"""CREATE FUNCTION intake_dermatologist_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'countersigned'
         AND NEW.dermatologist_id IS DISTINCT FROM OLD.dermatologist_id THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER trg_visits_dermatologist_frozen BEFORE UPDATE ON visits "
    "FOR EACH ROW EXECUTE FUNCTION intake_dermatologist_frozen()",
]


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the triggers on visits stay in place. SQLite takes
    # the reference inline only (Alembic would ask for a rebuild to add it as a constraint).
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("visits", sa.Column("dermatologist_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_visits_dermatologist_id_staff_users",
            "visits",
            "staff_users",
            ["dermatologist_id"],
            ["id"],
        )
    else:
        op.execute(
            "ALTER TABLE visits ADD COLUMN dermatologist_id INTEGER "
            "CONSTRAINT fk_visits_dermatologist_id_staff_users REFERENCES staff_users (id)"
        )
    op.create_table(
        "alert_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("released_by", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("station", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name="fk_alert_releases_visit_id_visits"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name="fk_alert_releases_staff_id_staff_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_releases"),
    )
    op.create_index("ix_alert_releases_visit_id", "alert_releases", ["visit_id"])
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_visits_dermatologist_frozen ON visits")
        op.execute("DROP FUNCTION IF EXISTS intake_dermatologist_frozen()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_visits_dermatologist_frozen")
    op.drop_table("alert_releases")  # its own triggers go with it
    with op.batch_alter_table("visits") as batch_op:
        batch_op.drop_column("dermatologist_id")

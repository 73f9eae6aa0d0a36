"""A kind on every visit (the first visit of a course or a monthly check-in) and its month.

Visits already stored are first visits (the kiosk served nothing else before); a check-in
records the month of the course it was started for ("Month 2 check-in").

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


FROZEN = "the visit is submitted and cannot be changed"

SQLITE = [
    "CREATE TRIGGER trg_visits_kind_frozen BEFORE UPDATE OF kind, course_month ON visits "
    "WHEN OLD.status <> 'draft' AND (NEW.kind IS NOT OLD.kind "
    "OR NEW.course_month IS NOT OLD.course_month) "
    f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
]

POSTGRES = [
    f"""CREATE FUNCTION intake_visit_kind_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status <> 'draft' AND (NEW.kind IS DISTINCT FROM OLD.kind
         OR NEW.course_month IS DISTINCT FROM OLD.course_month) THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER trg_visits_kind_frozen BEFORE UPDATE ON visits "
    "FOR EACH ROW EXECUTE FUNCTION intake_visit_kind_frozen()",
]


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild): the triggers on visits stay in place. What a signed
    # visit was (its kind and month) is frozen with it.
    op.add_column(
        "visits",
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="first_visit"),
    )
    op.add_column("visits", sa.Column("course_month", sa.Integer(), nullable=True))
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_visits_kind_frozen ON visits")
        op.execute("DROP FUNCTION IF EXISTS intake_visit_kind_frozen()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_visits_kind_frozen")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a rebuild that the triggers on other
    # tables, which name visits, would stop.
    op.execute("ALTER TABLE visits DROP COLUMN course_month")
    op.execute("ALTER TABLE visits DROP COLUMN kind")

"""Re-consent: what each visit's statements said, and what a re-consent carried over.

``visits.statement_hashes`` keeps the content hash of every risk statement of the form the
visit was started on (statement id -> SHA-256), so a later visit can tell which statements are
new or changed since the patient signed. ``visits.reconsent`` is NULL for an ordinary visit; for
a re-consent it holds the consent it renews (visit, date, form versions, statement hashes,
signed as a minor) and, from the first signature, the statements asked again and those carried
over. Both are part of the record a signature is bound to, and frozen once the visit is
submitted, like the columns revision 0002 froze.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

FROZEN_BEFORE = (
    "patient_id",
    "lang",
    "visit_date",
    "form_versions",
    "ruleset_id",
    "quiz_passed",
    "phq9",
    "record_sha256",
    "submitted_at",
    "started_at",
    "corrects_visit_id",
)
NEW_COLUMNS = ("statement_hashes", "reconsent")


def _sqlite_trigger(columns: tuple[str, ...]) -> str:
    return (
        "CREATE TRIGGER trg_visits_frozen BEFORE UPDATE ON visits WHEN OLD.status IN "
        "('submitted', 'countersigned') AND ("
        + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        + " OR NEW.status NOT IN ('submitted', 'countersigned') OR (OLD.status = 'countersigned'"
        " AND NEW.status <> 'countersigned')) "
        "BEGIN SELECT RAISE(ABORT, 'the visit is submitted and cannot be changed'); END"
    )


def _postgres_function(columns: tuple[str, ...]) -> str:
    return (
        """CREATE OR REPLACE FUNCTION intake_visit_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
          RAISE EXCEPTION 'the visit is submitted and cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
      END IF;
      IF OLD.status IN ('submitted', 'countersigned') AND ("""
        + " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in columns)
        + """ OR NEW.status NOT IN ('submitted', 'countersigned')
         OR (OLD.status = 'countersigned' AND NEW.status <> 'countersigned')) THEN
        RAISE EXCEPTION 'the visit is submitted and cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$"""
    )


def _freeze(columns: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function(columns))
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_visits_frozen")
        op.execute(_sqlite_trigger(columns))


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild): the triggers on visits stay.
    op.add_column("visits", sa.Column("statement_hashes", sa.JSON(), nullable=True))
    op.add_column("visits", sa.Column("reconsent", sa.JSON(), nullable=True))
    _freeze(FROZEN_BEFORE + NEW_COLUMNS)


def downgrade() -> None:
    _freeze(FROZEN_BEFORE)
    op.drop_column("visits", "reconsent")
    op.drop_column("visits", "statement_hashes")

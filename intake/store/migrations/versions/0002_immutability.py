"""Database-level immutability: append-only tables and frozen submitted visits.

The services refuse these changes first; the triggers make sure nothing else (a bug, a script,
a hand-run SQL statement) can change a signed record either.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "acknowledgements",
    "signatures",
    "documents",
    "audit_events",
    "quiz_answers",
    "pregnancy_status",
    "lab_results",
    "pregnancy_tests",
    "patient_versions",
)
# Tables whose rows may only be written while their visit is a draft.
DRAFT_ONLY_INSERT = ("acknowledgements", "quiz_answers")
# Visit columns that never change once the visit is submitted.
FROZEN_VISIT_COLUMNS = (
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

SQLITE = []
for table in APPEND_ONLY:
    SQLITE += [
        f"CREATE TRIGGER trg_{table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END",
        f"CREATE TRIGGER trg_{table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END",
    ]
for table in DRAFT_ONLY_INSERT:
    SQLITE.append(
        f"CREATE TRIGGER trg_{table}_draft_only BEFORE INSERT ON {table} "
        f"WHEN (SELECT status FROM visits WHERE id = NEW.visit_id) IS NOT 'draft' "
        f"BEGIN SELECT RAISE(ABORT, 'the visit is submitted and cannot be changed'); END"
    )
SQLITE += [
    "CREATE TRIGGER trg_answers_draft_insert BEFORE INSERT ON answers "
    "WHEN (SELECT status FROM visits WHERE id = NEW.visit_id) IS NOT 'draft' "
    "BEGIN SELECT RAISE(ABORT, 'the visit is submitted and cannot be changed'); END",
    "CREATE TRIGGER trg_answers_draft_update BEFORE UPDATE ON answers "
    "WHEN (SELECT status FROM visits WHERE id = OLD.visit_id) IS NOT 'draft' "
    "BEGIN SELECT RAISE(ABORT, 'the visit is submitted and cannot be changed'); END",
    "CREATE TRIGGER trg_answers_draft_delete BEFORE DELETE ON answers "
    "WHEN (SELECT status FROM visits WHERE id = OLD.visit_id) IS NOT 'draft' "
    "BEGIN SELECT RAISE(ABORT, 'the visit is submitted and cannot be changed'); END",
    "CREATE TRIGGER trg_signatures_stage BEFORE INSERT ON signatures "
    "WHEN (NEW.role = 'clinician' AND (SELECT status FROM visits WHERE id = NEW.visit_id) IS NOT 'submitted') "
    "OR (NEW.role <> 'clinician' AND (SELECT status FROM visits WHERE id = NEW.visit_id) IS NOT 'draft') "
    "BEGIN SELECT RAISE(ABORT, 'a signature cannot be added at this stage of the visit'); END",
    "CREATE TRIGGER trg_visits_frozen BEFORE UPDATE ON visits WHEN OLD.status IN ('submitted', 'countersigned') AND ("
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_VISIT_COLUMNS)
    + " OR NEW.status NOT IN ('submitted', 'countersigned') OR (OLD.status = 'countersigned' AND NEW.status <> 'countersigned')) "
    "BEGIN SELECT RAISE(ABORT, 'the visit is submitted and cannot be changed'); END",
    "CREATE TRIGGER trg_visits_no_delete BEFORE DELETE ON visits WHEN OLD.status <> 'draft' "
    "BEGIN SELECT RAISE(ABORT, 'the visit is submitted and cannot be changed'); END",
]

POSTGRES = [
    """CREATE FUNCTION intake_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$""",
    """CREATE FUNCTION intake_visit_status(vid varchar) RETURNS varchar LANGUAGE sql STABLE AS
    $$ SELECT status FROM visits WHERE id = vid $$""",
    """CREATE FUNCTION intake_draft_only() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE vid varchar;
    BEGIN
      IF TG_OP = 'DELETE' THEN vid := OLD.visit_id; ELSE vid := NEW.visit_id; END IF;
      IF intake_visit_status(vid) IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'the visit is submitted and cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE FUNCTION intake_signature_stage() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (NEW.role = 'clinician' AND intake_visit_status(NEW.visit_id) IS DISTINCT FROM 'submitted')
         OR (NEW.role <> 'clinician' AND intake_visit_status(NEW.visit_id) IS DISTINCT FROM 'draft') THEN
        RAISE EXCEPTION 'a signature cannot be added at this stage of the visit' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE FUNCTION intake_visit_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
          RAISE EXCEPTION 'the visit is submitted and cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
      END IF;
      IF OLD.status IN ('submitted', 'countersigned') AND ("""
    + " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in FROZEN_VISIT_COLUMNS)
    + """ OR NEW.status NOT IN ('submitted', 'countersigned')
         OR (OLD.status = 'countersigned' AND NEW.status <> 'countersigned')) THEN
        RAISE EXCEPTION 'the visit is submitted and cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$""",
]
for table in APPEND_ONLY:
    POSTGRES.append(
        f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION intake_refuse('{table} are append-only')"
    )
for table in DRAFT_ONLY_INSERT:
    POSTGRES.append(
        f"CREATE TRIGGER trg_{table}_draft_only BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION intake_draft_only()"
    )
POSTGRES += [
    "CREATE TRIGGER trg_answers_draft_only BEFORE INSERT OR UPDATE OR DELETE ON answers FOR EACH ROW EXECUTE FUNCTION intake_draft_only()",
    "CREATE TRIGGER trg_signatures_stage BEFORE INSERT ON signatures FOR EACH ROW EXECUTE FUNCTION intake_signature_stage()",
    "CREATE TRIGGER trg_visits_frozen BEFORE UPDATE OR DELETE ON visits FOR EACH ROW EXECUTE FUNCTION intake_visit_frozen()",
]


def upgrade() -> None:
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("visits", "answers", "signatures", *APPEND_ONLY, *DRAFT_ONLY_INSERT):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_append_only ON {table}")
        for fn in (
            "intake_refuse",
            "intake_draft_only",
            "intake_signature_stage",
            "intake_visit_frozen",
            "intake_visit_status",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
    else:
        for statement in SQLITE:
            name = statement.split()[2]
            op.execute(f"DROP TRIGGER IF EXISTS {name}")

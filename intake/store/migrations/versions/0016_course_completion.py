"""The end of a course: ``course_completions``, append-only like the other clinical entries.

One row per consent visit (the course it began): the day of the last dose, the cumulative
mg/kg reached, why the course ended, and the aftercare dates the patient was given under the
programme rule set named.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "course_completions"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("consent_visit_id", sa.String(length=36), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("mg_per_kg", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("reason_text", sa.String(length=500), nullable=False),
        sa.Column("ruleset_id", sa.String(length=40), nullable=False),
        sa.Column("can_become_pregnant", sa.Boolean(), nullable=False),
        sa.Column("pregnancy_test_due", sa.Date(), nullable=True),
        sa.Column("contraception_until", sa.Date(), nullable=True),
        sa.Column("no_blood_donation_until", sa.Date(), nullable=False),
        sa.Column("no_cosmetic_procedures_until", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("station", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_course_completions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["consent_visit_id"],
            ["visits.id"],
            name=op.f("fk_course_completions_consent_visit_id_visits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_completions")),
        sa.UniqueConstraint(
            "consent_visit_id", name=op.f("uq_course_completions_consent_visit_id")
        ),
    )
    op.create_index(op.f("ix_course_completions_patient_id"), TABLE, ["patient_id"])
    # Append-only, as the other clinical entries (0002): a correction is not an edit.
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
    op.drop_index(op.f("ix_course_completions_patient_id"), table_name=TABLE)
    op.drop_table(TABLE)  # its triggers go with it

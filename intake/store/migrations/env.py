"""Alembic environment: always run programmatically with a connection from intake.store.migrate."""

from __future__ import annotations

from alembic import context

from intake.store.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # SQLite: all the pending migrations in one transaction (see intake.store.migrate).
    transactional_ddl=config.attributes.get("transactional_ddl"),
)
with context.begin_transaction():
    context.run_migrations()

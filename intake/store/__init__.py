"""Storage: SQLAlchemy 2.0 models, engine and unit of work, Alembic migrations, audit chain."""

"""The store: SQLAlchemy models, sessions, repositories and Alembic migrations."""

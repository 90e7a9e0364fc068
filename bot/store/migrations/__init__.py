"""Alembic migrations for the store (run with `outreach db upgrade`)."""

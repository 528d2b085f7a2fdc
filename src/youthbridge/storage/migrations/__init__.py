"""Alembic migrations, one history per kind of node."""

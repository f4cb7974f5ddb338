"""Alembic migrations of the memory database; run them with `companion.memory.upgrade_database`."""

"""Alembic environment: uses the connection `upgrade_database` passes in, else the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from companion.memory.db import create_database_engine
from companion.memory.models import Base


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.attributes["database_url"],
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
elif (given := context.config.attributes.get("connection")) is not None:
    run_migrations(given)
else:
    engine = create_database_engine(context.config.attributes["database_url"], foreign_keys=False)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()

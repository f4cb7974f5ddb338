"""Migrations build the schema the models describe, from empty, once, even when raced."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from companion.config import Settings
from companion.memory import ApiKeys, Database, MemoryRepository, upgrade_database
from companion.memory.db import alembic_config, database_url
from companion.memory.models import Base
from companion.memory.schemas import KeyCreate, NoteCreate, SessionCreate
from companion.schemas import ActionItem
from tests.conftest import make_settings
from tests.memory.conftest import mentorship_request

TABLES = {
    "api_keys",
    "mentorships",
    "sessions",
    "notes",
    "action_items",
    "decisions",
    "people",
    "goals",
    "goal_check_ins",
}


def head_revision(settings: Settings) -> str:
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_drift(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def test_upgrade_from_empty_creates_every_table_at_head(memory_settings: Settings) -> None:
    database = Database.from_settings(memory_settings)
    assert not TABLES & set(inspect(database.engine).get_table_names())

    upgrade_database(memory_settings)

    assert set(inspect(database.engine).get_table_names()) >= TABLES
    assert current_revision(database) == head_revision(memory_settings)
    database.dispose()


def test_migrated_schema_matches_the_models(database: Database) -> None:
    assert schema_drift(database) == []


def test_second_upgrade_is_a_no_op_that_keeps_data(memory_settings: Settings, database: Database) -> None:
    created = ApiKeys(database).create_key("acme", KeyCreate(role="admin"))

    upgrade_database(memory_settings)

    assert current_revision(database) == head_revision(memory_settings)
    assert [record.id for record in ApiKeys(database).list_keys(tenant=None)] == [created.record.id]
    assert schema_drift(database) == []


def test_downgrade_to_empty_and_upgrade_again(memory_settings: Settings, database: Database) -> None:
    config = alembic_config(memory_settings)

    command.downgrade(config, "base")
    assert not TABLES & set(inspect(database.engine).get_table_names())

    command.upgrade(config, "head")
    assert schema_drift(database) == []


def test_downgrade_of_0002_keeps_the_sessions_and_their_notes(memory_settings: Settings, database: Database) -> None:
    """0002's downgrade rebuilds `sessions` on SQLite; nothing that points at it may be lost."""
    repository = MemoryRepository(database)
    mentorship = repository.create_mentorship("acme", mentorship_request())
    session = repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(
            date=dt.date(2025, 3, 15),
            notes=[NoteCreate(text="kept"), NoteCreate(text="kept too", visibility="mentor_private")],
            action_items=[ActionItem(text="kept item")],
        ),
    )
    config = alembic_config(memory_settings)

    command.downgrade(config, "0001")
    tables = inspect(database.engine)
    assert "decisions" not in tables.get_table_names()
    assert "feedback" not in {column["name"] for column in tables.get_columns("sessions")}
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM notes")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM action_items")).scalar() == 1
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []

    command.upgrade(config, "head")
    assert schema_drift(database) == []
    assert repository.list_sessions("acme", mentorship.id, include_private_notes=True) == [session]


def test_processes_starting_together_migrate_once(memory_settings: Settings) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def start_worker() -> None:
        start.wait()
        try:
            upgrade_database(memory_settings)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=start_worker) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    database = Database.from_settings(memory_settings)
    assert current_revision(database) == head_revision(memory_settings)
    assert schema_drift(database) == []
    database.dispose()


def test_default_database_is_a_sqlite_file_in_the_data_dir_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    assert database_url(settings).database == str(tmp_path / "data" / "companion.sqlite3")

    upgrade_database(settings)
    database = Database.from_settings(settings)
    with database.engine.connect() as connection:
        journal_mode = connection.execute(text("PRAGMA journal_mode")).scalar()
        foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
        busy_timeout = connection.execute(text("PRAGMA busy_timeout")).scalar()
    database.dispose()

    assert settings.database_path.is_file()
    assert (journal_mode, foreign_keys) == ("wal", 1)
    assert busy_timeout is not None and busy_timeout >= 1000


def test_database_url_setting_overrides_the_data_dir_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.sqlite3"
    settings = make_settings(tmp_path / "data", database_url=f"sqlite:///{elsewhere}")

    upgrade_database(settings)

    assert elsewhere.is_file()
    assert not settings.database_path.exists()


def test_blank_database_url_means_the_default_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", database_url="  ")

    assert settings.database_url is None
    assert database_url(settings).database == str(settings.database_path)

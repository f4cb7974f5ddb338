"""Engine, sessions and migrations of the memory database.

SQLite (the default, `<data_dir>/companion.sqlite3`) runs in WAL mode with a busy timeout and
foreign keys on. SQLAlchemy, not the sqlite3 module, emits BEGIN, so a read-then-write such as
"next session number" happens in one transaction; write transactions use BEGIN IMMEDIATE so two
processes queue for the lock instead of failing with "database is locked" halfway through.
PostgreSQL is used when `COMPANION_DATABASE_URL` is set.

A new migration is made from the models and then reviewed by hand:

    from alembic import command
    command.revision(alembic_config(Settings()), "what changed", autogenerate=True)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from companion.config import Settings
from companion.memory.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("companion.memory")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_BEGIN_OPTION = "companion_sqlite_begin"
"""Execution option read by the BEGIN hook: "DEFERRED" (reads) or "IMMEDIATE" (writes)."""
MIGRATION_LOCK_ID = 0x6D656E746F72
"""PostgreSQL advisory lock taken while migrating, so workers starting together migrate once."""


def database_url(settings: Settings) -> URL:
    """The configured URL, else the SQLite file under the data dir."""
    if settings.database_url:
        return make_url(settings.database_url)
    return URL.create("sqlite", database=str(settings.database_path))


def describe_url(url: URL) -> str:
    """The URL for messages and logs: never the password."""
    return url.render_as_string(hide_password=True)


def create_database_engine(url: URL, *, foreign_keys: bool = True) -> Engine:
    """An engine with the SQLite pragmas and transaction control applied to every connection."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = url.database if url.database and url.database != ":memory:" and not url.query.get("uri") else None
    if path is not None:
        # A folder that cannot be made shows up on connecting, as DatabaseUnavailable.
        with contextlib.suppress(OSError):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()
        if path is not None:
            connection_record.info[_FILE_IDENTITY] = _file_identity(path)

    if path is not None:

        @event.listens_for(engine, "checkout")
        def _check_same_file(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
            """A pooled connection to a file that was removed or replaced would keep reading and writing
            the orphaned file (writes nobody will ever read); make the pool reconnect instead, which
            fails with "unable to open database file" while the file's folder is gone."""
            if _file_identity(path) != connection_record.info.get(_FILE_IDENTITY):
                raise DisconnectionError(f"database file {path} was removed or replaced")

    @event.listens_for(engine, "begin")
    def _begin_sqlite(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


_FILE_IDENTITY = "companion_file_identity"


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class Database:
    """One engine and its session factory; build once per process and share."""

    def __init__(self, url: URL | str) -> None:
        self.url = make_url(url)
        self.engine = create_database_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time. Threads of this process take turns here instead of in
        # SQLite's busy handler, whose back-off sleeps (up to 100 ms each) made the slow tail of
        # concurrent writes; other processes still meet the busy timeout as before.
        self._write_turn: AbstractContextManager[Any] = (
            threading.RLock() if self.url.get_backend_name() == "sqlite" else contextlib.nullcontext()
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(database_url(settings))

    @property
    def description(self) -> str:
        return describe_url(self.url)

    @contextmanager
    def _unavailable_as_error(self) -> Iterator[None]:
        """The database being unreachable, locked past the busy timeout or missing its file is
        DatabaseUnavailable (503 in the API), not an unexpected error."""
        try:
            yield
        except OperationalError as exc:
            raise DatabaseUnavailable(f"database {self.description} is unavailable: {exc.orig}") from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; it is rolled back on close, so nothing it touches is written."""
        with self._unavailable_as_error(), self._sessions() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A bare connection for one small read: no ORM session, half the cost of `read`."""
        with self._unavailable_as_error(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that commits on success and takes SQLite's write lock up front."""
        with self._write_turn, self._unavailable_as_error(), self._sessions() as session, session.begin():
            session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            yield session

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless a trivial query succeeds (for readiness checks)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise DatabaseUnavailable(f"database {self.description} is unreachable: {exc.orig}") from None

    @contextmanager
    def exclusive(self, name: str, *, wait: bool = True) -> Iterator[None]:
        """Hold a lock named `name` across every process using this database: a PostgreSQL advisory lock,
        or a file lock beside the SQLite file. For a check-then-create that spans several transactions
        (accepting matched pairs), so two workers cannot both find a pair missing and both start it.
        With `wait=False`, a lock held elsewhere raises `LockHeld` instead of waiting."""
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        if self.url.get_backend_name() == "postgresql":
            with self._unavailable_as_error(), self.engine.connect() as connection:
                if wait:
                    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                elif not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                    raise LockHeld(name)
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
            return
        database_file = self.url.database
        if not database_file or database_file == ":memory:":
            yield  # one process owns an in-memory database
            return
        lock_path = f"{database_file}.{hashlib.sha256(name.encode()).hexdigest()[:12]}.lock"
        with open(lock_path, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockHeld(name) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def dispose(self) -> None:
        self.engine.dispose()


class LockHeld(RuntimeError):
    """`Database.exclusive(wait=False)` found the lock held by another process or connection."""


def alembic_config(settings: Settings) -> Config:
    """Alembic configured in code (no alembic.ini): the package's migrations, the settings' URL."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = database_url(settings)
    return config


def upgrade_database(settings: Settings) -> None:
    """Migrate the database to the newest revision; a no-op when it is already there.

    Runs in one transaction that holds SQLite's write lock (or a PostgreSQL advisory lock), so
    several processes starting at once migrate exactly once. On SQLite, foreign keys are off
    while migrating, as batch table rebuilds require, and checked before the commit.
    """
    from alembic import command

    url = database_url(settings)
    engine = create_database_engine(url, foreign_keys=False)
    config = alembic_config(settings)
    try:
        with engine.connect() as connection:
            connection.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": MIGRATION_LOCK_ID})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if connection.dialect.name == "sqlite":
                    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if violations:
                        raise DatabaseUnavailable(f"migration left {len(violations)} foreign key violations")
    except OperationalError as exc:
        raise DatabaseUnavailable(f"cannot migrate database {describe_url(url)}: {exc.orig}") from None
    finally:
        engine.dispose()
    log.info("database at newest revision", extra={"database": describe_url(url)})

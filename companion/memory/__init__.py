"""Mentorship memory: what was planned, said, promised and asked, per tenant; plus API keys.

Build one `Database` per process, run `upgrade_database(settings)` at start, and share a
`MemoryRepository` and an `ApiKeys` over it.
"""

from companion.memory.db import Database, upgrade_database
from companion.memory.errors import DatabaseUnavailable, InvalidMemoryRequest, MemoryStoreError, NotFound
from companion.memory.keys import ApiKeys, CreatedKey
from companion.memory.repository import MemoryRepository

__all__ = [
    "ApiKeys",
    "CreatedKey",
    "Database",
    "DatabaseUnavailable",
    "InvalidMemoryRequest",
    "MemoryRepository",
    "MemoryStoreError",
    "NotFound",
    "upgrade_database",
]

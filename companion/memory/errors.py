"""Domain errors of the memory layer; the API maps them to 404 / 422 / 503 and the CLI to one line."""

from __future__ import annotations


class MemoryStoreError(Exception):
    """Base of every error a caller of the memory layer can act on."""


class NotFound(MemoryStoreError, LookupError):
    """Raised alike whether the id is missing or belongs to another tenant, so ids leak nothing."""

    def __init__(self, kind: str, item_id: str) -> None:
        self.kind = kind
        self.item_id = item_id
        super().__init__(f"{kind} {item_id!r} not found")


class InvalidMemoryRequest(MemoryStoreError, ValueError):
    """A request the data model cannot accept, e.g. a mentor key without a person id."""


class DatabaseUnavailable(MemoryStoreError):
    """The database cannot be reached or migrated; the message never contains a password."""


class AlreadyExists(MemoryStoreError):
    """A record with this id exists in the tenant already (409): change it instead of creating it again."""

"""API keys: created once, stored only as a hash, looked up by a short prefix.

A key is `mc_` plus 32 random bytes (URL-safe base64). With 256 bits of entropy there is no
dictionary to attack, so a single SHA-256 is enough and keeps authentication fast; a salt or a
slow hash only matters for secrets people choose. The first characters are kept in clear as the
key's `prefix`, to recognise it in listings and to find the candidate row without scanning, and
the stored hash is then compared in constant time.

Key management from the CLI is operator work across tenants: those methods take a keyword-only
`tenant` that must be given, where `None` explicitly means "every tenant".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import exists, select, update

from companion import vocabulary as vocab
from companion.memory.db import Database
from companion.memory.errors import InvalidMemoryRequest, NotFound
from companion.memory.models import ApiKey
from companion.memory.repository import Clock, check_tenant, new_id, utc_now
from companion.memory.schemas import KeyCreate, KeyRecord

log = logging.getLogger("companion.memory")

KEY_SCHEME = "mc_"
KEY_PATTERN = re.compile(r"mc_[A-Za-z0-9_-]{43}")
PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
"""`last_used_at` is written at most this often per key, so authentication rarely writes."""


def generate_key() -> str:
    return KEY_SCHEME + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    """A new key: the only moment the plaintext exists outside its owner's hands."""

    record: KeyRecord
    key: str = field(repr=False)


class ApiKeys:
    """Create, authenticate, list and revoke API keys."""

    def __init__(self, database: Database, *, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock
        self._keys_seen = False

    def create_key(self, tenant: str, data: KeyCreate) -> CreatedKey:
        check_tenant(tenant)
        if tenant.strip() == vocab.GLOBAL_TENANT:
            raise InvalidMemoryRequest(
                f"tenant {vocab.GLOBAL_TENANT!r} is the shared library, written only by shipping knowledge; "
                "a key cannot belong to it"
            )
        key = generate_key()
        row = ApiKey(
            id=new_id(),
            tenant=tenant,
            role=data.role,
            person_id=data.person_id,
            name=data.name,
            key_prefix=key[:PREFIX_LENGTH],
            key_hash=hash_key(key),
            created_at=self.clock(),
            last_used_at=None,
            revoked_at=None,
        )
        with self.database.write() as session:
            session.add(row)
        log.info("api key created", extra={"tenant": tenant, "key_id": row.id, "role": data.role})
        return CreatedKey(record=_record(row), key=key)

    def authenticate(self, key: str) -> KeyRecord | None:
        """The active key's record, or None for anything unknown, malformed or revoked."""
        if not KEY_PATTERN.fullmatch(key):
            return None
        digest = hash_key(key)
        with self.database.read() as session:
            candidates = session.scalars(
                select(ApiKey).where(ApiKey.key_prefix == key[:PREFIX_LENGTH], ApiKey.revoked_at.is_(None))
            ).all()
        match = None
        for candidate in candidates:
            if hmac.compare_digest(candidate.key_hash, digest):
                match = candidate
        if match is None or match.tenant == vocab.GLOBAL_TENANT:
            return None  # a key stored in the shared library's tenant (before that was refused) is never honoured
        now = self.clock()
        if match.last_used_at is None or now - match.last_used_at >= LAST_USED_RESOLUTION:
            with self.database.write() as session:
                session.execute(update(ApiKey).where(ApiKey.id == match.id).values(last_used_at=now))
            match.last_used_at = now
        return _record(match)

    def any_keys(self) -> bool:
        """True once any key was ever created, revoked ones included, so revoking never reopens local mode.

        Asked on every request in local mode. Keys are never deleted, so once True it stays True
        without asking again (failing closed); while False, the database is asked each time (a key
        created by another process closes local mode at once), on a bare connection, not a session."""
        if self._keys_seen:
            return True
        with self.database.connection() as connection:
            found = bool(connection.execute(select(exists().select_from(ApiKey))).scalar())
        self._keys_seen = found
        return found

    def list_keys(self, *, tenant: str | None) -> list[KeyRecord]:
        """The tenant's keys (every tenant's when None), oldest first; never the key or its hash."""
        query = select(ApiKey)
        if tenant is not None:
            query = query.where(ApiKey.tenant == tenant)
        with self.database.read() as session:
            rows = session.scalars(query.order_by(ApiKey.created_at, ApiKey.id)).all()
        return [_record(row) for row in rows]

    def revoke_key(self, key_id: str, *, tenant: str | None) -> KeyRecord:
        """Revoke a key of the tenant (any tenant when None); revoking twice keeps the first time."""
        query = select(ApiKey).where(ApiKey.id == key_id)
        if tenant is not None:
            query = query.where(ApiKey.tenant == tenant)
        with self.database.write() as session:
            row = session.scalar(query)
            if row is None:
                raise NotFound("API key", key_id)
            if row.revoked_at is None:
                row.revoked_at = self.clock()
        log.info("api key revoked", extra={"tenant": row.tenant, "key_id": row.id})
        return _record(row)


def _record(row: ApiKey) -> KeyRecord:
    return KeyRecord(
        id=row.id,
        tenant=row.tenant,
        role=row.role,  # type: ignore[arg-type]
        person_id=row.person_id,
        name=row.name,
        prefix=row.key_prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )

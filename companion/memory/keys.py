"""API keys: created once, stored only as a hash, looked up by a short prefix.

A key is `mc_` plus 32 random bytes (URL-safe base64). With 256 bits of entropy there is no
dictionary to attack, so a single SHA-256 is enough and keeps authentication fast; a salt or a
slow hash only matters for secrets people choose. The first characters are kept in clear as the
key's `prefix`, to recognise it in listings and to find the candidate row without scanning, and
the stored hash is then compared in constant time.

Key management from the CLI is operator work across tenants: those methods take a keyword-only
`tenant` that must be given, where `None` explicitly means "every tenant".

Mentee invites are one-time sign-in links: `mi_` plus 32 random bytes, stored only as a SHA-256 like a
key, bound to a tenant, a mentorship and its mentee, and good for INVITE_LIFETIME. Using one makes the
mentee's API key and marks the invite used in one transaction, so it works once even when raced. Who may
create one is decided in `companion.access` (asked by `companion.mentoring.Mentoring.invite_mentee`);
this module only keeps them.
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
from companion.memory.models import ApiKey, MenteeInvite
from companion.memory.repository import Clock, check_tenant, new_id, utc_now
from companion.memory.schemas import InviteRecord, KeyCreate, KeyRecord

log = logging.getLogger("companion.memory")

KEY_SCHEME = "mc_"
KEY_PATTERN = re.compile(r"mc_[A-Za-z0-9_-]{43}")
PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
"""`last_used_at` is written at most this often per key, so authentication rarely writes."""
INVITE_SCHEME = "mi_"
INVITE_PATTERN = re.compile(r"mi_[A-Za-z0-9_-]{43}")
INVITE_LIFETIME = dt.timedelta(days=7)
INVITE_KEY_NAME = "web invite"


def generate_key() -> str:
    return KEY_SCHEME + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_invite_token() -> str:
    return INVITE_SCHEME + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CreatedKey:
    """A new key: the only moment the plaintext exists outside its owner's hands."""

    record: KeyRecord
    key: str = field(repr=False)


@dataclass(frozen=True)
class CreatedInvite:
    """A new invite: the only moment its token exists outside the link given to the mentor."""

    record: InviteRecord
    token: str = field(repr=False)


class ApiKeys:
    """Create, authenticate, list and revoke API keys."""

    def __init__(self, database: Database, *, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock
        self._keys_seen = False

    def create_key(self, tenant: str, data: KeyCreate) -> CreatedKey:
        row, key = self._new_key(tenant, data)
        with self.database.write() as session:
            session.add(row)
        log.info("api key created", extra={"tenant": tenant, "key_id": row.id, "role": data.role})
        return CreatedKey(record=_record(row), key=key)

    def _new_key(self, tenant: str, data: KeyCreate) -> tuple[ApiKey, str]:
        """A key's row (its hash only) and the key itself, not yet stored."""
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
        return row, key

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

    # -- mentee invites: one-time sign-in links ------------------------------------------------
    def create_invite(
        self, tenant: str, mentorship_id: str, mentee_person_id: str, *, created_by: str | None
    ) -> CreatedInvite:
        """A new invite for the mentee of a mentorship; their unused invites for it stop working. The caller
        (`Mentoring.invite_mentee`) has checked that the inviter may, and that the mentorship is theirs."""
        check_tenant(tenant)
        now = self.clock()
        token = generate_invite_token()
        row = MenteeInvite(
            id=new_id(),
            tenant=tenant,
            mentorship_id=mentorship_id,
            mentee_person_id=mentee_person_id,
            token_hash=hash_key(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + INVITE_LIFETIME,
            used_at=None,
            revoked_at=None,
            key_id=None,
        )
        with self.database.write() as session:
            session.execute(
                update(MenteeInvite)
                .where(
                    MenteeInvite.tenant == tenant,
                    MenteeInvite.mentorship_id == mentorship_id,
                    MenteeInvite.mentee_person_id == mentee_person_id,
                    MenteeInvite.used_at.is_(None),
                    MenteeInvite.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
            session.add(row)
        log.info("mentee invite created", extra={"tenant": tenant, "invite_id": row.id})
        return CreatedInvite(record=_invite_record(row), token=token)

    def usable_invite(self, token: str) -> InviteRecord | None:
        """The invite this token opens if it can still be used (looking uses nothing up); None for a used,
        revoked, expired, unknown or malformed one."""
        if not INVITE_PATTERN.fullmatch(token):
            return None
        with self.database.read() as session:
            row = session.scalar(select(MenteeInvite).where(MenteeInvite.token_hash == hash_key(token)))
        if row is None or not self._usable(row):
            return None
        return _invite_record(row)

    def redeem_invite(self, token: str) -> tuple[InviteRecord, CreatedKey] | None:
        """Use an invite: the mentee's new key, and the invite marked used, in one transaction; None (and
        nothing created) when the token cannot be used. Two uses at once: one wins, the other gets None."""
        if not INVITE_PATTERN.fullmatch(token):
            return None
        now = self.clock()
        with self.database.write() as session:
            row = session.scalar(select(MenteeInvite).where(MenteeInvite.token_hash == hash_key(token)))
            if row is None or not self._usable(row):
                return None
            claimed = session.execute(
                update(MenteeInvite)
                .where(MenteeInvite.id == row.id, MenteeInvite.used_at.is_(None), MenteeInvite.revoked_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            key_row, key = self._new_key(
                row.tenant, KeyCreate(role="mentee", person_id=row.mentee_person_id, name=INVITE_KEY_NAME)
            )
            session.add(key_row)
            session.flush()
            session.execute(
                update(MenteeInvite)
                .where(MenteeInvite.id == row.id)
                .values(key_id=key_row.id)
                .execution_options(synchronize_session=False)
            )
            record = _invite_record(row).model_copy(update={"used_at": now})
        self._keys_seen = True
        log.info("mentee invite used", extra={"tenant": record.tenant, "invite_id": record.id, "key_id": key_row.id})
        return record, CreatedKey(record=_record(key_row), key=key)

    def _usable(self, row: MenteeInvite) -> bool:
        return row.used_at is None and row.revoked_at is None and self.clock() < row.expires_at


def _invite_record(row: MenteeInvite) -> InviteRecord:
    return InviteRecord(
        id=row.id,
        tenant=row.tenant,
        mentorship_id=row.mentorship_id,
        mentee_person_id=row.mentee_person_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
    )


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

"""Authenticating a request: an API key (or local mode) becomes a `Caller` of the access policy.

Local mode: with no key created and a loopback bind, every request acts as the operator (the
admin of tenant `local`). Once any key exists, every request needs one. What a caller may then
see and change is decided by `companion.access`, not here.
"""

from __future__ import annotations

from typing import Protocol

from api.errors import ApiError
from companion import access
from companion.access import Caller
from companion.memory.schemas import KeyRecord


class KeyStore(Protocol):
    def any_keys(self) -> bool: ...

    def authenticate(self, key: str) -> KeyRecord | None: ...


def resolve_caller(authorization: str | None, keys: KeyStore, local_allowed: bool) -> Caller:
    """Authenticate a request from its Authorization header."""
    if not authorization:
        if local_allowed and not keys.any_keys():
            return access.operator()
        raise ApiError(
            401,
            "Unauthorized",
            "an API key is required: send Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "Unauthorized", "use Authorization: Bearer <key>", headers={"WWW-Authenticate": "Bearer"})
    record = keys.authenticate(secret.strip())
    if record is None:
        raise ApiError(401, "Unauthorized", "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    return Caller(tenant=record.tenant, role=record.role, person_id=record.person_id, key_id=record.id)

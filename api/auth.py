"""API keys, roles and tenants.

Local mode: with no key created and a loopback bind, every request acts as the admin of the
`local` tenant. Once any key exists, every request needs one. A non-loopback bind with no keys
refuses to start (see `check_bind`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal, Protocol

from api.errors import ApiError
from companion import vocabulary as vocab
from companion.generation.base import Audience
from companion.memory.schemas import KeyRecord

Role = Literal["admin", "platform", "mentor", "mentee"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: every read and write is scoped to `tenant`."""

    tenant: str
    role: Role
    person_id: str | None = None
    key_id: str | None = None
    local: bool = False

    @property
    def rate_key(self) -> str:
        return self.key_id or f"local:{self.tenant}"

    def may_write_knowledge(self) -> bool:
        return self.role in ("admin", "platform", "mentor")

    def audience(self, task: str, mentor_person_id: str | None = None) -> Audience:
        """What generation may use for this caller: a mentee never gets private notes."""
        if self.role == "mentee" or task == "reflection":
            return Audience(mentee_facing=True)
        if self.role == "mentor":
            return Audience(mentor_name=self.person_id)
        if self.role == "admin":
            return Audience(include_all_private=True)
        return Audience(mentor_name=mentor_person_id) if mentor_person_id else Audience()

    def search_access(self) -> tuple[bool, str | None]:
        """(allow_private, private_author) for search results."""
        if self.role == "mentor":
            return True, self.person_id
        if self.role == "admin":
            return True, None
        return False, None


class KeyStore(Protocol):
    def any_keys(self) -> bool: ...

    def authenticate(self, key: str) -> KeyRecord | None: ...


LOCAL_PRINCIPAL = Principal(tenant=vocab.DEFAULT_TENANT, role="admin", local=True)


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, keys: KeyStore) -> str:
    """Refuse a non-loopback bind without keys; return the start-up line describing the auth mode."""
    if keys.any_keys():
        return "API keys are required on every request (Authorization: Bearer ...)."
    if not is_loopback(host):
        raise SystemExit(
            f"refusing to listen on {host} with no API keys: create one first "
            "(companion keys create --tenant T --role admin) or bind 127.0.0.1"
        )
    return f"local mode: no API keys exist, so every request acts as the admin of tenant {vocab.DEFAULT_TENANT!r} (loopback only)."


def resolve_principal(authorization: str | None, keys: KeyStore, local_allowed: bool) -> Principal:
    """Authenticate a request from its Authorization header."""
    if not authorization:
        if local_allowed and not keys.any_keys():
            return LOCAL_PRINCIPAL
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
    return Principal(tenant=record.tenant, role=record.role, person_id=record.person_id, key_id=record.id)


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise ApiError(403, "Forbidden", f"role {principal.role!r} may not do this; needs one of: {', '.join(roles)}")

"""API keys: shown once, stored only as a hash, and useless once revoked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from companion.memory import ApiKeys, Database, InvalidMemoryRequest
from companion.memory.keys import hash_key
from companion.memory.models import ApiKey
from companion.memory.schemas import KeyCreate
from tests.memory.conftest import Clock


def stored_bytes(database: Database) -> bytes:
    """Every byte SQLite keeps for the database: the file, its WAL and shared-memory index."""
    path = Path(str(database.url.database))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def stored_values(database: Database) -> list[str]:
    with database.read() as session:
        rows = session.scalars(select(ApiKey)).all()
        return [str(getattr(row, column.key)) for row in rows for column in ApiKey.__table__.columns]


def test_key_plaintext_is_never_stored(database: Database, api_keys: ApiKeys) -> None:
    created = api_keys.create_key("acme", KeyCreate(role="mentor", person_id="mentor-ada", name="laptop"))
    assert api_keys.authenticate(created.key) is not None
    secret = created.key[len(created.record.prefix) :]

    assert not any(secret in value for value in stored_values(database))
    if database.engine.dialect.name == "sqlite":
        database.dispose()
        assert secret.encode() not in stored_bytes(database)
    assert created.key not in repr(created)


def test_key_looks_like_mc_and_32_random_bytes(api_keys: ApiKeys) -> None:
    first = api_keys.create_key("acme", KeyCreate(role="admin"))
    second = api_keys.create_key("acme", KeyCreate(role="admin"))

    assert first.key.startswith("mc_") and len(first.key) == len("mc_") + 43
    assert first.key != second.key
    assert first.record.prefix == first.key[:8]


def test_authenticate_returns_the_keys_identity_and_records_use(api_keys: ApiKeys, clock: Clock) -> None:
    created = api_keys.create_key("acme", KeyCreate(role="mentee", person_id="mentee-bo"))
    used_at = clock.advance(minutes=5)

    record = api_keys.authenticate(created.key)

    assert record is not None
    assert (record.id, record.tenant, record.role, record.person_id) == (
        created.record.id,
        "acme",
        "mentee",
        "mentee-bo",
    )
    assert record.last_used_at == used_at
    assert api_keys.list_keys(tenant="acme")[0].last_used_at == used_at


def test_last_use_is_written_at_most_once_a_minute(api_keys: ApiKeys, clock: Clock) -> None:
    created = api_keys.create_key("acme", KeyCreate(role="admin"))
    first_use = clock.advance(minutes=1)
    api_keys.authenticate(created.key)

    clock.advance(seconds=30)
    api_keys.authenticate(created.key)
    assert api_keys.list_keys(tenant="acme")[0].last_used_at == first_use

    later_use = clock.advance(seconds=31)
    api_keys.authenticate(created.key)
    assert api_keys.list_keys(tenant="acme")[0].last_used_at == later_use


def test_revoked_key_no_longer_authenticates(api_keys: ApiKeys, clock: Clock) -> None:
    created = api_keys.create_key("acme", KeyCreate(role="platform"))
    revoked_at = clock.advance(minutes=1)

    revoked = api_keys.revoke_key(created.record.id, tenant="acme")
    clock.advance(minutes=1)
    again = api_keys.revoke_key(created.record.id, tenant=None)

    assert api_keys.authenticate(created.key) is None
    assert revoked.revoked_at == again.revoked_at == revoked_at
    assert not revoked.active


@pytest.mark.parametrize(
    "transform",
    [
        lambda key: key[:8] + ("A" if key[8] != "A" else "B") + key[9:],
        lambda key: key + "x",
        lambda key: key[:-1],
        lambda key: key.upper(),
        lambda key: f"Bearer {key}",
        lambda key: "",
    ],
    ids=["same-prefix", "longer", "shorter", "upper", "with-scheme", "empty"],
)
def test_anything_but_the_exact_key_fails(api_keys: ApiKeys, transform: Callable[[str], str]) -> None:
    created = api_keys.create_key("acme", KeyCreate(role="admin"))
    guess = transform(created.key)

    assert guess != created.key
    assert api_keys.authenticate(guess) is None


def test_any_keys_stays_true_after_revoking_the_last_one(api_keys: ApiKeys) -> None:
    assert api_keys.any_keys() is False

    created = api_keys.create_key("acme", KeyCreate(role="admin"))
    assert api_keys.any_keys() is True

    api_keys.revoke_key(created.record.id, tenant="acme")
    assert api_keys.any_keys() is True


def test_listing_never_shows_the_key_or_its_hash(api_keys: ApiKeys) -> None:
    created = api_keys.create_key("acme", KeyCreate(role="admin", name="ops"))

    listed = [record.model_dump_json() for record in api_keys.list_keys(tenant=None)]

    assert len(listed) == 1
    assert created.key not in listed[0] and hash_key(created.key) not in listed[0]
    assert '"name":"ops"' in listed[0]


@pytest.mark.parametrize(
    ("role", "person_id", "problem"),
    [
        ("mentor", None, "needs a person id"),
        ("mentee", None, "needs a person id"),
        ("admin", "someone", "only for mentor and mentee"),
        ("owner", None, "role"),
    ],
)
def test_key_request_must_match_its_role(role: str, person_id: str | None, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        KeyCreate.model_validate({"role": role, "person_id": person_id})


def test_key_for_a_malformed_tenant_is_refused(api_keys: ApiKeys) -> None:
    with pytest.raises(InvalidMemoryRequest, match="tenant"):
        api_keys.create_key("acme corp", KeyCreate(role="admin"))
    assert api_keys.any_keys() is False

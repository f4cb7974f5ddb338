"""`companion keys`: the key is printed once, listings never show it, errors are one line."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from companion.memory import ApiKeys, Database
from companion.memory.keys import hash_key

RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def keys_cli(run_cli: RunCli, database_url: str, database: Database) -> RunCli:
    """`companion keys ...` against the test database."""

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli("keys", *args, env={"COMPANION_DATABASE_URL": database_url})

    return run


def test_create_prints_the_key_once_and_it_authenticates(keys_cli: RunCli, database: Database) -> None:
    code, stdout, _ = keys_cli("create", "--tenant", "acme", "--role", "mentor", "--person", "mentor-ada", "--json")

    assert code == 0
    created = json.loads(stdout)
    assert {k: created[k] for k in ("tenant", "role", "person_id")} == {
        "tenant": "acme",
        "role": "mentor",
        "person_id": "mentor-ada",
    }
    assert created["prefix"] == created["key"][:8]
    record = ApiKeys(database).authenticate(created["key"])
    assert record is not None and record.id == created["id"]


def test_create_without_json_prints_only_the_key_on_stdout(keys_cli: RunCli, database: Database) -> None:
    code, stdout, stderr = keys_cli("create", "--tenant", "acme", "--role", "admin", "--name", "ops")

    assert code == 0
    (key,) = stdout.split()
    assert ApiKeys(database).authenticate(key) is not None
    assert "only time" in stderr and key not in stderr


def test_list_never_prints_keys_or_hashes(keys_cli: RunCli) -> None:
    _, acme_out, _ = keys_cli("create", "--tenant", "acme", "--role", "admin", "--json")
    keys_cli("create", "--tenant", "globex", "--role", "platform", "--json")
    acme = json.loads(acme_out)

    code, listed_json, _ = keys_cli("list", "--tenant", "acme", "--json")
    _, listed_text, _ = keys_cli("list")

    assert code == 0
    listed = json.loads(listed_json)
    assert [(k["id"], k["tenant"], k["prefix"]) for k in listed] == [(acme["id"], "acme", acme["prefix"])]
    assert "key" not in listed[0] and "key_hash" not in listed[0]
    for output in (listed_json, listed_text):
        assert acme["key"] not in output and hash_key(acme["key"]) not in output
    assert acme["id"] in listed_text and "globex" in listed_text


def test_revoke_makes_the_key_fail(keys_cli: RunCli, database: Database) -> None:
    _, stdout, _ = keys_cli("create", "--tenant", "acme", "--role", "platform", "--json")
    created = json.loads(stdout)

    code, revoked, _ = keys_cli("revoke", created["id"], "--json")

    assert code == 0
    assert json.loads(revoked)["revoked_at"] is not None
    assert ApiKeys(database).authenticate(created["key"]) is None
    assert "revoked" in keys_cli("list")[1]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("create", "--tenant", "acme", "--role", "mentor"), 2, "a mentor key needs --person ID"),
        (("create", "--tenant", "acme", "--role", "mentee"), 2, "a mentee key needs --person ID"),
        (("create", "--tenant", "acme", "--role", "admin", "--person", "p1"), 2, "--person is only for mentor"),
        (("create", "--tenant", "acme", "--role", "owner"), 2, "--role must be one of admin, platform, mentor, mentee"),
        (("create", "--tenant", "acme corp", "--role", "admin"), 1, "invalid tenant 'acme corp'"),
        (("revoke", "no-such-key"), 1, "API key 'no-such-key' not found"),
    ],
)
def test_mistakes_are_one_clear_line(keys_cli: RunCli, args: tuple[str, ...], code: int, message: str) -> None:
    exit_code, stdout, stderr = keys_cli(*args)

    assert exit_code == code
    assert stdout == ""
    assert stderr.count("\n") == 1 and message in stderr

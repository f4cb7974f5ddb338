"""`Database.exclusive`: one lock for every process on the same database (SQLite file or PostgreSQL), which
accepting matched pairs holds so that two workers cannot both start the same pair."""

from __future__ import annotations

import subprocess
import sys

from companion.memory import Database
from tests.conftest import REPO

PROBE = """
import sys
from companion.memory.db import Database, LockHeld
database = Database(sys.argv[1])
try:
    with database.exclusive(sys.argv[2], wait=False):
        print("free")
except LockHeld:
    print("held")
database.dispose()
"""


def probe(database_url: str, name: str) -> str:
    """What another process finds when it tries the lock without waiting."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, database_url, name],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_a_lock_held_here_is_held_for_another_process(database: Database, database_url: str) -> None:
    name = "accept-matches:acme"
    assert probe(database_url, name) == "free"
    with database.exclusive(name):
        assert probe(database_url, name) == "held"
        assert probe(database_url, "accept-matches:globex") == "free", "each tenant has its own lock"
    assert probe(database_url, name) == "free", "released when the block ends"


def test_accepting_pairs_holds_the_tenants_lock(run_cli, database: Database, database_url: str, monkeypatch) -> None:
    """While `match cohort --accept` checks which pairs exist, another process finds the tenant's lock held."""
    from companion import mentoring

    env = {"COMPANION_DATABASE_URL": database_url}
    for args in (
        ("--role", "mentor", "--person", "dana", "--name", "Dana", "--expertise", "fundraising"),
        ("--role", "mentee", "--person", "priya", "--name", "Priya", "--goal", "raise a seed round"),
    ):
        assert run_cli("people", "add", *args, "--tenant", "acme", env=env)[0] == 0
    seen: list[str] = []
    original = mentoring.Mentoring.active_mentorship

    def watched(self: mentoring.Mentoring, tenant: str, mentor: str, mentee: str):  # type: ignore[no-untyped-def]
        seen.append(probe(database_url, f"accept-matches:{tenant}"))
        return original(self, tenant, mentor, mentee)

    monkeypatch.setattr(mentoring.Mentoring, "active_mentorship", watched)
    code, out, err = run_cli(
        "match", "cohort", "--mentee", "priya", "--mentor", "dana", "--tenant", "acme", "--accept", env=env
    )
    assert code == 0, err
    assert "Started 1 mentorships" in out
    assert seen and set(seen) == {"held"}
    assert probe(database_url, "accept-matches:acme") == "free"

"""`companion goal-progress list|add|check-in`: the operator's goals, through the same use cases as the API."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from companion.memory import Database, MemoryRepository
from tests.memory.conftest import mentorship_request

RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def goals_cli(run_cli: RunCli, database_url: str, database: Database) -> RunCli:
    def run(*args: str) -> tuple[int, str, str]:
        return run_cli("goal-progress", *args, env={"COMPANION_DATABASE_URL": database_url})

    return run


def test_add_list_and_rate_goals(goals_cli: RunCli, database: Database) -> None:
    mentorship = MemoryRepository(database).create_mentorship("acme", mentorship_request())
    code, stdout, _ = goals_cli(
        "add", "--mentorship", mentorship.id, "--tenant", "acme", "--statement", "Give a talk", "--deadline", "2025-09-01", "--json"
    )  # fmt: skip
    assert code == 0
    goal = json.loads(stdout)
    assert goal["statement"] == "Give a talk" and goal["deadline"] == "2025-09-01"
    code, stdout, _ = goals_cli("check-in", "--mentorship", mentorship.id, "--tenant", "acme", "--goal", goal["id"],
                                "--rating", "6", "--comment", "Abstract sent")  # fmt: skip
    assert code == 0 and "Rated 6/10 as the mentor." in stdout
    code, stdout, _ = goals_cli("list", "--mentorship", mentorship.id, "--tenant", "acme")
    assert code == 0 and "Give a talk  (active, due 2025-09-01; mentor 6/10)" in stdout
    code, _, stderr = goals_cli("check-in", "--mentorship", mentorship.id, "--tenant", "acme", "--goal", goal["id"],
                                "--rating", "12")  # fmt: skip
    assert code == 2 and "rating" in stderr
    code, _, stderr = goals_cli("list", "--mentorship", mentorship.id, "--tenant", "globex")
    assert code == 1 and "not found" in stderr.lower()

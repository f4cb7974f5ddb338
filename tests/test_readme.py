"""The README stays true: its settings table and Quickstart match the code and CI."""

from __future__ import annotations

import re

from companion.config import settings_table
from tests.conftest import REPO


def quickstart_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_is_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2
    assert "pytest" in commands[1] and "pytest" not in commands[0]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "quickstart_test_command" in ci, ".ci/run must read the test command from the README"


def test_settings_table_matches_the_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings-table:start -->\n", 1)[1].split("\n<!-- settings-table:end -->", 1)[0]
    assert table == settings_table(), "run: python -m companion.config, and paste the table into README.md"


def test_every_file_the_readme_commands_use_ships() -> None:
    """A new user runs the README's commands as written: each `examples/...` path they name exists."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", readme, re.S))
    paths = set(re.findall(r"\bexamples/[\w./-]*\w/?", blocks))
    assert {"examples/context.yaml", "examples/notes/", "examples/session-notes.txt", "examples/queries.txt"} <= paths
    missing = [p for p in sorted(paths) if not (REPO / p).exists()]
    assert not missing, f"the README names files that do not ship: {missing}"
    forgotten = re.findall(r"companion forget (\S+)", blocks)
    assert all((REPO / "examples" / "notes" / f).is_file() for f in forgotten), forgotten

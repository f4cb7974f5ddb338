"""A real `companion serve` and Debian's Chromium driven by Playwright: the pages as a person uses them.

Chromium comes from the `chromium` apt package (`.ci/run` installs it); Playwright never downloads a
browser. Without Chromium the browser tests skip, unless COMPANION_TEST_REQUIRE_BROWSER=1 (CI) makes
that a failure. Screenshots go to `artifacts/screenshots/` (git-ignored), or COMPANION_TEST_ARTIFACTS.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from companion.memory.schemas import KeyCreate
from companion.service import Companion
from tests.conftest import make_settings
from tests.servers import served

CHROMIUM = os.environ.get("COMPANION_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("COMPANION_TEST_ARTIFACTS", REPO / "artifacts")) / "screenshots"
TENANT = "acme"


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("COMPANION_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass(frozen=True)
class WebServer:
    url: str
    mentor_key: str
    mentee_key: str
    other_tenant_key: str
    data_dir: Path


@pytest.fixture(scope="module")
def web_server(
    knowledge_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Any
) -> Iterator[WebServer]:
    """A served copy of the knowledge index with keys for a mentor, their mentee and another tenant's mentor."""
    data_dir = tmp_path_factory.mktemp("web") / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    settings = make_settings(data_dir)
    companion = Companion(settings, embedder=embedder)
    companion.upgrade_database()
    keys = companion.keys
    mentor = keys.create_key(TENANT, KeyCreate(role="mentor", person_id="dana@acme.test", name="Dana"))
    mentee = keys.create_key(TENANT, KeyCreate(role="mentee", person_id="priya@acme.test", name="Priya"))
    other = keys.create_key("globex", KeyCreate(role="mentor", person_id="lee@globex.test", name="Lee"))
    companion.database.dispose()
    with served(data_dir, settings) as url:
        yield WebServer(url, mentor.key, mentee.key, other.key, data_dir)


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

"""`companion serve` as a real process: start-up rules, /docs, and a schemathesis run against it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings

SCRIPT = Path(sys.executable).with_name("companion")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "companion.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {seconds}s")


@pytest.fixture(scope="module")
def server(knowledge_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    port = free_port()
    settings = make_settings(data_dir)  # the copied index's store: embedded, or its collection on the test server
    env = {
        **os.environ,
        "COMPANION_DATA_DIR": str(data_dir),
        "COMPANION_RATE_LIMIT_PER_MINUTE": "0",
        "COMPANION_KNOWLEDGE_DIR": str(settings.resolved_knowledge_dir()),
        "COMPANION_CHROMA_COLLECTION": settings.chroma_collection,
    }
    if settings.chroma_url:
        env["COMPANION_CHROMA_URL"] = settings.chroma_url
    log = open(data_dir.parent / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen([*COMMAND, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_serve_says_local_mode_and_serves_docs(server: str) -> None:
    with urllib.request.urlopen(f"{server}/docs", timeout=10) as response:
        assert response.status == 200 and b"swagger" in response.read().lower()
    with urllib.request.urlopen(f"{server}/healthz", timeout=10) as response:
        assert response.headers["X-Request-ID"]


def test_a_non_loopback_bind_without_keys_refuses_to_start(tmp_path: Path) -> None:
    env = {**os.environ, "COMPANION_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [*COMMAND, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "refusing to listen on 0.0.0.0 with no API keys" in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("schemathesis") is None, reason="schemathesis is not installed")
def test_schemathesis_finds_no_server_errors_and_schema_conforming_responses(server: str, tmp_path: Path) -> None:
    report_dir = tmp_path / "report"
    done = subprocess.run(
        [
            "schemathesis",
            "run",
            f"{server}/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "40",
            "--workers",
            "2",
            "--request-timeout",
            "60",
            "--suppress-health-check",
            "all",
            "--report",
            "ndjson",
            "--report-dir",
            str(report_dir),
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    requests = sum(p.read_text().count('"request"') for p in report_dir.glob("*.ndjson"))
    assert done.returncode == 0, done.stdout[-6000:]
    print(f"schemathesis sent about {requests} requests")

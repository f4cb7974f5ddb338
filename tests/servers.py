"""Start a real `companion serve` process for tests, on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from companion.config import Settings

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


def server_env(data_dir: Path, settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that serves `data_dir` with the same store as `settings` (embedded or server)."""
    env = {
        **os.environ,
        "COMPANION_DATA_DIR": str(data_dir),
        "COMPANION_RATE_LIMIT_PER_MINUTE": "0",
        "COMPANION_KNOWLEDGE_DIR": str(settings.resolved_knowledge_dir()),
        "COMPANION_CHROMA_COLLECTION": settings.chroma_collection,
        **extra,
    }
    if settings.chroma_url:
        env["COMPANION_CHROMA_URL"] = settings.chroma_url
    if settings.database_url:
        env["COMPANION_DATABASE_URL"] = settings.database_url
    return env


@contextmanager
def served(
    data_dir: Path, settings: Settings, *, args: Sequence[str] = (), env: dict[str, str] | None = None
) -> Iterator[str]:
    """`companion serve` on a free port until the block ends; its log lands beside the data dir."""
    port = free_port()
    log = open(data_dir.parent / f"server-{port}.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), *args],
        env=env or server_env(data_dir, settings),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()

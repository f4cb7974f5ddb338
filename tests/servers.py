"""Real server processes for tests: `companion serve` on a free loopback port, and its helpers."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from companion.config import Settings

SCRIPT = Path(sys.executable).with_name("companion")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "companion.cli"]
INDEXING = re.compile(r"^companion_knowledge_indexing 1\.0$", re.MULTILINE)
"""A worker's /metrics while it builds its first index."""
_PROCESS_INFO = re.compile(r'^companion_process_info\{pid="(\d+)"\} 1\.0$', re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def metrics_by_process(url: str, attempts: int = 60) -> dict[int, str]:
    """Scrape /metrics over new connections until every worker has answered once: each worker
    keeps its own metrics, and `companion_process_info` names the one that answered."""
    seen: dict[int, str] = {}
    for _ in range(attempts):
        text = httpx.get(f"{url}/metrics", headers={"Connection": "close"}, timeout=30).text
        match = _PROCESS_INFO.search(text)
        assert match, "companion_process_info is missing from /metrics"
        seen[int(match.group(1))] = text
    return seen


class CompanionServer:
    """A real `companion serve --workers N` on a free loopback port; its log is kept in `folder`."""

    def __init__(self, folder: Path, env: dict[str, str], workers: int = 1) -> None:
        self.folder = folder
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 300, *, wait_ready: bool = True) -> None:
        """Launch; by default wait until every worker is ready (`wait_ready=False`: until it answers)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        command = [*COMMAND, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        # its own folder as the working directory: never a test's temporary one, which may be gone before it
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.folder, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            if not wait_for(self.ready if wait_ready else self.answers, timeout, interval=0.5 if wait_ready else 0.05):
                raise RuntimeError(f"companion serve did not get ready in {timeout}s: {self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def ready(self) -> bool:
        """Every worker answers and none is still building its first index (each worker indexes on
        its own thread, so one worker's 200 on /readyz does not speak for the others)."""
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"companion serve exited: {self.log_tail()}")
        try:
            if httpx.get(f"{self.url}/readyz", timeout=5).status_code != 200:
                return False
            scraped = metrics_by_process(self.url, attempts=4 * self.workers)
            return len(scraped) == self.workers and all(INDEXING.search(text) is None for text in scraped.values())
        except httpx.HTTPError:
            return False

    def answers(self) -> bool:
        """The server accepts connections and answers /healthz (it may still be indexing)."""
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"companion serve exited: {self.log_tail()}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def log_tail(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if self._log is not None:
            self._log.close()
            self._log = None


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
def served(data_dir: Path, settings: Settings, *, env: dict[str, str] | None = None) -> Iterator[str]:
    """`companion serve` on a free port until the block ends; its log lands beside the data dir."""
    server = CompanionServer(data_dir.parent / f"server-{data_dir.name}", env or server_env(data_dir, settings))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()

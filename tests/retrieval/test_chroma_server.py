"""The scale-out path: a real `chroma run` server on a free loopback port, reached over HTTP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.service import Companion
from tests.conftest import make_settings
from tests.retrieval.helpers import sample_folder

pytestmark = [
    pytest.mark.chroma_server,
    pytest.mark.skipif(shutil.which("chroma") is None, reason="the `chroma` CLI is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        ["chroma", "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"chroma run did not start: {(path / 'server.log').read_text()}") from None
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_ingest_and_search_through_a_chroma_server(chroma_url: str, embedder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", chroma_url=chroma_url)
    service = Companion(settings, embedder=embedder)
    assert service.store.description == f"Chroma server at {chroma_url}"
    report = service.ingest([sample_folder(tmp_path / "kb")], tenant="acme")
    assert report.failures == [] and report.chunks_added == 5
    assert service.store.count() == 5
    assert not (tmp_path / "data" / "chroma").exists(), "no embedded store when a server is configured"
    hits = service.search("hiking chess rapport", tenant="acme", k=3, mode="dense").results
    assert hits[0].source == "guides/icebreakers.md"
    assert not service.search("hiking chess rapport", tenant="globex", k=3, mode="dense").results
    again = service.ingest([tmp_path / "kb"], tenant="acme")
    assert again.files_unchanged == 4 and again.chunks_added == 0

"""First `companion serve` on a fresh data dir: seconds from launch to the first HTTP answer and to
/readyz 200, and whether a 503 with indexing progress was seen in between.

    nice -n 15 python bench/first_start.py [--runs N]

Each run uses a new data dir, so it pays for everything a new user's first start pays for (the
ONNX export into the data dir included, unless COMPANION_EMBEDDING_CACHE_DIR points elsewhere).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_start() -> tuple[float, float, bool]:
    data_dir = tempfile.mkdtemp(prefix="companion-first-start-")
    port = free_port()
    env = {**os.environ, "COMPANION_DATA_DIR": data_dir, "COMPANION_LOG_LEVEL": "WARNING"}
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    process = subprocess.Popen(
        [shutil.which("companion") or "companion", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first_answer: float | None = None
    saw_progress = False
    try:
        while time.monotonic() - started < 900:
            if process.poll() is not None:
                raise SystemExit("the server exited during start-up")
            try:
                response = httpx.get(f"{url}/readyz", timeout=10)
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            if first_answer is None:
                first_answer = time.monotonic() - started
            if response.status_code == 200:
                return first_answer, time.monotonic() - started, saw_progress
            saw_progress = saw_progress or "progress" in response.json()
            time.sleep(0.25)
        raise SystemExit("the server did not become ready in 900 s")
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for run in range(1, args.runs + 1):
        first, ready, progress = one_start()
        print(f"run {run}: first answer {first:.1f} s, ready {ready:.1f} s, 503 with progress seen: {progress}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

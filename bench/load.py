"""Load test over loopback: 16 concurrent clients for 60 s against `companion serve`.

    python bench/load.py                         # starts its own server on a free loopback port
    python bench/load.py --clients 16 --seconds 60 --workers 1
    python bench/load.py --url http://127.0.0.1:8000 --pid 12345   # an already running local server
    COMPANION_REQUEST_THREADS=40 python bench/load.py             # the server on another thread count

The mix: offline agenda, icebreakers, search and session writes. Bounded in time and in
request count; loopback only. Prints req/s, p50/p95/p99 latency per operation, errors, and the
server's RSS at start and end and its CPU time per request (summed over its worker processes).
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

import httpx
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion.config import Settings  # noqa: E402
from companion.schemas import MentoringContext  # noqa: E402

# The shipped sample context as the API takes it: the caller's tenant applies; notes and decision are unused, and
# goal history comes only from memory.
CONTEXT = MentoringContext.model_validate(
    yaml.safe_load((REPO / "examples" / "context.yaml").read_text(encoding="utf-8"))
).model_dump(mode="json", exclude={"tenant", "notes", "decision", "goal_history"}, exclude_none=True)
QUERIES = [
    "how do I break the ice with a new mentee",
    "my mentee is burning out",
    "should I quit my job for my startup",
    "how to give feedback without hurting",
    "setting goals and tracking progress",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its children (uvicorn workers), in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process and its children (uvicorn workers), in seconds."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        stat = Path(f"/proc/{each}/stat")
        if stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def every_worker_indexed(url: str, workers: int) -> bool:
    """Each worker builds its first index on its own thread: wait until every worker (told apart by
    `companion_process_info` on its own /metrics) reports `companion_knowledge_indexing 0`."""
    seen: dict[str, bool] = {}
    for _ in range(4 * workers):
        text = httpx.get(f"{url}/metrics", headers={"Connection": "close"}, timeout=5).text
        pid = next((line for line in text.splitlines() if line.startswith("companion_process_info{")), "")
        seen[pid] = "companion_knowledge_indexing 1.0" in text
    return len(seen) >= workers and not any(seen.values())


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], str, Path]:
    data_dir = Path(tempfile.mkdtemp(prefix="companion-load-"))
    port = free_port()
    env = {
        **os.environ,
        "COMPANION_DATA_DIR": str(data_dir),
        "COMPANION_RATE_LIMIT_PER_MINUTE": "0",
        "COMPANION_LOG_LEVEL": "WARNING",
    }
    companion = shutil.which("companion") or "companion"
    process = subprocess.Popen(
        [companion, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200 and every_worker_indexed(url, workers):
                return process, url, data_dir
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit("the server exited during start-up")
        time.sleep(1)
    process.kill()
    raise SystemExit("the server did not become ready in 300 s")


def stop_server(process: subprocess.Popen[bytes], data_dir: Path) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)
    shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    process = None
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("load tests target loopback only")
        url, pid = args.url.rstrip("/"), args.pid
    else:
        process, url, data_dir = start_server(args.workers)
        pid = process.pid
        atexit.register(stop_server, process, data_dir)  # also when the run fails part-way

    with httpx.Client(base_url=url, timeout=30) as setup:
        mentorship = setup.post(
            "/v1/mentorships",
            json={
                "mentor": {"person_id": "dana", "name": "Dana"},
                "mentee": {"person_id": "priya", "name": "Priya"},
                "goals": ["raise a seed round by June"],
            },
        )
        mentorship.raise_for_status()
        mentorship_id = mentorship.json()["id"]
        for _ in range(3):  # warm every route once
            setup.post("/v1/agenda", json=CONTEXT).raise_for_status()
            setup.post("/v1/icebreakers", json=CONTEXT).raise_for_status()
            setup.get("/v1/search", params={"q": QUERIES[0]}).raise_for_status()

    operations = [
        ("agenda", lambda c, i: c.post("/v1/agenda", json=CONTEXT)),
        ("icebreakers", lambda c, i: c.post("/v1/icebreakers", json=CONTEXT)),
        ("search", lambda c, i: c.get("/v1/search", params={"q": QUERIES[i % len(QUERIES)], "k": 5})),
        (
            "session write",
            lambda c, i: c.post(
                f"/v1/mentorships/{mentorship_id}/sessions",
                json={
                    "date": "2026-11-25",
                    "notes": [{"text": f"load note {i}", "visibility": "shared"}],
                    "action_items": [{"text": f"item {i}", "owner": "mentee"}],
                },
            ),
        ),
    ]
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    counter = iter(range(args.max_requests))
    rss_start = rss_mb(pid) if pid else float("nan")
    cpu_start = cpu_seconds(pid) if pid else float("nan")
    stop_at = time.monotonic() + args.seconds

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while time.monotonic() < stop_at:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                name, call = operations[(index + offset) % len(operations)]
                started = time.perf_counter()
                try:
                    ok = call(client, index).status_code < 400
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies[name].append(elapsed)
                    if not ok:
                        errors[name] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    rss_end = rss_mb(pid) if pid else float("nan")
    cpu_used = cpu_seconds(pid) - cpu_start if pid else float("nan")

    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    total = sum(len(v) for v in latencies.values())
    # The server inherits this environment, so it runs on the thread count these settings give.
    threads = f"{Settings().request_thread_count} request threads" if process is not None else "request threads unknown"
    print(f"# Load: {args.clients} clients, {wall:.0f} s, {args.workers} worker(s), {threads}, {os.cpu_count()} CPUs\n")
    print("| operation | requests | errors | p50 ms | p95 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, _ in operations:
        values = latencies[name]
        if values:
            print(
                f"| {name} | {len(values)} | {errors[name]} | {statistics.median(values):.0f} | {pct(values, 95):.0f} | "
                f"{pct(values, 99):.0f} |"
            )
    everything = [v for values in latencies.values() for v in values]
    print(
        f"| all | {total} | {sum(errors.values())} | {statistics.median(everything):.0f} | {pct(everything, 95):.0f} | "
        f"{pct(everything, 99):.0f} |"
    )
    print(f"\nthroughput: {total / wall:.1f} req/s")
    # The server's own CPU per request: what the code costs, less swayed than latency by other jobs on the cores.
    print(f"server CPU: {cpu_used:.1f} s over {total} requests, {cpu_used / max(total, 1) * 1000:.1f} ms per request")
    print(f"server RSS: {rss_start:.0f} MB at start, {rss_end:.0f} MB at end ({(rss_end / rss_start - 1) * 100:+.1f}%)")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

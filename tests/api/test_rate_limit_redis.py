"""The shared rate limit (COMPANION_REDIS_URL) against a real `redis-server` on loopback.

Skipped when `redis-server` or the redis client is missing, unless COMPANION_TEST_REQUIRE_REDIS
is set (as in CI), which makes that a failure.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from api.app import create_app
from api.errors import ApiError
from api.observability import RateLimiter, SharedRateLimiter, create_rate_limiter
from tests.conftest import TEST_CHROMA_URL, make_settings
from tests.faults.helpers import create_key, request_count
from tests.servers import CompanionServer, free_port, metrics_by_process

REQUIRED = bool(os.environ.get("COMPANION_TEST_REQUIRE_REDIS"))


def missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason}, and COMPANION_TEST_REQUIRE_REDIS is set")
    pytest.skip(f"{reason} (set COMPANION_TEST_REQUIRE_REDIS=1 to make this a failure)")


class RedisServer:
    """A real `redis-server` on a fixed loopback port, without persistence; it can be stopped and
    started again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        import redis

        self.folder.mkdir(parents=True, exist_ok=True)
        self._log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - closed in stop()
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, cwd=self.folder, stdout=self._log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on {self.url}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        if self._log is not None:
            self._log.close()
            self._log = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        missing("redis-server is not on PATH (Debian package redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        missing("the redis client is not installed (pip install 'mentor-companion[redis]')")
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def allowed(limiter: RateLimiter | SharedRateLimiter, key: str) -> bool:
    try:
        limiter.check(key)
    except ApiError as exc:
        assert exc.status == 429
        assert int(exc.headers["Retry-After"]) >= 1
        return False
    return True


def test_two_workers_limiters_share_one_budget_per_key(redis_server: RedisServer) -> None:
    # One token a minute, five at once: nothing refills during the test.
    first, second = (SharedRateLimiter(1, 5, redis_server.url) for _ in range(2))
    answers = [allowed(limiter, "key-a") for _ in range(6) for limiter in (first, second)]
    assert answers.count(True) == 5 and answers[:5] == [True] * 5
    assert allowed(second, "key-b"), "each key has its own budget"
    try:
        first.check("key-a")
    except ApiError as exc:
        assert exc.headers["Retry-After"] == "60"  # the next token is a minute away
    else:
        raise AssertionError("the budget was spent")

    # Without Redis each process counts alone: twice the budget over two processes.
    local = [RateLimiter(1, 5), RateLimiter(1, 5)]
    assert [allowed(limiter, "key-a") for _ in range(6) for limiter in local].count(True) == 10


def test_the_settings_choose_the_limiter(redis_server: RedisServer, tmp_path: Path) -> None:
    shared = create_rate_limiter(make_settings(tmp_path, redis_url=redis_server.url))
    assert isinstance(shared, SharedRateLimiter)
    assert type(create_rate_limiter(make_settings(tmp_path))) is RateLimiter
    off = create_rate_limiter(make_settings(tmp_path, redis_url=redis_server.url, rate_limit_per_minute=0))
    assert type(off) is RateLimiter and not off.enabled
    with pytest.raises(ValueError, match="must look like redis://") as refused:
        create_rate_limiter(make_settings(tmp_path, redis_url="http://user:hunter2@example.invalid"))
    assert "hunter2" not in str(refused.value)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_redis_down_falls_back_to_the_per_process_limit_then_shares_again(redis_server: RedisServer) -> None:
    lines = Lines()
    logger = logging.getLogger("companion.api")
    logger.addHandler(lines)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        limiter = SharedRateLimiter(1, 3, redis_server.url, timeout=0.5, retry_after_failure=0.3)
        assert [allowed(limiter, "k") for _ in range(4)] == [True, True, True, False]

        redis_server.stop()
        started = time.monotonic()
        # Fails open to this process's own bucket (a fresh one): three more, then 429 again.
        assert [allowed(limiter, "k") for _ in range(4)] == [True, True, True, False]
        assert time.monotonic() - started < 5, "a Redis that is down must not hold requests up"
        warnings = [r for r in lines.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1, "one warning per outage, not one per request"
        assert "per process" in warnings[0].getMessage()
        assert str(redis_server.port) not in warnings[0].getMessage()

        redis_server.start()  # same port; an empty Redis, so the shared bucket starts full
        time.sleep(0.4)
        assert [allowed(limiter, "k") for _ in range(4)] == [True, True, True, False]
        assert any("answers again" in r.getMessage() for r in lines.records if r.levelno == logging.INFO)
    finally:
        logger.removeHandler(lines)
        logger.setLevel(level)


@pytest.mark.slow
def test_two_served_workers_share_one_budget(redis_server: RedisServer, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", redis_url=redis_server.url, rate_limit_per_minute=1)
    if not isinstance(create_app(settings).state.rate_limiter, SharedRateLimiter):
        missing("api/app.py does not build its rate limiter with create_rate_limiter(settings) yet")
    if not TEST_CHROMA_URL and shutil.which("chroma") is None:
        pytest.skip("the `chroma` CLI is not installed (two workers need a Chroma server)")
    from tests.api.test_workers import chroma_for_workers, shared_env

    with chroma_for_workers(tmp_path / "chroma") as chroma_url:
        env = shared_env(tmp_path, chroma_url)
        env.update(
            COMPANION_REDIS_URL=redis_server.url,
            COMPANION_RATE_LIMIT_PER_MINUTE="1",
            COMPANION_RATE_LIMIT_BURST="5",
        )
        headers = {"Authorization": f"Bearer {create_key(env, 'acme', 'admin')}", "Connection": "close"}
        server = CompanionServer(tmp_path / "server", env, workers=2)
        server.start()
        try:
            statuses = [
                httpx.get(f"{server.url}/v1/mentorships", headers=headers, timeout=30).status_code for _ in range(16)
            ]
            scraped = metrics_by_process(server.url)
        finally:
            server.stop()
    assert statuses.count(200) == 5 and statuses.count(429) == 11, statuses
    assert len(scraped) == 2
    answered = {
        pid: request_count(text, "GET", "/v1/mentorships", 200) + request_count(text, "GET", "/v1/mentorships", 429)
        for pid, text in scraped.items()
    }
    assert sum(answered.values()) == 16 and all(answered.values()), f"one worker took every request: {answered}"

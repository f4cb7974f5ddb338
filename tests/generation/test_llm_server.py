"""The LLM path over real HTTP: a real llama-cpp-python server, a closed port, and small scripted servers.

The 135M model writes poor content, so the real-server tests assert the contract only: a
schema-valid, correctly cited output from the model, or a flagged fallback; never an exception.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import pytest

from companion.config import Settings
from companion.generation.base import Retrieved
from companion.generation.llm import OpenAIGenerator
from companion.generation.prompts import default_library
from companion.generation.taskspec import TASK_SPECS
from companion.schemas import Agenda, MentoringContext, _Output
from companion.service import Companion
from tests.conftest import LOCAL_BASE_URL
from tests.generation.llm_support import full_context, retrieve
from tests.servers import free_port

REASON = re.compile(r"^[a-z][a-z0-9_]*: \S")


def llm_settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_provider": "openai",
        "llm_base_url": base_url,
        "llm_model": "smollm2-135m-instruct",
        "llm_timeout": 180.0,
        "llm_max_retries": 0,
        "llm_max_tokens": 512,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def assert_contract(output: _Output, task: str, context: MentoringContext, shown_ids: set[str]) -> None:
    """Either the model's answer, valid and citing only chunks it was shown, or an offline answer that says why."""
    assert isinstance(output, TASK_SPECS[task].output)
    TASK_SPECS[task].output.model_validate(output.model_dump())
    if output.generator.fallback_reason is None:
        assert output.generator.provider == "openai"
        assert output.generator.prompt_version == default_library().version(task)
        assert {c.chunk_id for c in output.citations} <= shown_ids
        if isinstance(output, Agenda):
            assert (
                sum(item.minutes for item in output.items) == output.total_minutes == context.session.duration_minutes
            )
    else:
        assert output.generator.provider == "offline"
        assert REASON.match(output.generator.fallback_reason), output.generator.fallback_reason


# --------------------------------------------------------------------------------------
# A real OpenAI-compatible server: llama-cpp-python serving SmolLM2-135M-Instruct
# --------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("task", ["agenda", "icebreakers"])
def test_the_real_llama_server_answers_within_the_contract(
    task: str, llama_server: str, knowledge_companion: Companion
) -> None:
    context = full_context()
    retrieved = retrieve(knowledge_companion, task, context)
    generator = OpenAIGenerator(llm_settings(llama_server))
    shown = {r.chunk_id for r in generator.prepare(task, context, retrieved).citable}

    output = generator.generate(task, context, retrieved)

    assert_contract(output, task, context, shown)
    assert output.usage.prompt_tokens > 0
    assert output.usage.completion_tokens > 0
    assert not (output.generator.fallback_reason or "").startswith("http_"), "json_schema's HTTP 500 is negotiated"
    assert generator.methods[0] == "function_calling", "llama-cpp-python's server rejects response_format json_schema"


@pytest.mark.slow
def test_the_real_llama_server_streams_tokens_then_one_output(
    llama_server: str, knowledge_companion: Companion
) -> None:
    context = full_context()
    retrieved = retrieve(knowledge_companion, "reflection", context)
    generator = OpenAIGenerator(llm_settings(llama_server))
    shown = {r.chunk_id for r in generator.prepare("reflection", context, retrieved).citable}

    events = list(generator.stream_generate("reflection", context, retrieved))

    kinds = [event.kind for event in events]
    assert kinds[-1] == "output" and kinds.count("output") == 1
    final = events[-1].output
    assert final is not None
    assert_contract(final, "reflection", context, shown)
    if final.generator.fallback_reason is None:
        assert kinds.count("token") > 0
        # The deltas are the model's first answer as it wrote it; a cut or broken one was repaired by a
        # second call, so only the start of a JSON answer is certain here.
        streamed = "".join(e.delta for e in events if e.kind == "token")
        assert streamed.lstrip().startswith(("{", "[", "`")), streamed[:200]


# --------------------------------------------------------------------------------------
# Connection refused and timeouts
# --------------------------------------------------------------------------------------
def test_a_refused_connection_falls_back_quickly(knowledge_companion: Companion) -> None:
    context = full_context()
    retrieved = retrieve(knowledge_companion, "agenda", context)
    timeout = 10.0
    generator = OpenAIGenerator(llm_settings(f"http://127.0.0.1:{free_port()}/v1", llm_timeout=timeout))

    started = time.monotonic()
    output = generator.generate("agenda", context, retrieved)
    elapsed = time.monotonic() - started

    assert output.generator.fallback_reason is not None
    assert output.generator.fallback_reason.startswith("connection_error: Connection error.")
    assert output.generator.provider == "offline"
    assert elapsed < 0.5 * timeout, "a refused connection must not wait for the timeout"


class LoopbackServer:
    """A threaded HTTP server on a free loopback port for the `with` block; `base_url` ends in /v1."""

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ScriptedServer(LoopbackServer):
    """A tiny OpenAI-compatible endpoint on loopback whose every answer a test decides."""

    def __init__(self, respond: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]], delay: float = 0.0) -> None:
        self.respond = respond
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if server.delay:
                    server.release.wait(server.delay)
                status, payload = server.respond(body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.serve(Handler)

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        super().__exit__(*exc)


def completion(content: str, prompt_tokens: int = 11, completion_tokens: int = 7) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@pytest.fixture
def agenda_request(knowledge_companion: Companion) -> tuple[MentoringContext, Retrieved]:
    context = full_context()
    return context, retrieve(knowledge_companion, "agenda", context)


def test_a_server_slower_than_the_timeout_falls_back_within_the_timeout(
    agenda_request: tuple[MentoringContext, Retrieved],
) -> None:
    context, retrieved = agenda_request
    timeout = 1.5
    with ScriptedServer(lambda body: (200, completion("{}")), delay=20 * timeout) as server:
        generator = OpenAIGenerator(llm_settings(server.base_url, llm_timeout=timeout))
        started = time.monotonic()
        output = generator.generate("agenda", context, retrieved)
        elapsed = time.monotonic() - started

    assert output.generator.fallback_reason == "timeout: Request timed out."
    assert len(server.requests) == 1
    assert elapsed / timeout < 2.0, f"took {elapsed:.1f}s for a {timeout}s timeout"


def test_retries_are_bounded_by_the_setting(agenda_request: tuple[MentoringContext, Retrieved]) -> None:
    context, retrieved = agenda_request
    error = {"error": {"message": "overloaded", "type": "server_error"}}
    with ScriptedServer(lambda body: (503, error)) as server:
        output = OpenAIGenerator(llm_settings(server.base_url, llm_max_retries=2)).generate(
            "agenda", context, retrieved
        )

    assert output.generator.fallback_reason == "http_503: overloaded"
    assert len(server.requests) == 3, "one request plus two retries"


@pytest.mark.parametrize(
    ("status", "message", "reason"),
    [
        (429, "Rate limit reached for requests", "http_429: Rate limit reached for requests"),
        (401, "Incorrect API key provided", "http_401: Incorrect API key provided"),
        (500, "llama_decode returned -3", "http_500: llama_decode returned -3"),
    ],
)
def test_http_errors_fall_back_with_their_status(
    status: int, message: str, reason: str, agenda_request: tuple[MentoringContext, Retrieved]
) -> None:
    context, retrieved = agenda_request
    with ScriptedServer(lambda body: (status, {"error": {"message": message}})) as server:
        output = OpenAIGenerator(llm_settings(server.base_url)).generate("agenda", context, retrieved)

    assert output.generator.fallback_reason == reason
    assert output.generator.provider == "offline"
    assert len(server.requests) == 1


def test_unusable_answers_get_exactly_one_repair_over_http(agenda_request: tuple[MentoringContext, Retrieved]) -> None:
    context, retrieved = agenda_request
    with ScriptedServer(lambda body: (200, completion("I would start with a check-in."))) as server:
        output = OpenAIGenerator(llm_settings(server.base_url)).generate("agenda", context, retrieved)

    assert len(server.requests) == 2
    assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert server.requests[0]["max_tokens"] == 512, "servers that ignore max_completion_tokens still get a limit"
    assert "could not be used" in server.requests[1]["messages"][-1]["content"]
    assert output.generator.fallback_reason is not None
    assert output.generator.fallback_reason.startswith("invalid_output: the answer is not valid JSON")
    assert (output.usage.prompt_tokens, output.usage.completion_tokens) == (22, 14)


def test_an_answer_through_the_real_openai_client_is_parsed(agenda_request: tuple[MentoringContext, Retrieved]) -> None:
    context, retrieved = agenda_request
    draft = {
        "items": [
            {"title": "Check-in", "minutes": 10, "purpose": "Reconnect", "prompts": ["How are you?"], "citations": []},
            {"title": "Pitch practice", "minutes": 30, "purpose": "Why now", "prompts": [], "citations": []},
            {"title": "Next steps", "minutes": 5, "purpose": "Agree actions", "prompts": [], "citations": []},
        ]
    }
    with ScriptedServer(lambda body: (200, completion(json.dumps(draft), 1500, 90))) as server:
        output = OpenAIGenerator(llm_settings(server.base_url)).generate("agenda", context, retrieved)

    assert isinstance(output, Agenda)
    assert output.generator.fallback_reason is None
    assert [item.title for item in output.items] == ["Check-in", "Pitch practice", "Next steps"]
    assert (output.usage.prompt_tokens, output.usage.completion_tokens) == (1500, 90)
    assert len(server.requests) == 1


class CutStreamServer(LoopbackServer):
    """An OpenAI-compatible endpoint over real HTTP whose streamed answer stops midway: a few chunks of
    a chunked SSE body, then the connection closes without the final chunk or `data: [DONE]`. A
    non-streamed request (the repair) gets the same treatment: half a JSON body, then a close."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                self.send_response(200)
                if body.get("stream"):
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for text in server.chunks:
                        event = {
                            "id": "chatcmpl-cut",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": "scripted",
                            "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
                        }
                        data = f"data: {json.dumps(event)}\n\n".encode()
                        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                        self.wfile.flush()
                else:
                    data = json.dumps(completion('{"items": [')).encode()
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.serve(Handler)


CUT_CHUNKS = ['{"items": [{"title": "Check', '-in", "minutes": 10, ', '"purpose": "Reconnect", "pro']


def test_a_stream_cut_midway_ends_with_a_flagged_offline_answer(
    agenda_request: tuple[MentoringContext, Retrieved],
) -> None:
    context, retrieved = agenda_request
    timeout = 10.0
    with CutStreamServer(CUT_CHUNKS) as server:
        generator = OpenAIGenerator(llm_settings(server.base_url, llm_timeout=timeout))
        started = time.monotonic()
        events = list(generator.stream_generate("agenda", context, retrieved))
        elapsed = time.monotonic() - started

    kinds = [event.kind for event in events]
    assert kinds[-1] == "output" and kinds.count("output") == 1
    assert "".join(e.delta for e in events if e.kind == "token") == "".join(CUT_CHUNKS), "the partial answer streamed"
    final = events[-1].output
    assert isinstance(final, Agenda)
    assert final.generator.provider == "offline"
    assert final.generator.fallback_reason is not None
    assert final.generator.fallback_reason.startswith("connection_error: ")
    assert sum(item.minutes for item in final.items) == context.session.duration_minutes
    assert server.requests[0]["stream"] is True
    assert elapsed < timeout, "a cut stream is noticed when the connection closes, not at the timeout"


def test_a_stream_cut_midway_reaches_an_sse_client_as_a_result_never_an_error(
    knowledge_data_dir: Any, tmp_path: Any, embedder: Any
) -> None:
    """Through the API: the SSE response still ends with one `result` carrying the fallback reason."""
    import shutil

    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.conftest import make_settings

    data_dir = tmp_path / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    with CutStreamServer(CUT_CHUNKS) as server:
        settings = make_settings(
            data_dir,
            llm_provider="openai",
            llm_base_url=server.base_url,
            llm_model="scripted",
            llm_timeout=10.0,
            llm_max_retries=0,
            rate_limit_per_minute=0,
        )
        with TestClient(create_app(settings, embedder=embedder, local_mode=True), base_url=LOCAL_BASE_URL) as client:
            response = client.post(
                "/v1/agenda",
                json={"mentee": {"name": "Priya", "goals": ["raise a seed round"]}},
                headers={"Accept": "text/event-stream"},
            )
    assert response.status_code == 200
    events = re.findall(r"event: (\w+)\ndata: (.*)\n\n", response.text)
    names = [name for name, _ in events]
    assert "error" not in names and names[-1] == "result" and names.count("result") == 1, response.text
    result = json.loads(events[-1][1])
    assert result["generator"]["provider"] == "offline"
    assert REASON.match(result["generator"]["fallback_reason"])
    assert sum(item["minutes"] for item in result["items"]) == result["total_minutes"]

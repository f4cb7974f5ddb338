"""Private notes never reach the LLM for anyone but their mentor (issue 11, "Proof"), over real HTTP.

`QuotingLLM` is a real OpenAI-compatible server on a loopback port (http.server in a thread). It
answers POST /v1/chat/completions, plain or streamed, with a valid draft whose text QUOTES BACK the
reference material of the prompt it received (agenda item purposes, icebreaker questions, reflection
prompts), and it records every request body. So a private note that reached a prompt would reach the
output too, and the recorded prompts show exactly what left the app.

The app is configured as an operator would: COMPANION_LLM_PROVIDER=openai and
COMPANION_LLM_BASE_URL=http://127.0.0.1:<port>/v1.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.privacy_support import (
    create_key,
    found_markers,
    login,
    mentorship_body,
    origin,
    readable_text,
    sse_events,
)
from tests.conftest import TEST_DATABASE_URL, make_settings, wipe_database
from tests.generation.test_llm_server import LoopbackServer

PRIVATE_KNOWLEDGE = "PRIVATE-MARKER-7f3a"
PRIVATE_TITLE = "PRIVATE-TITLE-MARKER-51c0"
PRIVATE_SOURCE = "dana-candid-priya"
PRIVATE_NOTE = "PRIVATE-SESSION-MARKER-e8d2"
PRIVATE_ICEBREAKER = "PRIVATE-ICEBREAKER-MARKER-3a6f"
FOCUS = {"number": 2, "duration_minutes": 45, "focus": ["fundraising", "fear of pitching"]}

_CHUNK = re.compile(r"<<<CHUNK id=(\S+?)>>>\n(.*?)\n<<<END CHUNK>>>", re.DOTALL)
_PREVIOUS = re.compile(r"<<<PREVIOUS ICEBREAKERS: [^>]*>>>\n(.*?)\n<<<END PREVIOUS ICEBREAKERS>>>", re.DOTALL)


# --------------------------------------------------------------------------------------
# The quoting server
# --------------------------------------------------------------------------------------
def _task(body: dict[str, Any]) -> str:
    """The task a request is for: the structured-output name (`agenda_output`), else the system prompt."""
    schema = (body.get("response_format") or {}).get("json_schema") or {}
    tools = body.get("tools") or [{}]
    name = schema.get("name") or tools[0].get("function", {}).get("name") or ""
    if name:
        return str(name).removesuffix("_output")
    system = " ".join(m["content"] for m in body["messages"] if m["role"] == "system")
    return next((t for t in ("agenda", "icebreakers", "decision", "reflection") if t in system.lower()), "")


def _quotes(body: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    """(chunk id, text) of every reference chunk in the user prompt, and the previous icebreakers listed."""
    user = "\n".join(str(m["content"]) for m in body["messages"] if m["role"] == "user")
    chunks = [(chunk_id, " ".join(text.split())[:400]) for chunk_id, text in _CHUNK.findall(user)]
    previous = [
        line.removeprefix("- ").strip()[:400]
        for block in _PREVIOUS.findall(user)
        for line in block.splitlines()
        if line.strip()
    ]
    return chunks, previous


def quoting_answer(body: dict[str, Any]) -> dict[str, Any] | None:
    """A valid draft for the task, made of quotes of the prompt; None for tasks this server does not write."""
    task = _task(body)
    chunks, previous = _quotes(body)
    if task == "agenda":
        items = [
            {"title": f"Reference {n}", "minutes": 5, "purpose": f"Quoted: {text}", "prompts": [], "citations": [cid]}
            for n, (cid, text) in enumerate(chunks[:9], start=1)
        ]
        return {"items": items or [{"title": "Check-in", "minutes": 10, "purpose": "Nothing was quoted."}]}
    if task == "icebreakers":
        questions = [{"text": f"You asked before: {q}", "why": "quoted from the prompt"} for q in previous[:4]]
        questions += [
            {"text": f"Quoted: {text}", "why": "quoted from the prompt", "citations": [cid]} for cid, text in chunks
        ]
        return {"questions": questions[:10] or [{"text": "What is new since we last met?", "why": "nothing to quote"}]}
    if task == "decision":
        quoted = [f"Quoted: {text}" for _, text in chunks[:6]] or ["Nothing was quoted."]
        return {
            "decision": "Quoted decision",
            "reversibility": {"level": "reversible", "reason": quoted[0]},
            "criteria": quoted[:2],
            "options": [
                {"name": "Quoted option", "upside": q, "downside": "-", "worst_case": "-", "mitigation": "-"}
                for q in quoted[:2]
            ],
            "premortem": quoted,
            "questions_for_mentor": [],
            "experiment": quoted[0],
            "next_steps": [],
            "relevant_experience": [cid for cid, _ in chunks[:6]],
            "citations": [cid for cid, _ in chunks[:6]],
        }
    if task == "reflection":
        prompts = [{"text": f"Quoted: {text}", "citations": [cid]} for cid, text in chunks[:10]]
        return {"prompts": prompts or [{"text": "What did you learn this week?"}]}
    return None


class QuotingLLM(LoopbackServer):
    """POST /v1/chat/completions answered with `quoting_answer`, as one JSON body or as an SSE stream."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                answer = quoting_answer(body) if self.path.endswith("/chat/completions") else None
                if answer is None:
                    self._json(
                        400,
                        {
                            "error": {
                                "message": "the quoting server writes agendas, icebreakers, decisions, reflections"
                            }
                        },
                    )
                elif body.get("stream"):
                    self._stream(
                        json.dumps(answer), include_usage=bool((body.get("stream_options") or {}).get("include_usage"))
                    )
                else:
                    message = {"role": "assistant", "content": json.dumps(answer)}
                    self._json(
                        200,
                        {
                            **_envelope("chat.completion"),
                            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                            "usage": USAGE,
                        },
                    )

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, content: str, *, include_usage: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                third = max(1, len(content) // 3)
                pieces = [content[i : i + third] for i in range(0, len(content), third)]
                chunks = [
                    {"index": 0, "delta": {"role": "assistant", "content": p}, "finish_reason": None} for p in pieces
                ]
                chunks.append({"index": 0, "delta": {}, "finish_reason": "stop"})
                for choice in chunks:
                    self._event({**_envelope("chat.completion.chunk"), "choices": [choice]})
                if include_usage:
                    self._event({**_envelope("chat.completion.chunk"), "choices": [], "usage": USAGE})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.serve(Handler)

    def since(self, mark: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.requests[mark:])

    @property
    def mark(self) -> int:
        with self.lock:
            return len(self.requests)


USAGE = {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}


def _envelope(kind: str) -> dict[str, Any]:
    return {"id": "chatcmpl-quoting", "object": kind, "created": 0, "model": "quoting"}


# --------------------------------------------------------------------------------------
# The app, configured for the server through the environment
# --------------------------------------------------------------------------------------
@dataclass
class LLMWorld:
    client: TestClient
    server: QuotingLLM
    keys: dict[str, dict[str, str]]
    mentorship_id: str
    session_id: str
    private_chunk_id: str

    @property
    def private_strings(self) -> list[str]:
        """What must never leave the app for anyone but dana (and her admin)."""
        return [
            PRIVATE_KNOWLEDGE,
            PRIVATE_TITLE,
            PRIVATE_SOURCE,
            PRIVATE_NOTE,
            PRIVATE_ICEBREAKER,
            self.private_chunk_id,
        ]

    def post(self, caller: str, path: str, body: dict[str, Any], *, stream: bool = False) -> Any:
        headers = {**self.keys[caller], **({"Accept": "text/event-stream"} if stream else {})}
        response = self.client.post(path, headers=headers, json=body)
        assert response.status_code in (200, 201), (caller, path, response.status_code, response.text)
        return sse_events(response.text) if stream else response.json()


@pytest.fixture
def llm(
    knowledge_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_client: Any
) -> Iterator[LLMWorld]:
    with QuotingLLM() as server:
        monkeypatch.setenv("COMPANION_LLM_PROVIDER", "openai")
        monkeypatch.setenv("COMPANION_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("COMPANION_LLM_MODEL", "quoting")
        monkeypatch.setenv("COMPANION_LLM_TIMEOUT", "20")
        monkeypatch.setenv("COMPANION_LLM_MAX_RETRIES", "0")
        data_dir = tmp_path / "data"
        shutil.copytree(knowledge_data_dir, data_dir)
        overrides: dict[str, object] = {"rate_limit_per_minute": 0}
        if TEST_DATABASE_URL:
            wipe_database(TEST_DATABASE_URL)
            overrides["database_url"] = TEST_DATABASE_URL
        settings = make_settings(data_dir, **overrides)
        assert (settings.llm_provider, settings.llm_base_url) == ("openai", server.base_url)
        client = make_client(settings, local_mode=False)
        keys = {
            "admin": create_key(client, "acme", "admin"),
            "platform": create_key(client, "acme", "platform"),
            "dana": create_key(client, "acme", "mentor", "dana"),
            "priya": create_key(client, "acme", "mentee", "priya"),
        }
        world = LLMWorld(client, server, keys, "", "", "")
        world.mentorship_id = world.post("dana", "/v1/mentorships", mentorship_body("dana", "priya"))["id"]
        world.post(
            "dana",
            "/v1/knowledge/notes",
            {
                "notes": [
                    {
                        "id": PRIVATE_SOURCE,
                        "title": f"Candid: Priya {PRIVATE_TITLE}",
                        "visibility": "mentor_private",
                        "themes": ["goals_and_progress", "individual_needs"],
                        "text": f"{PRIVATE_KNOWLEDGE} Priya, a first-time founder of a pre-seed B2B startup, freezes "
                        "when investors ask about revenue; her seed round goal and her fear of pitching worry me.",
                    }
                ]
            },
        )
        session = world.post(
            "dana",
            f"/v1/mentorships/{world.mentorship_id}/sessions",
            {
                "date": "2026-11-02",
                "notes": [
                    {"text": f"{PRIVATE_NOTE} candid: she seems close to burning out.", "visibility": "mentor_private"},
                    {"text": "Priya will rehearse the pitch with two founders.", "visibility": "shared"},
                ],
            },
        )
        world.session_id = session["id"]
        found = client.get(
            "/v1/search", headers=keys["dana"], params={"q": "Priya investors revenue seed round", "k": 50}
        )
        world.private_chunk_id = next(h["chunk_id"] for h in found.json()["results"] if h["source"] == PRIVATE_SOURCE)
        yield world


def prompts_text(requests: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("content")) for body in requests for m in body["messages"])


def assert_answered_by_the_server(output: dict[str, Any]) -> None:
    """The model answered (no offline fallback): otherwise nothing here would prove anything."""
    generator = output["generator"]
    assert generator["provider"] == "openai" and generator["fallback_reason"] is None, generator


# --------------------------------------------------------------------------------------
# The proofs
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("caller", ["platform", "priya"])
def test_prompts_for_a_platform_or_the_mentee_never_carry_dana_s_private_notes(llm: LLMWorld, caller: str) -> None:
    mid = llm.mentorship_id
    mark = llm.server.mark
    outputs = [
        llm.post(caller, "/v1/agenda", {"mentorship_id": mid, "session": FOCUS}),
        llm.post(caller, "/v1/suggestions", {"kind": "agenda", "mentorship_id": mid, "context": {"session": FOCUS}})[
            "result"
        ],
        llm.post(caller, "/v1/icebreakers", {"mentorship_id": mid}),
        llm.post(caller, "/v1/reflection-prompts", {"mentorship_id": mid}),
        # naming dana as the mentor in a context grants nothing: the key decides whose notes are read
        llm.post(
            caller, "/v1/agenda", {"mentor": {"name": "dana"}, "mentee": {"name": "Priya", "goals": ["seed round"]}}
        ),
    ]
    for output in outputs:
        assert_answered_by_the_server(output)
        assert output["visibility"] == "shared"
        assert not found_markers(json.dumps(output), llm.private_strings), output
    assert outputs[0]["items"][0]["purpose"].startswith("Quoted: "), "the server quotes its prompt back"

    events = llm.post(caller, "/v1/agenda", {"mentorship_id": mid, "session": FOCUS}, stream=True)
    names = [name for name, _ in events]
    assert names[0] == "retrieved" and names[-1] == "result" and "token" in names, names
    retrieved = events[0][1]
    assert retrieved["citations"], "retrieval found shared knowledge"
    assert not found_markers(json.dumps(retrieved), llm.private_strings), retrieved
    assert_answered_by_the_server(events[-1][1])
    assert not found_markers(json.dumps(events), llm.private_strings)

    # The feedback flow of the web page: the summary is made from the session notes this caller may read.
    if caller == "platform":
        pages = TestClient(llm.client.app, raise_server_exceptions=False, base_url=str(llm.client.base_url))
        login(pages, llm.keys["platform"])
        page = pages.post(
            f"/mentorships/{mid}/sessions/{llm.session_id}/notes",
            data={"note_text": ["Priya sent the deck."], "note_visibility": ["shared"]},
            headers={"Origin": origin(pages)},
        )
        assert page.status_code == 200, page.text
        assert not found_markers(readable_text(page), llm.private_strings)

    sent = llm.server.since(mark)
    assert len(sent) >= 6, "every generation above called the LLM server"
    leaked = found_markers(prompts_text(sent), llm.private_strings)
    assert not leaked, f"prompts for the {caller} carried {leaked}"

    # The positive control: the same request by dana does put her note in the prompt.
    mark = llm.server.mark
    llm.post("dana", "/v1/agenda", {"mentorship_id": mid, "session": FOCUS})
    assert PRIVATE_KNOWLEDGE in prompts_text(llm.server.since(mark))


def test_a_plan_drawn_from_a_private_note_stays_with_its_mentor(llm: LLMWorld) -> None:
    mid, sid = llm.mentorship_id, llm.session_id
    mark = llm.server.mark
    agenda = llm.post("dana", "/v1/agenda", {"mentorship_id": mid, "session": FOCUS})
    assert PRIVATE_KNOWLEDGE in prompts_text(llm.server.since(mark)), "dana's own note may reach her prompt"
    assert_answered_by_the_server(agenda)
    assert PRIVATE_KNOWLEDGE in json.dumps(agenda), "the server quoted it back"
    assert agenda["visibility"] == "mentor_private"

    events = llm.post("dana", "/v1/agenda", {"mentorship_id": mid, "session": FOCUS}, stream=True)
    assert llm.private_chunk_id in json.dumps(events[0][1]), "dana's own retrieval lists her note"
    assert events[-1][0] == "result" and events[-1][1]["visibility"] == "mentor_private"

    # A goal plan gives the mentorship its meeting schedule; the plan is saved on its first date.
    plan = llm.post("dana", "/v1/goal-plan", {"mentorship_id": mid, "today": "2026-11-02"})
    first_date = plan["cadence"]["sessions"][0]
    saved = llm.client.patch(
        f"/v1/mentorships/{mid}/sessions/{sid}", headers=llm.keys["dana"], json={"date": first_date, "agenda": agenda}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["plan_visibility"] == "mentor_private"
    posted = llm.post("dana", f"/v1/mentorships/{mid}/sessions", {"date": "2027-01-05", "agenda": events[-1][1]})
    assert posted["plan_visibility"] == "mentor_private"

    # dana still sees her plan, in the API and in the calendar.
    mine = llm.client.get(f"/v1/mentorships/{mid}/sessions/{sid}", headers=llm.keys["dana"]).json()
    assert mine["agenda"] is not None and PRIVATE_KNOWLEDGE in json.dumps(mine["agenda"])
    calendar = llm.client.get(f"/v1/mentorships/{mid}/schedule.ics", headers=llm.keys["dana"])
    assert calendar.status_code == 200 and PRIVATE_KNOWLEDGE in readable_text(calendar)

    # priya (and a platform) never do: the session, the list, the calendar, the pages.
    for caller in ("priya", "platform"):
        headers = llm.keys[caller]
        responses = {
            "session": llm.client.get(f"/v1/mentorships/{mid}/sessions/{sid}", headers=headers),
            "sessions": llm.client.get(f"/v1/mentorships/{mid}/sessions", headers=headers),
            "schedule.ics": llm.client.get(f"/v1/mentorships/{mid}/schedule.ics", headers=headers),
        }
        pages = TestClient(llm.client.app, raise_server_exceptions=False, base_url=str(llm.client.base_url))
        login(pages, headers)
        responses["mentee page"] = pages.get(
            f"/mentorships/{mid}" if caller == "priya" else f"/mentorships/{mid}/mentee"
        )
        responses["home page"] = pages.get("/")
        for name, response in responses.items():
            assert response.status_code == 200, (caller, name, response.text)
            leaked = found_markers(readable_text(response), llm.private_strings)
            assert not leaked, f"{caller}'s {name} carries {leaked}"
        assert responses["session"].json()["agenda"] is None


def test_icebreakers_asked_in_a_private_plan_never_reach_a_mentee_s_prompt(llm: LLMWorld) -> None:
    """A private plan's asked icebreakers are withheld from the mentee's view of the session; they must not
    travel to the LLM in her requests either (the quoting server would hand them straight to her)."""
    mid, sid = llm.mentorship_id, llm.session_id
    saved = llm.client.patch(
        f"/v1/mentorships/{mid}/sessions/{sid}",
        headers=llm.keys["dana"],
        json={
            "icebreakers_asked": [f"{PRIVATE_ICEBREAKER} what would make the burnout talk easier?"],
            "plan_visibility": "mentor_private",
        },
    )
    assert saved.status_code == 200, saved.text
    shown = llm.client.get(f"/v1/mentorships/{mid}/sessions/{sid}", headers=llm.keys["priya"]).json()
    assert shown["icebreakers_asked"] == [], "the mentee's view of the session withholds them"

    mark = llm.server.mark
    mine = llm.post("dana", "/v1/icebreakers", {"mentorship_id": mid})
    assert PRIVATE_ICEBREAKER in prompts_text(llm.server.since(mark)), "dana's own prompt lists what she asked"
    assert_answered_by_the_server(mine)

    leaks = []
    for caller in ("priya", "platform"):
        mark = llm.server.mark
        output = llm.post(caller, "/v1/icebreakers", {"mentorship_id": mid})
        assert_answered_by_the_server(output)
        if found_markers(prompts_text(llm.server.since(mark)), [PRIVATE_ICEBREAKER]):
            leaks.append(f"the {caller}'s icebreakers prompt lists the private plan's asked icebreakers")
        if found_markers(json.dumps(output), [PRIVATE_ICEBREAKER]):
            leaks.append(f"the {caller}'s icebreakers output (visibility {output['visibility']}) quotes them")
    assert not leaks, leaks


def test_a_decision_drawn_from_a_private_note_stays_with_its_mentor(llm: LLMWorld) -> None:
    """Decisions are mentor-side, and a platform may work on them; but one whose framework was written from
    dana's private note (marked mentor_private) carries that note, which a platform may not read."""
    mid = llm.mentorship_id
    decision = {"statement": "Should Priya pitch investors for the seed round now?", "options": ["now", "later"]}
    framework = llm.post("dana", "/v1/decision-framework", {"mentorship_id": mid, "decision": decision})
    assert_answered_by_the_server(framework)
    assert framework["visibility"] == "mentor_private"
    assert PRIVATE_KNOWLEDGE in json.dumps(framework), "the server quoted dana's note back"
    saved = llm.post("dana", f"/v1/mentorships/{mid}/decisions", {"framework": framework})
    mine = llm.client.get(f"/v1/mentorships/{mid}/decisions/{saved['id']}", headers=llm.keys["dana"])
    assert mine.status_code == 200 and PRIVATE_KNOWLEDGE in mine.text, "dana keeps her decision"

    platform = llm.keys["platform"]
    pages = TestClient(llm.client.app, raise_server_exceptions=False, base_url=str(llm.client.base_url))
    login(pages, platform)
    responses = {
        "GET decisions": llm.client.get(f"/v1/mentorships/{mid}/decisions", headers=platform),
        "GET decision": llm.client.get(f"/v1/mentorships/{mid}/decisions/{saved['id']}", headers=platform),
        "decisions page": pages.get(f"/mentorships/{mid}/decisions"),
        "decision page": pages.get(f"/mentorships/{mid}/decisions/{saved['id']}"),
    }
    leaks = {name: found_markers(readable_text(r), llm.private_strings) for name, r in responses.items()}
    assert not any(leaks.values()), f"a platform reads dana's private note through her saved decision: {leaks}"

"""The `openai` generator: any OpenAI-compatible chat endpoint through LangChain's ChatOpenAI.

One model call per task plus at most one repair call. Every failure (connection, timeout,
HTTP status, unusable output) falls back to the offline composer with a machine-friendly
`fallback_reason`; nothing is raised to the caller and nothing falls back silently.

Structured output is negotiated once per generator: `json_schema` first, `function_calling`
when the server rejects `response_format` (llama-cpp-python's server answers HTTP 500), and
plain JSON text when tools are rejected too. A rejected method is a capability probe, not
a generation attempt, and is remembered so later calls go straight to what works.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Generator as PyGenerator
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import openai
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelConnectionError,
    ModelRateLimitError,
    ModelRefusalError,
    ModelTimeoutError,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, BaseMessageChunk, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable

from companion.config import Settings
from companion.generation.base import Generator, Retrieved
from companion.generation.drafts import CitationResolver, InvalidDraft
from companion.generation.prompts import (
    PromptLibrary,
    ReferenceChunk,
    default_library,
    estimate_tokens,
    prompt_variables,
)
from companion.generation.redact import is_loopback_url, redact_pii
from companion.generation.taskspec import task_spec
from companion.retrieval.retriever import SearchResult
from companion.schemas import GeneratorInfo, MentoringContext, Usage, _Output

log = logging.getLogger("companion.generation.llm")

StructuredMethod = Literal["json_schema", "function_calling", "json_text"]
STRUCTURED_METHODS: tuple[StructuredMethod, ...] = ("json_schema", "function_calling", "json_text")

OPENAI_API_HOST = "api.openai.com"

LOCAL_SERVER_API_KEY = "not-needed-for-a-local-server"
"""Local OpenAI-compatible servers ignore the key, but the openai client insists on one."""

MIN_CHUNK_TOKENS = 60
"""A chunk cut shorter than this is more confusing than useful, so it is left out instead."""

_DETAIL_LIMIT = 300
_STATUS_PREFIX = re.compile(r"^Error code: \d+ - ")
_REPAIR_ECHO_LIMIT = 4000


class GenerationFailure(Exception):
    """Why the LLM path gave up: `reason` is a short machine-friendly code, `detail` a one-line explanation."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = " ".join(detail.split())[:_DETAIL_LIMIT]
        super().__init__(f"{reason}: {self.detail}")


def classify_failure(exc: BaseException) -> GenerationFailure:
    """Map SDK, HTTP and parsing errors to one reason code each (timeout before connection: it subclasses it)."""
    if isinstance(exc, GenerationFailure):
        return exc
    if isinstance(exc, InvalidDraft):
        return GenerationFailure("invalid_output", str(exc))
    if isinstance(exc, openai.APITimeoutError | ModelTimeoutError | httpx.TimeoutException | TimeoutError):
        return GenerationFailure("timeout", str(exc) or type(exc).__name__)
    if isinstance(exc, openai.APIStatusError):
        return GenerationFailure(f"http_{exc.status_code}", _STATUS_PREFIX.sub("", exc.message))
    if isinstance(exc, ModelRateLimitError):
        return GenerationFailure("http_429", str(exc))
    if isinstance(exc, ContextOverflowError):
        return GenerationFailure("context_overflow", str(exc))
    if isinstance(exc, ModelRefusalError):
        return GenerationFailure("refusal", str(exc))
    if isinstance(exc, openai.APIConnectionError | ModelConnectionError | httpx.TransportError | ConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f"{exc} ({cause})" if cause is not None and str(cause) else str(exc)
        return GenerationFailure("connection_error", detail or type(exc).__name__)
    return GenerationFailure("error", f"{type(exc).__name__}: {exc}")


def _rejects_method(exc: BaseException, method: StructuredMethod) -> bool:
    """Did the server refuse this way of asking for structure (as opposed to failing the request)?"""
    if isinstance(exc, NotImplementedError):
        return True
    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 404, 415, 422, 500, 501):
        return False
    message = f"{exc.message} {exc.body}".lower()
    if method == "json_schema":
        return "response_format" in message or "json_schema" in message
    if method == "function_calling":
        return any(word in message for word in ("tool", "function"))
    return False


@dataclass
class StreamEvent:
    """One server-sent event: a token delta while the model writes, then exactly one final output."""

    kind: Literal["token", "output"]
    delta: str = ""
    output: _Output | None = None


@dataclass
class PreparedPrompt:
    task: str
    messages: list[BaseMessage]
    version: str
    citable: list[SearchResult]
    schema: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    facts: Any = None
    """What a facts hook read from the input (the analysed notes for feedback), to check the answer against."""


def interleave_groups(retrieved: Retrieved) -> list[SearchResult]:
    """Best of each retrieval group first, then second-best, and so on (each chunk once).

    Retrieval returns whole banks for some roles; taking groups in order would spend the
    whole budget on the first bank and never show the guides or the mentor's own notes.
    """
    ordered: dict[str, SearchResult] = {}
    groups = [results for results in retrieved.groups.values() if results]
    for rank in range(max((len(g) for g in groups), default=0)):
        for results in groups:
            if rank < len(results):
                ordered.setdefault(results[rank].chunk_id, results[rank])
    return list(ordered.values())


def trim_reference(
    results: list[SearchResult], budget_tokens: int
) -> tuple[list[SearchResult], list[ReferenceChunk], int]:
    """Keep chunks in the given order while they fit the budget; a misfit is cut if enough room is left.

    Returns the citable results, the chunks to show, and how many results were left out.
    """
    kept: list[SearchResult] = []
    chunks: list[ReferenceChunk] = []
    remaining = budget_tokens
    for result in results:
        overhead = estimate_tokens(
            f"<<<CHUNK id={result.chunk_id}>>>\n{result.title} › {result.heading}\n<<<END CHUNK>>>\n"
        )
        cost = overhead + estimate_tokens(result.text)
        text = result.text
        if cost > remaining:
            room = remaining - overhead
            if room < MIN_CHUNK_TOKENS:
                continue
            text = result.text[: room * 4].rsplit(" ", 1)[0] + " …"
            cost = overhead + estimate_tokens(text)
        kept.append(result)
        chunks.append(ReferenceChunk(result.chunk_id, result.title, result.heading, result.source, text))
        remaining -= cost
    return kept, chunks, len(results) - len(kept)


def _message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts = [part if isinstance(part, str) else str(part.get("text", "")) for part in content]
    return "".join(parts)


_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)


def extract_json(message: BaseMessage) -> dict[str, Any]:
    """The answer as a JSON object, from a tool call or from text (code fences and chatter around it tolerated)."""
    if isinstance(message, AIMessage):
        if message.tool_calls:
            return dict(message.tool_calls[0]["args"])
        if message.invalid_tool_calls:
            bad = message.invalid_tool_calls[0]
            raise InvalidDraft(f"tool call arguments are not valid JSON: {str(bad.get('args'))[:200]}")
        refusal = message.additional_kwargs.get("refusal")
        if refusal:
            raise GenerationFailure("refusal", str(refusal))
    text = _CODE_FENCE.sub("", _message_text(message)).strip()
    if not text:
        raise GenerationFailure("empty_output", "the model returned no content")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        start, end = text.find("{"), text.rfind("}")
        if start == -1 or end <= start:
            raise InvalidDraft(f"the answer is not valid JSON ({exc.msg} at char {exc.pos})") from exc
        try:
            data = json.loads(text[start : end + 1])
        except json.JSONDecodeError as inner:
            raise InvalidDraft(f"the answer is not valid JSON ({inner.msg} at char {inner.pos})") from inner
    if not isinstance(data, dict):
        raise InvalidDraft(f"the answer is JSON {type(data).__name__}, not an object")
    return data


def _add_usage(usage: Usage, message: BaseMessage) -> bool:
    """Add the response's token counts; False when the server reported none (some omit them when streaming)."""
    metadata = getattr(message, "usage_metadata", None)
    if metadata:
        usage.prompt_tokens += int(metadata.get("input_tokens") or 0)
        usage.completion_tokens += int(metadata.get("output_tokens") or 0)
        return True
    token_usage = message.response_metadata.get("token_usage") or {}
    usage.prompt_tokens += int(token_usage.get("prompt_tokens") or 0)
    usage.completion_tokens += int(token_usage.get("completion_tokens") or 0)
    return bool(token_usage)


def _stream_delta(chunk: BaseMessageChunk) -> str:
    text = _message_text(chunk)
    if text:
        return text
    tool_chunks = getattr(chunk, "tool_call_chunks", None) or []
    return "".join(str(c.get("args") or "") for c in tool_chunks)


class OpenAIGenerator:
    """Generator for any OpenAI-compatible endpoint; falls back to the offline composer on any failure."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        chat_model: BaseChatModel | None = None,
        fallback: Generator | None = None,
        prompts: PromptLibrary | None = None,
    ) -> None:
        self.settings = settings
        self._chat_model = chat_model
        self._fallback = fallback
        self.prompts = prompts or default_library()
        self.methods: list[StructuredMethod] = list(STRUCTURED_METHODS)
        """Structured-output methods not yet rejected by this endpoint, best first."""
        self.redacts = settings.redact_pii and not is_loopback_url(settings.llm_base_url)

    # -- components ----------------------------------------------------------------------
    @property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is None:
            self._chat_model = self._create_chat_model()
        return self._chat_model

    def _create_chat_model(self) -> BaseChatModel:
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        s = self.settings
        api_key = s.llm_api_key or os.environ.get("OPENAI_API_KEY")
        if not api_key:
            if not is_loopback_url(s.llm_base_url):
                raise GenerationFailure(
                    "config_error", "no API key: set COMPANION_LLM_API_KEY or OPENAI_API_KEY for a remote endpoint"
                )
            api_key = LOCAL_SERVER_API_KEY
        host = urlsplit(s.llm_base_url).hostname if s.llm_base_url else OPENAI_API_HOST
        # LangChain sends only `max_completion_tokens`, which several OpenAI-compatible servers
        # (llama-cpp-python among them) ignore and then generate until the context is full.
        legacy_limit = None if host == OPENAI_API_HOST else {"max_tokens": s.llm_max_tokens}
        return ChatOpenAI(
            model=s.llm_model,
            base_url=s.llm_base_url,
            api_key=SecretStr(api_key),
            timeout=s.llm_timeout,
            max_retries=s.llm_max_retries,
            temperature=s.llm_temperature,
            max_completion_tokens=s.llm_max_tokens,
            stream_usage=True,
            use_responses_api=False,
            extra_body=legacy_limit,
        )

    @property
    def fallback(self) -> Generator:
        if self._fallback is None:
            from companion.generation.offline import OfflineComposer

            self._fallback = OfflineComposer()
        return self._fallback

    # -- public API ----------------------------------------------------------------------
    def generate(self, task: str, context: MentoringContext, retrieved: Retrieved) -> _Output:
        """The task's output: from the model when it gives a valid answer, else from the offline composer."""
        final: _Output | None = None
        for event in self._events(task, context, retrieved, stream=False):
            if event.kind == "output":
                final = event.output
        assert final is not None, "the event loop always ends with an output"
        return final

    def stream_generate(self, task: str, context: MentoringContext, retrieved: Retrieved) -> Iterator[StreamEvent]:
        """Token deltas of the first answer as the model writes it, then the final (validated or fallback) output."""
        return self._events(task, context, retrieved, stream=True)

    def prepare(self, task: str, context: MentoringContext, retrieved: Retrieved) -> PreparedPrompt:
        """The messages one call would send: trimmed reference, fenced data, PII redacted for remote endpoints."""
        citable, chunks, left_out = trim_reference(interleave_groups(retrieved), self.settings.llm_context_tokens)
        notes_text = context.notes
        notes: list[str] = []
        if left_out:
            notes.append(
                f"reference trimmed to {len(citable)} of {len(citable) + left_out} chunks "
                f"({self.settings.llm_context_tokens}-token budget)"
            )
        if notes_text and estimate_tokens(notes_text) > self.settings.llm_context_tokens:
            notes_text = notes_text[: self.settings.llm_context_tokens * 4] + " …"
            notes.append(f"session notes cut to about {self.settings.llm_context_tokens} tokens")
        if self.redacts:
            notes.append("emails and phone numbers are redacted before text leaves this machine")
        variables = prompt_variables(
            context,
            chunks,
            notes=notes_text if task == "feedback" else None,
            scrub=redact_pii if self.redacts else None,
        )
        spec = task_spec(task)
        hook = spec.facts
        facts = hook.read(context) if hook is not None else None
        if hook is not None:
            variables["facts"] = hook.prompt(facts, context, redact_pii if self.redacts else None)
        rendered = self.prompts.render(spec.prompt, **variables)
        return PreparedPrompt(
            task=task,
            messages=[SystemMessage(rendered.system), HumanMessage(rendered.user)],
            version=rendered.version,
            citable=citable,
            schema=spec.draft_schema([r.chunk_id for r in citable]),
            notes=notes,
            facts=facts,
        )

    # -- the one code path behind generate and stream_generate ----------------------------
    def _events(
        self, task: str, context: MentoringContext, retrieved: Retrieved, *, stream: bool
    ) -> Iterator[StreamEvent]:
        usage = Usage()
        try:
            prompt = self.prepare(task, context, retrieved)
            message, method = yield from self._call(prompt, prompt.messages, stream=stream)
            usage_reported = _add_usage(usage, message)
            try:
                output = self._validate(prompt, message, method, context)
            except (InvalidDraft, GenerationFailure) as first_problem:
                if isinstance(first_problem, GenerationFailure) and first_problem.reason != "empty_output":
                    raise
                log.info(
                    "LLM answer unusable; asking once for a repair",
                    extra={"task": task, "error": type(first_problem).__name__},
                )
                repair = [*prompt.messages, HumanMessage(self._repair_request(message, first_problem))]
                message, method = yield from self._call(prompt, repair, stream=False)
                _add_usage(usage, message)
                output = self._validate(prompt, message, method, context)
                output.generator.notes.append("the first answer was repaired once")
            if not usage_reported:
                output.generator.notes.append("the endpoint reported no token usage for the answer")
            output.usage = usage
            yield StreamEvent("output", output=output)
        except Exception as exc:
            failure = classify_failure(exc)
            # Reason code only: the detail can quote model output, which may echo note text.
            log.warning("LLM path fell back to offline", extra={"task": task, "fallback_reason": failure.reason})
            yield StreamEvent("output", output=self._fall_back(task, context, retrieved, failure, usage))

    def _call(
        self, prompt: PreparedPrompt, messages: list[BaseMessage], *, stream: bool
    ) -> PyGenerator[StreamEvent, None, tuple[BaseMessage, StructuredMethod]]:
        """One model call with the best method the endpoint has not rejected; yields token events when streaming."""
        while True:
            method = self.methods[0]
            try:
                runnable = self._bind(method, prompt)
                if stream:
                    message = yield from self._stream_message(runnable, messages)
                else:
                    message = runnable.invoke(messages)
                return message, method
            except Exception as exc:
                if len(self.methods) > 1 and _rejects_method(exc, method):
                    log.info(
                        "endpoint rejected a structured-output method; trying the next",
                        extra={"provider": method, "error": type(exc).__name__},
                    )
                    self.methods.pop(0)
                    continue
                raise

    def _bind(self, method: StructuredMethod, prompt: PreparedPrompt) -> Runnable[LanguageModelInput, BaseMessage]:
        name = f"{prompt.task}_output"
        if method == "json_schema":
            response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": prompt.schema}}
            return self.chat_model.bind(response_format=response_format)
        if method == "function_calling":
            tool = {
                "type": "function",
                "function": {
                    "name": name,
                    "description": f"Return the {prompt.task} output.",
                    "parameters": prompt.schema,
                },
            }
            return self.chat_model.bind_tools([tool], tool_choice=name)
        return self.chat_model

    @staticmethod
    def _stream_message(
        runnable: Runnable[LanguageModelInput, BaseMessage], messages: list[BaseMessage]
    ) -> PyGenerator[StreamEvent, None, BaseMessage]:
        aggregate: BaseMessageChunk | None = None
        for chunk in runnable.stream(messages):
            if not isinstance(chunk, BaseMessageChunk):
                raise GenerationFailure("invalid_output", f"the stream yielded {type(chunk).__name__}")
            aggregate = chunk if aggregate is None else aggregate + chunk
            delta = _stream_delta(chunk)
            if delta:
                yield StreamEvent("token", delta=delta)
        if aggregate is None:
            raise GenerationFailure("empty_output", "the stream ended without a single chunk")
        return aggregate

    def _validate(
        self, prompt: PreparedPrompt, message: BaseMessage, method: StructuredMethod, context: MentoringContext
    ) -> _Output:
        if message.response_metadata.get("finish_reason") == "length":
            truncated = f"the answer was cut off at the {self.settings.llm_max_tokens}-token limit"
        else:
            truncated = ""
        try:
            data = extract_json(message)
        except InvalidDraft as exc:
            raise InvalidDraft(f"{exc}; {truncated}" if truncated else str(exc)) from exc
        info = GeneratorInfo(
            provider="openai",
            model=self.settings.llm_model,
            prompt_version=prompt.version,
            notes=[*prompt.notes, f"structured output via {method}"],
        )
        spec = task_spec(prompt.task)
        output = spec.build(data, context, CitationResolver(prompt.citable), info)
        hook = spec.facts
        return hook.check(output, context, prompt.facts) if hook is not None and prompt.facts is not None else output

    @staticmethod
    def _repair_request(message: BaseMessage, problem: Exception) -> str:
        if isinstance(message, AIMessage) and message.tool_calls:
            previous = json.dumps(message.tool_calls[0]["args"], ensure_ascii=False)
        else:
            previous = _message_text(message)
        return (
            f"Your previous answer could not be used: {problem}.\n"
            f"Previous answer:\n{previous[:_REPAIR_ECHO_LIMIT]}\n"
            "Reply again with one corrected JSON object in the requested shape and nothing else."
        )

    def _fall_back(
        self, task: str, context: MentoringContext, retrieved: Retrieved, failure: GenerationFailure, usage: Usage
    ) -> _Output:
        output = self.fallback.generate(task, context, retrieved)
        notes = [
            *output.generator.notes,
            f"the openai provider (model {self.settings.llm_model}) gave no usable answer, so the offline composer answered",
        ]
        output.generator = output.generator.model_copy(update={"fallback_reason": str(failure), "notes": notes})
        output.usage = usage
        return output

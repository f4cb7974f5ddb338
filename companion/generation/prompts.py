"""Versioned Jinja2 prompt templates for the LLM path, and the data fence that keeps their inputs inert.

Every value a template prints passes through `neutralise` (Jinja's `finalize` hook), so no
template can forget it: retrieved chunks, mentor notes and context fields cannot close a
`<<<...>>>` fence, open a code fence or smuggle a chat-role tag into the prompt. The one
exception is the `fence` macro (prompts/_fence.j2), which re-prints its body with the
`template_text` filter: that body is template text whose values were already neutralised.

A task's prompt version is declared on the first line of both of its templates
(`{# prompt_version: agenda-1 #}`); the shared partials declare their own for reference,
and a change to one of them is released by bumping the versions of the task templates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from companion.generation.taskspec import task_spec
from companion.schemas import TASKS, MentoringContext

PROMPTS_DIR = Path(__file__).resolve().parent.parent.parent / "prompts"
"""The shipped templates live next to the package, like the shipped knowledge."""

_VERSION_LINE = re.compile(r"\A\{#\s*prompt_version:\s*([A-Za-z0-9_.-]+)\s*#\}")

_FENCE_RUNS = re.compile(r"<{2,}|>{2,}")
_CODE_FENCE = re.compile(r"`{3,}|~{3,}")
_SPECIAL_TOKEN = re.compile(r"<\s*\|")
_SPECIAL_TOKEN_END = re.compile(r"\|\s*>")
_ROLE_TAG = re.compile(r"<(\s*/?\s*[A-Za-z][\w:-]*[^<>]{0,200})>")
_INST_TAG = re.compile(r"\[(/?\s*(?:INST|SYS)\s*)\]", re.IGNORECASE)

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "da": "Danish",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "zh": "Chinese",
}


class TemplateText(str):
    """Rendered template text (literal markers plus values already neutralised): printed verbatim."""


def neutralise(value: Any) -> Any:
    """Make data unable to end a fence or pose as a role marker; non-strings pass through."""
    if not isinstance(value, str) or isinstance(value, TemplateText):
        return value
    text = _FENCE_RUNS.sub(lambda m: ("‹" if m.group(0)[0] == "<" else "›") * len(m.group(0)), value)
    text = _CODE_FENCE.sub(lambda m: "'" * len(m.group(0)), text)
    text = _SPECIAL_TOKEN.sub("‹|", text)
    text = _SPECIAL_TOKEN_END.sub("|›", text)
    text = _ROLE_TAG.sub(r"‹\1›", text)
    return _INST_TAG.sub(r"(\1)", text)


def estimate_tokens(text: str) -> int:
    """Cheap, offline token estimate (about four characters per token for English prose)."""
    return math.ceil(len(text) / 4)


def language_name(code: str) -> str:
    """'de' -> 'German (de)': models follow a language name more reliably than a bare code."""
    name = LANGUAGE_NAMES.get(code.split("-")[0].split("_")[0].lower())
    return f"{name} ({code})" if name else code


@dataclass(frozen=True)
class ReferenceChunk:
    """One retrieved chunk as the prompt shows it; its id is the only thing the model may cite."""

    chunk_id: str
    title: str
    heading: str
    source: str
    text: str

    @property
    def label(self) -> str:
        """'Title › Heading', without repeating the title when the heading path already starts with it."""
        if not self.heading or self.heading == self.title:
            return self.title
        return self.heading if self.heading.startswith(self.title) else f"{self.title} › {self.heading}"

    def as_vars(self, scrub: Callable[[str], str]) -> dict[str, str]:
        return {"id": self.chunk_id, "label": scrub(self.label), "source": self.source, "text": scrub(self.text)}


@dataclass(frozen=True)
class RenderedPrompt:
    system: str
    user: str
    version: str


def _scrub_tree(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_tree(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_tree(v, scrub) for k, v in value.items()}
    return value


def _keep(text: str) -> str:
    return text


def prompt_variables(
    context: MentoringContext,
    reference: Sequence[ReferenceChunk],
    *,
    notes: str | None = None,
    scrub: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """The variables every template receives; `scrub` (e.g. PII redaction) touches data, never ids."""
    scrub = scrub or _keep
    context_vars = _scrub_tree(context.model_dump(mode="json", exclude={"notes"}), scrub)
    return {
        "context": context_vars,
        "reference": [chunk.as_vars(scrub) for chunk in reference],
        "notes": scrub(notes) if notes else None,
        "language": language_name(context.session.language),
        "today": context.reference_date.isoformat(),
        "open_action_items": [item for item in context_vars["open_action_items"] if not item["done"]],
    }


class PromptLibrary:
    """Loads `<task>.system.j2` / `<task>.user.j2` pairs and renders them strictly."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or PROMPTS_DIR
        self.environment = Environment(
            loader=FileSystemLoader(str(self.directory)),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=neutralise,
        )
        self.environment.filters["template_text"] = TemplateText

    def template_version(self, name: str) -> str:
        """The version a template declares on its first line; a template without one is an error."""
        source, _, _ = self.environment.loader.get_source(self.environment, name)  # type: ignore[union-attr]
        match = _VERSION_LINE.match(source)
        if match is None:
            raise ValueError(f"prompt template {name} must start with '{{# prompt_version: <task>-<n> #}}'")
        return match.group(1)

    def version(self, task: str) -> str:
        """One version per task: its system and user templates must agree, so outputs name one version."""
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; available: {', '.join(TASKS)}")
        system_version = self.template_version(f"{task}.system.j2")
        user_version = self.template_version(f"{task}.user.j2")
        if system_version != user_version:
            raise ValueError(
                f"{task}.system.j2 declares {system_version} but {task}.user.j2 declares {user_version}; bump both"
            )
        return system_version

    def render(self, task: str, **variables: Any) -> RenderedPrompt:
        """Both templates of a task; `json_shape`, the example answer, is derived from the task's output model."""
        version = self.version(task)
        variables.setdefault("json_shape", TemplateText(task_spec(task).shape))
        system = self.environment.get_template(f"{task}.system.j2").render(task=task, **variables)
        user = self.environment.get_template(f"{task}.user.j2").render(task=task, **variables)
        return RenderedPrompt(system=system.strip() + "\n", user=user.strip() + "\n", version=version)


@cache
def default_library() -> PromptLibrary:
    return PromptLibrary()


def render(task: str, **variables: Any) -> tuple[str, str, str]:
    """(system, user, prompt_version) for a task from the shipped templates."""
    prompt = default_library().render(task, **variables)
    return prompt.system, prompt.user, prompt.version

"""What the LLM is asked to return (a draft per task), and how a draft becomes the public output.

A draft model is derived from its task's output model (`draft_model`): the same fields, minus those
code fills in, with citations as chunk ids and the bounds the output model marks `Drafted`. The JSON
schema sent to the model and the shape shown in the prompt are derived from the draft in turn, so an
output shape is written once, in `companion/schemas.py`.

The model only ever names chunk ids; the full `Citation` objects are built here from what
retrieval returned, so an invented id can be dropped and counted but never reach a user.
Everything the model cannot be trusted with (total minutes, carried-forward action items,
the generator block) is filled in by code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo

from companion.retrieval.retriever import SearchResult
from companion.schemas import (
    ByCode,
    Citation,
    Drafted,
    GeneratorInfo,
    MentoringContext,
    _Output,
    question_key,
)


class InvalidDraft(ValueError):
    """The model's answer parsed but cannot become a valid output; the message is sent back for repair."""


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


_CHUNK_ID_MARK = "x-chunk-id"
ChunkId = Annotated[str, Field(json_schema_extra={_CHUNK_ID_MARK: True})]
"""A cited chunk id in a draft; the schema sent to the model narrows it to the ids the prompt showed."""

_OUTPUT_FIELDS = frozenset(_Output.model_fields) - {"citations"} | {"task"}
"""Filled by code on every output: the generator block, usage and visibility. A draft may name the chunks
it drew on as a whole (`citations`); the output's citations are then every chunk it cited anywhere."""


def _drafted(info: FieldInfo) -> Drafted | None:
    return next((m for m in info.metadata if isinstance(m, Drafted)), None)


def _by_code(info: FieldInfo) -> bool:
    return any(isinstance(m, ByCode) for m in info.metadata)


def _draft_type(annotation: Any) -> Any:
    """The type a model writes for an output type: chunk ids for citations, drafts for nested models."""
    if annotation is Citation:
        return ChunkId
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return draft_model(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list:
        return list[_draft_type(args[0])]  # type: ignore[misc]
    if origin in (Union, UnionType):
        parts = tuple(_draft_type(a) for a in args)
        return Union[parts]  # noqa: UP007
    return annotation


@cache
def draft_model(model: type[BaseModel]) -> type[_Draft]:
    """What a model is asked to write for `model`: its fields minus those code fills in (`BY_CODE`, the
    `_Output` block), citations as chunk ids, nested models as their drafts, and the `Drafted` bounds.
    A list the draft need not fill (no `Drafted` minimum) defaults to empty."""
    fields: dict[str, Any] = {}
    names = sorted(model.model_fields, key=lambda name: name == "citations")  # the whole output's ids last
    for name in names:
        info = model.model_fields[name]
        if (issubclass(model, _Output) and name in _OUTPUT_FIELDS) or _by_code(info):
            continue
        annotation = _draft_type(info.annotation)
        bounds = _drafted(info)
        limits = {k: v for k, v in vars(bounds).items() if v is not None and k != "hint"} if bounds else {}
        described = (bounds.hint if bounds else None) or info.description
        for meta in info.metadata:  # constraints the output field itself declares (an input model's bounds)
            for key in ("min_length", "max_length", "ge", "le"):
                value = getattr(meta, key, None)
                if value is not None:
                    limits.setdefault(key, value)
        if info.default_factory is not None:
            default: Any = Field(default_factory=info.default_factory, description=described, **limits)
        elif not info.is_required():
            default = Field(default=info.default, description=described, **limits)
        elif get_origin(annotation) is list and not limits.get("min_length"):
            default = Field(default_factory=list, description=described, **limits)
        else:
            default = Field(description=described, **limits)
        fields[name] = (annotation, default)
    return create_model(f"{model.__name__}Draft", __base__=_Draft, **fields)


# --------------------------------------------------------------------------------------
# JSON schema sent to the model
# --------------------------------------------------------------------------------------
def _inline_refs(node: Any, definitions: dict[str, Any], *, is_properties: bool = False) -> Any:
    """Resolve $refs and drop pydantic's 'title' annotations (not properties that happen to be called title)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline_refs(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {
            key: _inline_refs(value, definitions, is_properties=key == "properties" and not is_properties)
            for key, value in node.items()
            if is_properties or key not in ("title", "$defs")
        }
    if isinstance(node, list):
        return [_inline_refs(value, definitions) for value in node]
    return node


def _close_objects(node: Any, citable_ids: Sequence[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object":
            node["additionalProperties"] = False
        if node.pop(_CHUNK_ID_MARK, False) and citable_ids:
            node["enum"] = list(citable_ids)
        for value in node.values():
            _close_objects(value, citable_ids)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value, citable_ids)


def draft_json_schema(model: type[_Output], citable_ids: Sequence[str]) -> dict[str, Any]:
    """A self-contained schema (no $refs, closed objects) whose citation items are the shown chunk ids.

    Servers that constrain decoding with the schema (llama.cpp grammars, OpenAI structured
    outputs) then cannot produce an invented id at all; others are still checked afterwards.
    """
    raw = draft_model(model).model_json_schema()
    schema = _inline_refs(copy.deepcopy(raw), raw.get("$defs", {}))
    _close_objects(schema, citable_ids)
    return schema


def draft_shape(model: type[_Output]) -> str:
    """The draft as one line of example JSON for the prompt: each field with its description (or its
    type) as the value, so the shape the prompt shows is the shape the schema checks."""
    return json.dumps(_shape_of(draft_model(model)), ensure_ascii=False)


def _shape_of(model: type[BaseModel]) -> dict[str, Any]:
    return {name: _example(info.annotation, info) for name, info in model.model_fields.items()}


def _example(annotation: Any, info: FieldInfo | None = None) -> Any:
    described = info.description if info is not None else None
    if get_origin(annotation) is Annotated:
        if any(getattr(m, "json_schema_extra", None) == {_CHUNK_ID_MARK: True} for m in get_args(annotation)[1:]):
            return "chunk id"
        return _example(get_args(annotation)[0], info)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _shape_of(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list:
        return [_example(args[0], None if described is None else FieldInfo(description=described))]
    if origin in (Union, UnionType):
        present = [a for a in args if a is not type(None)]
        value = _example(present[0], info)
        return f"{value} or null" if isinstance(value, str) and len(present) < len(args) else value
    if origin is Literal:
        return " | ".join(str(a) for a in args)
    if annotation is dt.date:
        return "YYYY-MM-DD"
    if annotation is bool:
        return False
    if annotation is int:
        low = next((m.ge for m in (info.metadata if info else []) if getattr(m, "ge", None) is not None), None)
        return max(10, low or 0)
    return described or "text"


# --------------------------------------------------------------------------------------
# Draft -> output
# --------------------------------------------------------------------------------------
_ID_WRAPPING = re.compile(r"^[\s\[\(<'\"`]*(?:chunk\s*)?(?:id\s*[=:]\s*)?|[\s\]\)>'\"`.,;]*$", re.IGNORECASE)


class CitationResolver:
    """Turns cited ids into full citations, keeping only chunks the prompt actually showed."""

    def __init__(self, citable: Iterable[SearchResult]) -> None:
        self._citations = {result.chunk_id: Citation(**result.citation()) for result in citable}
        self._lowercase = {chunk_id.lower(): chunk_id for chunk_id in self._citations}
        self.invented: list[str] = []
        self.used: dict[str, Citation] = {}

    def resolve(self, cited_ids: Iterable[str]) -> list[Citation]:
        resolved: dict[str, Citation] = {}
        for raw_id in cited_ids:
            chunk_id = self._lowercase.get(_ID_WRAPPING.sub("", raw_id).lower())
            if chunk_id is None:
                self.invented.append(raw_id)
                continue
            citation = self._citations[chunk_id]
            resolved.setdefault(chunk_id, citation)
            self.used.setdefault(chunk_id, citation)
        return list(resolved.values())


def rescale_minutes(minutes: Sequence[int], total: int) -> list[int]:
    """Scale block lengths to sum exactly to `total` (each at least 1), by largest remainder, deterministically."""
    if len(minutes) > total:
        raise InvalidDraft(f"{len(minutes)} agenda items cannot fit into {total} minutes; use fewer items")
    current = sum(minutes)
    if current == total:
        return list(minutes)
    exact = [m * total / current for m in minutes]
    scaled = [max(1, int(value)) for value in exact]
    by_remainder = sorted(range(len(minutes)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    position = 0
    while sum(scaled) < total:
        scaled[by_remainder[position % len(scaled)]] += 1
        position += 1
    while sum(scaled) > total:
        largest = max(range(len(scaled)), key=lambda i: (scaled[i], i))
        scaled[largest] -= 1
    return scaled


def _inner(annotation: Any, wanted: Any) -> Any:
    """The list item type or model class inside an annotation (through `| None`), or None."""
    if wanted is list and get_origin(annotation) is list:
        return get_args(annotation)[0]
    if wanted is BaseModel and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner(arg, wanted)
        if found is not None:
            return found
    return None


def _complete(draft: BaseModel, model: type[BaseModel], cite: CitationResolver) -> dict[str, Any]:
    """A draft as the data of its output model: cited ids resolved, nested drafts completed alike."""
    return {
        name: _value(getattr(draft, name), model.model_fields[name].annotation, cite)
        for name in type(draft).model_fields
    }


def _value(value: Any, annotation: Any, cite: CitationResolver) -> Any:
    if isinstance(value, list):
        item = _inner(annotation, list)
        if item is Citation:
            return cite.resolve(value)
        return [_value(v, item, cite) for v in value]
    if isinstance(value, BaseModel):
        return _complete(value, _inner(annotation, BaseModel), cite)
    return value


Finish = Callable[[dict[str, Any], MentoringContext, GeneratorInfo], dict[str, Any]]
"""A task's own completion of a draft's data: what code fills in, and the rules a model cannot be trusted with."""


def finish_agenda(data: dict[str, Any], context: MentoringContext, info: GeneratorInfo) -> dict[str, Any]:
    """Minutes rescaled to the session length; the carried-forward items are exactly the open ones."""
    total = context.session.duration_minutes
    original = [item["minutes"] for item in data["items"]]
    minutes = rescale_minutes(original, total)
    if minutes != original:
        info.notes.append(f"rescaled agenda minutes from {sum(original)} to {total}")
    items = [
        {**item, "minutes": length, "prompts": [p for p in item["prompts"] if p]}
        for item, length in zip(data["items"], minutes, strict=True)
    ]
    carried = [item for item in context.open_action_items if not item.done]
    return {**data, "items": items, "total_minutes": total, "carried_forward": carried}


def finish_icebreakers(data: dict[str, Any], context: MentoringContext, info: GeneratorInfo) -> dict[str, Any]:
    """No question the pair has asked before, and none twice (`question_key` decides what is the same)."""
    seen = {question_key(q) for q in context.previous_icebreakers}
    questions = []
    for question in data["questions"]:
        key = question_key(question["text"])
        if key not in seen:
            seen.add(key)
            questions.append(question)
    if not questions:
        raise InvalidDraft("every question repeats a previous icebreaker or another question; write new ones")
    repeated = len(data["questions"]) - len(questions)
    if repeated:
        info.notes.append(f"dropped {repeated} repeated icebreaker{'s' if repeated != 1 else ''}")
    return {**data, "questions": questions}


def build_output(
    model: type[_Output],
    finish: Finish | None,
    data: dict[str, Any],
    context: MentoringContext,
    cite: CitationResolver,
    info: GeneratorInfo,
) -> _Output:
    """Validate the model's JSON as the task's draft and complete it into the public output model."""
    try:
        draft = draft_model(model).model_validate(data)
        completed = _complete(draft, model, cite)
        if finish is not None:
            completed = finish(completed, context, info)
        output = model.model_validate({**completed, "generator": info})
    except ValidationError as exc:
        raise InvalidDraft(describe_validation_error(exc)) from exc
    output.citations = list(cite.used.values())
    if cite.invented:
        count = len(cite.invented)
        info.notes.append(f"dropped {count} invented citation{'s' if count != 1 else ''}")
    return output


def describe_validation_error(exc: ValidationError, limit: int = 8) -> str:
    """Compact, model-readable list of what was wrong (the repair prompt quotes it)."""
    problems = []
    for error in exc.errors()[:limit]:
        path = ".".join(str(part) for part in error["loc"]) or "(root)"
        problems.append(f"{path}: {error['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)

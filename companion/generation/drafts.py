"""What the LLM is asked to return (a draft per task), and how a draft becomes the public output.

The model only ever names chunk ids; the full `Citation` objects are built here from what
retrieval returned, so an invented id can be dropped and counted but never reach a user.
Everything the model cannot be trusted with (total minutes, carried-forward action items,
the generator block) is filled in by code.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from companion.retrieval.retriever import SearchResult
from companion.schemas import (
    ActionItem,
    Agenda,
    AgendaItem,
    Cadence,
    Citation,
    DecisionFramework,
    DecisionOption,
    FeedbackStatement,
    FeedbackSummary,
    GeneratorInfo,
    GoalPlan,
    Icebreaker,
    Icebreakers,
    MentoringContext,
    Milestone,
    ReflectionPrompt,
    ReflectionPrompts,
    Reversibility,
    SmartGoal,
    _Output,
)

CITATION_FIELDS = frozenset({"citations", "relevant_experience"})
"""Draft fields that hold chunk ids; their JSON schema is narrowed to the ids the prompt showed."""


class InvalidDraft(ValueError):
    """The model's answer parsed but cannot become a valid output; the message is sent back for repair."""


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


ChunkIds = list[str]


class AgendaItemDraft(_Draft):
    title: str = Field(min_length=1, max_length=200)
    minutes: int = Field(ge=1, le=240)
    purpose: str = Field(min_length=1, max_length=500)
    prompts: list[str] = Field(default_factory=list, max_length=6)
    citations: ChunkIds = Field(default_factory=list)


class AgendaDraft(_Draft):
    items: list[AgendaItemDraft] = Field(min_length=1, max_length=10)


class IcebreakerDraft(_Draft):
    text: str = Field(min_length=3, max_length=500)
    why: str = Field(min_length=1, max_length=500)
    citations: ChunkIds = Field(default_factory=list)


class IcebreakersDraft(_Draft):
    questions: list[IcebreakerDraft] = Field(min_length=1, max_length=10)


class ActionItemDraft(_Draft):
    text: str = Field(min_length=1, max_length=500)
    owner: str | None = Field(default=None, max_length=100)
    due: dt.date | None = None


class FeedbackStatementDraft(_Draft):
    situation: str
    behavior: str
    impact: str
    text: str


class FeedbackDraft(_Draft):
    summary: str = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)
    action_items: list[ActionItemDraft] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    growth_areas: list[str] = Field(default_factory=list)
    feedback_statements: list[FeedbackStatementDraft] = Field(default_factory=list)
    self_assessment_questions: list[str] = Field(default_factory=list)
    citations: ChunkIds = Field(default_factory=list)


class ReversibilityDraft(_Draft):
    level: Literal["reversible", "partly_reversible", "irreversible"]
    reason: str = Field(min_length=1)


class DecisionOptionDraft(_Draft):
    name: str = Field(min_length=1)
    upside: str
    downside: str
    worst_case: str
    mitigation: str


class DecisionDraft(_Draft):
    decision: str = Field(min_length=1)
    reversibility: ReversibilityDraft
    criteria: list[str] = Field(min_length=1)
    options: list[DecisionOptionDraft] = Field(min_length=1, max_length=8)
    premortem: list[str] = Field(default_factory=list)
    questions_for_mentor: list[str] = Field(default_factory=list)
    experiment: str = Field(min_length=1)
    next_steps: list[str] = Field(default_factory=list)
    check_in_date: dt.date | None = None
    relevant_experience: ChunkIds = Field(default_factory=list)
    citations: ChunkIds = Field(default_factory=list)


class ReflectionPromptDraft(_Draft):
    text: str = Field(min_length=3)
    goal: str | None = None
    citations: ChunkIds = Field(default_factory=list)


class ReflectionDraft(_Draft):
    prompts: list[ReflectionPromptDraft] = Field(min_length=1, max_length=10)


class MilestoneDraft(_Draft):
    text: str = Field(min_length=1)
    due: dt.date | None = None


class SmartGoalDraft(_Draft):
    statement: str = Field(min_length=1)
    specific: str
    measurable: str
    achievable: str
    relevant: str
    time_bound: str
    milestones: list[MilestoneDraft] = Field(default_factory=list, max_length=8)
    citations: ChunkIds = Field(default_factory=list)


class CadenceDraft(_Draft):
    frequency: str = Field(min_length=1)
    session_minutes: int = Field(ge=10, le=240)
    meeting_day: str = Field(min_length=1)
    sessions: list[dt.date] = Field(default_factory=list, max_length=26)


class GoalsDraft(_Draft):
    goals: list[SmartGoalDraft] = Field(min_length=1, max_length=6)
    cadence: CadenceDraft


DRAFT_MODELS: dict[str, type[_Draft]] = {
    "agenda": AgendaDraft,
    "icebreakers": IcebreakersDraft,
    "feedback": FeedbackDraft,
    "decision": DecisionDraft,
    "reflection": ReflectionDraft,
    "goals": GoalsDraft,
}


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
        for name, prop in node.get("properties", {}).items():
            if name in CITATION_FIELDS and citable_ids:
                prop["items"] = {"type": "string", "enum": list(citable_ids)}
        for value in node.values():
            _close_objects(value, citable_ids)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value, citable_ids)


def draft_json_schema(task: str, citable_ids: Sequence[str]) -> dict[str, Any]:
    """A self-contained schema (no $refs, closed objects) whose citation items are the shown chunk ids.

    Servers that constrain decoding with the schema (llama.cpp grammars, OpenAI structured
    outputs) then cannot produce an invented id at all; others are still checked afterwards.
    """
    raw = DRAFT_MODELS[task].model_json_schema()
    schema = _inline_refs(copy.deepcopy(raw), raw.get("$defs", {}))
    _close_objects(schema, citable_ids)
    return schema


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


def _normalise_question(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().casefold()


def _agenda(draft: AgendaDraft, context: MentoringContext, cite: CitationResolver, info: GeneratorInfo) -> Agenda:
    total = context.session.duration_minutes
    original = [item.minutes for item in draft.items]
    minutes = rescale_minutes(original, total)
    if minutes != original:
        info.notes.append(f"rescaled agenda minutes from {sum(original)} to {total}")
    items = [
        AgendaItem(
            title=item.title,
            minutes=length,
            purpose=item.purpose,
            prompts=[p for p in item.prompts if p],
            citations=cite.resolve(item.citations),
        )
        for item, length in zip(draft.items, minutes, strict=True)
    ]
    carried = [item for item in context.open_action_items if not item.done]
    return Agenda(generator=info, items=items, total_minutes=total, carried_forward=carried)


def _icebreakers(
    draft: IcebreakersDraft, context: MentoringContext, cite: CitationResolver, info: GeneratorInfo
) -> Icebreakers:
    seen = {_normalise_question(q) for q in context.previous_icebreakers}
    questions: list[Icebreaker] = []
    repeated = 0
    for question in draft.questions:
        key = _normalise_question(question.text)
        if key in seen:
            repeated += 1
            continue
        seen.add(key)
        questions.append(Icebreaker(text=question.text, why=question.why, citations=cite.resolve(question.citations)))
    if not questions:
        raise InvalidDraft("every question repeats a previous icebreaker or another question; write new ones")
    if repeated:
        info.notes.append(f"dropped {repeated} repeated icebreaker{'s' if repeated != 1 else ''}")
    return Icebreakers(generator=info, questions=questions)


def _feedback(
    draft: FeedbackDraft, context: MentoringContext, cite: CitationResolver, info: GeneratorInfo
) -> FeedbackSummary:
    cite.resolve(draft.citations)
    return FeedbackSummary(
        generator=info,
        summary=draft.summary,
        topics=draft.topics,
        decisions=draft.decisions,
        action_items=[ActionItem(text=a.text, owner=a.owner or None, due=a.due) for a in draft.action_items],
        strengths=draft.strengths,
        growth_areas=draft.growth_areas,
        feedback_statements=[FeedbackStatement(**s.model_dump()) for s in draft.feedback_statements],
        self_assessment_questions=draft.self_assessment_questions,
    )


def _decision(
    draft: DecisionDraft, context: MentoringContext, cite: CitationResolver, info: GeneratorInfo
) -> DecisionFramework:
    experience = cite.resolve(draft.relevant_experience)
    cite.resolve(draft.citations)
    return DecisionFramework(
        generator=info,
        decision=draft.decision,
        reversibility=Reversibility(**draft.reversibility.model_dump()),
        criteria=draft.criteria,
        options=[DecisionOption(**o.model_dump()) for o in draft.options],
        premortem=draft.premortem,
        questions_for_mentor=draft.questions_for_mentor,
        experiment=draft.experiment,
        next_steps=draft.next_steps,
        check_in_date=draft.check_in_date,
        relevant_experience=experience,
    )


def _reflection(
    draft: ReflectionDraft, context: MentoringContext, cite: CitationResolver, info: GeneratorInfo
) -> ReflectionPrompts:
    prompts = [
        ReflectionPrompt(text=p.text, goal=p.goal or None, citations=cite.resolve(p.citations)) for p in draft.prompts
    ]
    return ReflectionPrompts(generator=info, prompts=prompts)


def _goals(draft: GoalsDraft, context: MentoringContext, cite: CitationResolver, info: GeneratorInfo) -> GoalPlan:
    goals = [
        SmartGoal(
            statement=g.statement,
            specific=g.specific,
            measurable=g.measurable,
            achievable=g.achievable,
            relevant=g.relevant,
            time_bound=g.time_bound,
            milestones=[Milestone(text=m.text, due=m.due) for m in g.milestones],
            citations=cite.resolve(g.citations),
        )
        for g in draft.goals
    ]
    cadence = Cadence(**draft.cadence.model_dump())
    return GoalPlan(generator=info, goals=goals, cadence=cadence)


_BUILDERS: dict[str, Any] = {
    "agenda": _agenda,
    "icebreakers": _icebreakers,
    "feedback": _feedback,
    "decision": _decision,
    "reflection": _reflection,
    "goals": _goals,
}


def build_output(
    task: str, data: dict[str, Any], context: MentoringContext, cite: CitationResolver, info: GeneratorInfo
) -> _Output:
    """Validate the model's JSON as the task's draft and complete it into the public output model."""
    try:
        draft = DRAFT_MODELS[task].model_validate(data)
        output: _Output = _BUILDERS[task](draft, context, cite, info)
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

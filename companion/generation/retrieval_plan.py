"""Which knowledge each task needs, fetched once per request into named groups.

Both generators read the same `Retrieved` bundle, so the offline composer and the LLM path
cite from exactly the same chunks. Every search carries the tenant and the audience's
privacy rules; a mentee-facing request never sees a mentor's private note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from companion.generation.base import Audience, Retrieved
from companion.generation.tasks.agenda import (
    DECISION_GUIDES,
    REVIEW_GUIDE,
    SESSION_GUIDES,
    WELLBEING_GUIDE,
    session_type,
)
from companion.generation.tasks.common import (
    PERSONA_LABELS,
    STAGE_LABELS,
    context_stage,
    distress_level,
    infer_persona,
    looks_like_instruction,
    notes_facts,
    session_stage,
    wellbeing_challenges,
)
from companion.generation.tasks.decision import FRAMEWORK_GUIDES as DECISION_FRAMEWORK_GUIDES
from companion.generation.tasks.feedback import FEEDBACK_GUIDE
from companion.generation.tasks.icebreakers import TRUST_GUIDE
from companion.generation.tasks.reflection import GUIDE_SOURCES as REFLECTION_GUIDE_SOURCES
from companion.retrieval.retriever import Retriever, SearchFilters, SearchRequest, SearchResult
from companion.schemas import MentoringContext

GUIDE_KINDS = ("guide", "framework")
NOTE_KINDS = ("note", "example")
WHOLE_BANK = 60
"""Large enough to return every item of one bank for one stage; the ranking still orders them."""
NOTES_QUERY_CHARS = 1500
WHOLE_REFLECTION_BANK = 160
"""The reflection bank's prompts for every stage: the session prompts cite particular items by id."""


def _clean_lines(text: str) -> str:
    """Notes text without the lines that read like instructions to an AI."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip() and not looks_like_instruction(line))


def profile_query(context: MentoringContext) -> str:
    """The mentee's situation in one query: role, situation, goals, challenges and session focus."""
    mentee = context.mentee
    parts = [mentee.role, mentee.situation, *mentee.goals, *mentee.challenges, *context.session.focus]
    return ". ".join(p for p in parts if p)


def notes_query(context: MentoringContext) -> str:
    focus = ". ".join(context.session.focus)
    return f"{focus}. {_clean_lines(context.notes or '')}"[:NOTES_QUERY_CHARS].strip(". ")


def mentor_first(results: list[SearchResult], names: frozenset[str]) -> list[SearchResult]:
    """This mentor's own notes first, in rank order, then everyone else's. A mentor is known by the
    context's name (CLI, shipped examples) and by their person id (notes written through the API)."""
    if not names:
        return results
    own = [r for r in results if r.author in names]
    return own + [r for r in results if r.author not in names]


class Plan:
    """Collects one task's searches with the request's tenant and privacy rules baked in, then runs
    them as one batch (one embedding call for the new queries, one catalog lookup)."""

    def __init__(self, context: MentoringContext, retriever: Retriever, audience: Audience) -> None:
        self.context = context
        self.retriever = retriever
        self.base = SearchFilters(
            tenant=context.tenant, allow_private=audience.allow_private, private_author=audience.private_author
        )
        self.retrieved = Retrieved(
            mentor_authors=frozenset(name for name in (context.mentor.name, audience.mentor_name) if name)
        )
        self.stage = session_stage(context.session)
        self.persona = infer_persona(context)
        self._pending: list[tuple[str, SearchRequest, Callable[[list[SearchResult]], list[SearchResult]] | None]] = []

    def _queue(
        self,
        group: str,
        request: SearchRequest,
        arrange: Callable[[list[SearchResult]], list[SearchResult]] | None = None,
    ) -> None:
        self._pending.append((group, request, arrange))

    def search(self, group: str, query: str, k: int, *, whole_bank: bool = False, **filters: Any) -> None:
        # Chunk order, not the search default's sources-take-turns order: a plan's group often wants
        # two sections of one guide (the needs guide's persona section, a bank's best items), and the
        # composer picks among them itself.
        self._queue(
            group,
            SearchRequest(
                query, replace(self.base, **filters), k, max_per_source=0 if whole_bank else None, aggregation="none"
            ),
        )

    def guides(self, query: str, k: int = 6, kinds: tuple[str, ...] = GUIDE_KINDS, **filters: Any) -> None:
        self.search("guides", query, k, kinds=kinds, **filters)

    def mentor_notes(self, query: str, k: int = 8) -> None:
        authors = self.retrieved.mentor_authors
        self._queue(
            "mentor_notes",
            SearchRequest(query, replace(self.base, kinds=NOTE_KINDS), k, max_per_source=1),
            lambda results: mentor_first(results, authors),
        )

    def needs_guides(self) -> None:
        """The individual-needs guide section for this mentee's persona (early sessions only)."""
        label = PERSONA_LABELS.get(self.persona or "", "")
        mentee = self.context.mentee
        query = f"Common needs of a {label}. {mentee.role or ''} {mentee.situation or ''}".strip()
        self.search("needs_guides", query, 3, kinds=("guide",), themes=("individual_needs",))

    def run(self) -> Retrieved:
        """Run the queued searches as one batch; groups are filled in the order they were asked for."""
        found = self.retriever.search_many([request for _, request, _ in self._pending])
        for (group, _, arrange), results in zip(self._pending, found, strict=True):
            self.retrieved.add(group, arrange(results) if arrange is not None else results)
        self._pending.clear()
        return self.retrieved


def plan_agenda(plan: Plan) -> None:
    context = plan.context
    plan.stage = context_stage(context).stage
    kind = session_type(context, plan.stage)
    profile = profile_query(context)
    plan.search(
        "agenda_blocks",
        f"{STAGE_LABELS[plan.stage]} agenda. {'. '.join(context.session.focus)}. {profile}",
        WHOLE_BANK,
        whole_bank=True,
        banks=("agenda_blocks",),
    )
    plan.guides(f"Running a {STAGE_LABELS[plan.stage]}. {profile}", k=4, themes=("session_structure",))
    minutes = context.session.duration_minutes
    plan.search(
        "session_guide",
        f"Suggested structure: {minutes} minutes. Questions to ask. How to close. Goal of the session.",
        8,
        whole_bank=True,
        kinds=("guide",),
        sources=(SESSION_GUIDES[kind],),
    )
    facts = notes_facts(context)
    if distress_level(facts) or wellbeing_challenges(context):
        plan.search(
            "wellbeing_guide",
            "Warning signs of burnout. Raising the topic without intruding: a regular energy check-in. "
            "Setting and keeping boundaries. Why work-life balance belongs in mentoring.",
            6,
            whole_bank=True,
            kinds=("guide",),
            sources=(WELLBEING_GUIDE,),
        )
    if context.decision is not None:
        plan.search(
            "decision_guides",
            f"{context.decision.statement} Questions to ask. Reversible or irreversible. The mentor's role: advise, "
            "don't decide.",
            8,
            whole_bank=True,
            kinds=GUIDE_KINDS,
            sources=DECISION_GUIDES,
        )
    has_items = bool(context.open_action_items or (facts is not None and facts.action_items))
    if has_items and kind != "progress_review":
        plan.search(
            "review_guide",
            "Which action items did you complete? Stay curious rather than disappointed. Questions to ask.",
            3,
            whole_bank=True,
            kinds=("guide",),
            sources=(REVIEW_GUIDE,),
        )
    if plan.stage in ("first_session", "early"):
        plan.needs_guides()
    plan.mentor_notes(profile)


def plan_icebreakers(plan: Plan) -> None:
    context = plan.context
    plan.stage = context_stage(context).stage
    mentee, mentor = context.mentee, context.mentor
    query = ". ".join([*mentee.interests, *mentor.interests, *context.session.focus, *mentee.goals])
    plan.search(
        "icebreakers",
        query or STAGE_LABELS[plan.stage],
        WHOLE_BANK,
        whole_bank=True,
        banks=("icebreakers",),
        stages=(plan.stage,),
    )
    # every section of the trust guide: the composer cites the one whose idea a question uses
    plan.search(
        "trust_guide",
        "Sharing interests and hobbies to build rapport and trust. Breaking the ice in the first session.",
        30,
        whole_bank=True,
        kinds=("guide",),
        sources=(TRUST_GUIDE,),
    )
    if distress_level(notes_facts(context)):
        plan.search(
            "wellbeing_guide",
            "Raising the topic without intruding: a regular energy check-in at the start of each session.",
            12,
            whole_bank=True,
            kinds=("guide",),
            sources=(WELLBEING_GUIDE,),
        )


def plan_feedback(plan: Plan) -> None:
    query = notes_query(plan.context) or profile_query(plan.context)
    plan.search("feedback_patterns", query, 30, whole_bank=True, banks=("feedback_patterns",))
    plan.search(
        "self_assessment",
        f"Self-assessment after a session. {query}",
        12,
        whole_bank=True,
        banks=("reflection_prompts",),
        themes=("feedback_and_self_assessment",),
    )
    plan.guides(f"Giving feedback and turning it into action items. {query}", k=4, kinds=("guide",))
    # every section of the feedback guide: SBI statements and action items cite the section they follow
    plan.search(
        "feedback_guide",
        "Giving feedback with SBI. Turning feedback into action items.",
        12,
        whole_bank=True,
        kinds=("guide",),
        sources=(FEEDBACK_GUIDE,),
    )


def plan_decision(plan: Plan) -> None:
    context = plan.context
    decision = context.decision
    statement = decision.statement if decision else ""
    options = ". ".join(decision.options) if decision else ""
    query = f"{statement} {options}. {profile_query(context)}"
    plan.search("decision_templates", query, 10, whole_bank=True, banks=("decision_templates",))
    plan.search(
        "frameworks", f"Calculated career risk: {statement} {options}", 8, kinds=GUIDE_KINDS, themes=("career_risk",)
    )
    # The guides whose steps the pre-mortem, the 10/10/10 lens, the small experiment and the reversibility
    # check follow: every section of each, so the composer can cite the one whose idea a line uses.
    plan.search(
        "framework_guides",
        f"{statement} {options}. How to run it in a session. Questions to ask.",
        30,  # every section of the four guides (about six each)
        whole_bank=True,
        kinds=("framework",),
        sources=DECISION_FRAMEWORK_GUIDES,
    )
    plan.mentor_notes(f"{statement} {options}. {context.mentee.situation or ''}")


def plan_reflection(plan: Plan) -> None:
    context = plan.context
    plan.stage = context_stage(context).stage
    query = ". ".join([*context.mentee.goals, *context.mentee.challenges, *context.session.focus]) or "reflection"
    notes = notes_query(context)
    plan.search(
        "reflection_prompts",
        f"{query}. {notes}" if notes else query,
        WHOLE_REFLECTION_BANK,
        whole_bank=True,
        banks=("reflection_prompts",),
        stages=(plan.stage, "any"),
    )
    plan.search(
        "reflection_guides",
        "Building a self-assessment rubric: rate yourself on the goal with evidence. Turning feedback into action "
        "items. Setting and keeping boundaries. A decision journal. A small experiment.",
        40,  # every section of the guides the prompts draw on; the composer picks the one whose idea it uses
        whole_bank=True,
        kinds=GUIDE_KINDS,
        sources=REFLECTION_GUIDE_SOURCES,
    )


def plan_goals(plan: Plan) -> None:
    context = plan.context
    label = PERSONA_LABELS.get(plan.persona or "", "")
    for index, goal in enumerate(context.mentee.goals):
        plan.search(f"smart_goals:{index}", f"{label}: {goal}", 40, whole_bank=True, banks=("smart_goals",))
    plan.guides("Meeting cadence and schedule; tracking progress between sessions", k=3, themes=("goals_and_progress",))
    if context_stage(context).stage == "closing":
        plan.search(
            "closing_guide",
            "Goal of the session: look back at what the mentee achieved, look ahead at how they keep growing "
            "without regular sessions.",
            8,
            whole_bank=True,
            kinds=("guide",),
            sources=("sessions/closing-session.md",),
        )


PlanSteps = Callable[[Plan], None]
"""A task's retrieval plan: the searches it queues on a `Plan`."""


def run_plan(steps: PlanSteps, context: MentoringContext, retriever: Retriever, audience: Audience) -> Retrieved:
    """Run a task's searches; the result is everything a generator may cite."""
    plan = Plan(context, retriever, audience)
    steps(plan)
    return plan.run()

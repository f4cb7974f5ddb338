"""Reflection prompts for the mentee, tied to the mentee's own goals.

This output is mentee-facing: besides the retrieval audience, the composer itself refuses any
chunk that is not shared, so a mentor's private note can never surface here.
"""

from __future__ import annotations

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    STAGE_LABELS,
    Citations,
    KnowledgeMissing,
    bank_items,
    fill,
    generator_info,
    normalise,
    quoted,
    session_stage,
    slots,
)
from companion.schemas import MentoringContext, ReflectionPrompt, ReflectionPrompts

COMPOSER_VERSION = "offline-reflection-1"
PROMPTS_PER_GOAL = 2
MAX_GOALS = 4
GENERAL_PROMPTS = 2
GENERAL_PROMPTS_WITHOUT_GOALS = 5

TEMPLATED = [
    "Prompts come from the reflection-prompts bank, filtered to the session stage and ordered by retrieval "
    "relevance to the mentee's goals, challenges and focus.",
    "{goal} is filled with the mentee's own goal, and each goal gets its own prompts in turn.",
]


def compose(context: MentoringContext, retrieved: Retrieved) -> ReflectionPrompts:
    """Two prompts per goal, then a couple of general ones; shared chunks only."""
    stage = session_stage(context.session)
    pool = [
        (result, item)
        for result, item in bank_items(retrieved.get("reflection_prompts"))
        if result.visibility == "shared" and item.get("stage") in (stage, "any")
    ]
    if not pool:
        raise KnowledgeMissing(
            f"no reflection prompts were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
        )
    citations = Citations(retrieved)
    goal_templates = [(r, i) for r, i in pool if slots(str(i["text"])) == ["goal"]]
    general = [(r, i) for r, i in pool if not slots(str(i["text"]))]
    prompts: list[ReflectionPrompt] = []
    seen: set[str] = set()
    goals = list(context.mentee.goals)[:MAX_GOALS]

    cursor = 0
    for _ in range(PROMPTS_PER_GOAL):
        for goal in goals:
            while cursor < len(goal_templates):
                result, item = goal_templates[cursor]
                cursor += 1
                text = fill(str(item["text"]), {"goal": quoted(goal)})
                if text and normalise(text) not in seen:
                    seen.add(normalise(text))
                    prompts.append(ReflectionPrompt(text=text, goal=goal, citations=citations.cite(result)))
                    break
    for result, item in general[: GENERAL_PROMPTS if goals else GENERAL_PROMPTS_WITHOUT_GOALS]:
        prompts.append(ReflectionPrompt(text=str(item["text"]), goal=None, citations=citations.cite(result)))

    by_goal = {goal: index for index, goal in enumerate(goals)}
    prompts.sort(key=lambda p: by_goal.get(p.goal or "", len(goals)))
    notes = [f"Stage: {STAGE_LABELS[stage]}. Written for the mentee; mentor-private notes are never used."]
    if not goals:
        notes.append("The mentee lists no goals, so the prompts are general; add goals to tie them to the work.")
    return ReflectionPrompts(
        prompts=prompts,
        citations=citations.all,
        generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
    )

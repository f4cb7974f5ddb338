"""Icebreakers: stage-matched bank questions, fitted to shared interests, never repeated.

Questions the pair has already used (`previous_icebreakers`) are compared by words only, so a
change of case or punctuation does not sneak a repeat back in.
"""

from __future__ import annotations

from typing import Any

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    STAGE_LABELS,
    Citations,
    KnowledgeMissing,
    bank_items,
    fill,
    first_name,
    generator_info,
    normalise,
    session_stage,
    shared_interests,
    slots,
    template_values,
)
from companion.retrieval.retriever import SearchResult
from companion.schemas import Icebreaker, Icebreakers, MentoringContext

COMPOSER_VERSION = "offline-icebreakers-1"
MAX_INTEREST_QUESTIONS = 2
DEPTH_PLAN: dict[str, tuple[str, ...]] = {
    "first_session": ("light", "light", "medium"),
    "early": ("light", "medium", "medium"),
    "established": ("medium", "medium", "deep"),
    "closing": ("medium", "deep", "deep"),
}
DEPTH_ORDER = ("light", "medium", "deep")

TEMPLATED = [
    "Questions and their reasons come from the icebreakers bank, filtered to the session stage and ordered by "
    "retrieval relevance to the interests, focus and goals.",
    "{interest} questions are filled with an interest the mentor and mentee share, or else one of the mentee's.",
    "The sentence added to each reason about the shared interest is a fixed template.",
]


def compose(context: MentoringContext, retrieved: Retrieved) -> Icebreakers:
    """Three to five questions: up to two built on interests, then a warm-up ladder for the stage."""
    stage = session_stage(context.session)
    pool = [
        (result, item)
        for result, item in bank_items(retrieved.get("icebreakers"))
        if item.get("stage") == stage and item.get("audience") != "mentee"
    ]
    if not pool:
        raise KnowledgeMissing(
            f"no icebreakers were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
        )
    citations = Citations(retrieved)
    used = {normalise(q) for q in context.previous_icebreakers}
    taken: set[str] = set()
    questions: list[Icebreaker] = []
    values = template_values(context)
    shared = shared_interests(context)
    interests = shared + [i for i in context.mentee.interests if i not in shared]
    mentee = first_name(context.mentee.name) or "the mentee"

    def take(result: SearchResult, item: dict[str, Any], text: str, why: str) -> bool:
        key = normalise(text)
        if key in used:
            return False
        used.add(key)
        taken.add(str(item["id"]))
        questions.append(Icebreaker(text=text, why=why, citations=citations.cite(result)))
        return True

    for interest in interests[:MAX_INTEREST_QUESTIONS]:
        clause = (
            f"You both enjoy {interest}, so it starts on common ground."
            if interest in shared
            else f"It builds on {mentee}'s interest in {interest}."
        )
        for result, item in pool:
            if str(item["id"]) in taken or slots(str(item["text"])) != ["interest"]:
                continue
            text = fill(str(item["text"]), {"interest": interest})
            if text and take(result, item, text, _why(item, clause)):
                break

    plain = [(r, i) for r, i in pool if "interest" not in slots(str(i["text"]))]
    for depth in DEPTH_PLAN[stage]:
        candidates = [(r, i) for r, i in plain if i.get("depth") == depth] + plain
        for result, item in candidates:
            if str(item["id"]) in taken:
                continue
            text = fill(str(item["text"]), values)
            if text and take(result, item, text, _why(item, None)):
                break

    questions.sort(key=lambda q: _depth_index(q, pool))
    notes = [f"Stage: {STAGE_LABELS[stage]} (session {context.session.number})."]
    if context.previous_icebreakers:
        notes.append(f"Skipped every question already used ({len(context.previous_icebreakers)} listed as previous).")
    if not context.mentee.interests:
        notes.append("The mentee lists no interests, so no question is built on one.")
    return Icebreakers(
        questions=questions,
        citations=citations.all,
        generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
    )


def _why(item: dict[str, Any], clause: str | None) -> str:
    reason = str(item.get("why") or f"A {item.get('depth', 'light')} question suited to this stage.")
    return f"{reason} {clause}" if clause else reason


def _depth_index(question: Icebreaker, pool: list[tuple[SearchResult, dict[str, Any]]]) -> int:
    """Light questions first: warm up before going deeper (stable for equal depths)."""
    chunk_id = question.citations[0].chunk_id if question.citations else ""
    depth = next((str(item.get("depth")) for result, item in pool if result.chunk_id == chunk_id), "light")
    return DEPTH_ORDER.index(depth) if depth in DEPTH_ORDER else 0

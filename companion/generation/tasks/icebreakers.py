"""Icebreakers: stage-matched bank questions, fitted to the person, never repeated.

A profile value goes into a question only when it fits the slot: a short interest such as
"climbing" does, a sentence such as "doesn't ask questions on site because he's worried..." does
not, and then a question that needs no profile text is used instead. Non-English profile text is
quoted rather than spliced into an English sentence. A young mentee (a pupil, a student, an
apprentice, a 17-year-old) gets no questions about careers, co-founders or fundraising, and a
mentee whose notes show distress gets light questions rather than deep ones.

Questions the pair has already used (`previous_icebreakers`) are compared by words only, so a
change of case or punctuation does not sneak a repeat back in.
"""

from __future__ import annotations

import re
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    STAGE_LABELS,
    Citations,
    KnowledgeMissing,
    bank_items,
    context_stage,
    distress_level,
    fill_phrase,
    first_name,
    fits_person,
    generator_info,
    guide_section,
    interest_phrase,
    is_english,
    normalise,
    notes_facts,
    quoted,
    read_person,
    shared_interests,
    slot_safe,
    slot_values,
    slots,
)
from companion.retrieval.retriever import SearchResult
from companion.schemas import Icebreaker, Icebreakers, MentoringContext

COMPOSER_VERSION = "offline-icebreakers-4"
MAX_INTEREST_QUESTIONS = 2
DEPTH_PLAN: dict[str, tuple[str, ...]] = {
    "first_session": ("light", "light", "medium"),
    "early": ("light", "medium", "medium"),
    "established": ("medium", "medium", "deep"),
    "closing": ("medium", "deep", "deep"),
}
TRUST_GUIDE = "guides/trust-and-breaking-the-ice.md"
WELLBEING_GUIDE = "guides/work-life-balance.md"
GUIDE_IDEAS: dict[str, tuple[str, str]] = {
    "interest": (TRUST_GUIDE, "Sharing interests and hobbies"),
    "first_session": (TRUST_GUIDE, "The first session"),
    "early": (TRUST_GUIDE, "The second session"),
    "wellbeing": (WELLBEING_GUIDE, "Raising the topic without intruding"),
}
"""The guide section whose idea a question uses, cited beside the bank question it came from."""
GENTLE_PLAN = ("light", "light", "medium")
"""The ladder when the notes show distress: nothing deep, nothing about big bets."""
DEPTH_ORDER = ("light", "medium", "deep")

_SINGULAR_SLOT = re.compile(r"\b(?:does|has|is|was)\s+\{interest\}|\{interest\}\s+(?:helps?|gives?)\b", re.I)
_DOING_SLOT = re.compile(r"\bdoing\s+\{interest\}", re.I)

TEMPLATED = [
    "Questions and their reasons come from the icebreakers bank, filtered to the session stage and to the person "
    "(age, situation, wellbeing cues in the notes) and ordered by retrieval relevance to the interests, focus and "
    "goals.",
    "{interest} questions are filled with an interest the mentor and mentee share, or else one of the mentee's, "
    "and only when the interest reads as a short phrase in that question; non-English interests are quoted.",
    "The sentences added to a reason about the shared interest, the goal, the role or the notes are fixed templates.",
]


def _plural(phrase: str) -> bool:
    last = phrase.strip("“”").split()[-1].lower() if phrase.strip("“”").split() else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "ics", "is"))


def interest_fits(template: str, phrase: str) -> bool:
    """Does this interest read right in this question? 'What does board games give you' does not."""
    if phrase.startswith("“"):
        return True
    if _SINGULAR_SLOT.search(template) and _plural(phrase):
        return False
    return not (_DOING_SLOT.search(template) and (_plural(phrase) or re.search(r"ing\b", phrase)))


def compose(context: MentoringContext, retrieved: Retrieved) -> Icebreakers:
    """Three to five questions: up to two built on interests, then a warm-up ladder for the stage."""
    reading = context_stage(context)
    stage = reading.stage
    person = read_person(context)
    facts = notes_facts(context) if context.session.number > 1 else None
    gentle = distress_level(facts) >= 2
    bank = [
        (result, item)
        for result, item in bank_items(retrieved.get("icebreakers"))
        if item.get("stage") == stage and item.get("audience") != "mentee"
    ]
    if not bank:
        raise KnowledgeMissing(
            f"no icebreakers were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
        )
    pool = [(r, i) for r, i in bank if fits_person(str(i["text"]), person)]
    if gentle:
        calm = [(r, i) for r, i in pool if i.get("depth") != "deep" and "career_risk" not in (i.get("themes") or [])]
        pool = calm if len(calm) >= 3 else pool
    citations = Citations(retrieved)
    used = {normalise(q) for q in context.previous_icebreakers}
    taken: set[str] = set()
    questions: list[Icebreaker] = []
    values = slot_values(context)
    english = is_english(context.session.language)
    shared = shared_interests(context)
    interests = shared + [i for i in context.mentee.interests if i not in shared]
    mentee = first_name(context.mentee.name) or "the mentee"

    def guide(idea: str | None) -> list[SearchResult]:
        if idea is None:
            return []
        source, heading = GUIDE_IDEAS[idea]
        found = guide_section(retrieved, ("trust_guide", "wellbeing_guide"), source, heading)
        return [found] if found is not None else []

    def take(result: SearchResult, item: dict[str, Any], text: str, why: str, idea: str | None = None) -> bool:
        key = normalise(text)
        if key in used:
            return False
        used.add(key)
        taken.add(str(item["id"]))
        questions.append(Icebreaker(text=text, why=why, citations=citations.cite(result, *guide(idea))))
        return True

    unfit_interests: list[str] = []
    built = 0
    for interest in interests:
        if built >= MAX_INTEREST_QUESTIONS:
            break
        phrase = interest_phrase(interest, english)
        if phrase is None:
            unfit_interests.append(interest)
            continue
        clause = (
            f"You both enjoy {phrase}, so it starts on common ground."
            if interest in shared
            else f"It builds on {mentee}'s interest in {phrase}."
        )
        for result, item in pool:
            template = str(item["text"])
            if str(item["id"]) in taken or slots(template) != ["interest"] or not interest_fits(template, phrase):
                continue
            text = fill_phrase(template, {"interest": phrase})
            if text and take(result, item, text, _why(item, clause, mentee), "interest"):
                built += 1
                break

    plain = [(r, i) for r, i in pool if "interest" not in slots(str(i["text"]))]
    for depth in GENTLE_PLAN if gentle else DEPTH_PLAN[stage]:
        candidates = [(r, i) for r, i in plain if i.get("depth") == depth] + plain
        for result, item in candidates:
            if str(item["id"]) in taken:
                continue
            text = fill_phrase(str(item["text"]), values)
            reason = _personal_reason(item, values, mentee, facts, gentle)
            idea = _idea(item, stage, gentle, facts)
            if text and take(result, item, text, _why(item, reason, mentee), idea):
                break

    questions.sort(key=lambda q: _depth_index(q, bank))
    if stage == "closing" and questions:
        questions[0].why += f" This is the closing session ({reading.reason})."
    where = (
        reading.reason
        if reading.reason.startswith("session")
        else f"session {context.session.number}; {reading.reason}"
    )
    notes = [f"Stage: {STAGE_LABELS[stage]} ({where})."]
    if context.previous_icebreakers:
        notes.append(f"Skipped every question already used ({len(context.previous_icebreakers)} listed as previous).")
    if not context.mentee.interests:
        notes.append("The mentee lists no interests, so no question is built on one.")
    for interest in unfit_interests[:2]:
        notes.append(
            f"The interest {quoted(interest)} does not fit into a question as written, so none is built on it."
        )
    challenges = [c for c in context.mentee.challenges if not slot_safe(c, 6)]
    if challenges:
        notes.append(f"The challenge {quoted(challenges[0])} reads as a sentence, so no question splices it in.")
    if person.young:
        notes.append("Read as a young person: questions about careers, co-founders and fundraising are left out.")
    if gentle:
        notes.append(
            "The notes show wellbeing cues, so the questions stay light: nothing deep, nothing about big bets."
        )
    return Icebreakers(
        questions=questions,
        citations=citations.all,
        generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
    )


def _personal_reason(
    item: dict[str, Any], values: dict[str, str | None], mentee: str, facts: Any, gentle: bool
) -> str | None:
    """A sentence on why this question fits this mentee, when the composer knows one."""
    template = str(item["text"])
    if "{goal}" in template and values.get("goal"):
        return f"It ties the warm-up to {mentee}'s goal {values['goal']}."
    if "{role}" in template and values.get("role"):
        return f"It is about {mentee}'s work as {values['role']}."
    if "{challenge}" in template and values.get("challenge"):
        return f"It connects to what {mentee} finds hard: {values['challenge']}."
    if gentle and "work_life_balance" in (item.get("themes") or []) and facts is not None and facts.wellbeing:
        return (
            f"Last session's notes mention {quoted(facts.wellbeing[0].phrase)}; this lets {mentee} say how things are "
            "without being pressed."
        )
    return None


def _idea(item: dict[str, Any], stage: str, gentle: bool, facts: Any) -> str | None:
    """Which guide's idea a plain warm-up question uses: a gentle question about balance after notes that show
    strain follows the work-life-balance guide; a first or second session's warm-up follows the trust guide."""
    if gentle and facts is not None and facts.wellbeing and "work_life_balance" in (item.get("themes") or []):
        return "wellbeing"
    return stage if stage in ("first_session", "early") else None


def _why(item: dict[str, Any], clause: str | None, mentee: str) -> str:
    """The bank's reason, about this mentee by name, plus what the composer knows about why it fits them."""
    reason = str(item.get("why") or f"A {item.get('depth', 'light')} question suited to this stage.")
    if mentee != "the mentee":
        reason = reason.replace("the mentee's", f"{mentee}'s").replace("the mentee", mentee)
        reason = reason.replace("The mentee's", f"{mentee}'s").replace("The mentee", mentee)
    return f"{reason} {clause}" if clause else reason


def _depth_index(question: Icebreaker, pool: list[tuple[SearchResult, dict[str, Any]]]) -> int:
    """Light questions first: warm up before going deeper (stable for equal depths)."""
    chunk_id = question.citations[0].chunk_id if question.citations else ""
    depth = next((str(item.get("depth")) for result, item in pool if result.chunk_id == chunk_id), "light")
    return DEPTH_ORDER.index(depth) if depth in DEPTH_ORDER else 0

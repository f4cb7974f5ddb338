"""Reflection prompts are for the mentee: tied to their goals, and never built from a private note."""

from __future__ import annotations

from dataclasses import replace

from companion.generation.base import Audience, Retrieved
from companion.generation.offline import OfflineComposer
from companion.generation.taskspec import task_spec
from companion.schemas import ReflectionPrompts
from companion.service import Companion
from tests.generation.support import MENTOR, sample_context

PRIVATE_SOURCES_PREFIX = "examples/"


def test_without_notes_every_goal_gets_two_prompts(knowledge_companion: Companion) -> None:
    context = sample_context(notes=None)
    output = knowledge_companion.generate("reflection", context)
    assert isinstance(output, ReflectionPrompts)
    for goal in context.mentee.goals:
        tied = [p for p in output.prompts if p.goal == goal]
        assert len(tied) == 2, goal
        assert all(f"“{goal}”" in p.text for p in tied)
    general = [p for p in output.prompts if p.goal is None]
    assert len(general) == 2 and all("{" not in p.text for p in general)
    # each prompt cites the bank prompt it came from, and a self-assessment also the rubric guide behind it
    assert all(p.citations and p.citations[0].source == "banks/reflection-prompts.md" for p in output.prompts)
    assert all(c.source.startswith("guides/") for p in output.prompts for c in p.citations[1:])
    assert not any(p.from_session for p in output.prompts)


def test_with_notes_the_prompts_are_about_the_session_and_every_goal(knowledge_companion: Companion) -> None:
    context = sample_context()
    output = knowledge_companion.generate("reflection", context)
    assert isinstance(output, ReflectionPrompts)
    texts = [p.text for p in output.prompts]
    assert any("“Send the updated deck to Sam and Dana”" in t and "2026-11-27" in t for t in texts), texts
    assert any("“Angels first, funds only after 3 LOIs from clinics”" in t for t in texts), texts
    assert any(t.startswith("Today's session touched on sleep") for t in texts), texts
    assert not any("Intro Priya to Marco" in t for t in texts), (
        "the mentor's own items are not the mentee's to reflect on"
    )
    for goal in context.mentee.goals:
        assert [p for p in output.prompts if p.goal == goal], goal
    assert all(1 <= len(p.citations) <= 2 for p in output.prompts)


def test_without_goals_the_prompts_are_general(knowledge_companion: Companion) -> None:
    output = knowledge_companion.generate("reflection", sample_context(mentee={"goals": []}, notes=None))
    assert isinstance(output, ReflectionPrompts)
    assert len(output.prompts) == 5 and all(p.goal is None for p in output.prompts)
    with_notes = knowledge_companion.generate("reflection", sample_context(mentee={"goals": []}))
    assert isinstance(with_notes, ReflectionPrompts)
    assert len(with_notes.prompts) >= 5 and all(p.goal is None for p in with_notes.prompts)


def test_private_notes_never_reach_reflection_even_for_an_operator(knowledge_companion: Companion) -> None:
    context = sample_context(tenant="acme", mentor={"name": MENTOR})
    operator = Audience(include_all_private=True)
    private_exists = knowledge_companion.search(
        "Priya anxious board meeting", tenant="acme", kinds=("example",), allow_private=True, k=20
    ).results
    assert any(r.visibility == "mentor_private" for r in private_exists), "fixture: acme must hold private notes"

    output = knowledge_companion.generate("reflection", context, audience=operator)
    assert isinstance(output, ReflectionPrompts)
    cited = [c.chunk_id for p in output.prompts for c in p.citations] + [c.chunk_id for c in output.citations]
    records = knowledge_companion.catalog.get_chunks(cited)
    assert set(records) == set(cited)
    assert all(record.meta["visibility"] == "shared" for record in records.values())
    assert not any(c.source.startswith(PRIVATE_SOURCES_PREFIX) for c in output.citations)
    private_text = " ".join(r.text for r in private_exists if r.visibility == "mentor_private")
    for prompt in output.prompts:
        assert prompt.text not in private_text


def test_the_mentee_facing_retrieval_returns_no_private_chunk(knowledge_companion: Companion) -> None:
    retrieved = task_spec("reflection").retrieve(
        sample_context(), knowledge_companion.retriever, Audience(mentee_facing=True, mentor_name=MENTOR)
    )
    assert retrieved.all and all(r.visibility == "shared" for r in retrieved.all)


def test_the_composer_itself_refuses_a_chunk_marked_private(knowledge_companion: Companion) -> None:
    """Defence in depth: even if retrieval handed over a private bank item, it is not used."""
    context = sample_context()
    retrieved = task_spec("reflection").retrieve(context, knowledge_companion.retriever, Audience(mentee_facing=True))
    results = retrieved.get("reflection_prompts")
    first_goal_prompt = next(r for r in results if r.item and "{goal}" in r.item["text"])
    tampered = Retrieved()
    tampered.add(
        "reflection_prompts",
        [replace(r, visibility="mentor_private") if r.chunk_id == first_goal_prompt.chunk_id else r for r in results],
    )
    output = OfflineComposer().generate("reflection", context, tampered)
    assert first_goal_prompt.chunk_id not in {c.chunk_id for c in output.citations}


def test_a_goal_the_session_put_on_hold_gets_no_prompt(knowledge_companion: Companion) -> None:
    notes = (
        "Burnt out, his words. 3/10 energy.\n"
        "Decisions\n"
        "- pause active fundraising until mid-Jan\n"
        "K to share the Dec cash plan with me by the 11th\n"
    )
    context = sample_context(
        mentee={"name": "Kwame Mensah", "goals": ["raise a Series A in 2027", "hire a COO"]},
        session={"number": 5},
        notes=notes,
    )
    output = knowledge_companion.generate("reflection", context, audience=Audience(mentee_facing=True))
    assert isinstance(output, ReflectionPrompts)
    texts = [p.text for p in output.prompts]
    assert not [t for t in texts if "Series A" in t], texts
    assert not [t for t in texts if "effort" in t], texts
    assert [p for p in output.prompts if p.goal == "hire a COO"], texts


def test_a_jotting_about_a_colleague_reaches_the_mentee_without_the_name_and_in_the_second_person(
    knowledge_companion: Companion,
) -> None:
    context = sample_context(
        mentee={"name": "Marcus Bell", "role": "acting shift lead", "goals": ["Get the permanent shift lead post"]},
        session={"number": 4, "date": "2026-12-03"},
        notes="talked about Kev (20 yrs there) - M avoids asking him.\npractice the convo next time?\n",
    )
    output = knowledge_companion.generate("reflection", context, audience=Audience(mentee_facing=True))
    assert isinstance(output, ReflectionPrompts)
    texts = [p.text for p in output.prompts]
    assert any(t.startswith("Something to work on from today (you avoid asking him)") for t in texts), texts
    assert any(t.startswith("Planned for next time, “Practice the convo”:") for t in texts), texts
    assert not any("Kev" in t for t in texts)

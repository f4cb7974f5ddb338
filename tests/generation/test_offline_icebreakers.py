"""Offline icebreakers: stage-matched, built on shared interests, and never a repeat."""

from __future__ import annotations

import pytest

from companion.generation.tasks.common import normalise
from companion.schemas import Icebreakers
from companion.service import Companion
from tests.generation.support import compose, sample_context


def icebreakers_for(companion: Companion, **changes: object) -> tuple[Icebreakers, dict[str, dict]]:
    output, retrieved = compose(companion, "icebreakers", sample_context(**changes))
    assert isinstance(output, Icebreakers)
    items = {r.chunk_id: r.item or {} for r in retrieved.all}
    return output, items


@pytest.mark.parametrize(("number", "stage"), [(1, "first_session"), (2, "early"), (5, "established")])
def test_three_to_five_distinct_questions_from_the_sessions_stage(
    knowledge_companion: Companion, number: int, stage: str
) -> None:
    output, items = icebreakers_for(knowledge_companion, session={"number": number})
    assert 3 <= len(output.questions) <= 5
    keys = [normalise(q.text) for q in output.questions]
    assert len(set(keys)) == len(keys)
    for question in output.questions:
        assert question.why
        assert 1 <= len(question.citations) <= 2
        assert question.citations[0].source == "banks/icebreakers.md"
        assert items[question.citations[0].chunk_id]["stage"] == stage
        # a second citation is the guide section whose idea the question uses
        guides = {"guides/trust-and-breaking-the-ice.md", "guides/work-life-balance.md"}
        assert all(c.source in guides for c in question.citations[1:])
        assert "{" not in question.text


@pytest.mark.parametrize(("number", "section"), [(1, "The first session"), (2, "The second session")])
def test_warm_ups_cite_the_trust_guide_section_for_their_session(
    knowledge_companion: Companion, number: int, section: str
) -> None:
    output, _ = icebreakers_for(knowledge_companion, session={"number": number}, mentee={"interests": []})
    # the sample's notes show strain, so a question about balance may cite the work-life-balance guide instead
    trust = [c for q in output.questions for c in q.citations[1:] if c.source == "guides/trust-and-breaking-the-ice.md"]
    headings = [c.heading.split(" > ")[-1] for c in trust]
    assert headings and all(h.startswith(section) for h in headings), headings


def test_an_interest_question_cites_the_guide_on_sharing_interests(knowledge_companion: Companion) -> None:
    output, _ = icebreakers_for(knowledge_companion, mentee={"interests": ["chess"]}, session={"number": 5})
    built = [q for q in output.questions if "chess" in q.text.lower()]
    assert built, [q.text for q in output.questions]
    assert built[0].citations[1].heading.endswith("Sharing interests and hobbies")
    # an established partnership's plain warm-ups follow no trust-guide section (the sample's notes show strain,
    # so a question about balance may cite the work-life-balance guide)
    plain = [q for q in output.questions if "chess" not in q.text.lower()]
    assert plain and not [c for q in plain for c in q.citations[1:] if c.source.startswith("guides/trust")]


def test_closing_focus_picks_closing_questions(knowledge_companion: Companion) -> None:
    output, items = icebreakers_for(knowledge_companion, session={"number": 9, "focus": ["wrap-up"]})
    assert {items[q.citations[0].chunk_id]["stage"] for q in output.questions} == {"closing"}


def test_previous_icebreakers_are_never_repeated_even_with_different_case_or_punctuation(
    knowledge_companion: Companion,
) -> None:
    first, _ = icebreakers_for(knowledge_companion)
    disguised = [f"  {q.text.upper().rstrip('?')} !! " for q in first.questions]
    second, _ = icebreakers_for(knowledge_companion, previous_icebreakers=disguised)
    assert 3 <= len(second.questions) <= 5
    assert not {normalise(q.text) for q in first.questions} & {normalise(q.text) for q in second.questions}

    third, _ = icebreakers_for(
        knowledge_companion, previous_icebreakers=[q.text for q in first.questions + second.questions]
    )
    used = {normalise(q.text) for q in first.questions + second.questions}
    assert not used & {normalise(q.text) for q in third.questions}


def test_shared_interests_come_first_and_are_named_in_the_reason(knowledge_companion: Companion) -> None:
    output, _ = icebreakers_for(
        knowledge_companion,
        mentor={"interests": ["cycling", "Chess"]},
        mentee={"interests": ["hiking", "chess"]},
        previous_icebreakers=[],
    )
    interest_questions = [q for q in output.questions if "chess" in q.text.lower() or "hiking" in q.text.lower()]
    assert interest_questions, [q.text for q in output.questions]
    chess = [q for q in interest_questions if "chess" in q.text.lower()]
    assert chess and "You both enjoy chess" in chess[0].why
    hiking = [q for q in interest_questions if "hiking" in q.text.lower()]
    assert all("Priya's interest in hiking" in q.why for q in hiking)


def test_without_shared_interests_the_mentees_own_are_used(knowledge_companion: Companion) -> None:
    output, _ = icebreakers_for(
        knowledge_companion, mentor={"interests": ["opera"]}, mentee={"interests": ["bouldering"]}
    )
    bouldering = [q for q in output.questions if "bouldering" in q.text]
    assert len(bouldering) == 1
    assert "Priya's interest in bouldering" in bouldering[0].why


def test_a_mentee_without_interests_still_gets_questions(knowledge_companion: Companion) -> None:
    output, _ = icebreakers_for(knowledge_companion, mentee={"interests": []})
    assert len(output.questions) == 3
    assert "The mentee lists no interests, so no question is built on one." in output.generator.notes

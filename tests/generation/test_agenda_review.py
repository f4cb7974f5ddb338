"""Issue 12: agendas, icebreakers and reflection prompts read the stage and the person.

Five realistic mentees unlike the shipped example: a sales rep in the closing session before moving into
product, a burnt-out founder at 3/10 energy with overdue items and a decision in five days, a 17-year-old
apprentice, an engineer back from parental leave whose mentor writes notes in German, and a nurse just
promoted to ward manager. The assertions are about content a demanding mentor would check, not only shape.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from companion.generation.base import Audience
from companion.generation.tasks.common import (
    closing_phrase,
    context_stage,
    looks_english,
    read_person,
    role_phrase,
    slot_safe,
    with_article,
)
from companion.generation.taskspec import render_markdown
from companion.schemas import Agenda, AgendaItem, Icebreakers, MentoringContext, ReflectionPrompts
from companion.service import Companion
from tests.generation.support import compose

CLOSING_SALES_TO_PRODUCT: dict[str, Any] = {
    "tenant": "acme",
    "mentor": {"name": "Dana Okafor", "interests": ["jazz"]},
    "mentee": {
        "name": "Aisha Khan",
        "role": "enterprise account executive",
        "situation": "moving from enterprise sales into an associate product manager role at the same SaaS company",
        "goals": ["land the associate product manager role", "learn to write a product spec"],
        "interests": ["board games"],
        "challenges": ["imposter feelings around engineers"],
    },
    "session": {
        "number": 6,
        "planned_sessions": 6,
        "duration_minutes": 45,
        "focus": ["what comes after the programme"],
        "date": "2027-03-20",
    },
    "open_action_items": [{"text": "Draft a 90-day plan for the product role", "owner": "mentee", "due": "2027-03-18"}],
    "notes": (
        "Session 5, 6 March\n"
        "- Aisha got the APM offer! Starts 1 April. Huge win.\n"
        "- she shadowed the sprint review, felt lost in the estimation part\n"
        "- Aisha will draft her 90-day plan before our final session\n"
        "- Next time is our last session: look back at the six months and plan how she keeps learning.\n"
    ),
}

BURNT_OUT_FOUNDER: dict[str, Any] = {
    "tenant": "acme",
    "mentor": {"name": "Ruth Klein", "expertise": ["fundraising", "M&A"], "interests": ["sailing"]},
    "mentee": {
        "name": "Marcus Webb",
        "role": "founder and CEO",
        "situation": "bootstrapped e-commerce analytics startup, four people, five months of runway",
        "goals": ["get to break-even by September", "stop being the bottleneck on every sales call"],
        "interests": ["road cycling"],
        "challenges": ["no real time off since the summer"],
    },
    "session": {
        "number": 7,
        "duration_minutes": 45,
        "focus": ["whether to accept the acquisition offer"],
        "date": "2027-03-09",
    },
    "open_action_items": [
        {"text": "Send the February investor update", "owner": "mentee", "due": "2027-03-01"},
        {"text": "Talk to Lena about the Northwind offer", "owner": "mentee", "due": "2027-03-05"},
        {"text": "Intro Marcus to an M&A lawyer", "owner": "mentor", "due": "2027-03-12"},
    ],
    "notes": (
        "Session 6, 2 March. Marcus arrived drained - energy 3/10, hasn't slept properly in weeks.\n"
        "- Northwind made an acqui-hire offer, answer needed by the 14th\n"
        "- investor update still not sent (was due 1 Mar)\n"
        "- he'll talk to Lena about the offer by Friday\n"
        "- he's dreading telling the team. Next time we'll role-play it.\n"
        "- I'll find him an M&A lawyer by next week\n"
    ),
    "decision": {
        "statement": "Accept the acqui-hire offer from Northwind?",
        "options": ["accept the offer", "decline and raise a bridge round"],
        "deadline": "2027-03-14",
        "risk_appetite": "low",
    },
}

TEENAGE_APPRENTICE: dict[str, Any] = {
    "tenant": "acme",
    "mentor": {"name": "Sam Ortiz", "interests": ["climbing", "football"]},
    "mentee": {
        "name": "Jayden Brooks",
        "role": "apprentice electrician",
        "situation": "17, first year of an electrical apprenticeship with a small local firm, at college one day a week",
        "goals": ["pass the first-year practical assessment", "feel confident asking questions on site"],
        "interests": ["climbing", "making beats on my laptop in the evenings"],
        "challenges": ["doesn't ask questions on site because he's worried about looking stupid"],
    },
    "session": {"number": 2, "duration_minutes": 30, "focus": ["asking for help on site"], "date": "2027-02-16"},
    "notes": (
        "First session with Jayden (2 Feb). Quiet at first, opened up about climbing.\n"
        "- he's finding 7am starts hard, tired by Thursday\n"
        "- Jayden will write down three questions he wanted to ask on site this week\n"
        "- next time: practise how to ask the supervisor a question\n"
    ),
}

BACK_FROM_PARENTAL_LEAVE: dict[str, Any] = {
    "tenant": "acme",
    "mentor": {"name": "Tobias Brandt", "interests": ["Bouldern", "running"]},
    "mentee": {
        "name": "Lena Fischer",
        "role": "senior software engineer",
        "situation": "back from ten months of parental leave, now working 80% part-time on the payments team",
        "goals": ["get back up to speed on the new architecture", "agree a realistic scope for part-time"],
        "interests": ["Bouldern", "Podcasts über Softwarearchitektur"],
        "challenges": ["feels out of the loop after leave"],
    },
    "session": {
        "number": 4,
        "duration_minutes": 60,
        "focus": ["part-time scope"],
        "date": "2027-03-23",
        "language": "de",
    },
    "notes": (
        "Sitzung 3 mit Lena, 9. März\n"
        "- Wiedereinstieg läuft, aber sie ist oft erschöpft, Kita-Eingewöhnung dauert\n"
        "- Lena schickt mir bis Freitag ihre Notizen zum Architektur-Review\n"
        "- Ich stelle sie bis Ende des Monats Jonas aus dem Plattform-Team vor\n"
        "- Entscheidung: sie bleibt vorerst bei 80 %\n"
        "- Nächstes Mal besprechen wir, wie sie ihre Teilzeit im Team kommuniziert.\n"
    ),
}

NEW_WARD_MANAGER: dict[str, Any] = {
    "tenant": "acme",
    "mentor": {"name": "Helen Price", "interests": ["gardening", "choir singing"]},
    "mentee": {
        "name": "Grace Adeyemi",
        "role": "ward manager, newly promoted from senior staff nurse",
        "situation": "runs a 28-bed surgical ward; thirty nurses and healthcare assistants report to her, several of "
        "them former peers",
        "goals": ["run a fair and safe rota within budget", "hold difficult conversations early"],
        "interests": ["gospel choir", "baking"],
        "challenges": ["managing former peers", "covering night shifts herself when short-staffed"],
    },
    "session": {
        "number": 3,
        "duration_minutes": 45,
        "focus": ["a difficult conversation with a former peer about lateness"],
        "date": "2027-04-06",
    },
    "open_action_items": [{"text": "Ask HR for the lateness policy", "owner": "mentee", "due": "2027-03-30"}],
    "notes": (
        "Session 2 (23 Mar)\n"
        "- Grace covered 3 night shifts herself this month, says she's exhausted\n"
        "- she'll ask HR for the lateness policy by end of next week\n"
        "- Decided: she stops covering nights herself from April; bank staff instead\n"
        "- next session we'll plan the conversation with Tom about lateness\n"
    ),
}

CONTEXTS = {
    "closing": CLOSING_SALES_TO_PRODUCT,
    "founder": BURNT_OUT_FOUNDER,
    "apprentice": TEENAGE_APPRENTICE,
    "parental": BACK_FROM_PARENTAL_LEAVE,
    "nurse": NEW_WARD_MANAGER,
}

ADULT_CAREER_WORDS = re.compile(
    r"\b(co-?founders?|founders?|fundrais\w*|investors?|direct reports?|your reports|salary|careers?|"
    r"start-?ups?|the company|your company)\b",
    re.I,
)
SPLICE_WORDS = 6
"""A profile sentence longer than this must never appear inside a question unquoted."""


def context(name: str, **changes: Any) -> MentoringContext:
    data = copy.deepcopy(CONTEXTS[name])
    for key, value in changes.items():
        if isinstance(value, dict):
            data[key] = {**data.get(key, {}), **value}
        else:
            data[key] = value
    return MentoringContext.model_validate(data)


def agenda_for(companion: Companion, name: str, **changes: Any) -> Agenda:
    output, _ = compose(companion, "agenda", context(name, **changes))
    assert isinstance(output, Agenda)
    return output


def titles(agenda: Agenda) -> list[str]:
    return [item.title for item in agenda.items]


def block(agenda: Agenda, start: str) -> AgendaItem:
    found = [item for item in agenda.items if item.title.startswith(start)]
    assert found, (start, titles(agenda))
    return found[0]


def every_line(agenda: Agenda) -> list[str]:
    return [line for item in agenda.items for line in (item.title, item.purpose, *item.prompts)]


def outside_quotes(text: str) -> str:
    """The text with every “quoted” span removed: what the composer wrote itself."""
    return re.sub(r"“[^”]*”", "", text)


def assert_no_broken_splices(lines: list[str], mentee: MentoringContext) -> None:
    """No long profile sentence spliced into a line unquoted, no placeholder left, no 'a apprentice'."""
    profile = [
        *mentee.mentee.challenges,
        *mentee.mentee.interests,
        mentee.mentee.situation or "",
        mentee.mentee.role or "",
    ]
    for line in lines:
        assert "{" not in line and "}" not in line, line
        assert not re.search(r"\ba (?:[aeio]|un[^i])\w*", outside_quotes(line)), line
        for text in profile:
            if len(text.split()) > SPLICE_WORDS:
                assert text not in outside_quotes(line), (text, line)


# --------------------------------------------------------------------------------------
# Reading the session and the person
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "closing"),
    [
        ("Next time is our last session: look back at the six months", True),
        ("Aisha will draft her plan before our final session", True),
        ("Wrap up the mentoring next time", True),
        ("Nächstes Mal ist unsere letzte Sitzung", True),
        ("Abschlussgespräch am 3. April", True),
        ("La próxima es nuestra última sesión", True),
        ("Since the last session she has sent the deck", False),
        ("Last session: talked about pricing", False),
        ("In der letzten Sitzung haben wir über Teilzeit gesprochen", False),
        ("En la última sesión hablamos del equipo", False),
        ("Her last meeting with the board went well", False),
        ("final year of a computer science degree", False),
    ],
)
def test_closing_is_read_from_the_words_people_write(text: str, closing: bool) -> None:
    assert (closing_phrase(text) is not None) is closing, text


def test_the_stage_comes_from_the_planned_count_the_focus_and_the_notes() -> None:
    assert context_stage(context("closing")).stage == "closing"
    assert "6 of 6 planned" in context_stage(context("closing")).reason
    from_notes = context("closing", session={"planned_sessions": None})
    assert context_stage(from_notes).stage == "closing" and "notes" in context_stage(from_notes).reason
    own_words = context("founder", session={"focus": ["our last one together: what next"]}, notes=None)
    assert context_stage(own_words).stage == "closing"
    assert context_stage(context("founder")).stage == "established"
    assert context_stage(context("apprentice")).stage == "early"


def test_the_person_is_read_from_role_and_situation() -> None:
    apprentice = read_person(context("apprentice"))
    assert apprentice.young and apprentice.apprentice and apprentice.age == 17
    assert read_person(context("parental")).returning
    assert read_person(context("nurse")).newly_promoted and not read_person(context("nurse")).young
    phd = context("nurse", mentee={"role": "PhD student", "situation": "third year of a PhD in chemistry"})
    assert not read_person(phd).young


def test_profile_text_fits_a_slot_only_when_it_reads_as_a_phrase() -> None:
    assert slot_safe("fear of pitching") and slot_safe("managing former peers") and slot_safe("climbing")
    assert not slot_safe("doesn't ask questions on site because he's worried about looking stupid")
    assert not slot_safe("covering night shifts herself when short-staffed")
    assert not slot_safe("feels out of the loop after leave")
    assert role_phrase("ward manager, newly promoted from senior staff nurse") == "ward manager"
    assert with_article("apprentice electrician") == "an apprentice electrician"
    assert with_article("user researcher") == "a user researcher"
    assert not looks_english("Podcasts über Softwarearchitektur")


# --------------------------------------------------------------------------------------
# Agendas
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CONTEXTS))
@pytest.mark.parametrize("duration", [10, 30, 45, 90])
def test_minutes_add_up_and_a_check_in_always_comes_first(
    knowledge_companion: Companion, name: str, duration: int
) -> None:
    agenda = agenda_for(knowledge_companion, name, session={"duration_minutes": duration})
    assert agenda.total_minutes == duration == sum(item.minutes for item in agenda.items)
    assert all(item.minutes >= 3 for item in agenda.items), [(i.title, i.minutes) for i in agenda.items]
    assert agenda.items[0].title.startswith(("Check-in", "Rapport check-in")), titles(agenda)


def test_a_closing_session_is_a_closing_not_a_progress_review(knowledge_companion: Companion) -> None:
    agenda = agenda_for(knowledge_companion, "closing")
    names = titles(agenda)
    assert any("closing session" in note and "6 of 6 planned" in note for note in agenda.generator.notes)
    assert "last formal session" in agenda.items[0].purpose
    for review_block in ("Review of open action items", "Progress against milestones", "Set goals with SMART and GROW"):
        assert review_block not in names
    assert "Next steps and action items" not in names
    assert names[-1] == "Farewell and staying in touch"
    for closing_block in ("Look back at where we started", "Retrospective on the partnership", "Looking ahead"):
        assert any(title.startswith(closing_block) for title in names), names
    look_back = block(agenda, "Look back at where we started")
    assert any("“land the associate product manager role”" in p for p in look_back.prompts)
    assert any("Aisha got the APM offer" in p for p in look_back.prompts), "the win is celebrated"
    ahead = block(agenda, "Looking ahead")
    assert any(
        "“Draft a 90-day plan for the product role”" in p and "keep it, hand it over or drop it" in p
        for p in ahead.prompts
    )
    assert "plan how she keeps learning" in ahead.purpose, "last session's plan for this session is carried in"
    assert any(c.source == "sessions/closing-session.md" for c in agenda.citations)
    assert any(c.source == "sessions/closing-session.md" for c in ahead.citations)


def test_a_closing_is_recognised_from_the_notes_alone(knowledge_companion: Companion) -> None:
    agenda = agenda_for(knowledge_companion, "closing", session={"planned_sessions": None, "focus": []})
    assert titles(agenda)[-1] == "Farewell and staying in touch"
    assert "Next steps and action items" not in titles(agenda)
    assert any("the notes say" in note for note in agenda.generator.notes)


def test_a_burnt_out_founder_gets_wellbeing_first_then_the_overdue_items(knowledge_companion: Companion) -> None:
    agenda = agenda_for(knowledge_companion, "founder")
    names = titles(agenda)
    check_in = agenda.items[0]
    assert check_in.title == "Check-in: wellbeing first"
    assert check_in.minutes >= 8, "a longer, gentle check-in"
    assert "energy 3/10" in check_in.purpose and "doctor or an employee assistance programme" in check_in.purpose
    assert check_in.prompts[0].startswith("Last time your energy was 3/10")
    assert any("sleeping" in p for p in check_in.prompts)
    assert any(c.source == "guides/work-life-balance.md" for c in check_in.citations)
    review = block(agenda, "Review of open action items")
    assert names.index(check_in.title) < names.index(review.title)
    assert any("(8 days ago): done, or what got in the way?" in p for p in review.prompts)
    assert review.prompts[0].startswith("Before the list: which of these still matter")
    assert not any("Are you ready to decide today" in line for line in every_line(agenda)), "no push to decide"


def test_the_focus_and_the_decision_five_days_away_get_their_time(knowledge_companion: Companion) -> None:
    agenda = agenda_for(knowledge_companion, "founder")
    decision = block(agenda, "Decision: Accept the acqui-hire offer from Northwind?")
    assert decision.minutes >= 12
    assert "due 2027-03-14 (in 5 days)" in decision.purpose
    assert "today's stated focus" in decision.purpose, "the focus is this decision, so one block serves both"
    assert any("“accept the offer” or “decline and raise a bridge round”" in p for p in decision.prompts)
    assert any("hard to undo" in p and "more time" in p for p in decision.prompts), "no big bet at 3/10 energy"
    cited = {c.source for c in decision.citations}
    assert {"sessions/decision-session.md", "frameworks/reversible-vs-irreversible.md"} <= cited
    next_steps = block(agenda, "Next steps and action items")
    assert any("2027-03-14" in p for p in next_steps.prompts)


def test_last_sessions_next_time_plan_is_carried_in(knowledge_companion: Companion) -> None:
    agenda = agenda_for(knowledge_companion, "founder")
    plan = block(agenda, "Planned last time: role-play")
    assert "dreading telling the team. Next time we'll role-play it" in plan.purpose, "the 'it' keeps its sentence"
    assert plan.prompts[0].startswith("Shall we run it now")
    apprentice = agenda_for(knowledge_companion, "apprentice")
    focus = block(apprentice, "Focus: asking for help on site")
    assert any("“Practise how to ask the supervisor a question”" in p for p in focus.prompts), focus.prompts
    nurse = agenda_for(knowledge_companion, "nurse")
    focus = block(nurse, "Focus: a difficult conversation with a former peer about lateness")
    assert any("the conversation with Tom about lateness" in p for p in focus.prompts), focus.prompts


def test_a_teenage_apprentice_gets_questions_for_their_age(knowledge_companion: Companion) -> None:
    mentee = context("apprentice")
    for duration in (30, 60):
        agenda = agenda_for(knowledge_companion, "apprentice", session={"duration_minutes": duration})
        lines = every_line(agenda)
        assert not [line for line in lines if ADULT_CAREER_WORDS.search(outside_quotes(line))]
        assert_no_broken_splices(lines, mentee)
    agenda = agenda_for(knowledge_companion, "apprentice", session={"duration_minutes": 60})
    needs = block(agenda, "Needs assessment")
    assert "Framed for an apprentice" in needs.purpose
    assert any("apprenticeship" in p for p in needs.prompts)
    assert any("young person (17, apprentice)" in note for note in agenda.generator.notes)
    assert any("reads as a sentence" in note for note in agenda.generator.notes)


def test_german_notes_are_quoted_and_carried_not_spliced(knowledge_companion: Companion) -> None:
    agenda = agenda_for(knowledge_companion, "parental")
    assert agenda.items[0].title == "Check-in: wellbeing first"
    assert "(in German)" in agenda.items[0].purpose and "“Wiedereinstieg läuft" in agenda.items[0].purpose
    focus = block(agenda, "Focus: part-time scope")
    plan = "“Nächstes Mal besprechen wir, wie sie ihre Teilzeit im Team kommuniziert”"
    assert any(plan in p for p in focus.prompts), "last time's plan (Teilzeit: part-time) joins the focus, quoted"
    review = block(agenda, "Review of open action items")
    assert any("“Sie bleibt vorerst bei 80 %”" in p for p in review.prompts), "last time's decision is checked"
    assert block(agenda, "Focus: part-time scope")
    for line in every_line(agenda):
        assert looks_english(outside_quotes(line)), line
    assert any("The notes are in German" in note for note in agenda.generator.notes)
    returning = block(agenda, "Focus: part-time scope").prompts
    assert any("realistic week" in p for p in returning), "back from leave: the week as it is now"


def test_a_new_ward_manager_is_asked_about_her_role_in_words_that_fit(knowledge_companion: Companion) -> None:
    mentee = context("nurse")
    agenda = agenda_for(knowledge_companion, "nurse", session={"duration_minutes": 60})
    lines = every_line(agenda)
    assert_no_broken_splices(lines, mentee)
    assert any("as a ward manager" in line for line in lines)
    assert not any("newly promoted from senior staff nurse" in outside_quotes(line) for line in lines)
    assert any("used to be your peers" in line for line in lines), "the promotion over former peers is read"
    review = block(agenda, "Review of open action items")
    assert any("She stops covering nights herself from April" in p for p in review.prompts)
    assert agenda.items[0].title == "Check-in: wellbeing first"


def test_different_mentees_get_different_sentences(knowledge_companion: Companion) -> None:
    founder = agenda_for(knowledge_companion, "founder")
    apprentice = agenda_for(knowledge_companion, "apprentice")

    def sentences(agenda: Agenda) -> list[str]:
        return [s for item in agenda.items for s in (*re.split(r"(?<=[.?!])\s+", item.purpose), *item.prompts) if s]

    mine, theirs = sentences(founder), set(sentences(apprentice))
    shared = [s for s in mine if s in theirs]
    assert len(shared) / len(mine) < 0.2, shared


# --------------------------------------------------------------------------------------
# Icebreakers
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_icebreakers_never_break_the_grammar_with_profile_text(knowledge_companion: Companion, name: str) -> None:
    mentee = context(name)
    output, _ = compose(knowledge_companion, "icebreakers", mentee)
    assert isinstance(output, Icebreakers)
    assert 3 <= len(output.questions) <= 5
    assert_no_broken_splices([q.text for q in output.questions], mentee)
    for question in output.questions:
        assert looks_english(outside_quotes(question.text)), question.text


def test_icebreakers_for_a_teenager_leave_adult_careers_out(knowledge_companion: Companion) -> None:
    output, _ = compose(knowledge_companion, "icebreakers", context("apprentice"))
    assert isinstance(output, Icebreakers)
    assert not [q.text for q in output.questions if ADULT_CAREER_WORDS.search(q.text)]
    assert not any("making beats on my laptop" in q.text for q in output.questions)
    assert any("climbing" in q.text for q in output.questions), "a short shared interest fits the slot"


def test_non_english_interests_are_quoted_and_a_distressed_founder_gets_light_questions(
    knowledge_companion: Companion,
) -> None:
    output, retrieved = compose(knowledge_companion, "icebreakers", context("parental"))
    assert isinstance(output, Icebreakers)
    built = [q.text for q in output.questions if "Bouldern" in q.text or "Podcasts" in q.text]
    assert built and all("“Bouldern”" in t or "“Podcasts über Softwarearchitektur”" in t for t in built)
    founder, retrieved = compose(knowledge_companion, "icebreakers", context("founder"))
    assert isinstance(founder, Icebreakers)
    depths = {r.chunk_id: (r.item or {}).get("depth") for r in retrieved.all}
    assert "deep" not in {depths.get(q.citations[0].chunk_id) for q in founder.questions}


def test_icebreakers_are_not_repeated_for_these_mentees_either(knowledge_companion: Companion) -> None:
    first, _ = compose(knowledge_companion, "icebreakers", context("apprentice"))
    assert isinstance(first, Icebreakers)
    again, _ = compose(
        knowledge_companion,
        "icebreakers",
        context("apprentice", previous_icebreakers=[q.text for q in first.questions]),
    )
    assert isinstance(again, Icebreakers)
    assert not {q.text for q in first.questions} & {q.text for q in again.questions}


# --------------------------------------------------------------------------------------
# Reflection
# --------------------------------------------------------------------------------------
def reflection_for(companion: Companion, name: str, **changes: Any) -> ReflectionPrompts:
    output, retrieved = compose(companion, "reflection", context(name, **changes), Audience(mentee_facing=True))
    assert isinstance(output, ReflectionPrompts)
    assert all(r.visibility == "shared" for r in retrieved.all)
    return output


def test_reflection_is_about_the_session_that_just_happened(knowledge_companion: Companion) -> None:
    # The nurse's notes as the notes of the session that just happened (23 March).
    output = reflection_for(knowledge_companion, "nurse", session={"date": "2027-03-23", "focus": []})
    texts = [p.text for p in output.prompts]
    assert any("“Ask HR for the lateness policy”" in t and "2027-04-02" in t for t in texts), texts
    assert any(
        t.startswith("Now that you have slept on today's decision, “She stops covering nights herself from April")
        for t in texts
    ), texts
    assert any(t.startswith("Planned for next time, “") and "Tom about lateness" in t for t in texts), texts
    assert any(t.startswith("Today's session touched on being tired") for t in texts), texts
    assert all(1 <= len(p.citations) <= 2 for p in output.prompts)
    assert any(c.source == "banks/reflection-prompts.md" for c in output.citations)
    # the guide whose idea a prompt uses is cited beside the bank prompt its wording comes from
    tired = next(p for p in output.prompts if p.text.startswith("Today's session touched on being tired"))
    assert [c.source for c in tired.citations] == ["banks/reflection-prompts.md", "guides/work-life-balance.md"]
    assert tired.citations[1].heading.endswith("Setting and keeping boundaries")
    decided = next(p for p in output.prompts if p.text.startswith("Now that you have slept on"))
    assert "frameworks/decision-journal.md" in [c.source for c in decided.citations]
    policy = next(p for p in output.prompts if "“Ask HR for the lateness policy”" in p.text)
    assert any(c.heading.endswith("Turning feedback into action items") for c in policy.citations)
    # the prompts about the session are marked as such and come first, under their own heading
    session = [p for p in output.prompts if p.from_session]
    assert {tired.text, decided.text, policy.text} <= {p.text for p in session}
    assert output.prompts[: len(session)] == session
    markdown = render_markdown(output)
    assert markdown.index("### About today's session") < markdown.index(tired.text)


def test_reflection_asks_for_a_self_assessment_on_the_goal_worked_on(knowledge_companion: Companion) -> None:
    output = reflection_for(knowledge_companion, "apprentice")
    worked = "feel confident asking questions on site"
    tied = [p for p in output.prompts if p.goal == worked]
    assert any(re.search(r"\b(rate|estimate|scale)\b", p.text) for p in tied), [p.text for p in tied]
    assert any(f"goal the session worked on: “{worked}”" in note for note in output.generator.notes)
    every = {p.goal for p in output.prompts}
    assert set(context("apprentice").mentee.goals) <= every


def test_reflection_speaks_to_the_mentee_at_their_level(knowledge_companion: Companion) -> None:
    output = reflection_for(knowledge_companion, "apprentice")
    texts = [p.text for p in output.prompts]
    assert not [t for t in texts if ADULT_CAREER_WORDS.search(t)]
    assert any("“Write down three questions you wanted to ask on site”" in t for t in texts), texts
    assert_no_broken_splices(texts, context("apprentice"))


ACTING_SHIFT_LEAD: dict[str, Any] = {
    "mentor": {"name": "Denise Hall", "expertise": ["hospital facilities", "portering"]},
    "mentee": {
        "name": "Marcus Bell",
        "role": "Senior porter, acting shift lead",
        "goals": ["Get the permanent shift lead post", "Delegate to the team"],
        "challenges": ["tired - doing extra shifts to cover gaps"],
    },
    "session": {"number": 4, "date": "2026-12-03", "duration_minutes": 40, "planned_sessions": 6},
    "open_action_items": [
        {"text": "Write down the 3 jobs he always takes back", "owner": "mentee", "due": "2026-11-26"},
        {"text": "Send Marcus the leadership framework link", "owner": "mentor"},
    ],
    "notes": (
        "M wrote down the 3 jobs he always takes back - bed moves, pharmacy run, the rota.\n"
        "talked about Kev (20 yrs there) - M avoids asking him. practice the convo next time?\n"
        "-> I'll dig out my old interview notes + send them over wkend\n"
        "TODO ask HR whether acting-up experience counts (who? prob me)\n"
        "next: 17th, same time\n"
    ),
}


def test_last_sessions_notes_decide_what_is_done_owed_and_planned(knowledge_companion: Companion) -> None:
    """Jotted notes: an item the notes say is done is ticked off, not chased as overdue; an unsure owner is
    confirmed; a plan written as a question gets a clean title."""
    output, _ = compose(knowledge_companion, "agenda", MentoringContext.model_validate(ACTING_SHIFT_LEAD))
    assert isinstance(output, Agenda)
    review = block(output, "Review of open action items")
    assert any(
        p.startswith("“Write down the 3 jobs he always takes back” (Marcus): last session's notes say it is done.")
        for p in review.prompts
    ), review.prompts
    assert "1 overdue" not in review.purpose and not any("days ago" in p for p in review.prompts)
    assert any(
        p.startswith("Owner to confirm: “Ask HR whether acting-up experience counts”: the notes lean to Denise")
        for p in review.prompts
    ), review.prompts
    assert any("“Dig out my old interview notes + send them” (Denise, due “over wkend”" in p for p in review.prompts)
    assert "Planned last time: Practice the convo" in titles(output)


MID_PROGRAMME_WIN = {
    "session": {"number": 3, "planned_sessions": 6, "focus": ["estimation in sprint reviews"]},
    "notes": (
        "Session 2, 6 March\n"
        "- Aisha got the APM offer! Starts 1 April. Huge win.\n"
        "- she shadowed the sprint review, felt lost in the estimation part\n"
    ),
}


def test_a_win_in_the_notes_is_asked_about_once_not_with_a_general_good_news_question(
    knowledge_companion: Companion,
) -> None:
    with_win = agenda_for(knowledge_companion, "closing", **MID_PROGRAMME_WIN)
    check_in = with_win.items[0]
    assert check_in.title.startswith(("Check-in", "Rapport check-in")), titles(with_win)
    asked = [p for item in with_win.items for p in item.prompts]
    assert sum("APM offer" in p for p in asked) == 1, asked
    assert not any("best part of your week" in p for p in check_in.prompts), check_in.prompts
    # Without the win, the check-in keeps its general good-news question.
    plain = dict(
        MID_PROGRAMME_WIN,
        notes="Session 2, 6 March\n- she shadowed the sprint review, felt lost in the estimation part\n",
    )
    without = agenda_for(knowledge_companion, "closing", **plain)
    assert any("best part of your week" in p for p in without.items[0].prompts), without.items[0].prompts


def test_an_early_session_gives_a_decision_due_this_week_the_needs_assessments_time(
    knowledge_companion: Companion,
) -> None:
    """Session 3 of an open-ended mentorship: a needs assessment fits while nothing presses, but with a
    decision due in four days that time goes to the decision, and the mentor is told why."""
    decision = {"statement": "Apply for the matron secondment?", "options": ["apply now", "wait a year"]}
    later = agenda_for(
        knowledge_companion, "nurse", session={"duration_minutes": 60}, decision={**decision, "deadline": "2027-05-20"}
    )
    assert "Needs assessment" in titles(later)
    soon = agenda_for(
        knowledge_companion, "nurse", session={"duration_minutes": 60}, decision={**decision, "deadline": "2027-04-10"}
    )
    assert "Needs assessment" not in titles(soon)
    assert any(t.startswith("Decision: Apply for the matron secondment?") for t in titles(soon)), titles(soon)
    assert any("due in 4 days" in note and "needs-assessment" in note for note in soon.generator.notes)
    assert sum(item.minutes for item in soon.items) == 60


def test_a_focus_written_as_a_sentence_is_spliced_in_lower_case() -> None:
    from companion.generation.tasks.common import focus_phrase

    def phrase(*focus: str) -> str | None:
        return focus_phrase(MentoringContext.model_validate({"mentee": {"name": "Ana"}, "session": {"focus": focus}}))

    assert phrase("How to answer investors about churn") == "how to answer investors about churn"
    assert phrase("Preparing for the review") == "preparing for the review"
    assert "Tom's feedback" in (phrase("Tom's feedback") or "") and "API design" in (phrase("API design") or "")

"""The offline feedback summary as a demanding mentor reads it (../shared/USEFULNESS.md): written to the
mentee, the notes understood (who owes what by when, what was decided, what is done), nobody else named in
the feedback, impacts only where they belong, the distress cue acknowledged, and notes in another language
quoted rather than spliced into English."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from companion.generation.taskspec import render_markdown
from companion.schemas import FeedbackSummary, MentoringContext
from companion.service import Companion
from tests.generation.support import compose

MARIA_NOTES = """\
Maria wk 4 - 24/11
- she's been offered the team lead role, starts Jan. mixed feelings
- bus pass – I'll grab the form Mon
- she'll send me her 30-60-90 plan by Fri
- M. to book a 1:1 with her skip-level before Xmas
- [x] updated LinkedIn headline
- [ ] read first two chapters of The Making of a Manager
- he said he'd loop in finance
- decided: she keeps her IC work on the billing service until March
- next time we'll role-play the first team meeting
- went well: very calm in Friday's outage call, Tom said people listened to her
- still struggles to delegate, redoes Priya's PRs (Priya is annoyed)
- honestly exhausted, not sleeping well since the offer
- next session 8 Dec
"""

FELIX_NOTES = """\
Sitzung 2 – 19.01.
- Felix schickt mir den Lebenslauf bis Freitag
- Ich stelle ihm Anna aus dem Data-Team vor, nächste Woche
- Entschieden: er bewirbt sich nur intern
- ist seit Wochen total erschöpft, schläft schlecht
- nächstes Mal: Gehaltsgespräch üben
"""

LUCIA_NOTES = """\
Sesión 3 con Lucía
- Lucía me manda su CV actualizado para el viernes
- yo le paso dos contactos de agencias la semana que viene
- decidimos que no aceptará prácticas sin sueldo
"""

THIRD_PARTIES = ("Tom", "Priya", "annoyed")
DIAGNOSES = ("burnout", "burnt out", "depress", "disorder", "anxiety", "diagnos")


def maria_context() -> MentoringContext:
    return MentoringContext.model_validate(
        {
            "mentor": {"name": "Jen Park"},
            "mentee": {
                "name": "Maria Lopez",
                "role": "senior backend engineer",
                "goals": ["step into the team lead role by January", "delegate more of the billing work"],
            },
            "session": {"number": 4, "date": "2026-11-24"},
            "open_action_items": [
                {"text": "Update LinkedIn headline", "owner": "mentee"},
                {"text": "Send Maria the new-manager reading list", "owner": "mentor", "due": "2026-11-20"},
            ],
            "notes": MARIA_NOTES,
        }
    )


@pytest.fixture
def maria(knowledge_companion: Companion) -> FeedbackSummary:
    output, _ = compose(knowledge_companion, "feedback", maria_context())
    assert isinstance(output, FeedbackSummary)
    return output


def item(output: FeedbackSummary, words: str) -> tuple[str | None, dt.date | None, bool]:
    found = [a for a in output.action_items if words.lower() in a.text.lower()]
    assert len(found) == 1, (words, [a.text for a in output.action_items])
    return found[0].owner, found[0].due, found[0].done


# --------------------------------------------------------------------------------------
# Who owes what by when
# --------------------------------------------------------------------------------------
def test_owners_and_dates_come_from_initials_pronouns_and_relative_dates(maria: FeedbackSummary) -> None:
    assert item(maria, "30-60-90 plan") == ("mentee", dt.date(2026, 11, 27), False)  # "she'll ... by Fri"
    assert item(maria, "skip-level") == ("mentee", dt.date(2026, 12, 24), False)  # "M. to ... before Xmas"
    assert item(maria, "grab the form") == ("mentor", dt.date(2026, 11, 30), False)  # "I'll ... Mon"
    assert item(maria, "LinkedIn headline") == ("mentee", None, True)
    assert len(maria.action_items) == 6, "every analysed item is kept, the unclear ones too"


def test_unclear_owners_are_to_confirm_and_the_mentor_owes_are_listed(maria: FeedbackSummary) -> None:
    confirm = [a.text for a in maria.to_confirm]
    assert confirm == ["Read first two chapters of The Making of a Manager", "Loop in finance"]
    assert all(a.owner is None for a in maria.to_confirm)
    assert all(a in maria.action_items for a in maria.to_confirm)
    assert [(a.text, a.due) for a in maria.mentor_owes] == [
        ("Bus pass: grab the form", dt.date(2026, 11, 30)),
        ("Send Maria the new-manager reading list", dt.date(2026, 11, 20)),  # still open from before
    ]
    assert "2 items still need an owner" in maria.summary


def test_last_sessions_items_are_checked_against_what_the_notes_say_is_done(maria: FeedbackSummary) -> None:
    assert [(a.text, a.done) for a in maria.previous_items] == [
        ("Update LinkedIn headline", True),
        ("Send Maria the new-manager reading list", False),
    ]
    assert any("1 open item from before marked done" in note for note in maria.generator.notes)


def test_decisions_and_next_time_are_apart_from_the_action_items(maria: FeedbackSummary) -> None:
    assert maria.decisions == ["You keep your IC work on the billing service until March."]
    assert maria.next_time == ["Role-play the first team meeting."], "'next session 8 Dec' is a date, not a plan"
    assert not any("billing service" in a.text or "role-play" in a.text.lower() for a in maria.action_items)
    assert "We meet next on Tuesday 8 December." in maria.summary


# --------------------------------------------------------------------------------------
# Feedback: to the mentee, about what they did, nobody else named
# --------------------------------------------------------------------------------------
def test_strengths_are_counted_from_the_wins(maria: FeedbackSummary) -> None:
    assert maria.strengths == ["You were very calm in Friday's outage call, and people listened to you."]
    assert "The notes show 1 strength and 1 area to work on." in maria.summary
    assert maria.growth_areas == ["You still struggle to delegate and redo a colleague's PRs."]


def test_sbi_statements_speak_to_the_mentee_and_name_no_third_party(maria: FeedbackSummary) -> None:
    texts = [s.text for s in maria.feedback_statements]
    assert len(texts) == 2
    for text in [*texts, *maria.strengths, *maria.growth_areas]:
        for name in THIRD_PARTIES:
            assert name not in text, (name, text)
        assert not re.search(r"\b(?:she|her|he|his|him)\b", text, re.I), text
    strength, growth = maria.feedback_statements
    assert strength.situation == "In Friday's outage call"
    assert strength.text == (
        "I want to point out something that worked. In Friday's outage call, you were very calm, "
        "and people listened to you. Keep doing it."
    )
    assert growth.behavior == "still struggle to delegate and redo a colleague's PRs"


def test_an_impact_names_the_goal_it_concerns_or_is_left_out(maria: FeedbackSummary) -> None:
    strength, growth = maria.feedback_statements
    assert strength.impact == "", "being calm in an outage shares nothing with either goal"
    assert growth.impact == "that matters for “delegate more of the billing work”"
    assert "team lead role" not in growth.text


def test_the_wellbeing_cue_is_acknowledged_gently(maria: FeedbackSummary) -> None:
    note = maria.wellbeing_note
    assert note is not None and "tired" in note and "sleep" in note
    assert not any(word in note.lower() for word in DIAGNOSES)
    assert not any("exhausted" in s.text or "sleep" in s.text for s in maria.feedback_statements)
    assert "Please go easy on yourself" in (maria.follow_up_message or "")


def test_the_follow_up_message_names_the_items_owners_and_the_next_meeting(maria: FeedbackSummary) -> None:
    message = maria.follow_up_message
    assert message is not None
    lines = message.splitlines()
    assert 3 <= len(lines) <= 6, lines
    assert lines[0] == "Hi Maria,"
    assert lines[1].startswith("Thank you for our session on Tuesday 24 November.")
    assert lines[2] == (
        "You'll send me your 30-60-90 plan by Friday 27 November and book a 1:1 with your skip-level "
        "by Thursday 24 December."
    )
    assert "grab the form (bus pass) by Monday 30 November" in lines[3]
    assert "send you the new-manager reading list" in lines[3]
    assert "loop in finance" in lines[4] and "We meet next on Tuesday 8 December." in lines[4]
    assert lines[-1] == "Best, Jen"
    assert "Tom" not in message


def test_the_markdown_shows_every_part(maria: FeedbackSummary) -> None:
    text = render_markdown(maria, maria_context())
    for heading in (
        "### Decisions",
        "### Action items",
        "### What I owe you",
        "### To confirm",
        "### From last time",
        "### Next time",
        "### Strengths",
        "### How you are doing",
        "### Feedback to share (SBI)",
        "### Follow-up message",
    ):
        assert heading in text, heading
    assert "- [ ] Loop in finance\n" in text
    assert "- [x] Update LinkedIn headline (Maria; done, as the notes say)" in text
    assert "Tom" not in text
    assert maria.language_note is None and "_The notes are in" not in text


# --------------------------------------------------------------------------------------
# Other languages: still understood, quoted, and said at the top
# --------------------------------------------------------------------------------------
def test_german_notes_are_analysed_quoted_and_flagged(knowledge_companion: Companion) -> None:
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Julia Wolf"},
            "mentee": {"name": "Felix Braun", "goals": ["eine interne Stelle im Data-Team finden"]},
            "session": {"number": 2, "date": "2027-01-19", "language": "de"},
            "notes": FELIX_NOTES,
        }
    )
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    assert output.language_note is not None
    assert output.language_note.startswith("The notes are in German; this summary is in English")
    assert any("The notes are in German" in note for note in output.generator.notes)
    assert [(a.owner, a.due) for a in output.action_items] == [
        ("mentee", dt.date(2027, 1, 22)),  # "bis Freitag"
        ("mentor", dt.date(2027, 1, 29)),  # "Ich ... nächste Woche"
    ]
    assert output.decisions == ["“Er bewirbt sich nur intern”"]
    assert output.next_time == ["“Gehaltsgespräch üben”"]
    assert output.feedback_statements == [], "no English SBI sentence is built around German text"
    assert output.wellbeing_note is not None
    message = output.follow_up_message or ""
    assert message.startswith("Hi Felix,")
    assert "“Den Lebenslauf schicken” by Friday 22 January" in message
    for line in message.splitlines()[2:-1]:  # German only inside quotes
        unquoted = re.sub(r"“[^”]*”", "", line)
        assert not re.search(r"\b(?:den|die|das|und|schicken|vorstellen)\b", unquoted, re.I), line
    text = render_markdown(output, context)
    assert text.index("_The notes are in German") < text.index(output.summary)


def test_spanish_notes_in_an_english_session_are_flagged_too(knowledge_companion: Companion) -> None:
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Marta Ruiz"},
            "mentee": {"name": "Lucía Fernández"},
            "session": {"number": 3, "date": "2026-11-24", "language": "en"},
            "notes": LUCIA_NOTES,
        }
    )
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    assert output.language_note is not None and "Spanish" in output.language_note
    assert [(a.owner, a.due) for a in output.action_items] == [
        ("mentee", dt.date(2026, 11, 27)),  # "para el viernes"
        ("mentor", dt.date(2026, 12, 4)),  # "la semana que viene"
    ]
    assert output.decisions == ["“Decidimos que no aceptará prácticas sin sueldo”"]
    assert (output.follow_up_message or "").startswith("Hi Lucía,")


def test_jottings_about_the_mentee_by_initial_become_second_person_and_no_topic_becomes_sbi(
    knowledge_companion: Companion,
) -> None:
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Denise Hall"},
            "mentee": {"name": "Marcus Bell", "role": "Senior porter, acting shift lead"},
            "session": {"number": 4, "date": "2026-12-03"},
            "open_action_items": [{"text": "Write down the 3 jobs he always takes back", "owner": "mentee"}],
            "notes": (
                "M wrote down the 3 jobs he always takes back - bed moves, pharmacy run, the rota.\n"
                "talked about Kev (20 yrs there) - M avoids asking him. practice the convo next time?\n"
                "TODO ask HR whether acting-up experience counts (who? prob me)\n"
            ),
        }
    )
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    assert [(i.text, i.done) for i in output.previous_items] == [("Write down the 3 jobs he always takes back", True)]
    assert output.growth_areas == ["You talked about a colleague (20 yrs there) - you avoid asking him."]
    assert not any("talked about" in s.text for s in output.feedback_statements), "a topic is no observed moment"
    assert output.next_time == ["Practice the conversation."]
    assert [(i.text, i.owner) for i in output.to_confirm] == [("Ask HR whether acting-up experience counts", "mentor")]
    text = render_markdown(output, context)
    assert "a name in brackets is the notes' best guess" in text and "Kev" not in text and " M " not in text


PITCH_NOTES = """\
Priya, session 3
- pitch rehearsal went well until the revenue slide: rushed, no eye contact
- she's proud of closing the first paying pilot (great win)
"""


def test_praise_then_a_qualifier_is_a_strength_and_a_growth_area(knowledge_companion: Companion) -> None:
    context = maria_context().model_copy(update={"notes": PITCH_NOTES})
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    assert "Pitch rehearsal went well." in output.strengths
    assert not any("revenue slide" in s for s in output.strengths)
    assert any("revenue slide" in g and "rushed" in g for g in output.growth_areas)
    texts = [s.text for s in output.feedback_statements]
    # pride is not a behaviour to keep doing, and the writer's aside is not said back to the mentee
    proud = next(t for t in texts if "first paying pilot" in t)
    assert "Keep doing it" not in proud and "great win" not in proud and "right to be proud" in proud
    # the label before the colon says when it happened
    assert any(t.startswith("When it came to the revenue slide, you rushed") for t in texts)


def test_what_happened_outside_the_session_is_told_not_seen(knowledge_companion: Companion) -> None:
    """The mentor did not see the dry run with her boss: the SBI says she told them, and the question-form TODO
    is a task to confirm, not a question pasted into the follow-up."""
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Priya Nair"},
            "mentee": {
                "name": "Rosa Alvarez",
                "role": "senior data analyst",
                "goals": ["present to the exec committee"],
            },
            "session": {"number": 3, "date": "2026-12-03"},
            "notes": "Rosa 3/12 - call, 40 min\n"
            "- but froze in the dry run w/ her boss when CFO-type questions came\n"
            "- in the role-play she rushed the numbers slide\n"
            "- TODO: who books the room for the practice? (unclear)\n"
            "- agreed fortnightly, thursdays\n",
        }
    )
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    texts = [s.text for s in output.feedback_statements]
    told = next(t for t in texts if "froze" in t)
    assert "you told me that you froze in the dry run with your boss" in told and "I saw" not in told
    assert output.to_confirm[0].text == "Book the room for the practice"
    assert "(unclear)" not in render_markdown(output)
    assert not output.decisions, "the meeting rhythm is not a decision"
    assert not any(a.text.lower().startswith("call") for a in output.action_items)


def test_a_past_form_meets_the_goal_it_concerns(knowledge_companion: Companion) -> None:
    """A note's "froze" shares no stem with the goal's "without freezing": the impact still names that
    goal, a note that starts with where it happened is still a behaviour, and "felt" does not tie an
    unrelated note to a goal."""
    from companion.generation.tasks.feedback import goal_for

    goals = ["present to the exec team without freezing", "hire two engineers"]
    assert goal_for("froze when the VP asked about churn", goals) == goals[0]
    assert goal_for("she felt tired", ["leave work on time"]) is None
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Priya Nair"},
            "mentee": {"name": "Rosa Alvarez", "role": "data analyst", "goals": goals},
            "session": {"number": 4, "date": "2026-12-03"},
            "notes": "- in the role-play she froze when I asked about churn, then recovered\n",
        }
    )
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    froze = next(s.text for s in output.feedback_statements if "froze" in s.text)
    assert froze.startswith("In the role-play, you froze when I asked about churn"), froze
    assert "“present to the exec team without freezing”" in froze, froze


def test_wins_written_as_jottings_are_counted_and_growth_is_said_to_the_mentee(knowledge_companion: Companion) -> None:
    """'first draft done!!', 'first time ever' and 'big improvement' are wins a mentor would count; a
    subjectless 'still over-explains … esp. by the CTO' is said to the mentee in full words."""
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Sam Lee"},
            "mentee": {"name": "Jordan Park", "role": "product manager", "goals": ["delegate release notes"]},
            "session": {"number": 5, "date": "2026-12-03"},
            "notes": "Jordan 3/12\n"
            "- Exec deck v2: first draft done!! big improvement on structure\n"
            "- handed release notes to Mia this sprint, first time ever\n"
            "- still over-explains when challenged, esp. by the CTO\n"
            "- nailed the 2-min summary in our role-play\n",
        }
    )
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    assert len(output.strengths) == 3, output.strengths
    assert "You handed release notes to a colleague this sprint, first time ever." in output.strengths
    assert not any("!!" in s for s in output.strengths)
    assert output.growth_areas == ["You still over-explain when challenged, especially by the CTO."]
    handed = next(s.text for s in output.feedback_statements if "release notes" in s.text)
    assert "“delegate release notes”" in handed and "Mia" not in handed
    # the SBI statements follow the feedback guide's SBI section, and the summary cites it
    guide = [c.heading for c in output.citations if c.source == "guides/feedback-and-self-assessment.md"]
    assert "Feedback and self-assessment > Giving feedback with SBI" in guide, guide


def test_initials_are_people_and_a_supervisor_is_no_super_win(knowledge_companion: Companion) -> None:
    """'BO: …' and 'FG: …' name the mentee and the mentor, not topics; 'supervisor' holds no 'super' win;
    'FG: intro to Tom' is the mentor introducing the mentee; 'last Thurs' is when it happened."""
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Fiona Grant"},
            "mentee": {"name": "Bola Okonkwo", "role": "solicitor", "goals": ["move to an in-house role"]},
            "session": {"number": 2, "date": "2027-05-04"},
            "notes": "BO / FG – 4 May\n"
            "- BO: ask HR for the secondment terms in writing – by Fri\n"
            "- FG: intro to Tom Ade (GC at a fintech) – TBC\n"
            "- she thinks her supervisor is blocking her, not sure that's fair tbh\n"
            "- went to the in-house lawyers' breakfast last Thurs – good contacts\n",
        }
    )
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    assert not {"BO", "FG", "Bo", "Fg"} & set(output.topics), output.topics
    assert not any("supervisor" in s for s in output.strengths), output.strengths
    assert any("lawyers' breakfast last Thursday" in s for s in output.strengths), output.strengths
    assert [a.text for a in output.mentor_owes] == ["Intro Bola to Tom Ade (GC at a fintech)"]
    assert "I'll intro you to Tom Ade" in output.follow_up_message
    said = next(s.text for s in output.feedback_statements if "breakfast" in s.text)
    assert said.startswith("I want to point out something that worked. Last Thursday, you went"), said

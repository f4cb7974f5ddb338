"""The goal plan's schedule as .ics: parsed back with icalendar, one event per planned session,
stable UIDs, the agenda where a stored session has one, and never a note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from icalendar import Calendar

from companion.calendar import NoMeetingSchedule, event_uid, schedule_ics
from companion.memory import MemoryRepository
from companion.memory.schemas import MentorshipPublic, NoteCreate, SessionCreate
from companion.schemas import ActionItem, Agenda, AgendaItem, Cadence, FeedbackSummary, GeneratorInfo
from tests.memory.conftest import TODAY

MENTOR, MENTEE = "mentor-ada", "mentee-bo"
PRIVATE_MARKER = "PRIVATENOTE-3b7f"
SHARED_MARKER = "SHAREDNOTE-8c21"
ICEBREAKER_MARKER = "ICEBREAKER-55aa"
FEEDBACK_MARKER = "FEEDBACK-0e9d"
ITEM_MARKER = "ACTIONITEM-77c4"
GENERATOR = GeneratorInfo(provider="offline", model="composer", prompt_version="test/1")
PLANNED = [TODAY + dt.timedelta(days=14 * n) for n in range(4)]
CADENCE = Cadence(frequency="every 2 weeks", session_minutes=50, meeting_day="Saturday", sessions=PLANNED)
AGENDA = Agenda(
    generator=GENERATOR,
    items=[
        AgendaItem(title="Check-in", minutes=10, purpose="Arrive and settle", prompts=["How was the week?"]),
        AgendaItem(title="Staff-engineer plan", minutes=40, purpose="Pick the next milestone"),
    ],
    total_minutes=50,
    carried_forward=[ActionItem(text=ITEM_MARKER)],
)


def events(ics: bytes) -> list:
    calendar = Calendar.from_ical(ics)
    return [component for component in calendar.walk() if component.name == "VEVENT"]


@pytest.fixture
def planned(repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]) -> MentorshipPublic:
    """A mentorship with a goal plan's cadence and a stored second session that has an agenda and notes."""
    mentorship = make_mentorship("acme", MENTOR, MENTEE)
    repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(date=PLANNED[0], notes=[NoteCreate(text=SHARED_MARKER)], icebreakers_asked=[ICEBREAKER_MARKER]),
        viewer_person_id=MENTOR,
    )
    second = repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(
            date=PLANNED[1],
            agenda=AGENDA,
            notes=[
                NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private"),
                NoteCreate(text=SHARED_MARKER),
            ],
            action_items=[ActionItem(text=ITEM_MARKER)],
        ),
        viewer_person_id=MENTOR,
    )
    repository.save_feedback(
        "acme", mentorship.id, second.id, FeedbackSummary(generator=GENERATOR, summary=FEEDBACK_MARKER)
    )
    return repository.save_cadence("acme", mentorship.id, CADENCE)


def export(repository: MemoryRepository, mentorship: MentorshipPublic, **options: object) -> bytes:
    """What the API does: the sessions as the most privileged caller sees them, to prove none leak."""
    sessions = repository.list_sessions("acme", mentorship.id, include_private_notes=True)
    assert any(note.text == PRIVATE_MARKER for s in sessions for note in s.notes)
    return schedule_ics(mentorship, sessions, **options)  # type: ignore[arg-type]


def test_one_event_per_planned_session_at_the_planned_dates(
    repository: MemoryRepository, planned: MentorshipPublic
) -> None:
    found = events(export(repository, planned))

    assert len(found) == len(PLANNED)
    starts = [event.decoded("dtstart") for event in found]
    assert [start.date() for start in starts] == PLANNED
    for number, event in enumerate(found, start=1):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.tzinfo is None and start.time() == dt.time(9, 0)  # floating local time
        assert end - start == dt.timedelta(minutes=CADENCE.session_minutes)
        assert str(event["summary"]) == f"Mentoring: Ada & Bo — session {number}"
        assert event.decoded("dtstamp").tzinfo is not None


def test_the_agenda_is_the_description_of_its_sessions_event_only(
    repository: MemoryRepository, planned: MentorshipPublic
) -> None:
    found = {event.decoded("dtstart").date(): event for event in events(export(repository, planned))}

    description = str(found[PLANNED[1]]["description"])
    assert "Check-in (10 min): Arrive and settle" in description
    assert "Staff-engineer plan (40 min): Pick the next milestone" in description
    assert "50 minutes" in description
    assert [day for day, event in found.items() if "description" in event] == [PLANNED[1]]


def test_uids_are_stable_across_exports_and_distinct_per_date(
    repository: MemoryRepository, planned: MentorshipPublic
) -> None:
    first = events(export(repository, planned, now=dt.datetime(2025, 3, 1, tzinfo=dt.UTC)))
    second = events(export(repository, planned, now=dt.datetime(2025, 4, 1, tzinfo=dt.UTC)))

    uids = [str(event["uid"]) for event in first]
    assert uids == [str(event["uid"]) for event in second]
    assert len(set(uids)) == len(PLANNED)
    assert uids == [event_uid(planned.id, day) for day in PLANNED]
    assert first[0].decoded("dtstamp") < second[0].decoded("dtstamp")


def test_no_note_feedback_icebreaker_or_item_text_anywhere(
    repository: MemoryRepository, planned: MentorshipPublic
) -> None:
    ics = export(repository, planned).decode()

    for marker in (PRIVATE_MARKER, SHARED_MARKER, FEEDBACK_MARKER, ICEBREAKER_MARKER, ITEM_MARKER):
        assert marker not in ics, marker
    assert "How was the week?" not in ics  # agenda prompts stay out too: title, minutes, purpose only


def test_start_time_and_names_are_options_and_text_is_escaped(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = repository.save_cadence("acme", make_mentorship().id, CADENCE)
    renamed = mentorship.model_copy(
        update={
            "mentor": mentorship.mentor.model_copy(update={"name": None}),
            "mentee": mentorship.mentee.model_copy(update={"name": "Zoë;\nBEGIN:VEVENT"}),
        }
    )

    ics = schedule_ics(renamed, [], start_time=dt.time(18, 30))
    found = events(ics)

    assert len(found) == len(PLANNED)
    assert found[0].decoded("dtstart") == dt.datetime.combine(PLANNED[0], dt.time(18, 30))
    assert str(found[0]["summary"]) == "Mentoring: mentor & Zoë; BEGIN:VEVENT — session 1"
    assert "X-WR-CALNAME:Mentoring: mentor & Zoë\\; BEGIN:VEVENT\r\n" in ics.decode()  # escaped, one line


def test_repeated_planned_dates_make_one_event(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    cadence = CADENCE.model_copy(update={"sessions": [PLANNED[1], PLANNED[0], PLANNED[1]]})
    mentorship = repository.save_cadence("acme", make_mentorship().id, cadence)

    assert [e.decoded("dtstart").date() for e in events(schedule_ics(mentorship, []))] == PLANNED[:2]


def test_no_cadence_means_no_schedule(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()

    with pytest.raises(NoMeetingSchedule, match="make a goal plan first") as caught:
        schedule_ics(mentorship, [])

    assert caught.value.mentorship_id == mentorship.id

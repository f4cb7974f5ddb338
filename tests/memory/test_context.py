"""Memory continuity: a mentorship_id alone yields a full generation context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from companion.memory import MemoryRepository
from companion.memory.schemas import MentorshipPublic, NoteCreate, SessionCreate
from companion.schemas import ActionItem, Cadence, MentoringContext
from tests.memory.conftest import TODAY

PRIVATE_MARKER = "PRIVATE-c0ffee"


def test_context_after_three_sessions_carries_open_items_and_every_asked_icebreaker(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    first = repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(
            date=dt.date(2025, 2, 1),
            icebreakers_asked=["What energised you this week?", "Which book changed your mind?"],
            action_items=[
                ActionItem(text="Map the stakeholders", owner="mentee", due=dt.date(2025, 2, 14)),
                ActionItem(text="Send the reading list", owner="mentor"),
            ],
            notes=[NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private")],
        ),
    )
    repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(
            date=dt.date(2025, 2, 15),
            icebreakers_asked=["what energised you  this week?", "Where do you do your best thinking?"],
            action_items=[ActionItem(text="Ask for a stretch project", owner="mentee", due=dt.date(2025, 3, 20))],
        ),
    )
    reading_list = next(i for i in first.action_items if i.text == "Send the reading list")
    repository.set_action_item_done("acme", mentorship.id, reading_list.id, True)
    repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(date=dt.date(2025, 3, 1), icebreakers_asked=["What would you do with a free day?"]),
    )

    context = repository.context_for("acme", mentorship.id, TODAY)

    assert MentoringContext.model_validate(context.model_dump(mode="json")) == context
    assert context.tenant == "acme"
    assert context.mentee.name == "Bo"
    assert context.mentee.goals == ["Become a staff engineer", "Lead a cross-team project"]
    assert context.mentor.name == "Ada"
    assert context.session.number == 4
    assert context.reference_date == TODAY
    assert [(i.text, i.due, i.done) for i in context.open_action_items] == [
        ("Map the stakeholders", dt.date(2025, 2, 14), False),
        ("Ask for a stretch project", dt.date(2025, 3, 20), False),
    ]
    assert context.previous_icebreakers == [
        "What energised you this week?",
        "Which book changed your mind?",
        "Where do you do your best thinking?",
        "What would you do with a free day?",
    ]
    assert PRIVATE_MARKER not in context.model_dump_json()


def test_context_of_a_new_mentorship_starts_at_session_one(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    context = repository.context_for("acme", make_mentorship().id, TODAY)

    assert context.session.number == 1
    assert context.open_action_items == [] and context.previous_icebreakers == []


def test_context_uses_the_cadence_session_length(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    repository.save_cadence(
        "acme",
        mentorship.id,
        Cadence(frequency="monthly", session_minutes=60, meeting_day="Friday", sessions=[TODAY]),
    )

    assert repository.context_for("acme", mentorship.id, TODAY).session.duration_minutes == 60


def test_context_knows_the_planned_sessions_from_a_goal_plan_that_ends(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    """Two sessions held; the plan's last two dates are ahead: session 3 of 4, and session 4 is the closing one."""
    mentorship = make_mentorship()
    for day in (dt.date(2025, 2, 1), dt.date(2025, 3, 1)):
        repository.add_session("acme", mentorship.id, SessionCreate(date=day))
    dates = [dt.date(2025, 3, 1), TODAY, dt.date(2025, 4, 12)]
    ending = Cadence(frequency="monthly", session_minutes=45, meeting_day="Saturday", sessions=dates, ends_on=dates[-1])
    repository.save_cadence("acme", mentorship.id, ending)
    context = repository.context_for("acme", mentorship.id, TODAY)
    assert (context.session.number, context.session.planned_sessions) == (3, 4)

    open_ended = ending.model_copy(update={"ends_on": None})
    repository.save_cadence("acme", mentorship.id, open_ended)
    assert repository.context_for("acme", mentorship.id, TODAY).session.planned_sessions is None
    repository.save_cadence("acme", mentorship.id, ending)
    assert repository.context_for("acme", mentorship.id, dt.date(2025, 5, 1)).session.planned_sessions is None


def test_context_keeps_the_most_urgent_items_when_more_are_open_than_it_holds(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    undated = [ActionItem(text=f"Someday {n}") for n in range(30)]
    dated = [ActionItem(text=f"Dated {n}", due=TODAY + dt.timedelta(days=n)) for n in range(90)]
    repository.add_action_items("acme", mentorship.id, undated)
    repository.add_action_items("acme", mentorship.id, dated)

    context = repository.context_for("acme", mentorship.id, TODAY)

    assert len(context.open_action_items) == 100
    assert all(item.due is not None for item in context.open_action_items[:90])
    assert context.open_action_items[0].text == "Dated 0"

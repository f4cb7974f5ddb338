"""One session at a time: read it, add notes after it, change its plan, keep its feedback summary;
and saved decisions with their check-in dates. Same tenancy and visibility rules as the rest."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from companion.memory import Database, InvalidMemoryRequest, MemoryRepository, NotFound
from companion.memory.models import DecisionRecord, Mentorship
from companion.memory.schemas import (
    DecisionCheckIn,
    MentorshipPublic,
    NoteCreate,
    SessionCreate,
    SessionPlanUpdate,
    SessionPublic,
)
from companion.schemas import (
    ActionItem,
    Agenda,
    AgendaItem,
    DecisionFramework,
    DecisionOption,
    FeedbackSummary,
    GeneratorInfo,
    Reversibility,
)
from tests.memory.conftest import TODAY, Clock

MENTOR, MENTEE = "mentor-ada", "mentee-bo"
PRIVATE_MARKER = "PRIVATE-91c2: worried about burnout"
SHARED_TEXT = "We agreed on weekly planning."
FEEDBACK_MARKER = "FEEDBACK-4d1e: drawn from the private notes"
GENERATOR = GeneratorInfo(provider="offline", model="composer", prompt_version="test/1")


def agenda(title: str = "Check-in") -> Agenda:
    return Agenda(
        generator=GENERATOR,
        items=[
            AgendaItem(title=title, minutes=10, purpose="Arrive and settle"),
            AgendaItem(title="Goals", minutes=35, purpose="Review the staff-engineer plan"),
        ],
        total_minutes=45,
    )


def feedback(summary: str = FEEDBACK_MARKER) -> FeedbackSummary:
    return FeedbackSummary(
        generator=GENERATOR,
        summary=summary,
        topics=["planning"],
        action_items=[ActionItem(text="Draft the plan", owner="mentee")],
    )


def framework(
    statement: str = "Should Bo take the staff role now?", check_in: dt.date | None = None
) -> DecisionFramework:
    return DecisionFramework(
        generator=GENERATOR,
        decision=statement,
        reversibility=Reversibility(level="partly_reversible", reason="roles can be changed back, slowly"),
        criteria=["growth", "team"],
        options=[
            DecisionOption(name="take it", upside="growth", downside="load", worst_case="burnout", mitigation="scope")
        ],
        premortem=["It failed because the team was not ready."],
        questions_for_mentor=["What would you do?"],
        experiment="Lead one cross-team design review first.",
        next_steps=["Talk to the manager"],
        check_in_date=check_in,
    )


@pytest.fixture
def mentorship(repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]) -> MentorshipPublic:
    return make_mentorship("acme", MENTOR, MENTEE)


@pytest.fixture
def stored(repository: MemoryRepository, mentorship: MentorshipPublic) -> SessionPublic:
    """A session with a shared and a private note, an agenda, an icebreaker and an action item."""
    return repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(
            date=TODAY,
            agenda=agenda(),
            icebreakers_asked=["What made you smile this week?"],
            notes=[NoteCreate(text=SHARED_TEXT), NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private")],
            action_items=[ActionItem(text="Draft the plan", owner="mentee", due=TODAY)],
        ),
        viewer_person_id=MENTOR,
    )


def not_found(operation: Callable[[], object]) -> NotFound:
    with pytest.raises(NotFound) as caught:
        operation()
    return caught.value


def texts(session: SessionPublic) -> list[str]:
    return [note.text for note in session.notes]


# -- get_session -------------------------------------------------------------------------
def test_get_session_is_the_listed_session(
    repository: MemoryRepository, mentorship: MentorshipPublic, stored: SessionPublic
) -> None:
    repository.add_session("acme", mentorship.id, SessionCreate(date=TODAY + dt.timedelta(days=14)))

    for include in (False, True):
        listed = repository.list_sessions("acme", mentorship.id, include_private_notes=include)
        assert repository.get_session("acme", mentorship.id, stored.id, include_private_notes=include) == listed[0]


@pytest.mark.parametrize(
    ("viewer", "include", "expected"),
    [
        (MENTEE, True, [SHARED_TEXT]),
        (MENTEE, False, [SHARED_TEXT]),
        (MENTOR, True, [SHARED_TEXT, PRIVATE_MARKER]),
        (MENTOR, False, [SHARED_TEXT]),
        (None, True, [SHARED_TEXT, PRIVATE_MARKER]),
        (None, False, [SHARED_TEXT]),
    ],
)
def test_get_session_shows_only_the_notes_the_viewer_may_read(
    repository: MemoryRepository,
    mentorship: MentorshipPublic,
    stored: SessionPublic,
    viewer: str | None,
    include: bool,
    expected: list[str],
) -> None:
    session = repository.get_session(
        "acme", mentorship.id, stored.id, viewer_person_id=viewer, include_private_notes=include
    )

    assert texts(session) == expected
    assert [item.text for item in session.action_items] == ["Draft the plan"]
    assert session.agenda == agenda() and session.icebreakers_asked == ["What made you smile this week?"]


def test_a_session_is_not_found_through_another_mentorship_tenant_or_person(
    repository: MemoryRepository,
    make_mentorship: Callable[..., MentorshipPublic],
    mentorship: MentorshipPublic,
    stored: SessionPublic,
) -> None:
    other = make_mentorship("acme", MENTOR, "mentee-cy")
    foreign = make_mentorship("globex", MENTOR, MENTEE)

    error = not_found(lambda: repository.get_session("acme", other.id, stored.id))
    assert (error.kind, error.item_id) == ("session", stored.id)
    missing = str(uuid.uuid4())
    assert str(not_found(lambda: repository.get_session("acme", mentorship.id, missing))) == str(
        NotFound("session", missing)
    )
    with pytest.raises(NotFound):
        repository.get_session("globex", foreign.id, stored.id)
    with pytest.raises(NotFound, match="mentorship"):
        repository.get_session("globex", mentorship.id, stored.id)
    with pytest.raises(NotFound, match="mentorship"):
        repository.get_session("acme", mentorship.id, stored.id, viewer_person_id="mentee-cy")


# -- add_notes -----------------------------------------------------------------------------
def test_added_notes_come_after_the_existing_ones(
    repository: MemoryRepository, clock: Clock, mentorship: MentorshipPublic, stored: SessionPublic
) -> None:
    clock.advance(hours=2)

    updated = repository.add_notes(
        "acme",
        mentorship.id,
        stored.id,
        [NoteCreate(text="Later: Bo sent the draft."), NoteCreate(text="Second thought", visibility="mentor_private")],
        viewer_person_id=MENTOR,
    )
    again = repository.add_notes("acme", mentorship.id, stored.id, [NoteCreate(text="Last")])

    assert texts(updated) == [SHARED_TEXT, PRIVATE_MARKER, "Later: Bo sent the draft.", "Second thought"]
    assert texts(again)[-1] == "Last"
    assert updated.notes[3].author_person_id == MENTOR and updated.notes[2].created_at == clock.now
    assert [s.number for s in repository.list_sessions("acme", mentorship.id)] == [1]
    assert texts(repository.get_session("acme", mentorship.id, stored.id, viewer_person_id=MENTEE)) == [
        SHARED_TEXT,
        "Later: Bo sent the draft.",
        "Last",
    ]


def test_added_notes_follow_the_author_rules_and_are_all_or_nothing(
    repository: MemoryRepository, mentorship: MentorshipPublic, stored: SessionPublic
) -> None:
    batch = [NoteCreate(text="fine"), NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private")]
    for viewer, author in ((MENTEE, None), (None, MENTEE), (None, "someone-else")):
        notes = [batch[0], batch[1].model_copy(update={"author_person_id": author})]
        with pytest.raises(InvalidMemoryRequest, match="mentor_private"):
            repository.add_notes("acme", mentorship.id, stored.id, notes, viewer_person_id=viewer)

    assert texts(repository.get_session("acme", mentorship.id, stored.id, include_private_notes=True)) == [
        SHARED_TEXT,
        PRIVATE_MARKER,
    ]
    by_mentee = repository.add_notes(
        "acme", mentorship.id, stored.id, [NoteCreate(text="My reflection")], viewer_person_id=MENTEE
    )
    assert texts(by_mentee) == [SHARED_TEXT, "My reflection"]
    assert by_mentee.notes[-1].author_person_id == MENTEE


def test_note_text_with_nul_is_refused_before_any_database_sees_it() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        NoteCreate(text="before\x00after")


def test_added_notes_answer_with_what_the_caller_may_read(
    repository: MemoryRepository, mentorship: MentorshipPublic, stored: SessionPublic
) -> None:
    as_platform = repository.add_notes(
        "acme",
        mentorship.id,
        stored.id,
        [NoteCreate(text="second private", visibility="mentor_private")],
        include_private_notes=False,
    )

    assert texts(as_platform) == [SHARED_TEXT]
    stored_notes = repository.get_session("acme", mentorship.id, stored.id, include_private_notes=True).notes
    assert stored_notes[-1].text == "second private" and stored_notes[-1].author_person_id == MENTOR


# -- update_session_plan -------------------------------------------------------------------
def test_plan_update_changes_only_the_fields_sent(
    repository: MemoryRepository, mentorship: MentorshipPublic, stored: SessionPublic
) -> None:
    new_date = TODAY + dt.timedelta(days=3)

    moved = repository.update_session_plan("acme", mentorship.id, stored.id, SessionPlanUpdate(date=new_date))
    assert (moved.date, moved.agenda, moved.icebreakers_asked) == (new_date, stored.agenda, stored.icebreakers_asked)

    replanned = repository.update_session_plan(
        "acme",
        mentorship.id,
        stored.id,
        SessionPlanUpdate.model_validate({"agenda": agenda("Warm-up").model_dump(mode="json")}),
        viewer_person_id=MENTOR,
    )
    assert replanned.agenda == agenda("Warm-up") and replanned.date == new_date

    asked = repository.update_session_plan(
        "acme", mentorship.id, stored.id, SessionPlanUpdate(icebreakers_asked=["What are you reading?"])
    )
    assert asked.icebreakers_asked == ["What are you reading?"] and asked.agenda == agenda("Warm-up")
    assert repository.asked_icebreakers("acme", mentorship.id) == ["What are you reading?"]

    cleared = repository.update_session_plan(
        "acme", mentorship.id, stored.id, SessionPlanUpdate.model_validate({"agenda": None, "icebreakers_asked": []})
    )
    assert (cleared.agenda, cleared.icebreakers_asked, cleared.date) == (None, [], new_date)
    assert texts(cleared) == [SHARED_TEXT, PRIVATE_MARKER] and cleared.number == 1
    assert repository.get_session("acme", mentorship.id, stored.id) == cleared.model_copy(
        update={"notes": cleared.notes[:1]}
    )


def test_plan_update_refuses_null_date_and_icebreakers() -> None:
    for body in ({"date": None}, {"icebreakers_asked": None}, {"date": "2025-02-30"}, {"unknown": 1}):
        with pytest.raises(ValidationError):
            SessionPlanUpdate.model_validate(body)
    assert SessionPlanUpdate.model_validate({}).model_fields_set == set()


def test_plan_update_of_a_missing_or_foreign_session_changes_nothing(
    repository: MemoryRepository,
    make_mentorship: Callable[..., MentorshipPublic],
    mentorship: MentorshipPublic,
    stored: SessionPublic,
) -> None:
    other = make_mentorship("acme", MENTOR, "mentee-cy")
    update = SessionPlanUpdate(date=TODAY + dt.timedelta(days=1))

    with pytest.raises(NotFound, match="session"):
        repository.update_session_plan("acme", other.id, stored.id, update)
    with pytest.raises(NotFound, match="mentorship"):
        repository.update_session_plan("globex", mentorship.id, stored.id, update)
    with pytest.raises(NotFound, match="mentorship"):
        repository.update_session_plan("acme", mentorship.id, stored.id, update, viewer_person_id="mentee-cy")

    assert repository.get_session("acme", mentorship.id, stored.id).date == TODAY


# -- feedback ------------------------------------------------------------------------------
def test_feedback_is_saved_replaced_and_shown_only_to_the_mentor_side(
    repository: MemoryRepository, mentorship: MentorshipPublic, stored: SessionPublic
) -> None:
    saved = repository.save_feedback("acme", mentorship.id, stored.id, feedback("first"), viewer_person_id=MENTOR)
    assert saved.feedback == feedback("first")

    replaced = repository.save_feedback("acme", mentorship.id, stored.id, feedback())
    assert replaced.feedback == feedback()
    # a summary's action items are not stored by saving it
    assert [item.text for item in replaced.action_items] == ["Draft the plan"]
    assert len(repository.open_action_items("acme", mentorship.id)) == 1

    def seen(viewer: str | None, include: bool) -> tuple[FeedbackSummary | None, FeedbackSummary | None]:
        one = repository.get_session(
            "acme", mentorship.id, stored.id, viewer_person_id=viewer, include_private_notes=include
        )
        (listed,) = repository.list_sessions(
            "acme", mentorship.id, viewer_person_id=viewer, include_private_notes=include
        )
        return one.feedback, listed.feedback

    assert seen(MENTOR, True) == (feedback(), feedback())
    assert seen(None, True) == (feedback(), feedback())
    for viewer, include in ((MENTEE, True), (MENTEE, False), (MENTOR, False), (None, False)):
        assert seen(viewer, include) == (None, None), (viewer, include)
    mentee_view = repository.save_feedback("acme", mentorship.id, stored.id, feedback(), viewer_person_id=MENTEE)
    assert mentee_view.feedback is None and PRIVATE_MARKER not in mentee_view.model_dump_json()
    platform_view = repository.add_notes(
        "acme", mentorship.id, stored.id, [NoteCreate(text="x")], include_private_notes=False
    )
    assert platform_view.feedback is None


def test_feedback_for_a_foreign_session_is_not_found(
    repository: MemoryRepository,
    make_mentorship: Callable[..., MentorshipPublic],
    mentorship: MentorshipPublic,
    stored: SessionPublic,
) -> None:
    foreign = make_mentorship("globex", MENTOR, MENTEE)

    with pytest.raises(NotFound, match="session"):
        repository.save_feedback("globex", foreign.id, stored.id, feedback())
    with pytest.raises(NotFound, match="mentorship"):
        repository.save_feedback("globex", mentorship.id, stored.id, feedback())

    assert repository.get_session("acme", mentorship.id, stored.id, include_private_notes=True).feedback is None


def test_note_and_feedback_text_never_reach_the_log(
    repository: MemoryRepository,
    mentorship: MentorshipPublic,
    stored: SessionPublic,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The API's JSON logging stops `companion` records from propagating to the root logger, where
    # caplog listens; attach caplog's handler to the memory logger itself so the order of tests
    # never matters.
    memory_log = logging.getLogger("companion.memory")
    memory_log.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG, logger="companion.memory")
    try:
        repository.add_notes(
            "acme", mentorship.id, stored.id, [NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private")]
        )
        repository.save_feedback("acme", mentorship.id, stored.id, feedback())
        repository.update_session_plan(
            "acme", mentorship.id, stored.id, SessionPlanUpdate(agenda=agenda(PRIVATE_MARKER))
        )
        repository.save_decision("acme", mentorship.id, framework(PRIVATE_MARKER))
    finally:
        memory_log.removeHandler(caplog.handler)

    assert caplog.records, "the writes log what happened"
    for record in caplog.records:
        rendered = f"{record.getMessage()} {record.__dict__}"
        assert PRIVATE_MARKER not in rendered and FEEDBACK_MARKER not in rendered


# -- decisions -----------------------------------------------------------------------------
def test_decisions_are_saved_and_listed_newest_first(
    repository: MemoryRepository, clock: Clock, mentorship: MentorshipPublic
) -> None:
    first = repository.save_decision(
        "acme", mentorship.id, framework("  Take the staff role?  ", TODAY), viewer_person_id=MENTOR
    )
    clock.advance(minutes=5)
    second = repository.save_decision("acme", mentorship.id, framework("Move teams?"))

    assert (first.statement, first.check_in_date, first.created_at) == (
        "Take the staff role?",
        TODAY,
        clock.now - dt.timedelta(minutes=5),
    )
    assert first.framework == framework("  Take the staff role?  ", TODAY)
    assert second.check_in_date is None
    assert [d.id for d in repository.list_decisions("acme", mentorship.id)] == [second.id, first.id]
    assert repository.get_decision("acme", mentorship.id, first.id, viewer_person_id=MENTOR) == first


def test_decisions_are_mentor_side_and_tenant_scoped(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic], mentorship: MentorshipPublic
) -> None:
    saved = repository.save_decision("acme", mentorship.id, framework(check_in=TODAY))
    other = make_mentorship("acme", "mentor-cy", "mentee-di")
    foreign = make_mentorship("globex", MENTOR, MENTEE)

    for viewer in (MENTEE, "mentor-cy", "stranger"):
        with pytest.raises(NotFound, match="mentorship"):
            repository.list_decisions("acme", mentorship.id, viewer_person_id=viewer)
        with pytest.raises(NotFound, match="mentorship"):
            repository.get_decision("acme", mentorship.id, saved.id, viewer_person_id=viewer)
        with pytest.raises(NotFound, match="mentorship"):
            repository.save_decision("acme", mentorship.id, framework(), viewer_person_id=viewer)
    cross = not_found(lambda: repository.get_decision("globex", mentorship.id, saved.id))
    missing_id = str(uuid.uuid4())
    missing = not_found(lambda: repository.get_decision("globex", missing_id, saved.id))
    assert str(cross).replace(mentorship.id, "ID") == str(missing).replace(missing_id, "ID")
    wrong = not_found(lambda: repository.get_decision("acme", other.id, saved.id))
    assert (wrong.kind, wrong.item_id) == ("decision", saved.id)
    with pytest.raises(NotFound, match="decision"):
        repository.get_decision("globex", foreign.id, saved.id)
    assert repository.list_decisions("globex", foreign.id) == []
    assert repository.list_decisions("acme", mentorship.id) == [saved]


@pytest.mark.parametrize("statement", ["", "   ", "Go\x00now?"])
def test_a_decision_needs_a_plain_text_statement(
    repository: MemoryRepository, mentorship: MentorshipPublic, statement: str
) -> None:
    with pytest.raises(InvalidMemoryRequest, match="decision"):
        repository.save_decision("acme", mentorship.id, framework(statement))

    assert repository.list_decisions("acme", mentorship.id) == []


def test_decisions_due_are_those_checked_in_on_or_before_today_in_the_viewers_mentorships(
    repository: MemoryRepository, clock: Clock, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    ours = make_mentorship("acme", MENTOR, MENTEE)
    also_ours = make_mentorship("acme", MENTOR, "mentee-cy")
    theirs = make_mentorship("acme", "mentor-di", "mentee-ed")
    foreign = make_mentorship("globex", MENTOR, MENTEE)
    day = dt.timedelta(days=1)

    overdue = repository.save_decision("acme", also_ours.id, framework("Overdue?", TODAY - 7 * day))
    clock.advance(seconds=1)
    due_today = repository.save_decision("acme", ours.id, framework("Today?", TODAY))
    repository.save_decision("acme", ours.id, framework("Later?", TODAY + day))
    repository.save_decision("acme", ours.id, framework("No date?"))
    theirs_due = repository.save_decision("acme", theirs.id, framework("Theirs?", TODAY - day))
    repository.save_decision("globex", foreign.id, framework("Foreign?", TODAY - day))

    assert [d.id for d in repository.decisions_due("acme", TODAY, viewer_person_id=MENTOR)] == [
        overdue.id,
        due_today.id,
    ]
    assert [d.id for d in repository.decisions_due("acme", TODAY)] == [overdue.id, theirs_due.id, due_today.id]
    assert repository.decisions_due("acme", TODAY, viewer_person_id=MENTEE) == []
    assert [d.statement for d in repository.decisions_due("globex", TODAY)] == ["Foreign?"]
    assert repository.decisions_due("acme", TODAY - 8 * day) == []


def test_a_checked_in_decision_keeps_its_outcome_and_is_no_longer_due(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    ours = make_mentorship("acme", MENTOR, MENTEE)
    foreign = make_mentorship("globex", MENTOR, MENTEE)
    saved = repository.save_decision("acme", ours.id, framework("Move teams?", TODAY - dt.timedelta(days=2)))
    assert [d.id for d in repository.decisions_due("acme", TODAY)] == [saved.id]

    for tenant, mentorship_id, person in (("globex", foreign.id, None), ("acme", ours.id, MENTEE)):
        not_found(
            lambda t=tenant, m=mentorship_id, p=person: repository.check_in_decision(
                t, m, saved.id, DecisionCheckIn(outcome="planted"), viewer_person_id=p
            )
        )
    assert repository.get_decision("acme", ours.id, saved.id).outcome is None, "nothing written by a refused call"

    checked = repository.check_in_decision(
        "acme", ours.id, saved.id, DecisionCheckIn(outcome="Moved; it went well."), viewer_person_id=MENTOR
    )
    assert checked.outcome == "Moved; it went well." and checked.checked_in_at is not None
    assert repository.get_decision("acme", ours.id, saved.id).outcome == "Moved; it went well."
    assert repository.decisions_due("acme", TODAY) == []
    with pytest.raises(ValidationError):
        DecisionCheckIn(outcome="")


def test_the_database_ties_decisions_to_their_mentorship_and_tenant(
    database: Database, repository: MemoryRepository, mentorship: MentorshipPublic
) -> None:
    saved = repository.save_decision("acme", mentorship.id, framework(check_in=TODAY))

    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(
            insert(DecisionRecord).values(
                id=str(uuid.uuid4()),
                mentorship_id=mentorship.id,
                tenant="globex",
                statement="planted",
                framework={},
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    with database.write() as session:
        session.execute(delete(Mentorship).where(Mentorship.id == mentorship.id))
    with database.read() as session:
        assert session.scalars(select(DecisionRecord.id).where(DecisionRecord.id == saved.id)).all() == []

"""Note visibility and people: a mentee never receives a mentor_private note, whatever is asked."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from companion.memory import InvalidMemoryRequest, MemoryRepository, NotFound
from companion.memory.schemas import MentorshipPublic, NoteCreate, SessionCreate
from tests.memory.conftest import TODAY

PRIVATE_MARKER = "PRIVATE-7f3a: mentee seems close to burnout"
SHARED_TEXT = "We agreed to try weekly planning."
MENTOR, MENTEE = "mentor-ada", "mentee-bo"


@pytest.fixture
def mentorship(repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]) -> MentorshipPublic:
    """A mentorship with one session holding a shared note and a mentor_private note."""
    mentorship = make_mentorship("acme", MENTOR, MENTEE)
    repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(
            date=TODAY,
            notes=[
                NoteCreate(text=SHARED_TEXT),
                NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private"),
            ],
        ),
        viewer_person_id=MENTOR,
    )
    return mentorship


def note_texts(
    repository: MemoryRepository,
    mentorship_id: str,
    viewer_person_id: str | None = None,
    include_private_notes: bool = False,
) -> list[str]:
    sessions = repository.list_sessions(
        "acme", mentorship_id, viewer_person_id=viewer_person_id, include_private_notes=include_private_notes
    )
    return [note.text for session in sessions for note in session.notes]


@pytest.mark.parametrize("include_private_notes", [False, True])
def test_mentee_never_sees_mentor_private_notes(
    repository: MemoryRepository, mentorship: MentorshipPublic, include_private_notes: bool
) -> None:
    texts = note_texts(repository, mentorship.id, viewer_person_id=MENTEE, include_private_notes=include_private_notes)

    assert texts == [SHARED_TEXT]


def test_mentor_sees_own_private_notes_when_asked(repository: MemoryRepository, mentorship: MentorshipPublic) -> None:
    assert note_texts(repository, mentorship.id, viewer_person_id=MENTOR, include_private_notes=True) == [
        SHARED_TEXT,
        PRIVATE_MARKER,
    ]
    assert note_texts(repository, mentorship.id, viewer_person_id=MENTOR) == [SHARED_TEXT]


def test_private_notes_are_left_out_unless_asked_for(
    repository: MemoryRepository, mentorship: MentorshipPublic
) -> None:
    assert note_texts(repository, mentorship.id) == [SHARED_TEXT]
    assert note_texts(repository, mentorship.id, include_private_notes=True) == [SHARED_TEXT, PRIVATE_MARKER]


def test_private_note_without_author_belongs_to_the_mentor(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship("acme", MENTOR, MENTEE)

    stored = repository.add_session(
        "acme",
        mentorship.id,
        SessionCreate(date=TODAY, notes=[NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private")]),
    )

    assert stored.notes[0].author_person_id == MENTOR
    assert PRIVATE_MARKER in note_texts(repository, mentorship.id, viewer_person_id=MENTOR, include_private_notes=True)


@pytest.mark.parametrize(
    ("viewer", "author"), [(MENTEE, None), (None, MENTEE), (None, "someone-else")], ids=["mentee", "as-mentee", "other"]
)
def test_only_the_mentor_can_write_private_notes(
    repository: MemoryRepository,
    make_mentorship: Callable[..., MentorshipPublic],
    viewer: str | None,
    author: str | None,
) -> None:
    mentorship = make_mentorship("acme", MENTOR, MENTEE)
    note = NoteCreate(text=PRIVATE_MARKER, visibility="mentor_private", author_person_id=author)

    with pytest.raises(InvalidMemoryRequest, match="mentor_private"):
        repository.add_session("acme", mentorship.id, SessionCreate(date=TODAY, notes=[note]), viewer_person_id=viewer)

    assert repository.list_sessions("acme", mentorship.id, include_private_notes=True) == []


def test_people_see_only_their_own_mentorships(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    ours = make_mentorship("acme", MENTOR, MENTEE)
    theirs = make_mentorship("acme", "mentor-cy", "mentee-di")

    assert [m.id for m in repository.list_mentorships("acme", viewer_person_id=MENTEE)] == [ours.id]
    assert [m.id for m in repository.list_mentorships("acme", viewer_person_id=MENTOR)] == [ours.id]
    assert {m.id for m in repository.list_mentorships("acme")} == {ours.id, theirs.id}
    with pytest.raises(NotFound):
        repository.get_mentorship("acme", theirs.id, viewer_person_id=MENTEE)
    with pytest.raises(NotFound):
        repository.list_sessions("acme", theirs.id, viewer_person_id=MENTOR, include_private_notes=True)


def test_mentorship_profiles_keep_person_ids_and_merge_goals(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship("acme", MENTOR, MENTEE)
    stored = repository.get_mentorship("acme", mentorship.id, viewer_person_id=MENTEE)

    assert (stored.mentor.person_id, stored.mentee.person_id) == (MENTOR, MENTEE)
    assert stored.goals == ["Become a staff engineer", "Lead a cross-team project"]
    assert stored.mentee.goals == stored.goals
    assert stored.status == "active" and stored.created_at.tzinfo is not None

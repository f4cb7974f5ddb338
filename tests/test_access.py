"""The access policy, table by table: role × relation × action, task audiences, note authorship and search."""

from __future__ import annotations

import pytest

from companion import access
from companion.access import Action, Caller, Parties, Relation

PAIR = Parties(mentor_person_id="dana", mentee_person_id="priya", mentee_name="Priya")

ADMIN = Caller("acme", "admin")
OPERATOR = access.operator("acme")
PLATFORM = Caller("acme", "platform")
MENTOR = Caller("acme", "mentor", "dana")
OTHER_MENTOR = Caller("acme", "mentor", "eli")
MENTEE = Caller("acme", "mentee", "priya")
OTHER_MENTEE = Caller("acme", "mentee", "sam")
MENTEE_WITH_MENTOR_KEY = Caller("acme", "mentor", "priya")
MENTOR_WITH_MENTEE_KEY = Caller("acme", "mentee", "dana")


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (ADMIN, Relation.ADMIN),
        (OPERATOR, Relation.ADMIN),
        (PLATFORM, Relation.PLATFORM),
        (MENTOR, Relation.MENTOR),
        (OTHER_MENTOR, Relation.STRANGER),
        (MENTEE, Relation.MENTEE),
        (OTHER_MENTEE, Relation.STRANGER),
        (MENTEE_WITH_MENTOR_KEY, Relation.MENTEE),
        (MENTOR_WITH_MENTEE_KEY, Relation.STRANGER),
    ],
)
def test_relation_is_decided_by_the_person_not_the_key_alone(caller: Caller, expected: Relation) -> None:
    assert access.relation(caller, PAIR) is expected


Y, N = True, False
#                         READ READ_PRIVATE PLAN NOTES PRIVATE_NOTES FEEDBACK DECIDE TICK EXPORT
TABLE = {
    "admin": (ADMIN, (Y, Y, Y, Y, N, Y, Y, Y, Y)),
    "operator": (OPERATOR, (Y, Y, Y, Y, Y, Y, Y, Y, Y)),
    "platform": (PLATFORM, (Y, N, Y, Y, N, N, Y, Y, Y)),
    "mentor": (MENTOR, (Y, Y, Y, Y, Y, Y, Y, Y, Y)),
    "mentee": (MENTEE, (Y, N, N, N, N, N, N, Y, N)),
    "mentee holding a mentor key": (MENTEE_WITH_MENTOR_KEY, (Y, N, N, N, N, N, N, Y, N)),
    "another mentor": (OTHER_MENTOR, (N,) * 9),
    "another mentee": (OTHER_MENTEE, (N,) * 9),
}
ACTIONS = (
    Action.READ,
    Action.READ_PRIVATE,
    Action.PLAN,
    Action.WRITE_NOTES,
    Action.WRITE_PRIVATE_NOTES,
    Action.SAVE_FEEDBACK,
    Action.DECIDE,
    Action.TICK_ITEM,
    Action.EXPORT,
)


@pytest.mark.parametrize("who", list(TABLE))
@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_who_may_do_what(who: str, action: Action) -> None:
    caller, row = TABLE[who]
    allowed = row[ACTIONS.index(action)]
    assert access.allows(caller, PAIR, action) is allowed
    if allowed:
        access.require(caller, PAIR, action)
    else:
        with pytest.raises(access.Forbidden):
            access.require(caller, PAIR, action)


# Task audiences: (caller, task) -> (mentee_facing, allow_private, private_author)
AUDIENCES = [
    (MENTOR, "agenda", (False, True, "dana")),
    (MENTOR, "feedback", (False, True, "dana")),
    (MENTOR, "reflection", (True, False, None)),
    (MENTEE, "agenda", (True, False, None)),
    (MENTEE, "decision", (True, False, None)),
    (MENTEE_WITH_MENTOR_KEY, "agenda", (True, False, None)),
    (PLATFORM, "agenda", (False, False, None)),
    (PLATFORM, "decision", (False, False, None)),
    (ADMIN, "agenda", (False, False, None)),
    (OPERATOR, "agenda", (False, True, None)),
    (OPERATOR, "reflection", (True, False, None)),
]


@pytest.mark.parametrize(("caller", "task", "expected"), AUDIENCES)
def test_private_notes_reach_a_task_only_for_their_mentor(caller: Caller, task: str, expected: tuple) -> None:
    audience = access.audience(caller, task, PAIR)
    assert (audience.mentee_facing, audience.allow_private, audience.private_author) == expected


def test_without_a_mentorship_a_mentor_uses_only_their_own_private_notes() -> None:
    assert access.audience(MENTOR, "agenda").private_author == "dana"
    assert not access.audience(PLATFORM, "agenda").allow_private
    assert not access.audience(MENTEE, "agenda").allow_private
    assert access.audience(OPERATOR, "agenda").allow_private


@pytest.mark.parametrize(
    ("caller", "owner", "allowed"),
    [
        (MENTEE, "mentee", True),
        (MENTEE, "Priya", True),
        (MENTEE, "priya", True),
        (MENTEE, "mentor", False),
        (MENTEE, "Dana", False),
        (MENTEE, None, False),
        (MENTOR, "mentee", True),
        (MENTOR, "mentor", True),
        (PLATFORM, "mentor", True),
        (OTHER_MENTEE, "mentee", False),
    ],
)
def test_a_mentee_ticks_only_their_own_items(caller: Caller, owner: str | None, allowed: bool) -> None:
    assert access.may_tick_item(caller, PAIR, owner) is allowed


def test_note_authorship_is_enforced() -> None:
    assert access.note_author(MENTOR, PAIR, "mentor_private", None) == "dana"
    assert access.note_author(OPERATOR, PAIR, "mentor_private", None) == "dana"
    with pytest.raises(access.Forbidden):
        access.note_author(PLATFORM, PAIR, "mentor_private", None)
    with pytest.raises(access.Forbidden):
        access.note_author(ADMIN, PAIR, "mentor_private", "dana")
    with pytest.raises(access.Forbidden):
        access.note_author(MENTOR, PAIR, "shared", "priya")
    assert access.note_author(MENTOR, PAIR, "shared", None) == "dana"
    assert access.note_author(PLATFORM, PAIR, "shared", "priya") == "priya"
    with pytest.raises(access.Forbidden):
        access.note_author(PLATFORM, PAIR, "shared", "someone-else")
    with pytest.raises(access.Forbidden):
        access.note_author(MENTEE, PAIR, "shared", None)


def test_search_filters_follow_the_role() -> None:
    assert access.search_access(MENTOR) == access.SearchAccess(True, "dana")
    assert access.search_access(ADMIN) == access.SearchAccess(True, None)
    assert access.search_access(PLATFORM) == access.SearchAccess(False, None)
    assert access.search_access(MENTEE) == access.SearchAccess(False, None)


def test_a_source_belongs_to_its_author() -> None:
    assert access.may_replace_source(MENTOR, "dana", None)
    assert access.may_replace_source(MENTOR, "dana", frozenset({"dana"}))
    assert not access.may_replace_source(OTHER_MENTOR, "eli", frozenset({"dana"}))
    assert not access.may_replace_source(MENTOR, "dana", frozenset())
    assert not access.may_replace_source(ADMIN, None, frozenset({"dana"}))
    assert access.may_delete_source(MENTOR, frozenset({"dana"}))
    assert not access.may_delete_source(OTHER_MENTOR, frozenset({"dana"}))
    assert access.may_delete_source(ADMIN, frozenset({"dana"}))


def test_knowledge_authors_and_banks() -> None:
    assert access.knowledge_author(MENTOR, None) == "dana"
    with pytest.raises(access.Forbidden):
        access.knowledge_author(MENTOR, "eli")
    with pytest.raises(access.Forbidden):
        access.knowledge_author(MENTEE, None)
    assert access.may_publish_banks(ADMIN)
    assert not access.may_publish_banks(MENTOR)
    assert not access.may_publish_banks(PLATFORM)


def test_bind_check_refuses_an_open_network_bind_without_keys() -> None:
    assert "local mode" in access.check_bind("127.0.0.1", any_keys=False)
    assert "required" in access.check_bind("0.0.0.0", any_keys=True)
    with pytest.raises(access.UnsafeBind, match=r"0\.0\.0\.0"):
        access.check_bind("0.0.0.0", any_keys=False)


def test_a_private_author_match_is_tied_to_the_callers_tenant() -> None:
    """A same-named mentor in another tenant (or a private note in the shared library) is not this mentor."""
    from companion.retrieval.retriever import SearchFilters

    rules = SearchFilters(tenant="acme", allow_private=True, private_author="dana")
    own = {"tenant": "acme", "visibility": "mentor_private", "author": "dana"}
    assert rules.allows(own)
    assert not rules.allows({**own, "tenant": "global"})
    assert not rules.allows({**own, "tenant": "globex"})
    assert rules.allows({**own, "tenant": "global", "visibility": "shared"})
    admin = SearchFilters(tenant="acme", allow_private=True)
    assert not admin.allows({**own, "tenant": "global"})

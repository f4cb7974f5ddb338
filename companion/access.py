"""The one access policy: who may see and change what.

A `Caller` (tenant, role, person) stands in a *relation* to a mentorship: its mentor, its mentee,
an admin or a platform of its tenant, or a stranger. The relation, not the key's role alone,
decides every read and write, the audience of every generation task, which private notes a
caller may read and which search filters apply. Routers, web pages and the CLI ask this module;
none of them decides on its own.

| action                                   | admin | platform | mentor | mentee    | stranger |
| ---------------------------------------- | ----- | -------- | ------ | --------- | -------- |
| read the mentorship, shared notes        | yes   | yes      | yes    | yes       | 404      |
| read private notes, feedback, private plans | yes | no      | own    | no        | 404      |
| plan: sessions, plans, items, goal plans | yes   | yes      | yes    | 403       | 404      |
| write shared notes                       | yes   | yes      | yes    | 403       | 404      |
| write mentor_private notes               | local | no       | yes    | no        | 404      |
| save a feedback summary                  | yes   | no       | yes    | 403       | 404      |
| decisions                                | yes   | yes      | yes    | 403       | 404      |
| tick an action item                      | yes   | yes      | yes    | own items | 404      |
| read goals and their check-ins           | yes   | yes      | yes    | yes       | 404      |
| create or change goals, seed from a plan | yes   | yes      | yes    | 403       | 404      |
| rate a goal (check-in), rated as         | mentor | 403      | mentor | mentee    | 404      |
| read the shared agenda (next topics)     | yes   | yes      | yes    | yes       | 404      |
| add a topic for the next session         | yes   | yes      | yes    | yes       | 404      |
| remove an open topic                     | yes   | own      | yes    | own       | 404      |
| take topics into a saved plan            | yes   | yes      | yes    | 403       | 404      |
| invite the mentee (a one-time sign-in link) | yes | yes      | yes    | 403       | 404      |

A person who is the mentee of a mentorship is its mentee whatever key they hold: a mentor key
does not make them the mentor side of their own mentorship.

A goal check-in is rated by the mentee side or the mentor side, and which one is decided here from
the caller's relation, never by the request: the mentee rates as the mentee, the mentor (and an
admin, who stands for the mentor side) as the mentor. A platform key is no person and rates nothing.
Goals and every check-in, both sides' ratings and lines, are read by both parties.

The shared agenda is shared by nature: every party reads every open topic, so a topic is never a place
for a private note. Its author is the caller (a person id for the mentor and the mentee, none for admin
and platform keys), never the request. The mentor (and an admin, for the mentor side) removes any open
topic; the mentee and a platform only their own. Saving a plan takes the topics it used into that session.

An invite is a one-time link that signs the mentorship's mentee in with a new mentee key of their own:
the mentor side sends it, never the mentee (who has a key already) and never a stranger. The local
operator of a keyless install cannot invite: the first key would end local mode and lock them out.

People (mentor and mentee records) and matching, outside any mentorship:

| action                                  | admin | platform | mentor    | mentee    | other tenant |
| --------------------------------------- | ----- | -------- | --------- | --------- | ------------ |
| create or change a mentor/mentee record | yes   | yes      | 403       | 403       | 404          |
| read mentor records                     | yes   | yes      | yes       | yes       | 404          |
| read a mentee record                    | yes   | yes      | own only  | own only  | 404          |
| suggest mentors for a stored mentee     | yes   | yes      | 403       | own only  | 404          |
| suggest mentors for a profile sent      | yes   | yes      | 403       | 403       | -            |
| match a cohort                          | yes   | yes      | 403       | 403       | 404          |
| accept pairs (starts the mentorships)   | yes   | yes      | 403       | 403       | 404          |
| ask for a mentor (a request)            | 403   | 403      | 403       | own only  | 404          |
| read mentor requests                    | yes   | yes      | 403       | own only  | 404          |

The programme as a whole (`companion/programme.py`): counts, dates and ids only, never content:

| action                                  | admin | platform | mentor    | mentee    | other tenant |
| --------------------------------------- | ----- | -------- | --------- | --------- | ------------ |
| read programme health, its totals       | yes   | yes      | 403       | 403       | own only     |

A record the caller may not read answers 404, exactly like a missing one. Matching draws on a
mentor's record and their *shared* notes only, never on private notes, whoever asks.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from companion import vocabulary as vocab
from companion.generation.base import Audience

Role = Literal["admin", "platform", "mentor", "mentee"]
MENTEE_FACING_TASKS = frozenset({"reflection"})
"""Tasks whose output the mentee reads, whoever asks for it."""


class Forbidden(Exception):
    """The caller is known and may see the thing, but may not do this with it (403)."""


class UnsafeBind(RuntimeError):
    """Listening on a non-loopback address with no API keys would open every tenant to the network."""


class Relation(StrEnum):
    ADMIN = "admin"
    PLATFORM = "platform"
    MENTOR = "mentor"
    MENTEE = "mentee"
    STRANGER = "stranger"


class Action(StrEnum):
    READ = "read"
    READ_PRIVATE = "read private notes"
    PLAN = "plan sessions"
    WRITE_NOTES = "write session notes"
    WRITE_PRIVATE_NOTES = "write mentor_private notes"
    SAVE_FEEDBACK = "save feedback summaries"
    DECIDE = "work on decisions"
    TICK_ITEM = "tick action items"
    EXPORT = "export session documents"
    MANAGE_GOALS = "create or change goals"
    RATE_GOAL = "rate a goal's progress"
    ADD_TOPIC = "add topics for the next session"
    INVITE_MENTEE = "invite the mentee to sign in"


_ALLOWED: dict[Action, frozenset[Relation]] = {
    Action.READ: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR, Relation.MENTEE}),
    Action.READ_PRIVATE: frozenset({Relation.ADMIN, Relation.MENTOR}),
    Action.PLAN: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR}),
    Action.WRITE_NOTES: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR}),
    Action.WRITE_PRIVATE_NOTES: frozenset({Relation.MENTOR}),
    Action.SAVE_FEEDBACK: frozenset({Relation.ADMIN, Relation.MENTOR}),
    Action.DECIDE: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR}),
    Action.TICK_ITEM: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR, Relation.MENTEE}),
    Action.EXPORT: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR}),
    Action.MANAGE_GOALS: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR}),
    Action.RATE_GOAL: frozenset({Relation.ADMIN, Relation.MENTOR, Relation.MENTEE}),
    Action.ADD_TOPIC: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR, Relation.MENTEE}),
    Action.INVITE_MENTEE: frozenset({Relation.ADMIN, Relation.PLATFORM, Relation.MENTOR}),
}


@dataclass(frozen=True)
class Caller:
    """Who is calling: every read and write is scoped to `tenant`."""

    tenant: str
    role: Role
    person_id: str | None = None
    key_id: str | None = None
    local: bool = False
    """The operator of a single-user install (local mode, the CLI): acts as every mentor of its tenant."""

    @property
    def rate_key(self) -> str:
        return self.key_id or f"local:{self.tenant}"

    @property
    def person_scope(self) -> str | None:
        """Mentors and mentees reach only mentorships they belong to; admins and platforms the whole tenant."""
        return self.person_id if self.role in ("mentor", "mentee") else None

    @property
    def is_mentor_side(self) -> bool:
        """May this key do mentor-side things at all (some mentorship may still say no)?"""
        return self.role in ("admin", "platform", "mentor")


def operator(tenant: str = vocab.DEFAULT_TENANT) -> Caller:
    """The identity of the CLI and of local mode: the admin of one tenant on a single-user machine."""
    return Caller(tenant=tenant, role="admin", local=True)


@dataclass(frozen=True)
class Parties:
    """The two people of a mentorship, which is all the policy needs to know of it."""

    mentor_person_id: str
    mentee_person_id: str
    mentee_name: str = ""


def relation(caller: Caller, parties: Parties) -> Relation:
    if caller.role == "admin":
        return Relation.ADMIN
    if caller.role == "platform":
        return Relation.PLATFORM
    if caller.person_id is not None and caller.person_id == parties.mentee_person_id:
        return Relation.MENTEE
    if caller.role == "mentor" and caller.person_id == parties.mentor_person_id:
        return Relation.MENTOR
    return Relation.STRANGER


def allows(caller: Caller, parties: Parties, action: Action) -> bool:
    rel = relation(caller, parties)
    if action is Action.WRITE_PRIVATE_NOTES and rel is Relation.ADMIN:
        return caller.local
    return rel in _ALLOWED[action]


def require(caller: Caller, parties: Parties, action: Action) -> Relation:
    """The caller's relation if it may do `action`; Forbidden otherwise. Strangers never get here: the
    repository answers them NotFound, exactly as for an id that does not exist."""
    rel = relation(caller, parties)
    if not allows(caller, parties, action):
        raise Forbidden(f"as the {rel.value} of this mentorship you cannot {action.value}")
    return rel


def require_role(caller: Caller, *roles: Role, what: str) -> None:
    """For actions outside any mentorship (knowledge writes, starting a mentorship)."""
    if caller.role not in roles:
        raise Forbidden(f"a {caller.role} key cannot {what}; needs one of: {', '.join(roles)}")


def reads_private_notes(caller: Caller, parties: Parties) -> bool:
    return allows(caller, parties, Action.READ_PRIVATE)


def private_note_author(caller: Caller, parties: Parties) -> str | None:
    """Whose private notes the caller reads: only their own as the mentor; None means every author."""
    return caller.person_id if relation(caller, parties) is Relation.MENTOR else None


def is_mentee_item_owner(owner: str | None, parties: Parties) -> bool:
    """Is this action item the mentee's to do? Owners are free text: 'mentee', the name or the person id."""
    value = (owner or "").strip().casefold()
    return bool(value) and value in {"mentee", parties.mentee_name.casefold(), parties.mentee_person_id.casefold()}


def may_tick_item(caller: Caller, parties: Parties, owner: str | None) -> bool:
    rel = relation(caller, parties)
    if rel is Relation.MENTEE:
        return is_mentee_item_owner(owner, parties)
    return allows(caller, parties, Action.TICK_ITEM)


def goal_rater(caller: Caller, parties: Parties) -> Literal["mentee", "mentor"]:
    """Which side a goal check-in by this caller rates for: from the relation, never from the request."""
    rel = require(caller, parties, Action.RATE_GOAL)
    return "mentee" if rel is Relation.MENTEE else "mentor"


def topic_author(caller: Caller, parties: Parties) -> tuple[str | None, str]:
    """Who adds a topic for the next session: (person id, relation), from the caller, never the request."""
    rel = require(caller, parties, Action.ADD_TOPIC)
    person = caller.person_id if rel in (Relation.MENTOR, Relation.MENTEE) else None
    return person, rel.value


def may_remove_topic(caller: Caller, parties: Parties, author_person_id: str | None, author_role: str) -> bool:
    """The mentor side (the mentor, an admin) removes any open topic; the mentee and a platform their own."""
    rel = relation(caller, parties)
    if rel in (Relation.ADMIN, Relation.MENTOR):
        return True
    if rel is Relation.MENTEE:
        return author_role == "mentee" and author_person_id == parties.mentee_person_id
    if rel is Relation.PLATFORM:
        return author_role == "platform"
    return False


def may_invite(caller: Caller, parties: Parties) -> bool:
    """Whether to offer this caller the "Invite" button (`require_inviter` says why not, in words)."""
    return allows(caller, parties, Action.INVITE_MENTEE) and not caller.local


def require_inviter(caller: Caller, parties: Parties) -> Relation:
    """May this caller send the mentee a one-time sign-in link? The mentor side only; and not the local
    operator of a keyless install, whose first key (the mentee's) would end local mode and lock them out."""
    rel = require(caller, parties, Action.INVITE_MENTEE)
    if caller.local:
        raise Forbidden(
            "this server runs without API keys (local mode), and the mentee's key would end that: "
            "create an admin key first (companion keys create --tenant T --role admin) and log in with it"
        )
    return rel


def note_author(caller: Caller, parties: Parties, visibility: str, requested: str | None) -> str | None:
    """Who a session note written by this caller belongs to; refuses writing as somebody else."""
    if visibility == "mentor_private":
        require(caller, parties, Action.WRITE_PRIVATE_NOTES)
        if requested not in (None, parties.mentor_person_id):
            raise Forbidden("a mentor_private note belongs to the mentorship's mentor")
        return parties.mentor_person_id
    require(caller, parties, Action.WRITE_NOTES)
    if caller.person_id is not None:
        if requested not in (None, caller.person_id):
            raise Forbidden("you can only write notes as yourself")
        return caller.person_id
    if requested not in (None, parties.mentor_person_id, parties.mentee_person_id):
        raise Forbidden("a note's author must be the mentorship's mentor or mentee")
    return requested


# -- generation --------------------------------------------------------------------------
def audience(caller: Caller, task: str, parties: Parties | None = None) -> Audience:
    """What a task run for this caller may draw on. Private notes reach a task only for output that
    stays with the mentor who wrote them (or with the local operator, who is every mentor)."""
    if task in MENTEE_FACING_TASKS or caller.role == "mentee":
        return Audience(mentee_facing=True)
    if parties is None:
        if caller.role == "mentor":
            return Audience(mentor_name=caller.person_id)
        return Audience(include_all_private=True) if caller.local else Audience()
    rel = relation(caller, parties)
    if rel is Relation.MENTEE:
        return Audience(mentee_facing=True)
    if rel is Relation.MENTOR:
        return Audience(mentor_name=caller.person_id)
    if rel is Relation.ADMIN and caller.local:
        return Audience(include_all_private=True)
    return Audience()


# -- knowledge ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchAccess:
    allow_private: bool
    private_author: str | None


def search_access(caller: Caller) -> SearchAccess:
    """Private chunks in search results: a mentor sees their own, an admin every one of the tenant."""
    if caller.role == "mentor":
        return SearchAccess(True, caller.person_id)
    if caller.role == "admin":
        return SearchAccess(True, None)
    return SearchAccess(False, None)


KNOWLEDGE_WRITERS: tuple[Role, ...] = ("admin", "platform", "mentor")


def knowledge_author(caller: Caller, requested: str | None) -> str | None:
    """A mentor writes knowledge as themself; asking to write as someone else is refused, never ignored."""
    require_role(caller, *KNOWLEDGE_WRITERS, what="write knowledge")
    if caller.role == "mentor":
        if requested not in (None, caller.person_id):
            raise Forbidden("a mentor can only write notes as themself")
        return caller.person_id
    return requested


def may_publish_banks(caller: Caller) -> bool:
    """Bank items are shown word for word to every mentee of the tenant: only its admin adds them."""
    return caller.role == "admin"


def may_replace_source(caller: Caller, author: str | None, existing_authors: frozenset[str] | None) -> bool:
    """A source belongs to its author: another author's write under the same id is refused."""
    if existing_authors is None:
        return True
    return existing_authors == (frozenset({author}) if author else frozenset())


def may_delete_source(caller: Caller, existing_authors: frozenset[str]) -> bool:
    if caller.role in ("admin", "platform"):
        return True
    return caller.role == "mentor" and existing_authors == {caller.person_id}


# -- people and matching ----------------------------------------------------------------
PEOPLE_MANAGERS: tuple[Role, ...] = ("admin", "platform")
"""Who creates and changes the tenant's mentor and mentee records, and matches cohorts."""


def require_people_manager(caller: Caller, what: str) -> None:
    require_role(caller, *PEOPLE_MANAGERS, what=what)


def may_read_mentor_record(caller: Caller, person_id: str) -> bool:
    """Mentor records are the tenant's directory: everyone of the tenant reads them (for choosing a mentor)."""
    return True


def may_read_mentee_record(caller: Caller, person_id: str) -> bool:
    """A mentee's goals and challenges are theirs: admins, platforms and the mentee themself."""
    if caller.role in PEOPLE_MANAGERS:
        return True
    return caller.person_id is not None and caller.person_id == person_id


def may_suggest_mentors_for(caller: Caller, mentee_person_id: str | None) -> bool:
    """Suggestions for a stored mentee: its managers and the mentee themself. For a profile sent in the
    request (no stored mentee): managers only. Raises Forbidden for keys that may never ask; False means
    the mentee is not theirs (answered as a missing record)."""
    if caller.role in PEOPLE_MANAGERS:
        return True
    if caller.role == "mentee" and mentee_person_id is not None:
        return caller.person_id == mentee_person_id
    raise Forbidden(
        "only admin and platform keys suggest mentors"
        + ("" if mentee_person_id is None else ", and a mentee key for its own mentee record")
    )


def require_match_acceptor(caller: Caller) -> None:
    """Accepting a pair starts a mentorship between two other people: the programme's managers only."""
    require_role(caller, *PEOPLE_MANAGERS, what="accept matches")


def require_mentor_request_asker(caller: Caller) -> str:
    """Only a mentee asks for a mentor, and only for themself: the person id the request is made for."""
    if caller.role != "mentee" or caller.person_id is None:
        raise Forbidden(f"a {caller.role} key cannot ask for a mentor; a mentee key asks for its own")
    return caller.person_id


def mentor_request_scope(caller: Caller) -> str | None:
    """Whose mentor requests the caller reads: every one of the tenant (None) for its managers, a mentee's
    own; Forbidden for mentor keys (a request says what a mentee wants before anyone has agreed)."""
    if caller.role in PEOPLE_MANAGERS:
        return None
    if caller.role == "mentee" and caller.person_id is not None:
        return caller.person_id
    raise Forbidden(f"a {caller.role} key cannot read mentor requests")


# -- the programme ----------------------------------------------------------------------
PROGRAMME_VIEWERS: tuple[Role, ...] = ("admin", "platform")
"""Who reads the programme's health: every mentorship of their own tenant, as counts and dates."""


def require_programme_viewer(caller: Caller) -> None:
    """Programme health compares every mentorship of the tenant: its managers only. It carries counts
    and dates, never note text or other content, so a platform may read it as an admin does."""
    require_role(caller, *PROGRAMME_VIEWERS, what="read programme health")


def matching_filters_author_only() -> SearchAccess:
    """What of a mentor's notes matching may draw on: shared ones only, for every caller (suggestions
    are shown to mentees and platforms, and are compared across mentors)."""
    return SearchAccess(allow_private=False, private_author=None)


# -- binding -----------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, any_keys: bool) -> str:
    """Refuse a non-loopback bind without keys; return the start-up line describing the auth mode."""
    if any_keys:
        return "API keys are required on every request (Authorization: Bearer ...)."
    if not is_loopback(host):
        raise UnsafeBind(
            f"refusing to listen on {host} with no API keys: create one first "
            "(companion keys create --tenant T --role admin) or bind 127.0.0.1"
        )
    return (
        f"local mode: no API keys exist, so every request acts as the admin of tenant {vocab.DEFAULT_TENANT!r} "
        "(loopback only)."
    )

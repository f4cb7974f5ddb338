"""Tenant isolation: another tenant's ids are NotFound, indistinguishable from ids that never existed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from companion.memory import ApiKeys, Database, MemoryRepository, NotFound
from companion.memory.models import Note
from companion.memory.schemas import KeyCreate, MentorshipPublic, NoteCreate, SessionCreate, SessionPlanUpdate
from companion.schemas import (
    ActionItem,
    Cadence,
    DecisionFramework,
    FeedbackSummary,
    GeneratorInfo,
    Reversibility,
)
from tests.memory.conftest import TODAY

CADENCE = Cadence(frequency="every 2 weeks", session_minutes=45, meeting_day="Tuesday", sessions=[TODAY])
GENERATOR = GeneratorInfo(provider="offline", model="composer", prompt_version="test/1")
FEEDBACK = FeedbackSummary(generator=GENERATOR, summary="Sneaked-in summary")
FRAMEWORK = DecisionFramework(
    generator=GENERATOR,
    decision="Sneak in a decision?",
    reversibility=Reversibility(level="reversible", reason="test"),
    criteria=[],
    options=[],
    premortem=[],
    questions_for_mentor=[],
    experiment="none",
    next_steps=[],
    check_in_date=TODAY,
)


@dataclass(frozen=True)
class TenantData:
    mentorship_id: str
    session_id: str
    item_id: str
    decision_id: str


Operation = Callable[[MemoryRepository, str, TenantData], object]

MENTORSHIP_OPERATIONS: dict[str, Operation] = {
    "get_mentorship": lambda repo, tenant, ids: repo.get_mentorship(tenant, ids.mentorship_id),
    "save_cadence": lambda repo, tenant, ids: repo.save_cadence(tenant, ids.mentorship_id, CADENCE),
    "add_session": lambda repo, tenant, ids: repo.add_session(tenant, ids.mentorship_id, SessionCreate(date=TODAY)),
    "list_sessions": lambda repo, tenant, ids: repo.list_sessions(
        tenant, ids.mentorship_id, include_private_notes=True
    ),
    "add_action_items": lambda repo, tenant, ids: repo.add_action_items(
        tenant, ids.mentorship_id, [ActionItem(text="Sneak in")]
    ),
    "set_action_item_done": lambda repo, tenant, ids: repo.set_action_item_done(
        tenant, ids.mentorship_id, ids.item_id, True
    ),
    "open_action_items": lambda repo, tenant, ids: repo.open_action_items(tenant, ids.mentorship_id),
    "asked_icebreakers": lambda repo, tenant, ids: repo.asked_icebreakers(tenant, ids.mentorship_id),
    "progress": lambda repo, tenant, ids: repo.progress(tenant, ids.mentorship_id, TODAY),
    "context_for": lambda repo, tenant, ids: repo.context_for(tenant, ids.mentorship_id, TODAY),
    "get_session": lambda repo, tenant, ids: repo.get_session(
        tenant, ids.mentorship_id, ids.session_id, include_private_notes=True
    ),
    "add_notes": lambda repo, tenant, ids: repo.add_notes(
        tenant, ids.mentorship_id, ids.session_id, [NoteCreate(text="Sneak in")]
    ),
    "update_session_plan": lambda repo, tenant, ids: repo.update_session_plan(
        tenant, ids.mentorship_id, ids.session_id, SessionPlanUpdate(date=TODAY)
    ),
    "save_feedback": lambda repo, tenant, ids: repo.save_feedback(tenant, ids.mentorship_id, ids.session_id, FEEDBACK),
    "save_decision": lambda repo, tenant, ids: repo.save_decision(tenant, ids.mentorship_id, FRAMEWORK),
    "list_decisions": lambda repo, tenant, ids: repo.list_decisions(tenant, ids.mentorship_id),
    "get_decision": lambda repo, tenant, ids: repo.get_decision(tenant, ids.mentorship_id, ids.decision_id),
}


def seed(repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic], tenant: str) -> TenantData:
    mentorship = make_mentorship(tenant)
    session = repository.add_session(
        tenant,
        mentorship.id,
        SessionCreate(
            date=TODAY - dt.timedelta(days=7),
            icebreakers_asked=[f"What did {tenant} enjoy this week?"],
            action_items=[ActionItem(text=f"{tenant} homework", due=TODAY)],
        ),
    )
    decision = repository.save_decision(tenant, mentorship.id, FRAMEWORK)
    return TenantData(mentorship.id, session.id, session.action_items[0].id, decision.id)


def missing_ids() -> TenantData:
    return TenantData(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()))


def not_found(operation: Callable[[], object]) -> NotFound:
    with pytest.raises(NotFound) as caught:
        operation()
    return caught.value


@pytest.mark.parametrize("name", sorted(MENTORSHIP_OPERATIONS))
def test_other_tenants_mentorship_is_not_found_like_a_missing_one(
    name: str, repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    operation = MENTORSHIP_OPERATIONS[name]
    acme = seed(repository, make_mentorship, "acme")
    seed(repository, make_mentorship, "globex")
    missing = missing_ids()

    cross_tenant = not_found(lambda: operation(repository, "globex", acme))
    never_existed = not_found(lambda: operation(repository, "globex", missing))

    assert (cross_tenant.kind, cross_tenant.item_id) == ("mentorship", acme.mentorship_id)
    assert str(cross_tenant).replace(acme.mentorship_id, "ID") == str(never_existed).replace(
        missing.mentorship_id, "ID"
    )


def test_cross_tenant_writes_change_nothing(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    acme = seed(repository, make_mentorship, "acme")
    before = repository.progress("acme", acme.mentorship_id, TODAY)
    sessions_before = repository.list_sessions("acme", acme.mentorship_id, include_private_notes=True)
    decisions_before = repository.list_decisions("acme", acme.mentorship_id)

    for operation in MENTORSHIP_OPERATIONS.values():
        with pytest.raises(NotFound):
            operation(repository, "globex", acme)

    assert repository.progress("acme", acme.mentorship_id, TODAY) == before
    assert repository.list_sessions("acme", acme.mentorship_id, include_private_notes=True) == sessions_before
    assert repository.list_decisions("acme", acme.mentorship_id) == decisions_before
    assert repository.decisions_due("globex", TODAY) == []


def test_other_tenants_action_item_is_not_found_through_own_mentorship(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    acme = seed(repository, make_mentorship, "acme")
    globex = seed(repository, make_mentorship, "globex")

    error = not_found(lambda: repository.set_action_item_done("globex", globex.mentorship_id, acme.item_id, True))

    assert (error.kind, error.item_id) == ("action item", acme.item_id)
    assert repository.open_action_items("acme", acme.mentorship_id)[0].done is False


def test_other_tenants_session_is_not_found_when_attaching_items(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    acme = seed(repository, make_mentorship, "acme")
    globex = seed(repository, make_mentorship, "globex")

    error = not_found(
        lambda: repository.add_action_items(
            "globex", globex.mentorship_id, [ActionItem(text="x")], session_id=acme.session_id
        )
    )

    assert (error.kind, error.item_id) == ("session", acme.session_id)


@pytest.mark.parametrize(
    "operation",
    [
        lambda repo, ids, theirs: repo.get_session("globex", ids.mentorship_id, theirs.session_id),
        lambda repo, ids, theirs: repo.add_notes(
            "globex", ids.mentorship_id, theirs.session_id, [NoteCreate(text="x")]
        ),
        lambda repo, ids, theirs: repo.update_session_plan(
            "globex", ids.mentorship_id, theirs.session_id, SessionPlanUpdate(date=TODAY)
        ),
        lambda repo, ids, theirs: repo.save_feedback("globex", ids.mentorship_id, theirs.session_id, FEEDBACK),
        lambda repo, ids, theirs: repo.get_decision("globex", ids.mentorship_id, theirs.decision_id),
    ],
    ids=["get_session", "add_notes", "update_session_plan", "save_feedback", "get_decision"],
)
def test_other_tenants_session_or_decision_is_not_found_through_own_mentorship(
    operation: Callable[[MemoryRepository, TenantData, TenantData], object],
    repository: MemoryRepository,
    make_mentorship: Callable[..., MentorshipPublic],
) -> None:
    acme = seed(repository, make_mentorship, "acme")
    globex = seed(repository, make_mentorship, "globex")
    missing = missing_ids()

    cross_tenant = not_found(lambda: operation(repository, globex, acme))
    never_existed = not_found(lambda: operation(repository, globex, missing))

    assert cross_tenant.kind == never_existed.kind and cross_tenant.kind in ("session", "decision")
    assert cross_tenant.item_id in (acme.session_id, acme.decision_id)
    assert repository.list_sessions("acme", acme.mentorship_id, include_private_notes=True)[0].feedback is None


def test_listing_shows_only_the_tenants_own_mentorships(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    acme = seed(repository, make_mentorship, "acme")
    globex = seed(repository, make_mentorship, "globex")

    assert [m.id for m in repository.list_mentorships("acme")] == [acme.mentorship_id]
    assert [m.id for m in repository.list_mentorships("globex")] == [globex.mentorship_id]
    assert repository.list_mentorships("initech") == []


def test_database_refuses_a_child_row_whose_parent_is_in_another_tenant(
    database: Database, repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    acme = seed(repository, make_mentorship, "acme")

    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(
            insert(Note).values(
                id=str(uuid.uuid4()),
                session_id=acme.session_id,
                mentorship_id=acme.mentorship_id,
                tenant="globex",
                position=0,
                text="planted",
                visibility="shared",
                created_at=dt.datetime.now(dt.UTC),
            )
        )


def test_keys_are_scoped_to_their_tenant(api_keys: ApiKeys) -> None:
    acme_key = api_keys.create_key("acme", KeyCreate(role="admin"))
    globex_key = api_keys.create_key("globex", KeyCreate(role="platform"))

    error = not_found(lambda: api_keys.revoke_key(acme_key.record.id, tenant="globex"))

    assert (error.kind, error.item_id) == ("API key", acme_key.record.id)
    assert [k.id for k in api_keys.list_keys(tenant="globex")] == [globex_key.record.id]
    authenticated = api_keys.authenticate(acme_key.key)
    assert authenticated is not None and authenticated.tenant == "acme"
    assert authenticated.revoked_at is None

"""Suggested mentors with reasons, and whole cohorts assigned at once (see `companion/matching.py`).

Admin and platform keys match any mentee of their tenant and accept pairs, which starts their
mentorships (accepting a pair again returns its mentorship, never a second one); a mentee key asks
for its own suggestions and asks for a mentor. A score's evidence cites a mentor's shared notes only,
never a private note, whoever asks.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CallerDep, CompanionDep
from api.lanes import LanedRoute, bulk_work, memory_write
from companion.memory.schemas import (
    CohortRequest,
    CohortResponse,
    MatchAccept,
    MatchAcceptResponse,
    MatchRequest,
    MatchResponse,
    MentorRequestCreate,
    MentorRequestPublic,
)

router = APIRouter(route_class=LanedRoute, prefix="/matches", tags=["matching"])


@router.post(
    "",
    operation_id="suggest_mentors",
    summary="The mentors that fit a mentee best, each with a score, its parts and their reasons",
    response_model=MatchResponse,
)
@bulk_work
def suggest_mentors(body: MatchRequest, companion: CompanionDep, caller: CallerDep) -> MatchResponse:
    return companion.people.suggest_mentors(caller, body)


@router.post(
    "/cohort",
    operation_id="match_cohort",
    summary="Assign an intake of mentees to mentors within each mentor's free places, maximising total fit",
    response_model=CohortResponse,
)
@bulk_work
def match_cohort(body: CohortRequest, companion: CompanionDep, caller: CallerDep) -> CohortResponse:
    return companion.people.match_cohort(caller, body)


@router.post(
    "/accept",
    operation_id="accept_matches",
    summary="Start the mentorships of accepted pairs (a cohort's, or one suggested pair) from the stored records",
    description="Idempotent: a pair that has an active mentorship gets it back (`created: false`). A mentor "
    "given more new mentees than free places refuses the whole request (422), and nothing is started.",
    response_model=MatchAcceptResponse,
)
@memory_write
def accept_matches(body: MatchAccept, companion: CompanionDep, caller: CallerDep) -> MatchAcceptResponse:
    return companion.mentoring.accept_matches(caller, body)


@router.post(
    "/requests",
    operation_id="ask_for_mentor",
    summary="A mentee asks for one mentor (asking again changes the message, never adds a request)",
    response_model=MentorRequestPublic,
)
@memory_write
def ask_for_mentor(body: MentorRequestCreate, companion: CompanionDep, caller: CallerDep) -> MentorRequestPublic:
    return companion.people.ask_for_mentor(caller, body)


@router.get(
    "/requests",
    operation_id="list_mentor_requests",
    summary="Mentor requests: the tenant's for admin and platform keys, a mentee's own for a mentee key",
    response_model=list[MentorRequestPublic],
)
def list_mentor_requests(companion: CompanionDep, caller: CallerDep) -> list[MentorRequestPublic]:
    return companion.people.mentor_requests(caller)

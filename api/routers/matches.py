"""Suggested mentors with reasons, and whole cohorts assigned at once (see `companion/matching.py`).

Admin and platform keys match any mentee of their tenant; a mentee key asks for its own suggestions.
A score's evidence cites a mentor's shared notes only, never a private note, whoever asks.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CallerDep, CompanionDep
from companion.memory.schemas import CohortRequest, CohortResponse, MatchRequest, MatchResponse

router = APIRouter(prefix="/matches", tags=["matching"])


@router.post(
    "",
    operation_id="suggest_mentors",
    summary="The mentors that fit a mentee best, each with a score, its parts and their reasons",
    response_model=MatchResponse,
)
def suggest_mentors(body: MatchRequest, companion: CompanionDep, caller: CallerDep) -> MatchResponse:
    return companion.people.suggest_mentors(caller, body)


@router.post(
    "/cohort",
    operation_id="match_cohort",
    summary="Assign an intake of mentees to mentors within each mentor's free places, maximising total fit",
    response_model=CohortResponse,
)
def match_cohort(body: CohortRequest, companion: CompanionDep, caller: CallerDep) -> CohortResponse:
    return companion.people.match_cohort(caller, body)

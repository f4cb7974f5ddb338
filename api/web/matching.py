"""The matching pages: "Match mentors and mentees" for a tenant's admins and platforms (a mentee's ranked
mentors, a cohort, accepting pairs, the mentees' requests), and a mentee's own suggested mentors.

Every read and write goes through `companion.people` and `companion.mentoring` under the access policy,
as the JSON API does: a mentor key is told 403, another tenant's records answer 404 like missing ones.
Accepting is idempotent, so submitting the accept form twice starts each mentorship once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.lanes import bulk_work
from api.web.core import FormError, WebRoute, citation_passages, readable_validation, redirect, render
from api.web.pages import Form, MentoringDep, WebCaller
from companion import access, schemas
from companion.access import Caller
from companion.memory.schemas import (
    CohortRequest,
    CohortResponse,
    MatchAccept,
    MatchRequest,
    MatchResponse,
    MenteePublic,
    MentorMatch,
    MentorRequestCreate,
)
from companion.mentoring import Mentoring
from companion.people import People

router = APIRouter(route_class=WebRoute, include_in_schema=False)
SUGGESTIONS = 5
"""Mentors shown per mentee: enough to compare, few enough to read."""


def get_people(request: Request) -> People:
    return request.app.state.companion.people


PeopleDep = Annotated[People, Depends(get_people)]


def _values(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _passages(mentoring: Mentoring, caller: Caller, matches: list[Any]) -> dict[str, Any]:
    """The shared notes cited as evidence that this caller may open."""
    cited: list[schemas.Citation] = [
        e.citation for m in matches for part in m.parts for e in part.evidence if e.citation is not None
    ]
    return citation_passages(mentoring, caller, cited)


def _names(people: People, caller: Caller) -> tuple[list[MenteePublic], dict[str, str], dict[str, str]]:
    mentees = people.list_mentees(caller)
    mentors = people.list_mentors(caller)
    return mentees, {m.person_id: m.name for m in mentees}, {m.person_id: m.name for m in mentors}


def match_page_values(
    mentoring: Mentoring, people: People, caller: Caller, mentee_id: str | None = None
) -> dict[str, Any]:
    """Everything the match page shows: the directory, the chosen mentee's ranked mentors, open requests."""
    access.require_people_manager(caller, "match mentors and mentees")
    mentees, mentee_names, mentor_names = _names(people, caller)
    suggestions: MatchResponse | None = None
    if mentee_id:
        suggestions = people.suggest_mentors(caller, MatchRequest(mentee_id=mentee_id, k=SUGGESTIONS))
    return {
        "mentees": mentees,
        "mentors": people.list_mentors(caller),
        "mentee_names": mentee_names,
        "mentor_names": mentor_names,
        "chosen": mentee_id or "",
        "suggestions": suggestions,
        "passages": _passages(mentoring, caller, suggestions.matches if suggestions else []),
        "requests": people.mentor_requests(caller),
        "cohort": None,
        "selected_mentees": [],
        "selected_mentors": [],
    }


@router.get("/matches")
def match_page(
    request: Request,
    mentoring: MentoringDep,
    people: PeopleDep,
    caller: WebCaller,
    mentee: Annotated[str | None, Query(max_length=128)] = None,
    accepted: Annotated[int, Query(ge=0, le=1000)] = 0,
    existing: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> Response:
    values = match_page_values(mentoring, people, caller, mentee)
    return render(request, "matches.html", accepted=accepted, existing=existing, **values)


@router.post("/matches/cohort")
@bulk_work
def run_cohort(request: Request, mentoring: MentoringDep, people: PeopleDep, caller: WebCaller, form: Form) -> Response:
    values = match_page_values(mentoring, people, caller)
    mentee_ids, mentor_ids = _values(form, "mentee_id"), _values(form, "mentor_id")
    if not mentee_ids or not mentor_ids:
        raise FormError("Tick at least one mentee and one mentor for the cohort.")
    try:
        cohort_request = CohortRequest(mentee_ids=mentee_ids, mentor_ids=mentor_ids)
    except ValidationError as exc:
        raise FormError(readable_validation(exc)) from None
    cohort: CohortResponse = people.match_cohort(caller, cohort_request)
    values.update(
        cohort=cohort,
        passages=_passages(mentoring, caller, list(cohort.pairs)),
        selected_mentees=mentee_ids,
        selected_mentors=mentor_ids,
    )
    return render(request, "matches.html", accepted=0, existing=0, **values)


@router.post("/matches/accept")
def accept_pairs(request: Request, mentoring: MentoringDep, caller: WebCaller, form: Form) -> Response:
    access.require_match_acceptor(caller)
    pairs = []
    for value in _values(form, "pair"):
        mentee_id, _, mentor_id = value.partition(" ")
        pairs.append({"mentee_id": mentee_id, "mentor_id": mentor_id})
    if not pairs:
        raise FormError("Tick at least one pair to accept.")
    try:
        accept = MatchAccept.model_validate({"pairs": pairs})
    except ValidationError as exc:
        raise FormError(readable_validation(exc)) from None
    result = mentoring.accept_matches(caller, accept)
    created = sum(1 for pair in result.accepted if pair.created)
    return redirect(f"/matches?accepted={created}&existing={len(result.accepted) - created}#accepted")


# --------------------------------------------------------------------------------------
# A mentee's suggested mentors, and asking for one
# --------------------------------------------------------------------------------------
@router.get("/suggested-mentors")
def suggested_mentors_page(
    request: Request,
    mentoring: MentoringDep,
    people: PeopleDep,
    caller: WebCaller,
    asked: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    mentee_id = access.require_mentor_request_asker(caller)
    suggestions = people.suggest_mentors(caller, MatchRequest(mentee_id=mentee_id, k=SUGGESTIONS))
    requests = people.mentor_requests(caller)
    mentor_names = {m.person_id: m.name for m in people.list_mentors(caller)}
    matches: list[MentorMatch] = suggestions.matches
    return render(
        request,
        "suggested_mentors.html",
        suggestions=suggestions,
        passages=_passages(mentoring, caller, matches),
        requests=requests,
        asked_for={r.mentor_id for r in requests},
        mentor_names=mentor_names,
        asked=asked if asked in mentor_names else None,
    )


@router.post("/suggested-mentors/request")
def ask_for_mentor(request: Request, people: PeopleDep, caller: WebCaller, form: Form) -> Response:
    access.require_mentor_request_asker(caller)
    mentor_id = form.get("mentor_id")
    message = form.get("message")
    try:
        body = MentorRequestCreate(
            mentor_id=mentor_id.strip() if isinstance(mentor_id, str) else "",
            message=(message.strip() or None) if isinstance(message, str) else None,
        )
    except ValidationError as exc:
        raise FormError(readable_validation(exc)) from None
    made = people.ask_for_mentor(caller, body)
    return redirect(f"/suggested-mentors?asked={made.mentor_id}#requests")

"""Mentor and mentee records of a tenant: created once, reused for matching and to start mentorships.

A thin adapter over `companion.people`: admin and platform keys create and change records; every key
of the tenant reads mentor records; a mentee record only its managers and the mentee themself. A
record of another tenant, or one the caller may not read, answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import CallerDep, CompanionDep
from api.lanes import LanedRoute, bulk_work
from companion.memory.schemas import (
    MenteeCreate,
    MenteePublic,
    MenteeUpdate,
    MentorCreate,
    MentorPublic,
    MentorUpdate,
)

mentors = APIRouter(route_class=LanedRoute, prefix="/mentors", tags=["people"])
mentees = APIRouter(route_class=LanedRoute, prefix="/mentees", tags=["people"])
PersonId = Annotated[str, Path(max_length=128, description="The person's id, as the platform knows them.")]


@mentors.post(
    "",
    operation_id="create_mentor",
    summary="Store a mentor record",
    description="409 when the tenant has a mentor record for this person already (change it with PATCH).",
    status_code=201,
    response_model=MentorPublic,
)
@bulk_work
def create_mentor(body: MentorCreate, companion: CompanionDep, caller: CallerDep) -> MentorPublic:
    return companion.people.create_mentor(caller, body)


@mentors.get("", operation_id="list_mentors", summary="The tenant's mentor records", response_model=list[MentorPublic])
def list_mentors(companion: CompanionDep, caller: CallerDep) -> list[MentorPublic]:
    return companion.people.list_mentors(caller)


@mentors.get("/{person_id}", operation_id="get_mentor", summary="One mentor record", response_model=MentorPublic)
def get_mentor(person_id: PersonId, companion: CompanionDep, caller: CallerDep) -> MentorPublic:
    return companion.people.get_mentor(caller, person_id)


@mentors.patch(
    "/{person_id}",
    operation_id="update_mentor",
    summary="Change a mentor record (only the fields sent)",
    response_model=MentorPublic,
)
@bulk_work
def update_mentor(person_id: PersonId, body: MentorUpdate, companion: CompanionDep, caller: CallerDep) -> MentorPublic:
    return companion.people.update_mentor(caller, person_id, body)


@mentees.post(
    "",
    operation_id="create_mentee",
    summary="Store a mentee record",
    description="409 when the tenant has a mentee record for this person already (change it with PATCH).",
    status_code=201,
    response_model=MenteePublic,
)
@bulk_work
def create_mentee(body: MenteeCreate, companion: CompanionDep, caller: CallerDep) -> MenteePublic:
    return companion.people.create_mentee(caller, body)


@mentees.get(
    "",
    operation_id="list_mentees",
    summary="The tenant's mentee records (a mentor or mentee key: only their own)",
    response_model=list[MenteePublic],
)
def list_mentees(companion: CompanionDep, caller: CallerDep) -> list[MenteePublic]:
    return companion.people.list_mentees(caller)


@mentees.get("/{person_id}", operation_id="get_mentee", summary="One mentee record", response_model=MenteePublic)
def get_mentee(person_id: PersonId, companion: CompanionDep, caller: CallerDep) -> MenteePublic:
    return companion.people.get_mentee(caller, person_id)


@mentees.patch(
    "/{person_id}",
    operation_id="update_mentee",
    summary="Change a mentee record (only the fields sent)",
    response_model=MenteePublic,
)
@bulk_work
def update_mentee(person_id: PersonId, body: MenteeUpdate, companion: CompanionDep, caller: CallerDep) -> MenteePublic:
    return companion.people.update_mentee(caller, person_id, body)

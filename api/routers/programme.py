"""Programme health for a tenant's admins and platforms (see `companion/programme.py`).

Counts, dates and ids only: no note text, agendas, feedback, wording of action items or decisions,
reflection answers or profiles. Mentor and mentee keys get 403; every answer is the caller's own
tenant, so another tenant's mentorships are simply not there.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CallerDep, CompanionDep
from companion import programme
from companion.programme import ProgrammeHealth, StatusFilter
from companion.schemas import Date

router = APIRouter(prefix="/programme", tags=["programme"])


@router.get(
    "/health",
    operation_id="programme_health",
    summary="Every mentorship's health (sessions, cadence, overdue items, decisions due) and the programme's totals",
    description="Admin and platform keys, their own tenant only. `status=stalled`: active mentorships with no "
    "session held in `stalled_after_days` days (default COMPANION_STALLED_AFTER_DAYS); `status=at_risk`: stalled, "
    "too many overdue action items or too many sessions behind the goal plan's schedule. Totals cover the whole "
    "programme whatever the filter. Counts and dates only, never content.",
    response_model=ProgrammeHealth,
)
def programme_health(
    companion: CompanionDep,
    caller: CallerDep,
    status: Annotated[StatusFilter, Query(description="Which mentorships to list.")] = "all",
    stalled_after_days: Annotated[
        int | None, Query(ge=1, le=365, description="Overrides COMPANION_STALLED_AFTER_DAYS for this request.")
    ] = None,
    weeks: Annotated[
        int, Query(ge=1, le=programme.MAX_WEEKS, description="Weeks of sessions held, for the chart.")
    ] = programme.DEFAULT_WEEKS,
    today: Annotated[Date | None, Query(description="Reference date; defaults to today.")] = None,
) -> ProgrammeHealth:
    return programme.health(
        companion.database,
        caller,
        companion.settings,
        today=today or dt.date.today(),
        status=status,
        stalled_after_days=stalled_after_days,
        weeks=weeks,
    )

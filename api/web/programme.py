"""The programme health page (`/programme`) for a tenant's admins and platforms: every mentorship's
health in a table sortable without JavaScript (each column header is a link that sorts by it, and the
sorted one carries `aria-sort`), the filters of the API, and an SVG chart of sessions held per week
with the same numbers as a table.

It reads `companion.programme` under the same policy as `GET /v1/programme/health`: counts, dates and
the names a manager already reads in the mentorship list, never note text or other content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from api.web.charts import bar_chart_frame
from api.web.core import WebRoute, render
from api.web.pages import CompanionDep, MentoringDep, WebCaller
from companion import access, programme
from companion.programme import MentorshipHealth, StatusFilter, WeekCount

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SortKey = Literal[
    "mentee", "mentor", "status", "last_session", "sessions", "behind", "overdue", "decisions", "goals", "health"
]
Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class Row:
    health: MentorshipHealth
    mentee: str
    mentor: str


@dataclass(frozen=True)
class Column:
    key: SortKey
    label: str
    value: Callable[[Row], Any]
    """The sort value; None sorts last whichever the order."""
    first: Order = "asc"
    """The order a first click on the header sorts in."""


COLUMNS = (
    Column("mentee", "Mentee", lambda r: r.mentee.casefold()),
    Column("mentor", "Mentor", lambda r: r.mentor.casefold()),
    Column("status", "Status", lambda r: r.health.status),
    Column("last_session", "Days since last session", lambda r: r.health.days_since_last_session, "desc"),
    Column("sessions", "Sessions held", lambda r: r.health.sessions_held, "desc"),
    Column("behind", "Behind the plan", lambda r: r.health.sessions_behind, "desc"),
    Column("overdue", "Overdue items", lambda r: r.health.overdue_action_items, "desc"),
    Column("decisions", "Decisions due", lambda r: r.health.decisions_due, "desc"),
    Column("goals", "Goals stalled", lambda r: (r.health.goals_stalled, -r.health.goals_on_track), "desc"),
    Column("health", "Health", lambda r: (r.health.at_risk, r.health.stalled, len(r.health.risks)), "desc"),
)
BY_KEY = {column.key: column for column in COLUMNS}
RISK_WORDS = {
    "stalled": "stalled",
    "overdue_items": "overdue items",
    "sessions_behind": "behind the plan",
    "goals_stalled": "goals stalled",
}


def sorted_rows(rows: list[Row], key: SortKey, order: Order) -> list[Row]:
    """Stable: ties keep the programme's order (oldest mentorship first); missing values go last."""
    column = BY_KEY[key]
    present = [row for row in rows if column.value(row) is not None]
    missing = [row for row in rows if column.value(row) is None]
    return sorted(present, key=column.value, reverse=order == "desc") + missing


def weeks_svg(weeks: list[WeekCount]) -> str:
    """One bar per week (Monday-based), each with its count as a title; accessible name and description."""
    width, height, left, bottom, top = 640, 240, 40, 36, 16
    highest = max([w.sessions for w in weeks] + [1])
    space = (width - left - 10) / max(len(weeks), 1)
    bar = min(36.0, space * 0.7)
    scale = (height - bottom - top) / highest
    every = max(1, len(weeks) // 8)
    total = sum(w.sessions for w in weeks)
    parts = bar_chart_frame(
        "weeks",
        "Sessions held per week across the programme",
        f"{len(weeks)} weeks, {total} sessions in all.",
        (width, height, left, bottom),
        highest,
        scale,
    )
    for index, week in enumerate(weeks):
        x = left + index * space + (space - bar) / 2
        h = week.sessions * scale
        label = f"Week of {week.week_start.isoformat()}: {week.sessions} session{'s' if week.sessions != 1 else ''}"
        parts.append(
            f'<rect class="bar-week" x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="#5c6bc0"><title>{escape(label)}</title></rect>'
        )
        if index % every == 0 or index == len(weeks) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
                f"{week.week_start:%m-%d}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


@router.get("/programme")
def programme_page(
    request: Request,
    companion: CompanionDep,
    mentoring: MentoringDep,
    caller: WebCaller,
    status: Annotated[StatusFilter, Query()] = "all",
    sort: Annotated[SortKey, Query()] = "health",
    order: Annotated[Order, Query()] = "desc",
    stalled_after_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    weeks: Annotated[int, Query(ge=1, le=programme.MAX_WEEKS)] = programme.DEFAULT_WEEKS,
) -> Response:
    access.require_programme_viewer(caller)
    report = programme.health(
        companion.database,
        caller,
        companion.settings,
        today=dt.date.today(),
        status=status,
        stalled_after_days=stalled_after_days,
        weeks=weeks,
    )
    names = {m.id: (m.mentee.name, m.mentor.name or m.mentor.person_id) for m in mentoring.list_mentorships(caller)}
    rows = [
        Row(health, *names.get(health.mentorship_id, (health.mentee_person_id, health.mentor_person_id)))
        for health in report.mentorships
    ]
    kept = {"status": status, "weeks": weeks}
    if stalled_after_days is not None:
        kept["stalled_after_days"] = stalled_after_days

    def sort_link(column: Column) -> str:
        next_order = ("asc" if order == "desc" else "desc") if column.key == sort else column.first
        return "/programme?" + urlencode({**kept, "sort": column.key, "order": next_order})

    return render(
        request,
        "programme.html",
        report=report,
        rows=sorted_rows(rows, sort, order),
        columns=COLUMNS,
        sort=sort,
        order=order,
        sort_link=sort_link,
        risk_words=RISK_WORDS,
        chart=weeks_svg(report.sessions_per_week),
        show=status,
        weeks=weeks,
        stalled_after_days=stalled_after_days,
    )

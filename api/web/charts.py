"""Server-rendered SVG progress charts: action items done / open / overdue as of each session, plus today;
and goal ratings (mentee's and mentor's) over the sessions, with deadlines and milestones.

The same numbers are returned as rows, which the page also shows as a table for screen readers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from companion.memory.schemas import ActionItemPublic, GoalPublic, SessionPublic


@dataclass(frozen=True)
class Point:
    label: str
    day: dt.date
    done: int
    open: int
    overdue: int

    @property
    def total(self) -> int:
        return self.done + self.open + self.overdue


def progress_points(sessions: list[SessionPublic], items: list[ActionItemPublic], today: dt.date) -> list[Point]:
    """Where the action items stood on each session's date (items created by then), and today."""
    marks = [(f"Session {s.number}", s.date) for s in sessions if s.date <= today]
    marks.append(("Today", today))
    points = []
    for label, day in marks:
        done = open_ = overdue = 0
        for item in items:
            if item.created_at.date() > day:
                continue
            if item.done_at is not None and item.done_at.date() <= day:
                done += 1
            elif item.due is not None and item.due < day:
                overdue += 1
            else:
                open_ += 1
        points.append(Point(label, day, done, open_, overdue))
    return points


COLOURS = {"done": "#2e7d32", "open": "#5c6bc0", "overdue": "#c62828"}


def bar_chart_frame(
    name: str, title: str, desc: str, box: tuple[int, int, int, int], highest: int, scale: float
) -> list[str]:
    """The start of a bar chart: the accessible <svg> with its title and description, the baseline, and
    gridlines labelled 0, half and `highest`. `box` is (width, height, left margin, bottom margin)."""
    width, height, left, bottom = box
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{name}-title {name}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{name}-title">{title}</title>',
        f'<desc id="{name}-desc">{desc}</desc>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#555"/>',
    ]
    for tick in sorted({0, highest // 2, highest}):
        y = height - bottom - tick * scale
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>')
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>')
    return parts


def progress_svg(points: list[Point], goals: int) -> str:
    """Stacked bars per point; accessible name and per-bar titles."""
    width, height, left, bottom, top = 640, 260, 40, 40, 20
    highest = max([p.total for p in points] + [1])
    bar_space = (width - left - 10) / max(len(points), 1)
    bar_width = min(48.0, bar_space * 0.6)
    scale = (height - bottom - top) / highest
    parts = bar_chart_frame(
        "chart",
        "Action items over sessions",
        f"{goals} goals; for each session, action items done, open and overdue.",
        (width, height, left, bottom),
        highest,
        scale,
    )
    for index, point in enumerate(points):
        x = left + index * bar_space + (bar_space - bar_width) / 2
        y = height - bottom
        for name in ("done", "open", "overdue"):
            value = getattr(point, name)
            if value == 0:
                continue
            h = value * scale
            y -= h
            parts.append(
                f'<rect class="bar-{name}" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[name]}"><title>{escape(point.label)}: {value} {name}</title></rect>'
            )
        label_x = x + bar_width / 2
        parts.append(
            f'<text x="{label_x:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
            f"{escape(point.label)}</text>"
        )
    legend_x = left
    for name, colour in COLOURS.items():
        parts.append(f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{height - 5}" font-size="11">{name}</text>')
        legend_x += 80
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------------------
# Goal progress: one line per goal and rater over the sessions, deadlines and milestones marked
# --------------------------------------------------------------------------------------
GOAL_COLOURS = ("#1565c0", "#ad1457", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#455a64")
RATERS = {"mentee": "Mentee", "mentor": "Mentor"}


@dataclass(frozen=True)
class GoalRow:
    """One row of a goal's table: a session (or a rating given outside one) with both sides' ratings."""

    label: str
    day: dt.date
    mentee: int | None
    mentor: int | None
    mentee_comment: str | None
    mentor_comment: str | None


def goal_rows(goal: GoalPublic, sessions: list[SessionPublic]) -> list[GoalRow]:
    """The goal's check-ins by session, oldest first; a check-in without a session is its own row (on its day)."""
    dates = {s.id: (s.number, s.date) for s in sessions}
    keyed: dict[tuple[int, dt.date, str], dict[str, Any]] = {}
    for check_in in goal.check_ins:
        if check_in.session_id is not None and check_in.session_id in dates:
            number, day = dates[check_in.session_id]
            key = (number, day, f"Session {number}")
        else:
            day = check_in.created_at.date()
            key = (10_000, day, f"{day.isoformat()} (no session)")
        row = keyed.setdefault(key, {})
        row[check_in.by] = check_in.rating
        row[f"{check_in.by}_comment"] = check_in.comment
    return [
        GoalRow(
            label=label,
            day=day,
            mentee=found.get("mentee"),
            mentor=found.get("mentor"),
            mentee_comment=found.get("mentee_comment"),
            mentor_comment=found.get("mentor_comment"),
        )
        for (_, day, label), found in sorted(keyed.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def goal_progress_svg(goals: list[GoalPublic], rows: dict[str, list[GoalRow]], today: dt.date) -> str:
    """Ratings 0-10 over time: a solid line for the mentee's, a dashed one for the mentor's, in the goal's
    colour; a goal's deadline as a vertical dashed line and its milestones as diamonds on the axis."""
    width, height, left, right, top, bottom = 640, 280, 40, 20, 20, 60
    days = [row.day for found in rows.values() for row in found]
    days += [g.deadline for g in goals if g.deadline is not None]
    days += [m.due for g in goals for m in g.milestones if m.due is not None]
    first, last = min(days, default=today), max(days, default=today)
    span = max((last - first).days, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: dt.date) -> float:
        return left + (day - first).days / span * plot_w if days and first != last else left + plot_w / 2

    def y(rating: int) -> float:
        return top + plot_h - rating / 10 * plot_h

    parts = [
        f'<svg class="chart goal-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="goal-chart-title goal-chart-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="goal-chart-title">Goal progress over sessions</title>',
        f'<desc id="goal-chart-desc">{len(goals)} goals rated 0 to 10 at each session: solid lines the mentee\'s '
        "ratings, dashed lines the mentor's; vertical dashed lines mark deadlines, diamonds milestones.</desc>",
    ]
    for tick in (0, 5, 10):
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>')
    axis_y = top + plot_h
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#555"/>')
    labelled: set[dt.date] = set()
    for found in rows.values():
        for row in found:
            if row.day in labelled:
                continue
            labelled.add(row.day)
            parts.append(
                f'<text x="{x(row.day):.1f}" y="{axis_y + 14}" text-anchor="middle" font-size="10">'
                f"{escape(row.label.removesuffix(' (no session)'))}</text>"
            )
    for index, goal in enumerate(goals):
        colour = GOAL_COLOURS[index % len(GOAL_COLOURS)]
        name = escape(goal.statement)
        for rater, dash in (("mentee", ""), ("mentor", ' stroke-dasharray="6 4"')):
            points = [(x(r.day), y(getattr(r, rater))) for r in rows.get(goal.id, []) if getattr(r, rater) is not None]
            if not points:
                continue
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline class="goal-line goal-{index} rater-{rater}" points="{coords}" fill="none" '
                f'stroke="{colour}" stroke-width="2"{dash}><title>{name}: {RATERS[rater]}\'s ratings</title></polyline>'
            )
            for (px, py), row in zip(
                points, [r for r in rows.get(goal.id, []) if getattr(r, rater) is not None], strict=True
            ):
                parts.append(
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"><title>{name}, {escape(row.label)}: '
                    f"{RATERS[rater]} {getattr(row, rater)}/10</title></circle>"
                )
        if goal.deadline is not None:
            dx = x(goal.deadline)
            parts.append(
                f'<line class="goal-deadline goal-{index}" x1="{dx:.1f}" y1="{top}" x2="{dx:.1f}" y2="{axis_y}" '
                f'stroke="{colour}" stroke-dasharray="2 3"><title>Deadline of {name}: '
                f"{goal.deadline.isoformat()}</title></line>"
            )
        for milestone in goal.milestones:
            if milestone.due is None:
                continue
            mx = x(milestone.due)
            parts.append(
                f'<path class="goal-milestone goal-{index}" d="M{mx:.1f},{axis_y - 5} l5,5 l-5,5 l-5,-5 z" '
                f'fill="{colour}"><title>Milestone of {name}: {escape(milestone.text)}, '
                f"{milestone.due.isoformat()}</title></path>"
            )
    legend_y = height - 26
    for index, goal in enumerate(goals[:4]):
        colour = GOAL_COLOURS[index % len(GOAL_COLOURS)]
        lx = left + index * 150
        parts.append(f'<rect x="{lx}" y="{legend_y}" width="10" height="10" fill="{colour}"/>')
        short = goal.statement if len(goal.statement) <= 20 else goal.statement[:19] + "…"
        parts.append(f'<text x="{lx + 14}" y="{legend_y + 9}" font-size="11">{escape(short)}</text>')
    parts.append(
        f'<text x="{left}" y="{height - 4}" font-size="11">solid: mentee · dashed: mentor · '
        "vertical dashes: deadline · diamonds: milestones</text>"
    )
    parts.append("</svg>")
    return "".join(parts)

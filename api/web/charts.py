"""Server-rendered SVG progress chart: action items done / open / overdue as of each session, plus today.

The same numbers are returned as rows, which the page also shows as a table for screen readers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from companion.memory.schemas import ActionItemPublic, SessionPublic


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


def progress_svg(points: list[Point], goals: int) -> str:
    """Stacked bars per point; accessible name and per-bar titles."""
    width, height, left, bottom, top = 640, 260, 40, 40, 20
    highest = max([p.total for p in points] + [1])
    bar_space = (width - left - 10) / max(len(points), 1)
    bar_width = min(48.0, bar_space * 0.6)
    scale = (height - bottom - top) / highest
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Action items over sessions</title>',
        f'<desc id="chart-desc">{goals} goals; for each session, action items done, open and overdue.</desc>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#555"/>',
    ]
    for tick in sorted({0, highest // 2, highest}):
        y = height - bottom - tick * scale
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>')
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>')
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

"""Goal plan: each of the mentee's goals made SMART, scaffolded by the nearest bank example, plus
a meeting cadence with real dates counted from the reference date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    PERSONA_LABELS,
    Citations,
    KnowledgeMissing,
    MissingInput,
    bank_items,
    best_match,
    generator_info,
    infer_persona,
    quoted,
    sentence,
    wellbeing_challenges,
    words,
)
from companion.generation.tasks.dates import WEEKDAYS, days_to_weekday, goal_deadline, shift
from companion.retrieval.retriever import SearchResult
from companion.schemas import Cadence, GoalPlan, MentoringContext, Milestone, SmartGoal

COMPOSER_VERSION = "offline-goals-1"
DEFAULT_HORIZON_DAYS = 91
WEEKLY_UNTIL_DAYS = 42
MONTHLY_FROM_DAYS = 270
MAX_SESSIONS = 26
SCAFFOLD_WINDOW = 10
"""How many of the best-ranked examples compete on shared words with the goal."""
CLOSE_SCORE = 3
"""An example this close (and sharing words with the goal itself) lends its milestones."""
DEFAULT_MEETING_DAY = 1  # Tuesday

_TIMING = re.compile(
    r"\s*,?\s*\b(?:by|in|within|at|from|during|before|after)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?"
    r"(?:week|month|day|quarter)\b(?:\s+[\w-]+)?"
    r"|\s*\bwithin\s+\w+\s+(?:days?|weeks?|months?)\b"
    r"|\s*\bthis\s+week\b"
    r"|^\w+\s+weeks\s+in,\s*",
    re.I,
)

TEMPLATED = [
    "Each SMART field is a fixed sentence about the mentee's own goal followed by a worked example from the "
    "smart-goals bank; the example is the well-ranked bank item sharing most words with the goal, preferring the "
    "mentee's persona.",
    "Milestones are the worked example's milestones without their week numbers, spaced evenly from the reference "
    "date to the goal's deadline.",
    "Deadlines are read from the goal's wording ('by June', 'by Q3', 'within six months'); a goal without one gets "
    "three months.",
    "The cadence is a fixed rule: weekly when a deadline is within six weeks, monthly beyond nine months, otherwise "
    "every two weeks, on the session's weekday.",
]


def _stem(word: str) -> str:
    """Crude stemming so 'hire', 'hiring' and 'hired' (or 'promoted' and 'promotion') meet."""
    for suffix in ("ing", "ion", "ed", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _shared(goal: str, text: str) -> int:
    return len({_stem(w) for w in words(goal)} & {_stem(w) for w in words(text)})


def _score(goal: str, item: dict[str, Any]) -> int:
    """Words shared with the example's goal count double; words shared with its 'specific' line count once."""
    return 2 * _shared(goal, str(item.get("goal", ""))) + _shared(goal, str(item.get("specific", "")))


def pick_scaffold(
    goal: str, ranked: list[tuple[SearchResult, dict[str, Any]]], persona: str | None
) -> tuple[SearchResult, dict[str, Any]]:
    """Among the best-ranked examples: most words shared with the goal, then the mentee's persona, then rank."""
    window = ranked[:SCAFFOLD_WINDOW]
    return max(
        window,
        key=lambda pair: (_score(goal, pair[1]), pair[1].get("persona") == persona, -window.index(pair)),
    )


def _strip_timing(text: str) -> str:
    stripped = _TIMING.sub("", text).strip(" ,;.") or text
    return stripped[0].upper() + stripped[1:]


def generic_steps(goal: str) -> list[str]:
    """Milestones for a goal no worked example fits closely: define, start, check halfway, finish."""
    return [
        f"What done looks like for {quoted(goal)} written down and agreed with your mentor",
        f"First concrete step towards {quoted(goal)} taken and reviewed at a session",
        f"Halfway check: the main obstacle to {quoted(goal)} named and a plan for it agreed",
        f"{goal[0].upper()}{goal[1:]}: done",
    ]


def _milestones(steps: list[str], start: dt.date, deadline: dt.date) -> list[Milestone]:
    span = max((deadline - start).days, len(steps))
    # A due date past date.max (a start on its last days) is left out rather than overflowing.
    return [Milestone(text=step, due=shift(start, round(span * (i + 1) / len(steps)))) for i, step in enumerate(steps)]


def _meeting_day(context: MentoringContext) -> int:
    for day in (context.session.date, context.reference_date):
        if day is not None and day.weekday() < 5:
            return day.weekday()
    return DEFAULT_MEETING_DAY


def plan_cadence(context: MentoringContext, deadlines: list[dt.date]) -> Cadence:
    """Meet on a fixed weekday, often enough for the nearest deadline, until the furthest one."""
    reference = context.reference_date
    horizon = max(deadlines) if deadlines else shift(reference, DEFAULT_HORIZON_DAYS) or dt.date.max
    nearest = min(deadlines) if deadlines else horizon
    if (nearest - reference).days <= WEEKLY_UNTIL_DAYS:
        step, frequency = 7, "every week"
    elif (horizon - reference).days > MONTHLY_FROM_DAYS:
        step, frequency = 28, "every 4 weeks"
    else:
        step, frequency = 14, "every 2 weeks"
    weekday = _meeting_day(context)
    # The first such weekday after the reference (a week later when meeting less than weekly); every
    # step is taken with `shift`, so a schedule reaching date.max stops there instead of overflowing.
    first = shift(reference, days_to_weekday(reference, weekday) + (7 if step > 7 else 0)) or reference
    sessions: list[dt.date] = []
    day: dt.date | None = first
    while day is not None and day <= horizon and len(sessions) < MAX_SESSIONS:
        sessions.append(day)
        day = shift(day, step)
    return Cadence(
        frequency=frequency,
        session_minutes=context.session.duration_minutes,
        meeting_day=WEEKDAYS[weekday].capitalize(),
        sessions=sessions or [first],
    )


def compose(context: MentoringContext, retrieved: Retrieved) -> GoalPlan:
    """A SMART version of every goal the mentee listed, and the sessions to track them."""
    if not context.mentee.goals:
        raise MissingInput("the goals task needs at least one goal: add `mentee.goals` to the context")
    reference = context.reference_date
    persona = infer_persona(context)
    citations = Citations(retrieved)
    wellbeing = wellbeing_challenges(context)
    focus = " ".join(context.session.focus)
    goals: list[SmartGoal] = []
    deadlines: list[dt.date] = []
    notes: list[str] = []
    if persona is not None:
        notes.append(f"Worked examples prefer the persona read from role and situation: {PERSONA_LABELS[persona]}.")
    for index, goal in enumerate(context.mentee.goals):
        ranked = bank_items(retrieved.get(f"smart_goals:{index}"))
        if not ranked:
            raise KnowledgeMissing(
                f"no SMART goal examples were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
            )
        result, item = pick_scaffold(goal, ranked, persona)
        same_goal = _shared(goal, str(item.get("goal", ""))) > 0
        close_match = same_goal and (_score(goal, item) >= CLOSE_SCORE or item.get("persona") == persona)
        if close_match:
            steps = [_strip_timing(str(m)) for m in item.get("milestones") or []]
        else:
            steps = generic_steps(goal)
            notes.append(
                f"No worked example fits {quoted(goal)} closely, so its milestones are a generic four-step template."
            )
        parsed = goal_deadline(goal, reference)
        deadline = parsed or shift(reference, DEFAULT_HORIZON_DAYS) or dt.date.max
        if parsed is not None:
            deadlines.append(parsed)
        else:
            notes.append(f"{quoted(goal)} names no date; the plan assumes {deadline.isoformat()} (three months).")
        example = str(item["goal"]).rstrip(".").lower()
        challenge = best_match(wellbeing, goal) if wellbeing else None
        related_focus = focus and words(focus) & words(goal)
        time_bound = (
            f"{quoted(goal)} is due by {deadline.isoformat()}, read from the goal itself."
            if parsed is not None
            else f"{quoted(goal)} names no date, so this plan uses {deadline.isoformat()}; change it if there is a real deadline."
        )
        goals.append(
            SmartGoal(
                statement=sentence(goal),
                specific=f"Describe {quoted(goal)} so that a stranger could tell when it is done. "
                f"Worked example ({example}): {item['specific']}",
                measurable=f"Pick one number for {quoted(goal)} and check it at every session. "
                f"Worked example: {item['measurable']}",
                achievable=f"Check {quoted(goal)} against the hours you really have"
                + (f", given {quoted(challenge)}" if challenge else "")
                + f". Worked example: {item['achievable']}",
                relevant=f"Say in one line why {quoted(goal)} matters now"
                + (f" and how it serves the current focus on {focus}" if related_focus else "")
                + f". Worked example: {item['relevant']}",
                time_bound=f"{time_bound} Worked example: {item['time_bound']}",
                milestones=_milestones(steps, reference, deadline),
                citations=citations.cite(result),
            )
        )
    cadence = plan_cadence(context, deadlines)
    for guide in retrieved.get("guides")[:1]:
        citations.cite(guide)
    return GoalPlan(
        goals=goals,
        cadence=cadence,
        citations=citations.all,
        generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
    )

"""What the goals' check-ins say, for the composers: which goal needs the session's time (the one stalled
longest, or whose mentee and mentor ratings diverge most), and what changed since last time.

Pure functions over `MentoringContext.goal_history`; with no history every answer is None, so a context
without stored goals composes exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.schemas import GoalHistory, GoalRating, MentoringContext

DIVERGENCE_POINTS = 3
"""Mentee and mentor ratings this far apart (at the latest session both rated) are worth the session's time."""
STALLED_CHECK_INS = 2
"""A goal whose mentee rating has not risen over this many check-ins has stalled."""


@dataclass(frozen=True)
class Attention:
    goal: GoalHistory
    reason: str
    """'diverge' or 'stalled'."""
    mentee: int | None
    mentor: int | None
    stalled_for: int

    def sentence(self) -> str:
        if self.reason == "diverge":
            return (
                f"the mentee rates it {self.mentee}/10 and the mentor {self.mentor}/10, so agree what progress would "
                "look like"
            )
        return f"no rise in the mentee's rating over the last {self.stalled_for} check-ins: find what holds it up"


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def active(context: MentoringContext) -> list[GoalHistory]:
    return [goal for goal in context.goal_history if goal.status == "active"]


def ratings_by(goal: GoalHistory, by: str) -> list[GoalRating]:
    return [rating for rating in goal.ratings if rating.by == by]


def stalled_for(goal: GoalHistory) -> int:
    """How many of the latest mentee check-ins brought no rise (0 with fewer than two)."""
    return no_rise_for([r.rating for r in ratings_by(goal, "mentee")])


def no_rise_for(values: list[int]) -> int:
    """How many of the latest of these ratings, oldest first, brought no rise (0 with fewer than two)."""
    if len(values) < 2:
        return 0
    count = 0
    for before, after in zip(reversed(values[:-1]), reversed(values[1:]), strict=True):
        if after > before:
            break
        count += 1
    return count + 1 if count else 0


def latest_pair(goal: GoalHistory) -> tuple[int, int] | None:
    """Mentee's and mentor's ratings at the latest session both rated."""
    sessions: dict[int, dict[str, int]] = {}
    for rating in goal.ratings:
        if rating.session_number is not None:
            sessions.setdefault(rating.session_number, {})[rating.by] = rating.rating
    both = [n for n, found in sessions.items() if len(found) == 2]
    if not both:
        return None
    latest = sessions[max(both)]
    return latest["mentee"], latest["mentor"]


def needs_attention(context: MentoringContext) -> Attention | None:
    """The goal that most needs the session's time: the widest mentee/mentor gap (at least DIVERGENCE_POINTS),
    else the goal stalled longest (at least STALLED_CHECK_INS check-ins); the earlier goal on a tie."""
    diverging: list[tuple[int, int, Attention]] = []
    stalled: list[tuple[int, int, Attention]] = []
    for index, goal in enumerate(active(context)):
        pair = latest_pair(goal)
        if pair is not None and abs(pair[0] - pair[1]) >= DIVERGENCE_POINTS:
            diverging.append((-abs(pair[0] - pair[1]), index, Attention(goal, "diverge", pair[0], pair[1], 0)))
        length = stalled_for(goal)
        if length >= STALLED_CHECK_INS:
            mentee = ratings_by(goal, "mentee")[-1].rating
            stalled.append((-length, index, Attention(goal, "stalled", mentee, None, length)))
    for found in (diverging, stalled):
        if found:
            return min(found, key=lambda entry: (entry[0], entry[1]))[2]
    return None


def history_for(context: MentoringContext, statement: str) -> GoalHistory | None:
    key = _key(statement)
    return next((goal for goal in context.goal_history if _key(goal.statement) == key), None)


def last_mentee_rating(context: MentoringContext, statement: str) -> GoalRating | None:
    goal = history_for(context, statement)
    found = ratings_by(goal, "mentee") if goal is not None else []
    return found[-1] if found else None


def change_since_last(goal: GoalHistory) -> str | None:
    """'from 4 to 6' for the mentee's last two ratings (or the mentor's, when the mentee gave fewer)."""
    for by in ("mentee", "mentor"):
        found = ratings_by(goal, by)
        if len(found) >= 2:
            before, now = found[-2].rating, found[-1].rating
            if now == before:
                return f"unchanged at {now}/10 ({by}'s rating)"
            return f"{'up' if now > before else 'down'} from {before} to {now}/10 ({by}'s rating)"
    return None


def changes(context: MentoringContext) -> list[tuple[GoalHistory, str]]:
    return [(goal, change) for goal in active(context) if (change := change_since_last(goal)) is not None]

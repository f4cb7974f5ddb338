"""Generation uses the goals' check-ins: the agenda gives time to the goal that diverges most (or stalled
longest), reflection asks the self-assessment question with last time's rating, and the feedback summary
says what changed since last time. Without check-ins nothing changes (the snapshots prove that)."""

from __future__ import annotations

from typing import Any

from companion.generation.goal_history import change_since_last, needs_attention, stalled_for
from companion.schemas import Agenda, FeedbackSummary, GoalHistory, ReflectionPrompts
from companion.service import Companion
from tests.generation.support import compose, sample_context

RAISE = "Raise a pre-seed round of EUR 500k by June"


def history(*goals: tuple[str, list[tuple[int, str, int]]]) -> list[dict[str, Any]]:
    return [
        {
            "statement": statement,
            "deadline": "2027-06-30",
            "ratings": [{"session_number": n, "by": by, "rating": r, "comment": "slow"} for n, by, r in ratings],
        }
        for statement, ratings in goals
    ]


def test_the_widest_gap_wins_over_a_stall_and_a_stall_over_nothing() -> None:
    stalled = ("Ship the beta", [(1, "mentee", 4), (2, "mentee", 4), (3, "mentee", 3)])
    diverging = ("Hire an engineer", [(3, "mentee", 8), (3, "mentor", 3)])
    rising = ("Pitch", [(1, "mentee", 2), (2, "mentee", 5)])
    context = sample_context(goal_history=history(rising, stalled, diverging))
    found = needs_attention(context)
    assert found is not None and found.goal.statement == "Hire an engineer" and found.reason == "diverge"
    found = needs_attention(sample_context(goal_history=history(rising, stalled)))
    assert found is not None and found.goal.statement == "Ship the beta" and found.stalled_for == 3
    assert needs_attention(sample_context(goal_history=history(rising))) is None
    assert needs_attention(sample_context()) is None
    assert stalled_for(GoalHistory.model_validate(history(rising)[0])) == 0
    assert change_since_last(GoalHistory.model_validate(history(rising)[0])) == "up from 2 to 5/10 (mentee's rating)"


def test_the_agenda_gives_time_to_the_goal_that_diverges(knowledge_companion: Companion) -> None:
    context = sample_context(goal_history=history((RAISE, [(2, "mentee", 8), (2, "mentor", 3)])))
    agenda, _ = compose(knowledge_companion, "agenda", context)
    assert isinstance(agenda, Agenda)
    checks = [item for item in agenda.items if "Goal check" in item.title]
    assert len(checks) == 1 and checks[0].minutes >= 5, [i.title for i in agenda.items]
    assert any("8 out of 10" in p and "3" in p for p in checks[0].prompts)
    assert sum(item.minutes for item in agenda.items) == agenda.total_minutes
    plain, _ = compose(knowledge_companion, "agenda", sample_context())
    assert not any("Goal check" in item.title for item in plain.items)


def test_reflection_asks_the_self_assessment_question_with_last_times_rating(knowledge_companion: Companion) -> None:
    goals = sample_context().mentee.goals
    context = sample_context(notes=None, goal_history=history((goals[0], [(1, "mentee", 4)])))
    output, _ = compose(knowledge_companion, "reflection", context)
    assert isinstance(output, ReflectionPrompts)
    asked = [p.text for p in output.prompts if p.goal == goals[0]]
    assert any("Last time you put" in t and "at 4 out of 10" in t and "from 0 to 10" in t for t in asked), asked


def test_the_feedback_summary_says_what_changed_since_last_time(knowledge_companion: Companion) -> None:
    context = sample_context(goal_history=history((RAISE, [(1, "mentee", 3), (2, "mentee", 6)])))
    output, _ = compose(knowledge_companion, "feedback", context)
    assert isinstance(output, FeedbackSummary)
    assert f"Since last time, “{RAISE}” is up from 3 to 6/10 (mentee's rating)." in output.summary

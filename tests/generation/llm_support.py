"""Contexts and retrieval shared by the LLM-path tests (prompts, fake models, real server)."""

from __future__ import annotations

from typing import Any

from companion.generation.base import Audience, Retrieved
from companion.generation.taskspec import task_spec
from companion.schemas import MentoringContext
from companion.service import Companion

MENTEE_EMAIL = "priya.raman@example.com"
MENTEE_PHONE = "+44 20 7946 0958"

FULL_CONTEXT: dict[str, Any] = {
    "tenant": "acme",
    "mentor": {"name": "Dana Okafor", "expertise": ["fundraising", "product"], "interests": ["cycling", "jazz"]},
    "mentee": {
        "name": "Priya Raman",
        "role": "first-time founder",
        "situation": "pre-seed B2B startup selling scheduling software to dental clinics",
        "goals": ["raise a seed round by June", "hire a first engineer"],
        "interests": ["hiking", "chess"],
        "challenges": ["fear of pitching", "70-hour weeks"],
    },
    "session": {"number": 3, "duration_minutes": 45, "focus": ["fundraising"], "language": "en", "date": "2026-11-24"},
    "open_action_items": [{"text": "Draft investor list", "owner": "mentee", "due": "2026-12-01"}],
    "previous_icebreakers": ["What did you last learn from a game of chess?"],
    "notes": (
        "Session 3 with Priya.\n"
        "- Walked through deck v4; much tighter than last time.\n"
        "- Decided: angels first, funds only after 3 LOIs from clinics.\n"
        "- ACTION: Priya to draft the job post by 2026-12-03.\n"
        f"- Priya's new contact details: {MENTEE_EMAIL}, {MENTEE_PHONE}.\n"
    ),
    "decision": {
        "statement": "Quit my job to work on the startup full time?",
        "options": ["quit now", "six more months part-time"],
        "deadline": "2027-01-15",
        "risk_appetite": "medium",
    },
}

MINIMAL_CONTEXT: dict[str, Any] = {"mentee": {"name": "Sam"}}


def full_context(**overrides: Any) -> MentoringContext:
    return MentoringContext.model_validate({**FULL_CONTEXT, **overrides})


def minimal_context() -> MentoringContext:
    return MentoringContext.model_validate(MINIMAL_CONTEXT)


def retrieve(companion: Companion, task: str, context: MentoringContext) -> Retrieved:
    """What production retrieval returns for this task and context, as the context's mentor sees it."""
    audience = Audience(mentee_facing=task == "reflection", mentor_name=context.mentor.name)
    return task_spec(task).retrieve(context, companion.retriever, audience)

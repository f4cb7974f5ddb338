"""The controlled vocabulary for knowledge front matter and bank items, defined once.

Loaders, the knowledge checker, the retriever's filters and the generators all read
these tuples, so a new theme or stage is added here and nowhere else.
"""

from __future__ import annotations

from typing import Literal

GLOBAL_TENANT = "global"
"""Knowledge in this tenant (the shipped library) is readable by every tenant."""

DEFAULT_TENANT = "local"

KINDS: tuple[str, ...] = (
    "guide",
    "note",
    "question_bank",
    "framework",
    "agenda_block",
    "example",
)

THEMES: dict[str, str] = {
    "sharing_experience": "Mentors sharing their experience as stories with a lesson.",
    "individual_needs": "Identifying and re-checking each mentee's individual needs.",
    "trust_and_rapport": "Building trust, breaking the ice, confidentiality, safety.",
    "goals_and_progress": "Pre-set goals, meeting cadence and progress tracking.",
    "feedback_and_self_assessment": "Giving, asking for and acting on feedback; self-assessment.",
    "career_risk": "Taking calculated risks in career decisions.",
    "work_life_balance": "Energy, boundaries, rest, burnout and family.",
    "session_structure": "How to run each type of session, from the first to the last.",
}

STAGES: tuple[str, ...] = ("first_session", "early", "established", "closing", "any")

AUDIENCES: tuple[str, ...] = ("mentor", "mentee", "both")

VISIBILITIES: tuple[str, ...] = ("shared", "mentor_private")

DEPTHS: tuple[str, ...] = ("light", "medium", "deep")

SESSION_TYPES: tuple[str, ...] = (
    "first_session",
    "goal_setting",
    "progress_review",
    "feedback",
    "decision",
    "closing",
)

PERSONAS: tuple[str, ...] = (
    "first_time_founder",
    "scaling_founder",
    "engineer",
    "manager",
    "emerging_leader",
    "career_changer",
    "student",
)

DECISION_FRAMEWORKS: tuple[str, ...] = (
    "reversibility",
    "premortem",
    "expected_value",
    "regret_minimisation",
    "ten_ten_ten",
    "decision_journal",
    "small_experiment",
)

FEEDBACK_FORMS: tuple[str, ...] = ("sbi", "feedforward")

AGENDA_POSITIONS: tuple[str, ...] = ("open", "middle", "close")

TEMPLATE_SLOTS: tuple[str, ...] = ("interest", "goal", "role", "challenge", "focus")
"""Placeholders a bank item's text may contain, written as {interest}, {goal}, ..."""

# Each bank: the front-matter kind its file must carry, the fields every item needs,
# and the minimum number of items the knowledge check enforces.
BANKS: dict[str, dict[str, object]] = {
    "icebreakers": {
        "kind": "question_bank",
        "required": ("id", "text", "stage", "depth", "themes", "audience"),
        "min_items": 150,
    },
    "reflection_prompts": {
        "kind": "question_bank",
        "required": ("id", "text", "themes", "stage"),
        "min_items": 100,
    },
    "agenda_blocks": {
        "kind": "agenda_block",
        "required": ("id", "title", "purpose", "minutes", "session_types", "position", "prompts"),
        "min_items": len(SESSION_TYPES),
    },
    "smart_goals": {
        "kind": "framework",
        "required": (
            "id",
            "persona",
            "goal",
            "specific",
            "measurable",
            "achievable",
            "relevant",
            "time_bound",
            "milestones",
        ),
        "min_items": 30,
    },
    "feedback_patterns": {
        "kind": "framework",
        "required": ("id", "form", "pattern", "example", "when"),
        "min_items": 20,
    },
    "decision_templates": {
        "kind": "framework",
        "required": ("id", "framework", "name", "when_to_use", "steps", "questions"),
        "min_items": len(DECISION_FRAMEWORKS),
    },
}

# Which vocabulary a bank item field must come from (lists are checked item by item).
ITEM_FIELD_VOCABULARY: dict[str, tuple[str, ...]] = {
    "stage": STAGES,
    "depth": DEPTHS,
    "themes": tuple(THEMES),
    "audience": AUDIENCES,
    "session_types": SESSION_TYPES,
    "position": AGENDA_POSITIONS,
    "persona": PERSONAS,
    "form": FEEDBACK_FORMS,
    "framework": DECISION_FRAMEWORKS,
}

# Literal types of the vocabularies above, for request validation (kept equal by a test).
Kind = Literal["guide", "note", "question_bank", "framework", "agenda_block", "example"]
Theme = Literal[
    "sharing_experience",
    "individual_needs",
    "trust_and_rapport",
    "goals_and_progress",
    "feedback_and_self_assessment",
    "career_risk",
    "work_life_balance",
    "session_structure",
]
Stage = Literal["first_session", "early", "established", "closing", "any"]
Audience = Literal["mentor", "mentee", "both"]
Visibility = Literal["shared", "mentor_private"]

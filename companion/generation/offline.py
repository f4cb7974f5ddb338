"""The offline generator: a deterministic, grounded composer that needs no model.

It picks items from the knowledge banks by tag and by retrieval rank, fills their templates
with the mentee's own goals, interests and challenges, and cites exactly the chunks it used.
The same context over the same index always gives the same output.
"""

from __future__ import annotations

from collections.abc import Callable

from companion.generation.base import Retrieved
from companion.generation.tasks import agenda, decision, feedback, goals, icebreakers, reflection
from companion.schemas import MentoringContext, _Output

Compose = Callable[[MentoringContext, Retrieved], _Output]

COMPOSERS: dict[str, Compose] = {
    "agenda": agenda.compose,
    "icebreakers": icebreakers.compose,
    "feedback": feedback.compose,
    "decision": decision.compose,
    "reflection": reflection.compose,
    "goals": goals.compose,
}

COMPOSER_VERSIONS: dict[str, str] = {
    "agenda": agenda.COMPOSER_VERSION,
    "icebreakers": icebreakers.COMPOSER_VERSION,
    "feedback": feedback.COMPOSER_VERSION,
    "decision": decision.COMPOSER_VERSION,
    "reflection": reflection.COMPOSER_VERSION,
    "goals": goals.COMPOSER_VERSION,
}


class OfflineComposer:
    """Generator protocol implementation; also the LLM path's fallback."""

    name = "offline"
    cites_all_it_uses = True
    """Every line it writes comes from a chunk it cites, so its citations tell what it drew on."""

    def generate(self, task: str, context: MentoringContext, retrieved: Retrieved) -> _Output:
        compose = COMPOSERS.get(task)
        if compose is None:
            raise ValueError(f"unknown task {task!r}; available: {', '.join(COMPOSERS)}")
        return compose(context, retrieved)

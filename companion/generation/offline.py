"""The offline generator: a deterministic, grounded composer that needs no model.

It picks items from the knowledge banks by tag and by retrieval rank, fills their templates
with the mentee's own goals, interests and challenges, and cites exactly the chunks it used.
The same context over the same index always gives the same output.
"""

from __future__ import annotations

from companion.generation.base import Retrieved
from companion.generation.taskspec import task_spec
from companion.schemas import MentoringContext, _Output


class OfflineComposer:
    """Generator protocol implementation; also the LLM path's fallback."""

    name = "offline"
    cites_all_it_uses = True
    """Every line it writes comes from a chunk it cites, so its citations tell what it drew on."""

    def generate(self, task: str, context: MentoringContext, retrieved: Retrieved) -> _Output:
        return task_spec(task).compose(context, retrieved)

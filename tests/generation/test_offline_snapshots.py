"""Whole-output snapshots of the offline composer over the shipped knowledge.

The composer is deterministic, so any change in these files is a change in behaviour: review
the diff, then refresh with `UPDATE_SNAPSHOTS=1 python -m pytest tests/generation`.
"""

from __future__ import annotations

import pytest

from companion.schemas import TASKS
from companion.service import Companion
from tests.generation.support import CONTEXTS, check_snapshot, compose, sample_context


@pytest.mark.parametrize("context_name", sorted(CONTEXTS))
@pytest.mark.parametrize("task", TASKS)
def test_offline_output_matches_snapshot(knowledge_companion: Companion, task: str, context_name: str) -> None:
    output, _ = compose(knowledge_companion, task, sample_context(**CONTEXTS[context_name]))
    check_snapshot(f"{task}-{context_name}", output)

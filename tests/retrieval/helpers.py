"""Small builders shared by the retrieval tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from companion.retrieval.embeddings import Embedder


class CountingEmbedder:
    """The real embedder, counting how many texts it was asked to embed (to prove work was skipped)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed(texts)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def note(title: str, body: str, **front: str) -> str:
    lines = [f"title: {title}"] + [f"{k}: {v}" for k, v in front.items()]
    return "---\n" + "\n".join(lines) + f"\n---\n# {title}\n\n{body}\n"


def sample_folder(root: Path) -> Path:
    """Four small sources with distinct topics, one of them a mentor's private note."""
    write(
        root / "guides" / "icebreakers.md",
        note(
            "Breaking the ice",
            "## Hobbies\n\nAsk about hiking, chess and weekend plans to build rapport.\n\n"
            "## Safety\n\nAgree on confidentiality early so the mentee feels safe.",
            themes="[trust_and_rapport]",
        ),
    )
    write(
        root / "guides" / "burnout.md",
        note(
            "Burnout warning signs",
            "Seventy-hour weeks, poor sleep and cynicism are signs of burnout; protect rest.",
            themes="[work_life_balance]",
            stage="established",
        ),
    )
    write(
        root / "notes" / "dana-private.md",
        note(
            "Priya and pitching",
            "PRIVATE-MARKER-7731 Priya freezes when investors ask about revenue.",
            kind="note",
            visibility="mentor_private",
            author="Dana",
            themes="[feedback_and_self_assessment]",
        ),
    )
    write(root / "notes" / "session.txt", "We reviewed the seed round plan and the investor list.")
    return root

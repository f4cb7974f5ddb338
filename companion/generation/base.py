"""The contract between retrieval and the generators.

A request is: task + MentoringContext + Audience. Retrieval for the task produces a
`Retrieved` bundle (the only chunks a generator may cite). A generator turns the bundle and
the context into the task's output model. Both generators (offline, openai) honour this
same contract, so the API and CLI never care which one ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from companion.schemas import Citation, MentoringContext, _Output

if TYPE_CHECKING:  # the retriever (and BM25 behind it) is not loaded by commands that only check access
    from companion.retrieval.retriever import SearchResult


@dataclass(frozen=True)
class Audience:
    """Who will read the output; decides which chunks retrieval may return.

    Mentee-facing output (reflection prompts, or any task asked by a mentee) never sees
    mentor_private chunks. A mentor sees shared chunks plus their own private notes.
    """

    mentee_facing: bool = False
    mentor_name: str | None = None
    include_all_private: bool = False
    """Local admin / operator mode: every private note of the tenant may be used (never for a mentee)."""

    @property
    def allow_private(self) -> bool:
        return not self.mentee_facing and (self.include_all_private or self.mentor_name is not None)

    @property
    def private_author(self) -> str | None:
        return None if self.include_all_private else self.mentor_name


@dataclass
class Retrieved:
    """Everything retrieval returned for one request, grouped by the role it plays."""

    groups: dict[str, list[SearchResult]] = field(default_factory=dict)
    mentor_authors: frozenset[str] = frozenset()
    """The `author` values that mean 'this mentor': the context's name and, over the API, the person id."""

    def add(self, role: str, results: list[SearchResult]) -> None:
        bucket = self.groups.setdefault(role, [])
        known = {r.chunk_id for r in bucket}
        bucket.extend(r for r in results if r.chunk_id not in known)

    def get(self, role: str) -> list[SearchResult]:
        return self.groups.get(role, [])

    @property
    def all(self) -> list[SearchResult]:
        seen: dict[str, SearchResult] = {}
        for results in self.groups.values():
            for result in results:
                seen.setdefault(result.chunk_id, result)
        return list(seen.values())

    def by_id(self) -> dict[str, SearchResult]:
        return {r.chunk_id: r for r in self.all}

    def citation(self, chunk_id: str) -> Citation | None:
        """A citation only for a chunk that retrieval actually returned."""
        result = self.by_id().get(chunk_id)
        return None if result is None else Citation(**result.citation())


class Generator(Protocol):
    """One narrow contract per provider: task + context + retrieved chunks -> validated output."""

    name: str

    def generate(self, task: str, context: MentoringContext, retrieved: Retrieved) -> _Output: ...

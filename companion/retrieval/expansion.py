"""Query expansion for BM25 from the controlled vocabulary (`companion.vocabulary`).

Each theme's name and description is a small set of words that belong together ("Energy,
boundaries, rest, burnout and family"). A query that uses enough of one theme's words gets the
theme's other words added to its BM25 query at a lower weight, so a chunk that talks about the
theme in the theme's words can still be found when the asker used only some of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from companion import vocabulary as vocab


@dataclass(frozen=True)
class ThemeTerms:
    theme: str
    terms: frozenset[str]


def theme_terms(tokenize: Callable[[str], list[str]]) -> list[ThemeTerms]:
    """The stemmed, stop-word-free words of each theme's name and description."""
    return [
        ThemeTerms(theme, frozenset(tokenize(theme.replace("_", " ") + " " + description)))
        for theme, description in vocab.THEMES.items()
    ]


def expand(
    query_tokens: list[str], themes: list[ThemeTerms], *, weight: float, min_hits: int = 1
) -> list[tuple[list[str], float]]:
    """(extra tokens, weight) for each theme the query shares at least `min_hits` words with: the
    theme's words the query does not already have."""
    if weight <= 0:
        return []
    asked = set(query_tokens)
    extra: list[tuple[list[str], float]] = []
    for theme in themes:
        if len(asked & theme.terms) >= min_hits:
            added = sorted(theme.terms - asked)
            if added:
                extra.append((added, weight))
    return extra

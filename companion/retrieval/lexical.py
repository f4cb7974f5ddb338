"""BM25 over every catalogued chunk (bm25s), persisted beside the store and stamped with the
catalog generation it was built from, so a stale or half-written index is rebuilt, never used."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from companion.retrieval.catalog import Catalog, ChunkRecord

if TYPE_CHECKING:  # bm25s (and scipy behind it) loads when an index is built or read, not at import
    import bm25s

_WORD = re.compile(r"[a-z0-9]+")
# Columns of chunk metadata the lexical side can filter on; themes are kept as a set per chunk.
FILTER_COLUMNS = ("tenant", "visibility", "author", "kind", "stage", "audience", "bank", "source")


class Tokenizer:
    """Lower-case words, English stop words removed, Snowball-stemmed (cached per word)."""

    def __init__(self) -> None:
        import Stemmer
        from bm25s.stopwords import STOPWORDS_EN

        self._stemmer = Stemmer.Stemmer("english")
        self._stopwords = frozenset(STOPWORDS_EN)
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in self._stopwords]
        missing = [w for w in set(words) if w not in self._cache]
        if missing:
            self._cache.update(zip(missing, self._stemmer.stemWords(missing), strict=True))
        return [self._cache[w] for w in words]


@dataclass
class _Columns:
    """Per-document filter values as numpy arrays, aligned with the BM25 index rows."""

    chunk_ids: list[str]
    values: dict[str, np.ndarray]
    themes: list[frozenset[str]]

    @classmethod
    def build(cls, records: list[ChunkRecord]) -> _Columns:
        values = {
            column: np.array([str(r.meta.get(column, "")) for r in records], dtype=object) for column in FILTER_COLUMNS
        }
        themes = [frozenset(filter(None, str(r.meta.get("themes", "")).split(","))) for r in records]
        return cls([r.chunk_id for r in records], values, themes)

    def to_json(self) -> dict[str, object]:
        return {
            "chunk_ids": self.chunk_ids,
            "values": {k: v.tolist() for k, v in self.values.items()},
            "themes": [sorted(t) for t in self.themes],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> _Columns:
        raw_values = data["values"]
        assert isinstance(raw_values, dict)
        raw_themes = data["themes"]
        assert isinstance(raw_themes, list)
        chunk_ids = data["chunk_ids"]
        assert isinstance(chunk_ids, list)
        return cls(
            chunk_ids,
            {k: np.array(v, dtype=object) for k, v in raw_values.items()},
            [frozenset(t) for t in raw_themes],
        )


@dataclass(frozen=True)
class LexicalFilter:
    """Allowed values per column (None = any); `themes` matches chunks with any of them."""

    allowed: dict[str, tuple[str, ...]]
    themes: tuple[str, ...] = ()
    private_author: str | None = None
    allow_private: bool = False
    private_tenant: str | None = None
    """Private chunks only from this tenant: an author's name means nothing across tenants."""

    def key(self) -> tuple[object, ...]:
        """A hashable identity of the filter (the mask it gives depends on nothing else)."""
        allowed = tuple(sorted((column, tuple(values)) for column, values in self.allowed.items()))
        return (allowed, tuple(sorted(self.themes)), self.private_author, self.allow_private, self.private_tenant)


MASK_CACHE_SIZE = 128
"""Filter masks kept per loaded index (one bool per chunk each: 100 KB at 100k chunks)."""


class LexicalSnapshot:
    """One loaded generation of the index: immutable, so a batch of searches sees one state.

    Filter masks depend only on the snapshot and the filter, so they are computed once per
    filter and reused (generation asks the same few filters over and over)."""

    def __init__(
        self,
        generation: int,
        bm25: bm25s.BM25 | None,
        columns: _Columns,
        tokenize: Tokenizer,
        headings: bm25s.BM25 | None = None,
    ) -> None:
        self.generation = generation
        self.bm25 = bm25
        self.columns = columns
        self.tokenize = tokenize
        self.headings = headings
        """BM25 over each chunk's heading path alone ("Title > Section > Sub"): the heading field."""
        self._theme_masks: dict[str, np.ndarray] = {}
        self._masks: OrderedDict[tuple[object, ...], np.ndarray] = OrderedDict()
        self._ids: OrderedDict[tuple[object, ...], list[str] | None] = OrderedDict()
        self._lock = threading.Lock()

    def size(self) -> int:
        return len(self.columns.chunk_ids)

    def _theme_mask(self, theme: str) -> np.ndarray:
        mask = self._theme_masks.get(theme)
        if mask is None:
            themes = self.columns.themes
            mask = np.fromiter((theme in t for t in themes), dtype=bool, count=len(themes))
            self._theme_masks[theme] = mask
        return mask

    def _compute_mask(self, flt: LexicalFilter) -> np.ndarray:
        columns = self.columns
        mask = np.ones(len(columns.chunk_ids), dtype=bool)
        for column, allowed in flt.allowed.items():
            mask &= np.isin(columns.values[column], np.array(allowed, dtype=object))
        shared = columns.values["visibility"] == "shared"
        if not flt.allow_private:
            mask &= shared
        else:
            private_ok = np.ones(len(mask), dtype=bool)
            if flt.private_author is not None:
                private_ok &= columns.values["author"] == flt.private_author
            if flt.private_tenant is not None:
                private_ok &= columns.values["tenant"] == flt.private_tenant
            mask &= shared | private_ok
        if flt.themes:
            any_theme = np.zeros(len(mask), dtype=bool)
            for theme in set(flt.themes):
                any_theme |= self._theme_mask(theme)
            mask &= any_theme
        mask.setflags(write=False)
        return mask

    def mask(self, flt: LexicalFilter) -> np.ndarray:
        """Which documents the filter admits (read-only; cached per filter)."""
        key = flt.key()
        with self._lock:
            cached = self._masks.get(key)
            if cached is not None:
                self._masks.move_to_end(key)
                return cached
        mask = self._compute_mask(flt)
        with self._lock:
            self._masks[key] = mask
            if len(self._masks) > MASK_CACHE_SIZE:
                self._masks.popitem(last=False)
        return mask

    def allowed_ids(self, flt: LexicalFilter, at_most: int) -> list[str] | None:
        """The ids of the documents the filter admits, or None when there are more than `at_most`."""
        key = (flt.key(), at_most)
        with self._lock:
            known = key in self._ids
            ids = self._ids.get(key)
        if not known:
            mask = self.mask(flt)
            admitted = np.flatnonzero(mask)
            ids = [self.columns.chunk_ids[i] for i in admitted] if admitted.size <= at_most else None
            with self._lock:
                self._ids[key] = ids
                if len(self._ids) > MASK_CACHE_SIZE:
                    self._ids.popitem(last=False)
        return ids

    def _field_scores(self, bm25: bm25s.BM25 | None, tokens: list[str]) -> np.ndarray | None:
        if bm25 is None or not tokens:
            return None
        token_ids = bm25.get_tokens_ids(tokens)
        if not token_ids:
            return None
        return np.asarray(bm25.get_scores_from_ids(token_ids), dtype=np.float64)

    def scores(
        self, query: str, heading_weight: float = 0.0, expansion: Sequence[tuple[list[str], float]] = ()
    ) -> np.ndarray | None:
        """BM25 score of every document: the whole chunk (heading path and text) plus `heading_weight`
        times the heading field alone, plus each (extra tokens, weight) of `expansion` scored the same
        way and scaled by its weight. None when no query term is in the index."""
        total: np.ndarray | None = None
        parts = [(self.tokenize(query), 1.0), *expansion]
        for tokens, weight in parts:
            if weight <= 0:
                continue
            for bm25, field_weight in ((self.bm25, 1.0), (self.headings, heading_weight)):
                if field_weight <= 0:
                    continue
                field = self._field_scores(bm25, tokens)
                if field is not None:
                    total = (
                        field * (weight * field_weight) if total is None else total + field * (weight * field_weight)
                    )
        return total

    def search(
        self,
        query: str,
        flt: LexicalFilter,
        limit: int,
        *,
        heading_weight: float = 0.0,
        expansion: Sequence[tuple[list[str], float]] = (),
    ) -> list[tuple[str, float]]:
        found = self.scores(query, heading_weight, expansion)
        if found is None:
            return []
        scores = np.where(self.mask(flt), found, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size == 0:
            return []
        if candidates.size > limit:
            top = np.argpartition(-scores[candidates], limit - 1)[:limit]
            candidates = candidates[top]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        chunk_ids = self.columns.chunk_ids
        return [(chunk_ids[i], float(scores[i])) for i in order]


class LexicalIndex:
    """The BM25 index with its filter columns; `search` returns (chunk_id, score) pairs.

    Only writers (which hold the data dir's ingest lock) save the index to disk. A reader that
    finds the saved index older than the catalog (a writer is between its catalog commit and its
    rebuild, or died there) builds the current index in memory instead: it never serves stale
    results, and it never races a writer, or a reader in another worker, for the shared folder."""

    def __init__(self, directory: Path, catalog: Catalog, *, heading_field: bool = False) -> None:
        self.directory = directory
        self.catalog = catalog
        self.heading_field = heading_field
        """Also index each chunk's heading path alone, for a heading-weighted BM25 (off by default:
        it did not raise the dev set, see docs/benchmarks.md)."""
        self.tokenize = Tokenizer()
        self._load_lock = threading.Lock()
        self._snapshot = LexicalSnapshot(-1, None, _Columns([], {}, []), self.tokenize)

    # -- building ------------------------------------------------------------------------
    def _build(self) -> LexicalSnapshot:
        """The index of the catalog as it is now (read the generation first: the content is at least that new)."""
        generation = self.catalog.generation()
        records = list(self.catalog.iter_chunks())
        columns = _Columns.build(records)
        bm25 = headings = None
        if records:
            import bm25s

            bm25 = bm25s.BM25()
            bm25.index(
                [self.tokenize(r.heading + "\n\n" + r.text) or ["\x00empty"] for r in records],
                show_progress=False,
            )
            if self.heading_field:
                headings = bm25s.BM25()
                headings.index([self.tokenize(r.heading) or ["\x00empty"] for r in records], show_progress=False)
        return LexicalSnapshot(generation, bm25, columns, self.tokenize, headings)

    def rebuild(self) -> None:
        """Rebuild from the catalog and save atomically (write a temp dir, then swap). Writers only:
        call it while holding the data dir's ingest lock."""
        with self._load_lock:
            snapshot = self._build()
            self.directory.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".bm25-", dir=self.directory.parent))
            if snapshot.bm25 is not None:
                snapshot.bm25.save(str(staging / "bm25"), show_progress=False)
            if snapshot.headings is not None:
                snapshot.headings.save(str(staging / "bm25_headings"), show_progress=False)
            (staging / "columns.json").write_text(json.dumps(snapshot.columns.to_json()), encoding="utf-8")
            (staging / "generation").write_text(str(snapshot.generation), encoding="utf-8")
            old = self.directory.with_name(self.directory.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self.directory.exists():
                os.replace(self.directory, old)
            os.replace(staging, self.directory)
            shutil.rmtree(old, ignore_errors=True)
            self._snapshot = snapshot

    def saved_generation(self) -> int:
        """The catalog generation the saved index was built from (-1: none, or unreadable)."""
        try:
            return int((self.directory / "generation").read_text())
        except (OSError, ValueError):
            return -1

    def _load_saved(self, generation: int) -> LexicalSnapshot | None:
        """The saved index if it is exactly `generation`; None if it is another one or a writer
        swapped it while we read (then the caller builds in memory)."""
        if self.saved_generation() != generation:
            return None
        import bm25s

        try:
            columns = _Columns.from_json(json.loads((self.directory / "columns.json").read_text(encoding="utf-8")))
            bm25 = headings = None
            if columns.chunk_ids:
                bm25 = bm25s.BM25.load(str(self.directory / "bm25"), show_progress=False)
                if self.heading_field:
                    # An index saved without the heading field has no such folder: building the
                    # current one in memory beats ranking without the field (the next ingest saves it).
                    headings = bm25s.BM25.load(str(self.directory / "bm25_headings"), show_progress=False)
        except (OSError, ValueError, KeyError, AssertionError):
            return None
        if self.saved_generation() != generation:
            return None  # replaced while we read: the parts may come from two versions
        return LexicalSnapshot(generation, bm25, columns, self.tokenize, headings)

    def current(self, generation: int | None = None) -> LexicalSnapshot:
        """The index for the catalog's generation (read now unless given): the loaded one if it is
        current, else the saved one, else one built in memory from the catalog."""
        if generation is None:
            generation = self.catalog.generation()
        snapshot = self._snapshot
        if snapshot.generation == generation:
            return snapshot
        with self._load_lock:
            snapshot = self._snapshot
            if snapshot.generation != generation:
                snapshot = self._load_saved(generation) or self._build()
                self._snapshot = snapshot
        return snapshot

    # -- searching -----------------------------------------------------------------------
    def search(
        self,
        query: str,
        flt: LexicalFilter,
        limit: int,
        *,
        heading_weight: float = 0.0,
        expansion: Sequence[tuple[list[str], float]] = (),
    ) -> list[tuple[str, float]]:
        return self.current().search(query, flt, limit, heading_weight=heading_weight, expansion=expansion)

    def size(self) -> int:
        return self.current().size()


def tokens_of(texts: Iterable[str]) -> list[list[str]]:
    """Tokenise many texts the way the index does (for benchmarks and tests)."""
    tokenizer = Tokenizer()
    return [tokenizer(t) for t in texts]

"""BM25 over every catalogued chunk (bm25s), persisted beside the store and stamped with the
catalog generation it was built from, so a stale or half-written index is rebuilt, never used."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from companion.retrieval.catalog import Catalog, ChunkRecord

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(STOPWORDS_EN)
# Columns of chunk metadata the lexical side can filter on; themes are kept as a set per chunk.
FILTER_COLUMNS = ("tenant", "visibility", "author", "kind", "stage", "audience", "bank", "source")


class Tokenizer:
    """Lower-case words, English stop words removed, Snowball-stemmed (cached per word)."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]
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


class LexicalIndex:
    """The BM25 index with its filter columns; `search` returns (chunk_id, score) pairs."""

    def __init__(self, directory: Path, catalog: Catalog) -> None:
        self.directory = directory
        self.catalog = catalog
        self.tokenize = Tokenizer()
        self._lock = threading.Lock()
        self._generation = -1
        self._bm25: bm25s.BM25 | None = None
        self._columns = _Columns([], {}, [])

    # -- building ------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Rebuild from the catalog and save atomically (write a temp dir, then swap)."""
        generation = self.catalog.generation()
        records = list(self.catalog.iter_chunks())
        columns = _Columns.build(records)
        bm25 = None
        if records:
            bm25 = bm25s.BM25()
            bm25.index(
                [self.tokenize(r.heading + "\n\n" + r.text) or ["\x00empty"] for r in records],
                show_progress=False,
            )
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bm25-", dir=self.directory.parent))
        if bm25 is not None:
            bm25.save(str(staging / "bm25"), show_progress=False)
        (staging / "columns.json").write_text(json.dumps(columns.to_json()), encoding="utf-8")
        (staging / "generation").write_text(str(generation), encoding="utf-8")
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(staging, self.directory)
        shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self._bm25, self._columns, self._generation = bm25, columns, generation

    def _ensure_current(self) -> None:
        """Load the saved index if the catalog moved on since we last looked; rebuild if stale."""
        generation = self.catalog.generation()
        if generation == self._generation:
            return
        stamp = self.directory / "generation"
        saved = int(stamp.read_text()) if stamp.exists() else -1
        if saved != generation:
            self.rebuild()
            return
        columns = _Columns.from_json(json.loads((self.directory / "columns.json").read_text(encoding="utf-8")))
        bm25 = bm25s.BM25.load(str(self.directory / "bm25"), show_progress=False) if columns.chunk_ids else None
        with self._lock:
            self._bm25, self._columns, self._generation = bm25, columns, generation

    # -- searching -----------------------------------------------------------------------
    def _mask(self, flt: LexicalFilter) -> np.ndarray:
        columns = self._columns
        mask = np.ones(len(columns.chunk_ids), dtype=bool)
        for column, allowed in flt.allowed.items():
            mask &= np.isin(columns.values[column], np.array(allowed, dtype=object))
        shared = columns.values["visibility"] == "shared"
        if not flt.allow_private:
            mask &= shared
        elif flt.private_author is not None:
            mask &= shared | (columns.values["author"] == flt.private_author)
        if flt.themes:
            wanted = set(flt.themes)
            mask &= np.fromiter((bool(t & wanted) for t in columns.themes), dtype=bool, count=len(mask))
        return mask

    def search(self, query: str, flt: LexicalFilter, limit: int) -> list[tuple[str, float]]:
        self._ensure_current()
        with self._lock:
            bm25, columns = self._bm25, self._columns
        if bm25 is None:
            return []
        token_ids = bm25.get_tokens_ids(self.tokenize(query))
        if not token_ids:
            return []
        scores = np.asarray(bm25.get_scores_from_ids(token_ids), dtype=np.float64)
        scores = np.where(self._mask(flt), scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size == 0:
            return []
        if candidates.size > limit:
            top = np.argpartition(-scores[candidates], limit - 1)[:limit]
            candidates = candidates[top]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(columns.chunk_ids[i], float(scores[i])) for i in order]

    def size(self) -> int:
        self._ensure_current()
        return len(self._columns.chunk_ids)


def tokens_of(texts: Iterable[str]) -> list[list[str]]:
    """Tokenise many texts the way the index does (for benchmarks and tests)."""
    tokenizer = Tokenizer()
    return [tokenizer(t) for t in texts]

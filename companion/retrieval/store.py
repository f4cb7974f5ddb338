"""The vector store: Chroma, embedded (PersistentClient) or a `chroma run` server (HttpClient).

The only module that imports chromadb. We always pass our own embeddings, and the collection
is opened with `embedding_function=None`, so Chroma's default embedding function (which
downloads a model on first use) can never run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np

from companion.config import Settings


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached; the message names it."""


class StoreInconsistent(StoreUnavailable):
    """Chroma 1.x failed with "Error finding id": asked about an id its HNSW index does not hold
    (a `where`- or `ids`-filtered query, or a read of embeddings, naming a vector deleted or not
    yet written there). Its unfiltered nearest-neighbour query never looks ids up, so the
    retriever retries on that path; left uncaught it is a StoreUnavailable (503) like any other."""


INCONSISTENT_MARKER = "Error finding id"


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    similarity: float
    metadata: dict[str, Any] | None = None


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"COMPANION_CHROMA_URL {settings.chroma_url!r} must look like http://host:port")
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class ChromaStore:
    """Vectors and metadata for every chunk, in one cosine collection per embedding model."""

    def __init__(self, settings: Settings, model_id: str) -> None:
        self.description = (
            f"Chroma server at {settings.chroma_url}"
            if settings.chroma_url
            else f"embedded Chroma in {settings.chroma_dir}"
        )
        self.name = f"{settings.chroma_collection}_{model_id}".replace("/", "-")[:63]
        try:
            self._client = _client(settings)
            self._collection = self._client.get_or_create_collection(
                name=self.name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": model_id},
            )
            self.max_batch_size = int(self._client.get_max_batch_size())
        except ValueError:
            raise
        except Exception as exc:
            raise StoreUnavailable(f"{self.description} is unavailable: {type(exc).__name__}: {exc}") from exc

    def _call(self, operation: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            if INCONSISTENT_MARKER in str(exc):
                raise StoreInconsistent(
                    f"{self.description} failed to {operation}: {type(exc).__name__}: {exc}"
                ) from exc
            raise StoreUnavailable(f"{self.description} failed to {operation}: {type(exc).__name__}: {exc}") from exc

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        """Write in slices within Chroma's max batch size."""
        step = self.max_batch_size
        for start in range(0, len(ids), step):
            end = start + step
            self._call(
                "write",
                self._collection.upsert,
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                documents=list(documents[start:end]),
                metadatas=list(metadatas[start:end]),
            )

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        step = self.max_batch_size
        for start in range(0, len(ids), step):
            result = self._call("read", self._collection.get, ids=list(ids[start : start + step]), include=[])
            found.update(result["ids"])
        return found

    def ids_for_source(self, tenant: str, source: str) -> set[str]:
        result = self._call(
            "read",
            self._collection.get,
            where={"$and": [{"tenant": tenant}, {"source": source}]},
            include=[],
        )
        return set(result["ids"])

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        step = self.max_batch_size
        for start in range(0, len(ids), step):
            self._call("delete", self._collection.delete, ids=ids[start : start + step])

    def query(self, vector: np.ndarray, limit: int, *, with_metadata: bool = False) -> list[DenseHit]:
        return self.query_many([vector], limit, with_metadata=with_metadata)[0]

    def query_many(
        self, vectors: Sequence[np.ndarray], limit: int, *, with_metadata: bool = False
    ) -> list[list[DenseHit]]:
        """The `limit` nearest neighbours of each vector over the whole collection, in one call (one
        list per vector, nearest first; shorter when the collection holds fewer vectors).

        Deliberately unfiltered: Chroma 1.x answers a `where`- or `ids`-filtered query by looking
        every admitted id up in its HNSW index and fails ("Error finding id") when one is missing
        there, while an unfiltered query never does. Callers filter the neighbours themselves."""
        if not vectors:
            return []
        include = ["distances", "metadatas"] if with_metadata else ["distances"]
        result = self._call(
            "search",
            self._collection.query,
            query_embeddings=list(vectors),
            n_results=max(1, limit),
            include=include,
        )
        all_ids = result["ids"] or []
        all_distances = result.get("distances") or []
        all_metadatas = result.get("metadatas") if with_metadata else None
        hits: list[list[DenseHit]] = []
        for index in range(len(vectors)):
            ids = all_ids[index] if index < len(all_ids) else []
            distances = all_distances[index] if index < len(all_distances) else []
            metadatas = all_metadatas[index] if all_metadatas and index < len(all_metadatas) else [None] * len(ids)
            hits.append(
                [
                    DenseHit(i, 1.0 - float(d), dict(m) if m is not None else None)
                    for i, d, m in zip(ids, distances, metadatas, strict=True)
                ]
            )
        return hits

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ids that the collection holds (an unknown id is left out).

        A read by id can still fail with StoreInconsistent when Chroma's metadata holds an id
        that its HNSW index does not (see `query_many`)."""
        found: dict[str, np.ndarray] = {}
        ids = list(dict.fromkeys(ids))
        step = self.max_batch_size
        for start in range(0, len(ids), step):
            result = self._call("read", self._collection.get, ids=ids[start : start + step], include=["embeddings"])
            vectors = result.get("embeddings")
            if vectors is None:
                continue
            for chunk_id, vector in zip(result["ids"], vectors, strict=True):
                found[chunk_id] = np.asarray(vector, dtype=np.float32)
        return found

    def count(self) -> int:
        return int(self._call("count", self._collection.count))

    def heartbeat(self) -> None:
        self._call("answer a heartbeat", self._client.heartbeat)

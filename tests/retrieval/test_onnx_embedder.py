"""The ONNX backend: the same vectors as sentence-transformers, no torch at run time, a verified cache."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from companion.retrieval import onnx_cache
from companion.retrieval.chunking import Chunker
from companion.retrieval.embeddings import Embedder, OnnxEmbedder, local_model_dir
from companion.retrieval.loaders import discover, load_bytes
from tests.conftest import KNOWLEDGE

MIN_COSINE = 0.9999
PROBES = ["How often should we meet?", "  padded with spaces  \n", "", "burnout " * 400]
"""Beyond the real chunks: surrounding whitespace (sentence-transformers strips it), an empty text,
and one far past the 256-token window (both sides must truncate at the same place)."""


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(onnx_cache_dir)


@pytest.fixture(scope="session")
def knowledge_texts() -> list[str]:
    """The embed texts of every chunk of the shipped knowledge, exactly as the indexer embeds them."""
    chunker = Chunker()
    texts: list[str] = []
    for path in discover(KNOWLEDGE, exclude=frozenset({"README.md"})):
        source = path.relative_to(KNOWLEDGE).as_posix()
        chunks = chunker.chunk_parts(load_bytes(path.read_bytes(), source), tenant="global", source=source)
        texts.extend(chunk.embed_text for chunk in chunks)
    return texts


def cosines(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return (left * right).sum(axis=1) / (np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1))


def test_onnx_vectors_match_sentence_transformers_for_every_knowledge_chunk(
    onnx_embedder: OnnxEmbedder, embedder: Embedder, knowledge_texts: list[str]
) -> None:
    assert len(knowledge_texts) > 100
    texts = knowledge_texts + PROBES
    onnx_vectors = onnx_embedder.embed(texts)
    reference = embedder.embed(texts)
    assert onnx_vectors.shape == reference.shape == (len(texts), 384)
    assert onnx_vectors.dtype == np.float32
    similarity = cosines(onnx_vectors, reference)
    worst = int(np.argmin(similarity))
    assert similarity.min() >= MIN_COSINE, f"chunk {worst} ({texts[worst][:60]!r}) has cosine {similarity[worst]}"
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    # Distinct texts stay distinct: the match is not a degenerate constant vector.
    assert cosines(onnx_vectors[:-1], onnx_vectors[1:]).min() < 0.95
    assert onnx_embedder.model_id == embedder.model_id and onnx_embedder.dimension == embedder.dimension


def test_a_batch_gives_each_text_the_vector_it_gets_alone(
    onnx_embedder: OnnxEmbedder, knowledge_texts: list[str]
) -> None:
    """Length-sorted batching must put every row back in the caller's order."""
    texts = [knowledge_texts[0], "short", knowledge_texts[5], "a bit longer than short"]
    batched = onnx_embedder.embed(texts)
    alone = np.vstack([onnx_embedder.embed([text]) for text in texts])
    assert cosines(batched, alone).min() >= MIN_COSINE
    assert onnx_embedder.embed([]).shape == (0, 384)


def test_a_new_process_embeds_with_onnx_without_importing_torch(
    onnx_embedder: OnnxEmbedder, onnx_cache_dir: Path, tmp_path: Path
) -> None:
    model_file = onnx_cache.cache_folder(onnx_cache_dir, onnx_embedder.model_id) / onnx_cache.MODEL_FILE
    before = model_file.stat()
    script = (
        "import json, sys\n"
        "from companion.config import Settings\n"
        "from companion.retrieval.embeddings import create_embedder\n"
        "embedder = create_embedder(Settings(_env_file=None))\n"
        "vectors = embedder.embed(sys.argv[1:])\n"
        "heavy = ('torch', 'sentence_transformers', 'transformers', 'onnx')\n"
        "print(json.dumps({'loaded': [m for m in heavy if m in sys.modules], 'kind': type(embedder).__name__,\n"
        "                  'exported': embedder.exported, 'vectors': vectors.tolist()}))\n"
    )
    env = {
        **os.environ,
        "COMPANION_DATA_DIR": str(tmp_path / "data"),
        "COMPANION_EMBEDDING_CACHE_DIR": str(onnx_cache_dir),
    }
    env.pop("COMPANION_EMBEDDING_BACKEND", None)  # the default backend is the one under test
    done = subprocess.run(
        [sys.executable, "-c", script, *PROBES], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["kind"] == "OnnxEmbedder"
    assert report["loaded"] == []
    assert report["exported"] is False, "the second process must reuse the export"
    assert cosines(np.asarray(report["vectors"]), onnx_embedder.embed(PROBES)).min() >= MIN_COSINE
    after = model_file.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_the_cache_is_reused_on_second_use(onnx_embedder: OnnxEmbedder, onnx_cache_dir: Path) -> None:
    folder = onnx_cache.cache_folder(onnx_cache_dir, onnx_embedder.model_id)
    stamps = {name: (folder / name).stat().st_mtime_ns for name in (onnx_cache.MODEL_FILE, onnx_cache.MANIFEST_FILE)}
    again = OnnxEmbedder(onnx_cache_dir)
    assert again.exported is False
    assert again.manifest == onnx_embedder.manifest
    assert {name: (folder / name).stat().st_mtime_ns for name in stamps} == stamps
    assert cosines(again.embed(PROBES), onnx_embedder.embed(PROBES)).min() >= MIN_COSINE


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


@pytest.mark.slow
@pytest.mark.parametrize("damage", [_flip_bytes, _truncate], ids=["corrupted", "partial"])
def test_a_damaged_cache_file_is_detected_and_re_exported(
    damage, onnx_embedder: OnnxEmbedder, onnx_cache_dir: Path, tmp_path: Path
) -> None:
    source = onnx_cache.cache_folder(onnx_cache_dir, onnx_embedder.model_id)
    copy_root = tmp_path / "cache"
    folder = onnx_cache.cache_folder(copy_root, onnx_embedder.model_id)
    shutil.copytree(source, folder)
    model_file = folder / onnx_cache.MODEL_FILE
    damage(model_file)
    assert onnx_cache._verified(folder, local_model_dir()) is None

    rebuilt = OnnxEmbedder(copy_root)

    assert rebuilt.exported is True
    manifest = json.loads((folder / onnx_cache.MANIFEST_FILE).read_text())
    written = model_file.read_bytes()
    assert manifest["size"] == len(written) and manifest["sha256"] == hashlib.sha256(written).hexdigest()
    assert OnnxEmbedder(copy_root).exported is False
    assert cosines(rebuilt.embed(PROBES), onnx_embedder.embed(PROBES)).min() >= MIN_COSINE

"""The ONNX export of the bundled all-MiniLM-L6-v2, made once and verified on every load.

The export is the only code that imports torch (through transformers) on the ONNX path, and it
runs only when the cache is missing, stale or damaged. A manifest records the SHA-256 of the
exported file, the hashes of the model files it came from and the export recipe's version; a
load re-hashes the exported bytes, so a partial or corrupted file is re-exported, never used.
Files are written to a temporary name and renamed into place, model first and manifest last, and
exports are serialised by a lock file, so two processes never see (or make) a half-written cache.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXPORT_VERSION = 1
"""Bump when the export recipe (wrapper, opset, graph optimisation) changes: old caches are then re-exported."""

OPSET = 17
MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
SOURCE_FILES = (
    "config.json",
    "model.safetensors",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer.json",
)
"""The model files whose content decides the export (and the tokenizer and pooling the runtime reads)."""

INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


class ExportError(RuntimeError):
    """The ONNX export could not be made; the message says why."""


@dataclass(frozen=True)
class CachedModel:
    model_bytes: bytes
    manifest: dict[str, Any]
    exported: bool
    """True when this call made the export (the cache was missing, stale or damaged)."""


def cache_folder(cache_dir: Path, model_name: str) -> Path:
    return cache_dir / f"{model_name}-onnx"


def load_or_export(model_dir: Path, cache_dir: Path, model_name: str) -> CachedModel:
    """The verified ONNX model for `model_dir`, exported into `cache_dir` first if needed."""
    folder = cache_folder(cache_dir, model_name)
    cached = _verified(folder, model_dir)
    if cached is not None:
        return cached
    folder.mkdir(parents=True, exist_ok=True)
    with _export_lock(folder):
        cached = _verified(folder, model_dir)  # another process may have exported while we waited
        if cached is not None:
            return cached
        return _export(folder, model_dir)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_record(model_dir: Path, previous: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Size, mtime and SHA-256 of each source file; a file whose size and mtime are unchanged since
    `previous` keeps its recorded hash instead of re-reading 90 MB of weights on every start."""
    record: dict[str, dict[str, Any]] = {}
    for name in SOURCE_FILES:
        path = model_dir / name
        try:
            stat = path.stat()
        except OSError as exc:
            raise ExportError(f"model file {path} is missing: {exc.strerror}") from None
        known = (previous or {}).get(name)
        if known and known.get("size") == stat.st_size and known.get("mtime_ns") == stat.st_mtime_ns:
            record[name] = known
        else:
            record[name] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": _sha256(path.read_bytes())}
    return record


def _same_sources(recorded: dict[str, Any], current: dict[str, dict[str, Any]]) -> bool:
    return set(recorded) == set(current) and all(recorded[n]["sha256"] == current[n]["sha256"] for n in current)


def _verified(folder: Path, model_dir: Path) -> CachedModel | None:
    """The cached model if its manifest matches the recipe, the sources and the file's bytes; else None."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        model_bytes = (folder / MODEL_FILE).read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("export_version") != EXPORT_VERSION:
        return None
    recorded = manifest.get("sources")
    if not isinstance(recorded, dict) or not _same_sources(recorded, _source_record(model_dir, recorded)):
        return None
    if manifest.get("size") != len(model_bytes) or manifest.get("sha256") != _sha256(model_bytes):
        return None
    return CachedModel(model_bytes, manifest, exported=False)


@contextmanager
def _export_lock(folder: Path) -> Iterator[None]:
    with (folder / ".export.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # mkstemp's 0600 would hide the cache from other users of a shared dir
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _export(folder: Path, model_dir: Path) -> CachedModel:
    sources = _source_record(model_dir)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".export-") as work:
        try:
            model_bytes, details = _export_with_torch(model_dir, Path(work))
        except ExportError:
            raise
        except Exception as exc:
            raise ExportError(f"ONNX export of {model_dir} failed: {type(exc).__name__}: {exc}") from exc
    manifest = {
        "export_version": EXPORT_VERSION,
        "sha256": _sha256(model_bytes),
        "size": len(model_bytes),
        "sources": sources,
        **details,
    }
    _write_atomically(folder / MODEL_FILE, model_bytes)
    _write_atomically(folder / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True).encode())
    return CachedModel(model_bytes, manifest, exported=True)


def _export_with_torch(model_dir: Path, work: Path) -> tuple[bytes, dict[str, Any]]:
    """Trace the transformer (token states out; pooling stays in numpy) and fuse its attention for CPU."""
    import onnxruntime
    import torch
    from onnxruntime.transformers import optimizer
    from transformers import AutoConfig, AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # the first search's output stays the search's
    config = AutoConfig.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class TokenStates(torch.nn.Module):
        """Keyword arguments for the model, one positional tensor each for the exporter."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            output = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return output.last_hidden_state

    input_ids = torch.tensor([[101, 7592, 2088, 102, 0, 0], [101, 2129, 2024, 2017, 2651, 102]], dtype=torch.long)
    attention_mask = (input_ids != 0).long()
    traced = work / "traced.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer's notes about shape arithmetic it fixes as constants (true here: the mask has the
        # input's shape) would read like a fault to a user whose first search runs the export.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenStates(model),
            (input_ids, attention_mask, torch.zeros_like(input_ids)),
            str(traced),
            input_names=list(INPUT_NAMES),
            output_names=["token_embeddings"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*INPUT_NAMES, "token_embeddings")},
            opset_version=OPSET,
            dynamo=False,
        )
    fused = optimizer.optimize_model(
        str(traced),
        model_type="bert",
        num_heads=int(config.num_attention_heads),
        hidden_size=int(config.hidden_size),
        opt_level=0,
    )
    optimised = work / MODEL_FILE
    fused.save_model_to_file(str(optimised))
    import transformers

    details = {
        "opset": OPSET,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnxruntime": onnxruntime.__version__,
        "fused_operators": {k: v for k, v in fused.get_fused_operator_statistics().items() if v},
    }
    return optimised.read_bytes(), details

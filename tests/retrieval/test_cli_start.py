"""A `companion` process loads only what its command needs: no torch unless the reference backend embeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from companion.retrieval.embeddings import OnnxEmbedder
from tests.retrieval.helpers import sample_folder

MODEL_STACK = ("torch", "sentence_transformers", "transformers", "langchain_openai", "openai")
EMBEDDING_RUNTIME = ("onnxruntime", "tokenizers")
STORE_AND_INDEX = ("chromadb", "bm25s", "langchain_text_splitters")
WATCHED = MODEL_STACK + EMBEDDING_RUNTIME + STORE_AND_INDEX

RUN_COMMANDS = """
import json, sys
from companion.cli import app
report, runs = sys.argv[1], json.loads(sys.argv[2])
codes = []
for args in runs:
    try:
        app(args, prog_name="companion")
    except SystemExit as exit:
        codes.append(exit.code or 0)
with open(report, "w") as out:
    json.dump({"codes": codes, "loaded": [m for m in json.loads(sys.argv[3]) if m in sys.modules]}, out)
"""
"""Runs the Typer app in this process, then lists which of the watched modules it imported."""


def run_in_new_process(tmp_path: Path, *commands: list[str], env: dict[str, str] | None = None) -> dict:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-c", RUN_COMMANDS, str(report), json.dumps(list(commands)), json.dumps(WATCHED)],
        env={**os.environ, "COMPANION_DATA_DIR": str(tmp_path / "data"), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and report.exists(), done.stderr
    return json.loads(report.read_text())


@pytest.mark.parametrize(
    ("command", "code", "also_absent"),
    [
        (["--help"], 0, EMBEDDING_RUNTIME + STORE_AND_INDEX),
        (["keys", "list"], 0, EMBEDDING_RUNTIME + STORE_AND_INDEX),
        (["knowledge", "check"], 0, EMBEDDING_RUNTIME + STORE_AND_INDEX),
        (["stats", "--json"], 0, (*EMBEDDING_RUNTIME, "bm25s", "langchain_text_splitters")),
        (["forget", "no/such/source.md"], 1, (*EMBEDDING_RUNTIME, "langchain_text_splitters")),
    ],
    ids=["help", "keys-list", "knowledge-check", "stats", "forget"],
)
def test_commands_that_embed_nothing_load_no_model(
    tmp_path: Path, command: list[str], code: int, also_absent: tuple[str, ...]
) -> None:
    report = run_in_new_process(tmp_path, command)
    assert report["codes"] == [code]
    unexpected = [m for m in report["loaded"] if m in MODEL_STACK + also_absent]
    assert unexpected == [], f"`companion {' '.join(command)}` imported {unexpected}"


def test_ingest_and_search_on_the_onnx_backend_never_import_torch(tmp_path: Path, onnx_cache_dir: Path) -> None:
    OnnxEmbedder(onnx_cache_dir)  # the export (which does use torch) is made once, before the measured process
    folder = sample_folder(tmp_path / "kb")
    commands = (
        ["ingest", str(folder), "--tenant", "acme", "--json"],
        ["search", "hiking and chess", "--tenant", "acme"],
    )

    onnx = run_in_new_process(tmp_path / "onnx", *commands)
    assert onnx["codes"] == [0, 0]
    assert "onnxruntime" in onnx["loaded"], "the ONNX backend did the embedding"
    assert [m for m in onnx["loaded"] if m in MODEL_STACK] == []

    # The same check sees torch when the reference backend embeds, so the assertion above is not vacuous.
    reference = run_in_new_process(
        tmp_path / "reference", *commands, env={"COMPANION_EMBEDDING_BACKEND": "sentence-transformers"}
    )
    assert reference["codes"] == [0, 0]
    assert {"torch", "sentence_transformers"} <= set(reference["loaded"])

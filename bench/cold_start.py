"""Cold start: ONNX against sentence-transformers, in process and as new `companion` processes.

    python bench/cold_start.py                      # about 3 minutes on 2 cores
    python bench/cold_start.py --chunks 128 --runs 3

(a) encode throughput of the same chunks of the shipped knowledge, both backends in this one run
(median of --repeats); (b) wall time of `companion search` and of commands that embed nothing as
new processes (median of --runs), each backend; (c) the largest cosine deviation between the two.
Prints Markdown tables; copy them into docs/benchmarks.md with the command that made them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion.retrieval.chunking import Chunker  # noqa: E402
from companion.retrieval.embeddings import LocalEmbedder, OnnxEmbedder  # noqa: E402
from companion.retrieval.loaders import discover, load_bytes  # noqa: E402

BACKENDS = ("onnx", "sentence-transformers")
QUERY = "how do I break the ice with a new mentee"
SEARCH_TARGET, IDLE_TARGET = 3.0, 1.0


def knowledge_texts(folder: Path) -> list[str]:
    """The embed texts of the shipped knowledge's chunks, as the indexer makes them."""
    chunker = Chunker()
    texts: list[str] = []
    for path in discover(folder, exclude=frozenset({"README.md"})):
        source = path.relative_to(folder).as_posix()
        texts.extend(
            c.embed_text
            for c in chunker.chunk_parts(load_bytes(path.read_bytes(), source), tenant="global", source=source)
        )
    return texts


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def command_env(data_dir: Path, cache_dir: Path, backend: str) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {
        **os.environ,
        "PYTHONPATH": path,
        "COMPANION_DATA_DIR": str(data_dir),
        "COMPANION_EMBEDDING_CACHE_DIR": str(cache_dir),
        "COMPANION_EMBEDDING_BACKEND": backend,
    }


def run_command(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "companion.cli", *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"companion {' '.join(args)} failed: {done.stderr.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge")
    parser.add_argument("--chunks", type=int, default=256, help="Chunks encoded per repeat.")
    parser.add_argument("--repeats", type=int, default=5, help="Encode repeats per backend (median).")
    parser.add_argument("--runs", type=int, default=5, help="New processes per command and backend (median).")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="companion-cold-"))
    data_dir, cache_dir = workdir / "data", workdir / "models"
    print(f"# Cold start\n\nStart: {load()}\n")

    # First use: a new process whose search finds no export yet (export and ingest included).
    first_env = command_env(data_dir, cache_dir, "onnx")
    first = run_command(["knowledge", "ingest", "--json"], first_env)
    first_search = run_command(["search", QUERY], first_env)

    texts = knowledge_texts(args.knowledge)
    texts = (texts * (args.chunks // max(len(texts), 1) + 1))[: args.chunks]
    onnx, reference = OnnxEmbedder(cache_dir), LocalEmbedder()
    onnx.embed(texts[:32])
    reference.embed(texts[:32])
    seconds = {
        "onnx": median_seconds(lambda: onnx.embed(texts), args.repeats),
        "sentence-transformers": median_seconds(lambda: reference.embed(texts), args.repeats),
    }
    a, b = onnx.embed(texts), reference.embed(texts)
    cosine = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))

    print(f"## (a) Encode throughput: the same {len(texts)} chunks, median of {args.repeats}\n")
    print("| backend | seconds | chunks/s |\n| --- | ---: | ---: |")
    for backend in BACKENDS:
        print(f"| {backend} | {seconds[backend]:.2f} | {len(texts) / seconds[backend]:.1f} |")
    ratio = seconds["sentence-transformers"] / seconds["onnx"]
    print(f"| ratio onnx / sentence-transformers | | {ratio:.2f}× |")
    print(f"\nONNX threads: {onnx.threads}.\n")

    commands = {
        f'`companion search "{QUERY}"`': (["search", QUERY], SEARCH_TARGET),
        "`companion stats`": (["stats"], IDLE_TARGET),
        "`companion --help`": (["--help"], IDLE_TARGET),
        "`companion keys list`": (["keys", "list"], IDLE_TARGET),
    }
    print(f"## (b) New-process wall time, median of {args.runs} (seconds)\n")
    print("| command | onnx | sentence-transformers | target |\n| --- | ---: | ---: | --- |")
    for label, (argv, target) in commands.items():
        medians = {}
        for backend in BACKENDS:
            env = command_env(data_dir, cache_dir, backend)
            medians[backend] = statistics.median(run_command(argv, env) for _ in range(args.runs))
        verdict = "met" if medians["onnx"] <= target else "missed"
        print(
            f"| {label} | {medians['onnx']:.2f} | {medians['sentence-transformers']:.2f} | ≤ {target:g} s: {verdict} |"
        )
    print(
        f"\nFirst use with an empty cache (ONNX backend): `companion knowledge ingest` {first:.1f} s "
        f"(the export is made here), then the first `companion search` {first_search:.2f} s.\n"
    )

    print("## (c) Agreement\n")
    print(f"Over {len(texts)} chunks: min cosine {cosine.min():.7f}, max deviation {1 - cosine.min():.2e}.\n")
    print(f"End: {load()}")


if __name__ == "__main__":
    main()

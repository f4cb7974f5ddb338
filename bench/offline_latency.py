"""Offline generation latency per task (retrieval included), over the shipped knowledge.

    python bench/offline_latency.py [--rounds 30]

Indexes knowledge/ into a temporary data dir, warms up, then times every task on
examples/context.yaml. Prints a Markdown table; record it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion.config import Settings  # noqa: E402
from companion.generation.base import Audience  # noqa: E402
from companion.schemas import TASKS, MentoringContext  # noqa: E402
from companion.service import Companion  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--context", type=Path, default=REPO / "examples" / "context.yaml")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="companion-offline-bench-"))
    service = Companion(Settings(_env_file=None, data_dir=data_dir, knowledge_dir=REPO / "knowledge"))  # type: ignore[call-arg]
    service.ingest_shipped_knowledge()
    context = MentoringContext.model_validate(yaml.safe_load(args.context.read_text(encoding="utf-8")))
    audience = Audience(mentor_name=context.mentor.name)
    for task in TASKS:
        service.generate(task, context, audience=audience)

    print(f"# Offline generation latency ({args.rounds} runs per task, {os.cpu_count()} CPUs)\n")
    print("| task | p50 ms | p95 ms | citations |\n| --- | ---: | ---: | ---: |")
    for task in TASKS:
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            output = service.generate(task, context, audience=audience)
            times.append((time.perf_counter() - start) * 1000)
        print(f"| {task} | {statistics.median(times):.1f} | {percentile(times, 95):.1f} | {len(output.citations)} |")


if __name__ == "__main__":
    main()

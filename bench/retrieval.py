"""Retrieval benchmark: quality on the labelled dev set, latency, ingest throughput, re-ingest time.

    python bench/retrieval.py                       # everything (about 15 minutes on 2 cores)
    python bench/retrieval.py --synthetic 0         # skip the 100k-chunk latency run
    python bench/retrieval.py --chunk-sizes 1000    # one chunk size only
    python bench/retrieval.py --variants --queries bench/queries/dev.tsv --queries bench/queries/heldout.tsv \
        --data-dir /tmp/bench-index                 # retriever variants side by side, index reused across runs

Prints Markdown tables; copy them into docs/benchmarks.md with the command that made them.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion.config import Settings  # noqa: E402
from companion.retrieval.chunking import Chunk  # noqa: E402
from companion.retrieval.embeddings import Embedder, LocalEmbedder, OnnxEmbedder  # noqa: E402
from companion.retrieval.retriever import SearchFilters  # noqa: E402
from companion.service import Companion  # noqa: E402

TENANT = "bench"


@dataclass(frozen=True)
class Labelled:
    query: str
    relevant: frozenset[str]


def load_queries(path: Path) -> list[Labelled]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Labelled(r["query"], frozenset(p for p in r["relevant"].split("|") if p)) for r in rows]


def doc_ranking(
    service: Companion,
    query: str,
    mode: str,
    fusion: str | None = None,
    weight: float | None = None,
    rrf_k: int | None = None,
    lexical: float | None = None,
) -> list[str]:
    """Source files in the order their first chunk appears (document-level ranking, top 10)."""
    retriever = service.retriever
    saved = retriever.fusion, retriever.dense_weight, retriever.rrf_k, retriever.lexical_weight
    retriever.fusion = fusion or retriever.fusion
    retriever.dense_weight = retriever.dense_weight if weight is None else weight
    retriever.rrf_k = rrf_k or retriever.rrf_k
    retriever.lexical_weight = retriever.lexical_weight if lexical is None else lexical
    try:
        results = retriever.search(
            query, SearchFilters(tenant=TENANT, include_global=False), 40, mode=mode, max_per_source=0
        )
    finally:
        retriever.fusion, retriever.dense_weight, retriever.rrf_k, retriever.lexical_weight = saved
    docs: list[str] = []
    for result in results:
        if result.source not in docs:
            docs.append(result.source)
    return docs[:10]


def served_ranking(service: Companion, query: str) -> list[str]:
    """The distinct sources of the top 10 chunks a default search returns (the per-source cap applied),
    in order: what a caller of `companion search -k 10` sees."""
    results = service.retriever.search(query, SearchFilters(tenant=TENANT, include_global=False), 10)
    return list(dict.fromkeys(r.source for r in results))


def metrics(ranking: list[str], relevant: frozenset[str]) -> tuple[float, float, float]:
    hit5 = float(any(d in relevant for d in ranking[:5]))
    mrr = next((1.0 / rank for rank, d in enumerate(ranking[:10], start=1) if d in relevant), 0.0)
    dcg = sum(1.0 / math.log2(rank + 1) for rank, d in enumerate(ranking[:10], start=1) if d in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), 10) + 1))
    return hit5, mrr, dcg / ideal if ideal else 0.0


def evaluate(service: Companion, queries: list[Labelled], mode: str, **kwargs: object) -> tuple[float, float, float]:
    scores = [metrics(doc_ranking(service, q.query, mode, **kwargs), q.relevant) for q in queries]  # type: ignore[arg-type]
    return tuple(statistics.fmean(s[i] for s in scores) for i in range(3))  # type: ignore[return-value]


def evaluate_served(service: Companion, queries: list[Labelled]) -> tuple[float, float, float]:
    scores = [metrics(served_ranking(service, q.query), q.relevant) for q in queries]
    return tuple(statistics.fmean(s[i] for s in scores) for i in range(3))  # type: ignore[return-value]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def latency(service: Companion, queries: list[str], rounds: int = 3) -> tuple[float, float]:
    """Warm hybrid query latency in ms, embedding of the query included."""
    for q in queries[:5]:
        service.search(q, tenant=TENANT, k=5)
    times = []
    for _ in range(rounds):
        for q in queries:
            service.retriever.clear_query_cache()  # time the query's embedding every time
            start = time.perf_counter()
            service.search(q, tenant=TENANT, k=5)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 95)


def build(data_dir: Path, embedder: Embedder, corpus: Path, chunk_size: int) -> tuple[Companion, float, int]:
    settings = Settings(_env_file=None, data_dir=data_dir, chunk_size=chunk_size)  # type: ignore[call-arg]
    service = Companion(settings, embedder=embedder)
    report = service.ingest([corpus], tenant=TENANT)
    return service, report.seconds, report.chunks_added


def synthetic_fill(service: Companion, count: int, embedder: Embedder) -> float:
    """Add `count` synthetic chunks: real-text-like words for BM25, vectors near real ones for Chroma."""
    rng = np.random.default_rng(7)
    real = list(service.catalog.iter_chunks())
    vocabulary = np.array(sorted({w for r in real for w in r.text.lower().split() if w.isalpha()}))
    base = embedder.embed([r.heading + "\n\n" + r.text for r in real[:256]])
    started = time.perf_counter()
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        texts = [" ".join(rng.choice(vocabulary, size=60)) for _ in range(size)]
        noise = rng.normal(scale=0.08, size=(size, base.shape[1])).astype(np.float32)
        vectors = base[rng.integers(0, len(base), size=size)] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        chunks = [
            Chunk(
                chunk_id=f"syn{start + i:08d}",
                tenant=TENANT,
                source=f"synthetic/{(start + i) // 20}.md",
                title="Synthetic",
                heading="Synthetic > Part",
                text=text,
                ordinal=(start + i) % 20,
                kind="note",
                themes=(),
                stage="any",
                audience="both",
                visibility="shared",
            )
            for i, text in enumerate(texts)
        ]
        service.store.upsert(
            [c.chunk_id for c in chunks], vectors, [c.embed_text for c in chunks], [c.metadata() for c in chunks]
        )
        by_source: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_source.setdefault(chunk.source, []).append(chunk)
        for source, group in by_source.items():
            service.catalog.replace_source(group[0].tenant, source, "/synthetic", "synthetic", group)
    service.lexical.rebuild()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument(
        "--queries",
        type=Path,
        action="append",
        help="A labelled query file (repeat for several: --variants shows them side by side; "
        "the other tables use the first). Default: bench/queries/dev.tsv.",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="Keep the index (and the exported model) here and reuse it on the next run: the corpus is "
        "embedded once, and a re-ingest of the unchanged corpus costs a hundredth of a second.",
    )
    parser.add_argument(
        "--variants",
        action="store_true",
        help="Only the table of retriever variants (chunk size --default-chunk-size), one column group "
        "per --queries file, in two protocols: doc (first 10 distinct sources of the top 40 uncapped "
        "chunks) and served (distinct sources of a default top-10 search).",
    )
    parser.add_argument("--chunk-sizes", default="500,1000,1500")
    parser.add_argument("--default-chunk-size", type=int, default=1000)
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--latency-only", action="store_true", help="Skip quality and throughput; time queries only.")
    parser.add_argument("--quality-only", action="store_true", help="Quality tables only (no throughput or latency).")
    parser.add_argument("--backend", choices=("onnx", "sentence-transformers"), default="onnx")
    args = parser.parse_args()

    query_files = args.queries or [REPO / "bench" / "queries" / "dev.tsv"]
    queries = load_queries(query_files[0])
    workdir = args.data_dir or Path(tempfile.mkdtemp(prefix="companion-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    embedder: Embedder = OnnxEmbedder(workdir / "models") if args.backend == "onnx" else LocalEmbedder()
    print(
        f"# Retrieval benchmark\n\n{len(queries)} labelled queries, corpus {args.corpus}, "
        f"{os.cpu_count()} CPUs, embedding backend {args.backend}\n"
    )

    if args.variants:
        service = build(workdir / f"c{args.default_chunk_size}", embedder, args.corpus, args.default_chunk_size)[0]
        report_variants(service, [(path.stem, load_queries(path)) for path in query_files])
        return
    if args.latency_only:
        service = build(workdir / "latency", embedder, args.corpus, args.default_chunk_size)[0]
        report_latency(service, queries, args.synthetic, embedder)
        return
    print("## Quality by chunk size (document level, hybrid RRF)\n")
    print("| chunk size | chunks | hit@5 | MRR@10 | nDCG@10 |\n| ---: | ---: | ---: | ---: | ---: |")
    services: dict[int, Companion] = {}
    ingest_seconds: dict[int, tuple[float, int]] = {}
    for size in [int(s) for s in args.chunk_sizes.split(",")]:
        service, seconds, chunks = build(workdir / f"c{size}", embedder, args.corpus, size)
        services[size], ingest_seconds[size] = service, (seconds, chunks)
        hit, mrr, ndcg = evaluate(service, queries, "hybrid")
        print(f"| {size} | {chunks} | {hit:.3f} | {mrr:.3f} | {ndcg:.3f} |")

    default = (
        services.get(args.default_chunk_size)
        or build(workdir / "default", embedder, args.corpus, args.default_chunk_size)[0]
    )
    print(f"\n## Retrievers side by side (chunk size {args.default_chunk_size})\n")
    print("| retriever | hit@5 | MRR@10 | nDCG@10 |\n| --- | ---: | ---: | ---: |")
    for label, mode, kwargs in (
        ("BM25 only", "bm25", {}),
        ("dense only", "dense", {}),
        ("hybrid, RRF k=10, BM25 weight 0.5 (default)", "hybrid", {"fusion": "rrf"}),
        ("hybrid, RRF k=60, equal weights", "hybrid", {"fusion": "rrf", "rrf_k": 60, "lexical": 1.0}),
        ("hybrid, weighted 0.5 dense", "hybrid", {"fusion": "weighted", "weight": 0.5}),
        ("hybrid, weighted 0.6 dense", "hybrid", {"fusion": "weighted", "weight": 0.6}),
        ("hybrid, weighted 0.7 dense", "hybrid", {"fusion": "weighted", "weight": 0.7}),
    ):
        hit, mrr, ndcg = evaluate(default, queries, mode, **kwargs)
        print(f"| {label} | {hit:.3f} | {mrr:.3f} | {ndcg:.3f} |")
    if args.quality_only:
        return

    print("\n## Ingest throughput (fresh ingest, model already loaded)\n")
    records = list(default.catalog.iter_chunks())
    texts = [r.heading + "\n\n" + r.text for r in records]
    start = time.perf_counter()
    embedder.embed(texts)
    raw = len(texts) / (time.perf_counter() - start)
    seconds, chunks = ingest_seconds.get(args.default_chunk_size, (0.0, 0))
    fresh = Companion(
        Settings(_env_file=None, data_dir=workdir / "fresh", chunk_size=args.default_chunk_size), embedder=embedder
    )  # type: ignore[call-arg]
    report = fresh.ingest([args.corpus], tenant=TENANT)
    ingest_rate = report.chunks_added / report.seconds
    print("| measure | chunks/s |\n| --- | ---: |")
    print(f"| raw embedding of the same {len(texts)} chunks (one call) | {raw:.1f} |")
    print(f"| full ingest (read, clean, chunk, embed, Chroma, catalog, BM25) | {ingest_rate:.1f} |")
    print(f"| ratio | {ingest_rate / raw:.0%} |")

    print("\n## Re-ingest of the unchanged corpus\n")
    again = fresh.ingest([args.corpus], tenant=TENANT)
    env = {
        **os.environ,
        "COMPANION_DATA_DIR": str(workdir / "fresh"),
        "COMPANION_CHUNK_SIZE": str(args.default_chunk_size),
    }
    start = time.perf_counter()
    subprocess.run(
        ["companion", "ingest", str(args.corpus), "--tenant", TENANT, "--json"],
        env=env,
        check=False,
        capture_output=True,
    )
    cli_seconds = time.perf_counter() - start
    print("| measure | seconds |\n| --- | ---: |")
    print(
        f"| in-process (files unchanged: {again.files_unchanged}, embedded: {again.chunks_embedded}) | {again.seconds:.2f} |"
    )
    print(f"| `companion ingest` as a new process, start-up included | {cli_seconds:.2f} |")

    report_latency(default, queries, args.synthetic, embedder)


BASELINE: dict[str, object] = {
    "fusion": "rrf",
    "rrf_k": 10,
    "lexical_weight": 0.5,
    "aggregation": "none",
    "heading_weight": 0.0,
    "expansion_weight": 0.0,
    "expansion_min_hits": 1,
    "document_weight": 1.0,
    "candidates": 50,
}
VARIANTS: list[tuple[str, dict[str, object] | None]] = [
    ("the retriever as configured (settings and defaults, no overrides)", None),
    ("baseline: hybrid, RRF k=10, BM25 weight 0.5", {}),
    ("aggregation max (document rounds before the cap)", {"aggregation": "max"}),
    ("aggregation sum of best 2", {"aggregation": "sum2"}),
    ("aggregation sum of best 3", {"aggregation": "sum3"}),
    ("aggregation decay 0.5", {"aggregation": "decay"}),
    ("BM25 heading field weight 0.5", {"heading_weight": 0.5}),
    ("BM25 heading field weight 1", {"heading_weight": 1.0}),
    ("BM25 heading field weight 2", {"heading_weight": 2.0}),
    ("expansion from themes, weight 0.3, 1 shared word", {"expansion_weight": 0.3}),
    ("expansion from themes, weight 0.3, 2 shared words", {"expansion_weight": 0.3, "expansion_min_hits": 2}),
    ("document-level RRF, weight 0.5", {"fusion": "rrf_doc", "document_weight": 0.5}),
    ("document-level RRF, weight 1", {"fusion": "rrf_doc", "document_weight": 1.0}),
    ("document-level RRF, weight 2", {"fusion": "rrf_doc", "document_weight": 2.0}),
    ("document-level RRF, weight 1, aggregation max", {"fusion": "rrf_doc", "aggregation": "max"}),
    ("document-level RRF, weight 1, aggregation sum2", {"fusion": "rrf_doc", "aggregation": "sum2"}),
    ("aggregation max, candidates 100", {"aggregation": "max", "candidates": 100}),
    ("aggregation sum2, candidates 100", {"aggregation": "sum2", "candidates": 100}),
    ("**aggregation max + expansion 0.3 (default since 2026-12-02)**", {"aggregation": "max", "expansion_weight": 0.3}),
    ("aggregation sum2 + expansion 0.3", {"aggregation": "sum2", "expansion_weight": 0.3}),
    ("document-level RRF 0.75, aggregation max", {"fusion": "rrf_doc", "document_weight": 0.75, "aggregation": "max"}),
    ("document-level RRF 1.5, aggregation max", {"fusion": "rrf_doc", "document_weight": 1.5, "aggregation": "max"}),
    (
        "document-level RRF 1, aggregation max + expansion 0.3",
        {"fusion": "rrf_doc", "aggregation": "max", "expansion_weight": 0.3},
    ),
    (
        "document-level RRF 1, aggregation max + heading 0.5",
        {"fusion": "rrf_doc", "aggregation": "max", "heading_weight": 0.5},
    ),
    (
        "document-level RRF 1, aggregation max + expansion 0.3 + heading 0.5",
        {"fusion": "rrf_doc", "aggregation": "max", "expansion_weight": 0.3, "heading_weight": 0.5},
    ),
    (
        "document-level RRF 1, aggregation max + expansion 0.3, candidates 100",
        {"fusion": "rrf_doc", "aggregation": "max", "expansion_weight": 0.3, "candidates": 100},
    ),
    (
        "aggregation max + expansion 0.3, candidates 100",
        {"aggregation": "max", "expansion_weight": 0.3, "candidates": 100},
    ),
    ("expansion weight 0.2", {"expansion_weight": 0.2}),
    ("expansion weight 0.5", {"expansion_weight": 0.5}),
    ("RRF k=5", {"rrf_k": 5}),
    ("RRF k=20", {"rrf_k": 20}),
    ("RRF k=30", {"rrf_k": 30}),
    ("RRF BM25 weight 0.3", {"lexical_weight": 0.3}),
    ("RRF BM25 weight 0.7", {"lexical_weight": 0.7}),
    ("RRF BM25 weight 1.0", {"lexical_weight": 1.0}),
]
"""Retriever variants: attributes of the Retriever set for the run of one variant, then restored."""


def report_variants(service: Companion, sets: list[tuple[str, list[Labelled]]]) -> None:
    head = "".join(
        f" {name} {p} hit@5 | {name} {p} MRR@10 | {name} {p} nDCG@10 |" for p in ("doc", "served") for name, _ in sets
    )
    print(f"## Retriever variants ({', '.join(f'{n}: {len(q)} queries' for n, q in sets)})\n")
    print(f"| variant |{head}\n| --- |" + " ---: |" * (6 * len(sets)))
    retriever = service.retriever
    service.lexical.heading_field = True  # the heading-field variants need it; it changes no other score
    service.lexical.rebuild()
    for label, changes in VARIANTS:
        # every variant is measured from the baseline (the retriever before 2026-12-02), not the default
        attributes = {} if changes is None else {**BASELINE, **changes}
        saved = {name: getattr(retriever, name) for name in attributes}
        for name, value in attributes.items():
            setattr(retriever, name, value)
        try:
            cells = [evaluate(service, q, "hybrid") for _, q in sets] + [evaluate_served(service, q) for _, q in sets]
        finally:
            for name, value in saved.items():
                setattr(retriever, name, value)
        print(f"| {label} |" + "".join(f" {v:.3f} |" for cell in cells for v in cell), flush=True)


def report_latency(service: Companion, queries: list[Labelled], synthetic: int, embedder: Embedder) -> None:
    print("\n## Warm query latency (hybrid, query embedding included, k=5)\n")
    print("| index | chunks | p50 ms | p95 ms |\n| --- | ---: | ---: | ---: |")
    p50, p95 = latency(service, [q.query for q in queries])
    print(f"| corpus | {service.catalog.counts()['chunks']} | {p50:.1f} | {p95:.1f} |")
    if synthetic:
        fill = synthetic_fill(service, synthetic, embedder)
        p50, p95 = latency(service, [q.query for q in queries])
        total = service.catalog.counts()["chunks"]
        print(f"| corpus + {synthetic:,} synthetic (filled in {fill:.0f}s) | {total} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()

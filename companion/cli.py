"""The `companion` command: a thin layer over the service facade.

Domain errors become one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from companion import vocabulary as vocab
from companion.config import Settings
from companion.retrieval.indexer import IngestLocked, IngestReport, NotIndexed
from companion.retrieval.retriever import MODES, TenantRequired
from companion.retrieval.store import StoreUnavailable
from companion.service import Companion

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Mentor Companion: better mentoring sessions.")
knowledge_app = typer.Typer(no_args_is_help=True, help="Check and index the shipped knowledge base.")
app.add_typer(knowledge_app, name="knowledge")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"COMPANION_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise fail(f"invalid settings: {problems}") from None


def build_companion() -> Companion:
    """The service for one command; tests swap this to share one loaded embedding model."""
    return Companion(load_settings())


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn the errors a user can act on into one line and exit code 1."""
    try:
        yield
    except (IngestLocked, NotIndexed, StoreUnavailable, TenantRequired, ValueError) as exc:
        raise fail(str(exc)) from None


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _with_progress(run: Callable[[Callable[[str, int, int], None]], T], enabled: bool) -> T:
    """Run `run(progress)` under a rich progress bar on stderr (when stderr is a terminal)."""
    if not enabled:
        return run(lambda phase, done, total: None)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}
        labels = {"read": "Reading files", "embed": "Embedding chunks"}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(labels.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        return run(update)


def print_report(report: IngestReport, as_json: bool) -> None:
    for failure in report.failures:
        err.print(f"[red]failed:[/] {failure.path}: {failure.problem}", highlight=False)
    if as_json:
        emit_json(report.as_dict())
        return
    table = Table(title="Ingest summary", show_header=False)
    for label, value in (
        ("files", report.files),
        ("files changed / unchanged", f"{report.files_changed} / {report.files_unchanged}"),
        ("chunks added", report.chunks_added),
        ("chunks unchanged", report.chunks_unchanged),
        ("chunks removed", report.chunks_removed),
        ("sources pruned", report.sources_pruned),
        ("failures", len(report.failures)),
        ("seconds", f"{report.seconds:.2f}"),
    ):
        table.add_row(label, str(value))
    out.print(table)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to index.")],
    tenant: Annotated[
        str | None,
        typer.Option(help=f"Tenant for files whose front matter names none (default {vocab.DEFAULT_TENANT!r})."),
    ] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove sources that no longer exist under PATH.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Index Markdown, text and JSON/JSONL mentor notes; unchanged files cost nothing."""
    companion = build_companion()
    with domain_errors():
        report = _with_progress(
            lambda progress: companion.ingest(
                paths, tenant=tenant, prune=prune, progress=progress, on_wait=lambda m: err.print(m)
            ),
            enabled=err.is_terminal,
        )
    print_report(report, as_json)
    if report.failures:
        raise typer.Exit(1)


@app.command()
def forget(
    source: Annotated[
        str, typer.Argument(help="Source as listed by `companion stats --json` (path relative to the ingested folder).")
    ],
    tenant: Annotated[str | None, typer.Option(help="Tenant of the source, when several tenants have it.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Remove one source and all its chunks from the index."""
    companion = build_companion()
    with domain_errors():
        owner, removed = companion.forget(source, tenant)
    if as_json:
        emit_json({"source": source, "tenant": owner, "chunks_removed": removed})
    else:
        out.print(f"Forgot {source} (tenant {owner}): {removed} chunks removed.", highlight=False)


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", help="Run every query in FILE, one per line.")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Results per query.")] = 5,
    tenant: Annotated[
        str, typer.Option(help="Tenant to search (the shared library is always included).")
    ] = vocab.DEFAULT_TENANT,
    kind: Annotated[list[str] | None, typer.Option(help="Only this kind (repeatable).")] = None,
    theme: Annotated[
        list[str] | None, typer.Option(help="Only chunks with this theme (repeatable: any of them).")
    ] = None,
    stage: Annotated[list[str] | None, typer.Option(help="Only this stage (repeatable).")] = None,
    include_private: Annotated[
        bool, typer.Option("--include-private", help="Also return mentor_private notes (never do this for a mentee).")
    ] = False,
    mode: Annotated[str, typer.Option(help=f"Retriever: {', '.join(MODES)}.")] = "hybrid",
    as_json: JsonOption = False,
) -> None:
    """Hybrid search over the indexed knowledge and notes."""
    queries: list[str] = []
    if query:
        queries.append(query)
    if from_file is not None:
        try:
            queries.extend(line.strip() for line in from_file.read_text(encoding="utf-8").splitlines() if line.strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"cannot read queries from {from_file}: {exc}") from None
    if not queries:
        raise fail("give a QUERY or --from-file FILE", 2)
    companion = build_companion()
    with domain_errors():
        for text in queries:
            response = companion.search(
                text,
                tenant=tenant,
                k=k,
                kinds=tuple(kind or ()),
                themes=tuple(theme or ()),
                stages=tuple(stage or ()),
                allow_private=include_private,
                mode=mode,
            )
            if as_json:
                emit_json(response.public())
                continue
            out.print(f"[bold]{text}[/]", highlight=False)
            if not response.results:
                out.print("  (no results)")
            for rank, result in enumerate(response.results, start=1):
                snippet = " ".join(result.text.split())[:160]
                out.print(f"  {rank}. [cyan]{result.heading}[/]  ({result.score:.4f})", highlight=False)
                out.print(f"     {result.source}  [dim]{result.chunk_id}[/]", highlight=False)
                out.print(f"     {snippet}", highlight=False)


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """Sources and chunks in the index, by kind and tenant."""
    companion = build_companion()
    with domain_errors():
        data = companion.stats()
    if as_json:
        emit_json(data)
        return
    out.print(f"{data['sources']} sources, {data['chunks']} chunks ({data['vectors']} vectors) in {data['store']}")
    if data["pending_sources"]:
        out.print(f"[yellow]{data['pending_sources']} sources pending: re-run ingest to finish them[/]")
    table = Table("tenant", "sources", "chunks")
    for name, row in data["by_tenant"].items():
        table.add_row(name, str(row["sources"]), str(row["chunks"]))
    out.print(table)
    kinds = Table("kind", "chunks")
    for name, count in data["by_kind"].items():
        kinds.add_row(str(name), str(count))
    out.print(kinds)


@knowledge_app.command("ingest")
def knowledge_ingest(as_json: JsonOption = False) -> None:
    """Index the shipped knowledge base (each file names its tenant; the library is `global`)."""
    companion = build_companion()
    with domain_errors():
        report = _with_progress(
            lambda progress: companion.ingest_shipped_knowledge(progress=progress), enabled=err.is_terminal
        )
    print_report(report, as_json)
    if report.failures:
        raise typer.Exit(1)


@knowledge_app.command("check")
def knowledge_check(
    path: Annotated[Path | None, typer.Argument(help="Knowledge folder (default: the shipped one).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Validate every knowledge file: front matter, vocabulary, bank sizes, duplicates."""
    from companion.knowledge import check_knowledge

    folder = path or load_settings().resolved_knowledge_dir()
    result = check_knowledge(folder)
    if as_json:
        emit_json(result.as_dict())
    else:
        result.print(out)
    for problem in result.problems:
        err.print(f"[red]problem:[/] {problem}", highlight=False)
    if result.problems:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

"""The `companion` command: a thin layer over the service facade.

Domain errors become one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from companion import access
from companion import vocabulary as vocab
from companion.config import Settings
from companion.retrieval.indexer import IngestLocked, IngestReport, NotIndexed
from companion.retrieval.retriever import MODES, TenantRequired
from companion.retrieval.store import StoreUnavailable
from companion.schemas import MentoringContext, format_validation_error
from companion.service import Companion

if TYPE_CHECKING:
    from companion.memory import ApiKeys

_TYPE_LABELS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH", "date": "DATE", "datetime": "DATE"}
_original_display_type = typer.core.TyperOption.display_type


def _value_label(param: Any, ctx: Any) -> str | None:
    """What `--help` shows after a parameter: nothing for a flag (it takes no value), the choices of a
    choice, else an upper-case name (TEXT, INTEGER, PATH), instead of typer's '<bool>', '<str>' and
    '<list[str]>'."""
    if param.metavar is not None:
        return str(param.metavar)
    shown = _original_display_type(param, ctx).strip("<>")
    repeated = shown.startswith("list[")
    shown = shown.removeprefix("list[").removesuffix("]").removesuffix(" range")
    if shown == "bool":
        return None
    label = _TYPE_LABELS.get(shown, shown)
    return f"{label}..." if repeated else label


typer.core.TyperOption.display_type_rich = _value_label  # type: ignore[method-assign,assignment]
typer.core.TyperArgument.display_type_rich = _value_label  # type: ignore[method-assign,assignment]

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Mentor Companion: better mentoring sessions.")
knowledge_app = typer.Typer(no_args_is_help=True, help="Check and index the shipped knowledge base.")
app.add_typer(knowledge_app, name="knowledge")

out = Console()
err = Console(stderr=True, soft_wrap=True)
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
                snippet = _snippet(result.text)
                # the rank says the order; a fused RRF score (0.0164) means nothing to a reader (--json keeps it)
                out.print(f"  {rank}. [cyan]{result.heading}[/]", highlight=False)
                out.print(f"     {result.source}  [dim]{result.chunk_id}[/]", highlight=False)
                out.print(f"     {snippet}", highlight=False)


def _snippet(text: str, limit: int = 200) -> str:
    """The start of a chunk on one line, cut at a word (or a sentence's end when one is near), never mid-word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if sentence_end >= limit * 0.6:
        return cut[: sentence_end + 1]
    return cut[: cut.rfind(" ")].rstrip(" ,;:-–(") + "…"


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


# --------------------------------------------------------------------------------------
# Generation: agenda, icebreakers, feedback, decide, reflect, goals
# --------------------------------------------------------------------------------------
ContextOption = Annotated[Path, typer.Option("--context", help="Mentoring context file, YAML or JSON.")]
NotesOption = Annotated[
    Path | None, typer.Option("--notes", help="Session notes or transcript (text); replaces `notes` in the context.")
]
FormatOption = Annotated[
    str, typer.Option("--format", help="md (to paste into a calendar invite or message) or json (the output model).")
]
TenantOption = Annotated[str | None, typer.Option("--tenant", help="Tenant whose notes to use; overrides the context.")]


def load_context(path: Path, notes: Path | None = None, tenant: str | None = None) -> MentoringContext:
    """Read and validate a context file; every problem becomes one line naming the file and the field."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read context file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        problem = getattr(exc, "problem", None) or getattr(exc, "msg", None) or type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise fail(
            f"{path} is not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}{where}: {problem}"
        ) from None
    if not isinstance(data, dict):
        raise fail(f"{path} must hold a mapping of context fields (mentee, mentor, session, ...)")
    if notes is not None:
        try:
            data["notes"] = notes.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"cannot read notes file {notes}: {getattr(exc, 'strerror', None) or exc}") from None
    if tenant is not None:
        data["tenant"] = tenant
    try:
        return MentoringContext.model_validate(data)
    except ValidationError as exc:
        raise fail(f"{path}: {format_validation_error(exc)}") from None


def run_task(
    task: str, context_file: Path, notes: Path | None, output_format: str, tenant: str | None, as_json: bool
) -> None:
    """Shared body of the six generation commands: load, generate through the service, print."""
    chosen_format = "json" if as_json else output_format.lower()
    if chosen_format not in ("md", "json"):
        raise fail(f"--format must be md or json, not {output_format!r}", 2)
    from companion.generation.taskspec import render_markdown

    context = load_context(context_file, notes, tenant)
    audience = access.audience(access.operator(context.tenant), task)
    companion = build_companion()
    with domain_errors():
        output = companion.generate(task, context, audience=audience)
    if chosen_format == "json":
        emit_json(output.model_dump(mode="json"))
    else:
        sys.stdout.write(render_markdown(output, context))


def _register_task_command(command: str, task: str, summary: str) -> None:
    def command_function(
        context: ContextOption,
        notes: NotesOption = None,
        output_format: FormatOption = "md",
        tenant: TenantOption = None,
        as_json: JsonOption = False,
    ) -> None:
        run_task(task, context, notes, output_format, tenant, as_json)

    command_function.__doc__ = summary
    app.command(command)(command_function)


for _command, _task, _summary in (
    ("agenda", "agenda", "Session agenda that fits the duration exactly and carries open action items forward."),
    ("icebreakers", "icebreakers", "Three to five icebreakers for the session stage, never repeating earlier ones."),
    ("feedback", "feedback", "Feedback summary from session notes: decisions, action items, SBI statements."),
    ("decide", "decision", "Decision framework: reversibility, options, pre-mortem, a small experiment."),
    ("reflect", "reflection", "Reflection prompts for the mentee, tied to their goals (never uses private notes)."),
    ("goals", "goals", "SMART goals with dated milestones and a meeting cadence."),
):
    _register_task_command(_command, _task, _summary)


# --------------------------------------------------------------------------------------
# API keys
# --------------------------------------------------------------------------------------
keys_app = typer.Typer(no_args_is_help=True, help="Create, list and revoke API keys (stored hashed, shown once).")
app.add_typer(keys_app, name="keys")


@contextmanager
def memory_errors() -> Iterator[None]:
    """Turn memory errors (unknown id, refused request, unreachable database) into one line and exit code 1."""
    from companion.memory.errors import MemoryStoreError

    try:
        yield
    except MemoryStoreError as exc:
        raise fail(str(exc)) from None


@contextmanager
def api_keys_store() -> Iterator[ApiKeys]:
    """The key store over the settings' database, migrated first (the CLI may run before any server)."""
    from companion.memory import ApiKeys, Database, upgrade_database

    settings = load_settings()
    with memory_errors():
        upgrade_database(settings)
    database = Database.from_settings(settings)
    try:
        with memory_errors():
            yield ApiKeys(database)
    finally:
        database.dispose()


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant the key acts in.")],
    role: Annotated[str, typer.Option(help="admin, platform, mentor or mentee.")],
    person: Annotated[
        str | None, typer.Option(help="The mentor's or mentee's person id (required for those roles, only them).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label to recognise the key by.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    from companion.memory.schemas import PERSON_ROLES, ROLES, KeyCreate

    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}", 2)
    if role in PERSON_ROLES and not person:
        raise fail(f"a {role} key needs --person ID (the {role}'s person id)", 2)
    if role not in PERSON_ROLES and person:
        raise fail(f"--person is only for mentor and mentee keys, not {role} keys", 2)
    try:
        request = KeyCreate.model_validate({"role": role, "person_id": person, "name": name})
    except ValidationError as exc:
        raise fail(format_validation_error(exc), 2) from None
    with api_keys_store() as keys:
        created = keys.create_key(tenant, request)
    record = created.record
    if as_json:
        emit_json(
            {
                "id": record.id,
                "key": created.key,
                "tenant": record.tenant,
                "role": record.role,
                "person_id": record.person_id,
                "prefix": record.prefix,
                "name": record.name,
            }
        )
        return
    sys.stdout.write(created.key + "\n")
    person_note = f", person {record.person_id}" if record.person_id else ""
    err.print(
        f"Created {record.role} key {record.id} (tenant {record.tenant}{person_note}). "
        "This is the only time the key is shown: store it now.",
        highlight=False,
    )


@keys_app.command("list")
def keys_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's keys.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List API keys with their prefix, role, person and last use; never the key or its hash."""
    with api_keys_store() as keys:
        records = keys.list_keys(tenant=tenant)
    if as_json:
        emit_json([record.model_dump(mode="json") for record in records])
        return
    if not records:
        out.print("No API keys.")
        return
    for record in records:
        who = f"{record.role} {record.person_id}" if record.person_id else record.role
        label = f"  {record.name!r}" if record.name else ""
        if record.revoked_at is not None:
            state = f"revoked {_when(record.revoked_at)}"
        else:
            state = f"active, last used {_when(record.last_used_at)}" if record.last_used_at else "active, never used"
        out.print(
            f"{record.id}  {record.prefix}…  {record.tenant}  {who}{label}  ({state})", highlight=False, soft_wrap=True
        )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id, as `companion keys list` shows it.")],
    as_json: JsonOption = False,
) -> None:
    """Revoke an API key: every request made with it fails from now on."""
    with api_keys_store() as keys:
        record = keys.revoke_key(key_id, tenant=None)
    if as_json:
        emit_json(record.model_dump(mode="json"))
    else:
        out.print(f"Revoked {record.role} key {record.id} (tenant {record.tenant}).", highlight=False)


people_app = typer.Typer(no_args_is_help=True, help="Mentor and mentee records of a tenant, for matching.")
app.add_typer(people_app, name="people")


@people_app.command("add")
def people_add(
    role: Annotated[str, typer.Option(help="mentor or mentee.")],
    person: Annotated[str, typer.Option(help="The person's id, as the platform knows them.")],
    name: Annotated[str, typer.Option(help="Their name.")],
    tenant: Annotated[str, typer.Option(help="Tenant the record belongs to.")] = vocab.DEFAULT_TENANT,
    expertise: Annotated[list[str] | None, typer.Option(help="Mentor: an expertise phrase (repeatable).")] = None,
    experience: Annotated[str | None, typer.Option(help="Mentor: a summary of their experience.")] = None,
    capacity: Annotated[int, typer.Option(help="Mentor: mentees they take at once (0-50).")] = 2,
    availability: Annotated[str | None, typer.Option(help="Mentor: when they can meet, in words.")] = None,
    goal: Annotated[list[str] | None, typer.Option(help="Mentee: a goal (repeatable).")] = None,
    challenge: Annotated[list[str] | None, typer.Option(help="Mentee: a challenge (repeatable).")] = None,
    interest: Annotated[list[str] | None, typer.Option(help="An interest (repeatable).")] = None,
    language: Annotated[list[str] | None, typer.Option(help="A language tag, preferred first (repeatable).")] = None,
    time_zone: Annotated[str | None, typer.Option(help="IANA time zone, e.g. Europe/Berlin.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Store a mentor or mentee record (as the tenant's operator), for matching and new mentorships."""
    from companion.memory.schemas import MenteeCreate, MentorCreate

    common: dict[str, Any] = {
        "person_id": person,
        "name": name,
        "interests": interest or [],
        "languages": language or [],
    }
    common["time_zone"] = time_zone
    if role == "mentor":
        fields = {**common, "expertise": expertise or [], "experience": experience, "capacity": capacity}
        model: type[MentorCreate | MenteeCreate] = MentorCreate
        fields["availability"] = availability
    elif role == "mentee":
        fields = {**common, "goals": goal or [], "challenges": challenge or []}
        model = MenteeCreate
    else:
        raise fail(f"--role must be mentor or mentee, not {role!r}", 2)
    try:
        request = model.model_validate(fields)
    except ValidationError as exc:
        raise fail(format_validation_error(exc), 2) from None
    companion = build_companion()
    caller = access.operator(tenant)
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        if isinstance(request, MentorCreate):
            record: Any = companion.people.create_mentor(caller, request)
        else:
            record = companion.people.create_mentee(caller, request)
    if as_json:
        emit_json(record.model_dump(mode="json"))
    else:
        out.print(f"Stored {role} {record.person_id} ({record.name}) in tenant {tenant}.", highlight=False)


@people_app.command("list")
def people_list(
    role: Annotated[str, typer.Option(help="mentor or mentee.")] = "mentor",
    tenant: Annotated[str, typer.Option(help="Tenant whose records to list.")] = vocab.DEFAULT_TENANT,
    as_json: JsonOption = False,
) -> None:
    """List a tenant's mentor or mentee records, by person id."""
    if role not in ("mentor", "mentee"):
        raise fail(f"--role must be mentor or mentee, not {role!r}", 2)
    companion = build_companion()
    caller = access.operator(tenant)
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        records: list[Any] = (
            companion.people.list_mentors(caller) if role == "mentor" else companion.people.list_mentees(caller)
        )
    if as_json:
        emit_json([record.model_dump(mode="json") for record in records])
        return
    if not records:
        out.print(f"No {role} records in tenant {tenant}.", highlight=False)
        return
    for record in records:
        if role == "mentor":
            detail = f"{record.active_mentees}/{record.capacity} mentees; " + ", ".join(record.expertise)
        else:
            detail = "; ".join(record.goals)
        out.print(f"{record.person_id}  {record.name}  ({detail})", highlight=False, soft_wrap=True)


match_app = typer.Typer(no_args_is_help=True, help="Suggested mentors with reasons, cohorts, and mentor requests.")
app.add_typer(match_app, name="match")
MatchTenantOption = Annotated[str, typer.Option("--tenant", help="Tenant of the records.")]


def _print_match(match: Any, rank: int | None = None) -> None:
    head = f"{rank}. " if rank is not None else ""
    out.print(
        f"{head}{match.mentor_id}  {match.name}  score {match.score:.2f}  ({match.remaining_capacity} places left)",
        highlight=False,
    )
    for part in match.parts:
        out.print(f"     {part.name} {part.score:.2f}: {part.reason}", highlight=False, soft_wrap=True)


@match_app.command("suggest")
def match_suggest(
    mentee: Annotated[str, typer.Option(help="A stored mentee record's person id.")],
    k: Annotated[int, typer.Option(min=1, max=50, help="How many mentors to suggest.")] = 5,
    tenant: MatchTenantOption = vocab.DEFAULT_TENANT,
    as_json: JsonOption = False,
) -> None:
    """The mentors that fit a stored mentee best, each with its score, parts and reasons."""
    from companion.memory.schemas import MatchRequest

    companion = build_companion()
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        found = companion.people.suggest_mentors(access.operator(tenant), MatchRequest(mentee_id=mentee, k=k))
    if as_json:
        emit_json(found.model_dump(mode="json"))
        return
    out.print(
        f"{found.mentors_considered} mentors with a place left ({found.mentors_full} full) for {mentee}:",
        highlight=False,
    )
    for rank, match in enumerate(found.matches, start=1):
        _print_match(match, rank)


@match_app.command("cohort")
def match_cohort(
    mentee: Annotated[list[str], typer.Option(help="A stored mentee's person id (repeatable).")],
    mentor: Annotated[list[str], typer.Option(help="A stored mentor's person id (repeatable).")],
    accept: Annotated[bool, typer.Option(help="Also start the mentorships of the pairs found.")] = False,
    tenant: MatchTenantOption = vocab.DEFAULT_TENANT,
    as_json: JsonOption = False,
) -> None:
    """Assign an intake within each mentor's free places, maximising total fit; --accept starts the pairs
    (a pair that has a mentorship already gets it back, never a second one)."""
    from companion.memory.schemas import CohortRequest, MatchAccept, MatchPairRef

    try:
        request = CohortRequest(mentee_ids=mentee, mentor_ids=mentor)
    except ValidationError as exc:
        raise fail(format_validation_error(exc), 2) from None
    companion = build_companion()
    caller = access.operator(tenant)
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        cohort = companion.people.match_cohort(caller, request)
        accepted = None
        if accept and cohort.pairs:
            pairs = [MatchPairRef(mentee_id=p.mentee_id, mentor_id=p.mentor_id) for p in cohort.pairs]
            accepted = companion.mentoring.accept_matches(caller, MatchAccept(pairs=pairs))
    if as_json:
        data: dict[str, Any] = {"cohort": cohort.model_dump(mode="json")}
        if accepted is not None:
            data["accepted"] = accepted.model_dump(mode="json")["accepted"]
        emit_json(data)
        return
    out.print(
        f"{len(cohort.pairs)} pairs, total fit {cohort.total_fit:.2f}, {cohort.places} places before this cohort.",
        highlight=False,
    )
    for pair in cohort.pairs:
        out.print(f"{pair.mentee_id} -> ", end="", highlight=False)
        _print_match(pair)
    for left in cohort.unmatched:
        out.print(f"{left.mentee_id}: not matched ({left.reason})", highlight=False, soft_wrap=True)
    if accepted is not None:
        started = sum(1 for a in accepted.accepted if a.created)
        out.print(
            f"Started {started} mentorships ({len(accepted.accepted) - started} existed already).", highlight=False
        )


@match_app.command("requests")
def match_requests(tenant: MatchTenantOption = vocab.DEFAULT_TENANT, as_json: JsonOption = False) -> None:
    """The mentor requests mentees have made in the tenant."""
    companion = build_companion()
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        requests = companion.people.mentor_requests(access.operator(tenant))
    if as_json:
        emit_json([r.model_dump(mode="json") for r in requests])
        return
    if not requests:
        out.print(f"No mentor requests in tenant {tenant}.", highlight=False)
    for r in requests:
        out.print(f"{r.mentee_id} asks for {r.mentor_id}: {r.status}, {r.created_at:%Y-%m-%d}", highlight=False)


goals_app = typer.Typer(no_args_is_help=True, help="A mentorship's goals and their check-ins (as the operator).")
app.add_typer(goals_app, name="goal-progress")  # `companion goals` is the goal-plan task
MentorshipOption = Annotated[str, typer.Option("--mentorship", help="The mentorship's id.")]
GoalTenantOption = Annotated[str, typer.Option("--tenant", help="Tenant of the mentorship.")]


@goals_app.command("list")
def goals_list(
    mentorship: MentorshipOption, tenant: GoalTenantOption = vocab.DEFAULT_TENANT, as_json: JsonOption = False
) -> None:
    """List the goals with their status, deadline and latest ratings (mentee's and mentor's)."""
    companion = build_companion()
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        goals = companion.mentoring.list_goals(access.operator(tenant), mentorship)
    if as_json:
        emit_json([goal.model_dump(mode="json") for goal in goals])
        return
    if not goals:
        out.print("No goals.", highlight=False)
        return
    for goal in goals:
        latest = {c.by: c.rating for c in goal.check_ins}
        ratings = ", ".join(f"{by} {latest[by]}/10" for by in ("mentee", "mentor") if by in latest) or "not rated"
        deadline = f", due {goal.deadline.isoformat()}" if goal.deadline else ""
        out.print(f"{goal.id}  {goal.statement}  ({goal.status}{deadline}; {ratings})", highlight=False, soft_wrap=True)


@goals_app.command("add")
def goals_add(
    mentorship: MentorshipOption,
    statement: Annotated[str, typer.Option(help="The goal, in words.")],
    deadline: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    tenant: GoalTenantOption = vocab.DEFAULT_TENANT,
    as_json: JsonOption = False,
) -> None:
    """Add a goal (a statement the mentorship already has is returned, not repeated)."""
    from companion.memory.schemas import GoalCreate

    try:
        request = GoalCreate.model_validate({"statement": statement, "deadline": deadline})
    except ValidationError as exc:
        raise fail(format_validation_error(exc), 2) from None
    companion = build_companion()
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        goal = companion.mentoring.add_goal(access.operator(tenant), mentorship, request)
    if as_json:
        emit_json(goal.model_dump(mode="json"))
    else:
        out.print(f"Goal {goal.id}: {goal.statement}", highlight=False, soft_wrap=True)


@goals_app.command("check-in")
def goals_check_in(
    mentorship: MentorshipOption,
    goal: Annotated[str, typer.Option(help="The goal's id, as `companion goal-progress list` shows it.")],
    rating: Annotated[int, typer.Option(help="Progress from 0 to 10.")],
    comment: Annotated[str | None, typer.Option(help="One line on why.")] = None,
    session: Annotated[str | None, typer.Option(help="The session's id (one rating per side and session).")] = None,
    tenant: GoalTenantOption = vocab.DEFAULT_TENANT,
    as_json: JsonOption = False,
) -> None:
    """Rate a goal as the mentor side (the operator stands for every mentor of its tenant)."""
    from companion.memory.schemas import GoalCheckInCreate

    try:
        request = GoalCheckInCreate.model_validate({"rating": rating, "comment": comment, "session_id": session})
    except ValidationError as exc:
        raise fail(format_validation_error(exc), 2) from None
    companion = build_companion()
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        check_in = companion.mentoring.add_goal_check_in(access.operator(tenant), mentorship, goal, request)
    if as_json:
        emit_json(check_in.model_dump(mode="json"))
    else:
        out.print(f"Rated {check_in.rating}/10 as the {check_in.by}.", highlight=False)


# --------------------------------------------------------------------------------------
# The programme
# --------------------------------------------------------------------------------------
programme_app = typer.Typer(no_args_is_help=True, help="How a tenant's mentorships are going, as counts and dates.")
app.add_typer(programme_app, name="programme")


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


@programme_app.command("health")
def programme_health(
    tenant: Annotated[str, typer.Option(help="Tenant whose programme to show.")] = vocab.DEFAULT_TENANT,
    status: Annotated[str, typer.Option(help="all, stalled or at_risk.")] = "all",
    stalled_after_days: Annotated[
        int | None,
        typer.Option(
            min=1, max=365, help="Days without a session that make a mentorship stalled (default: the setting)."
        ),
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=104, help="Weeks of sessions held per week to show.")] = 12,
    today: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Reference date, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Every mentorship's sessions, cadence, overdue items and decisions due, and the programme's totals."""
    from datetime import date

    from companion import programme

    if status not in ("all", "stalled", "at_risk"):
        raise fail(f"--status must be all, stalled or at_risk, not {status!r}", 2)
    companion = build_companion()
    with memory_errors(), domain_errors():
        companion.upgrade_database()
        report = programme.health(
            companion.database,
            access.operator(tenant),
            companion.settings,
            today=today.date() if today else date.today(),
            status=status,  # type: ignore[arg-type]
            stalled_after_days=stalled_after_days,
            weeks=weeks,
        )
    if as_json:
        emit_json(report.model_dump(mode="json"))
        return
    t = report.totals
    out.print(
        f"Tenant {report.tenant} on {report.today}: {t.mentorships} mentorships ({t.active} active, {t.stalled} stalled, "
        f"{t.at_risk} at risk), {t.sessions_held} sessions held, {t.overdue_action_items} overdue action items, "
        f"{t.decisions_due} decisions due. Stalled after {report.stalled_after_days} days.",
        highlight=False,
        soft_wrap=True,
    )
    if not report.mentorships:
        shown = {"all": "No mentorships", "stalled": "No stalled mentorships", "at_risk": "No mentorships at risk"}
        out.print(f"{shown[report.status]}.", highlight=False)
        return
    table = Table(
        "mentorship",
        "mentee",
        "mentor",
        "status",
        "last session",
        "days",
        "held",
        "planned",
        "behind",
        "overdue",
        "decisions",
        "goals stalled",
        "health",
    )
    for row in report.mentorships:
        table.add_row(
            row.mentorship_id[:8],
            row.mentee_person_id,
            row.mentor_person_id,
            row.status,
            _or_dash(row.last_session_date),
            _or_dash(row.days_since_last_session),
            str(row.sessions_held),
            _or_dash(row.sessions_planned),
            _or_dash(row.sessions_behind),
            str(row.overdue_action_items),
            str(row.decisions_due),
            f"{row.goals_stalled} of {row.goals_active}" if row.goals_active else "-",
            ", ".join(row.risks) if row.at_risk else ("on track" if row.status == "active" else row.status),
        )
    out.print(table, width=None if out.is_terminal else 200)  # piped: every column whole


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs API keys.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (each loads the model once).")] = 1,
) -> None:
    """Serve the web app and the HTTP API (docs at /docs); a first start indexes the shipped knowledge in the background."""
    import os

    import uvicorn

    companion = build_companion()
    if workers > 1 and not companion.settings.chroma_url:
        raise fail(
            "--workers above 1 needs a Chroma server (COMPANION_CHROMA_URL): "
            "the embedded store cannot be shared by processes; see 'Scaling out' in the README"
        )
    with memory_errors():
        companion.upgrade_database()
        try:
            mode = access.check_bind(host, companion.keys.any_keys())
        except access.UnsafeBind as refusal:
            raise fail(str(refusal)) from None
    err.print(mode, highlight=False)
    err.print(f"Mentor Companion on http://{host}:{port} (API docs: http://{host}:{port}/docs)", highlight=False)
    os.environ["COMPANION_SERVE_HOST"] = host
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

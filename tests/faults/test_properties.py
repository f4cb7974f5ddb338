"""Bad input, generated: loaders, chunker and ingest either index a file or report it, never crash.

Hypothesis draws arbitrary bytes, arbitrary text and YAML-ish front matter (valid and broken:
unclosed headers, out-of-range dates, odd tags, wrong types, bank blocks with strange items) under
every supported file name. The contract for each layer:

- `load_bytes` returns parts or raises `LoadError`, whose message is shown per file;
- the chunker never raises, and every chunk has a unique id and non-empty text within
  `chunk_size` (bank items are one chunk each, whatever their length);
- `Indexer.ingest` over a folder of such files never raises: every file is either indexed or
  listed in `report.failures`, and the index stays consistent (catalog == store == BM25).

The generation properties (issue 11, "Never a 500") send far dates (year 1 to 9999), huge numbers
and date phrases that overflow ("in 600000 weeks", "by Q4 9999") through the real API: every
answer is below 500, a refusal is a 422 problem+json naming exactly the fields that are out of
range (dates must lie within `schemas.EARLIEST_DATE`..`LATEST_DATE`), and anything in range
generates. They run against one app over the indexed shipped knowledge, built once per module.

The ingest property uses `HashEmbedder`, a cheap deterministic embedder written for this file
only: hundreds of generated examples through the real model would take minutes, and what is
under test here is the handling of bad input, not the vectors. The real model is used by every
other ingest test, including the crash and concurrency tests in this folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from api.app import create_app
from companion import vocabulary as vocab
from companion.config import Settings
from companion.retrieval.catalog import Catalog
from companion.retrieval.chunking import Chunker
from companion.retrieval.indexer import Indexer
from companion.retrieval.lexical import LexicalIndex
from companion.retrieval.loaders import DocMeta, LoadError, Part, load_bytes
from companion.retrieval.store import ChromaStore
from companion.schemas import EARLIEST_DATE, LATEST_DATE
from tests.conftest import make_settings

NAMES = ("note.md", "guide.mdx", "session.txt", "notes.json", "notes.jsonl", "UPPER.MD")
CHUNK_SIZE = 200  # the smallest allowed, so that splitting is exercised often
CHUNK_OVERLAP = 50


# -- strategies ----------------------------------------------------------------------------
def weighted(*choices: tuple[int, st.SearchStrategy[object]]) -> st.SearchStrategy[object]:
    """Draw from one of the strategies, each `weight` times as often as a weight-1 one."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(lambda s: s)


printable = st.characters(blacklist_categories=("Cs",))
words = st.text(printable, max_size=40)
yaml_tricky = st.sampled_from(
    [
        "2020-13-45",  # a date PyYAML turns into ValueError, not YAMLError
        "2001-12-14t21:59:43.10-99:00",
        "!!int x",
        "!!float y",
        "!!timestamp z",
        "!!binary AAA=",
        "!!python/object:os.system x",
        "&a [*a]",
        "*undefined",
        "[unclosed",
        "{a: 1",
        "'quote",
        '"quote',
        "|",
        ">-",
        "- a\n- b",
        "a: b: c",
        "? [x]\n: y",
        "\t",
        "%YAML 1.1",
        "---",
        "...",
        "null",
        "~",
        "yes",
        "1e400",
        "0x1F",
        "-.inf",
        "[" * 60 + "]" * 60,
    ]
)
vocabulary_value = st.sampled_from(
    [*vocab.KINDS, *vocab.THEMES, *vocab.STAGES, *vocab.AUDIENCES, *vocab.VISIBILITIES, *vocab.BANKS, "global", "acme"]
)
sane_text = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs")), min_size=1, max_size=60)
VALID_VALUES: dict[str, st.SearchStrategy[object]] = {
    "title": sane_text,
    "kind": st.sampled_from(vocab.KINDS),
    "themes": st.lists(st.sampled_from(tuple(vocab.THEMES)), max_size=3, unique=True),
    "theme": st.sampled_from(tuple(vocab.THEMES)),
    "stage": st.sampled_from(vocab.STAGES),
    "audience": st.sampled_from(vocab.AUDIENCES),
    "visibility": st.sampled_from(vocab.VISIBILITIES),
    "author": sane_text,
    "tenant": st.just("acme"),
    "bank": st.sampled_from(tuple(vocab.BANKS)),
    "extra": sane_text,
}
FRONT_KEYS = tuple(VALID_VALUES)


def as_yaml(value: object) -> str:
    return "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else str(value)


front_value = st.one_of(
    vocabulary_value,
    words,
    yaml_tricky,
    st.integers(-(10**20), 10**20).map(str),
    st.lists(st.one_of(vocabulary_value, words), max_size=4).map(as_yaml),
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Mostly valid fields, some broken values and lines, sometimes never closed."""
    keys = draw(st.lists(st.sampled_from(FRONT_KEYS), max_size=6, unique=True))
    lines = [f"{key}: {draw(weighted((6, VALID_VALUES[key].map(as_yaml)), (1, front_value)))}" for key in keys]
    if "bank" not in keys and draw(st.booleans()):
        lines.append("bank: icebreakers")  # so that bank blocks below are often accepted
    if draw(st.integers(0, 5)) == 0:
        lines.append(draw(st.one_of(words, yaml_tricky)))
    closing = draw(st.sampled_from(["---"] * 8 + ["...", "", "--- ", "-- "]))
    return "---\n" + "\n".join(lines) + ("\n" + closing if closing else "") + "\n"


bank_value = weighted(
    (4, sane_text),
    (2, vocabulary_value),
    (2, st.lists(st.one_of(vocabulary_value, sane_text), max_size=3).map(as_yaml)),
    (1, words),
    (1, yaml_tricky),
    (1, st.integers().map(str)),
)
bank_key = weighted(
    (8, st.sampled_from(["text", "title", "themes", "stage", "audience", "prompts", "depth", "minutes", "_section"])),
    (1, st.sampled_from(["1", "-2", "true", "null", "1.5", "[a]"])),  # YAML makes these non-text keys
)


@st.composite
def bank_block(draw: st.DrawFn) -> str:
    items = []
    for number in range(draw(st.integers(0, 3))):
        fields = draw(st.lists(st.tuples(bank_key, bank_value), max_size=4, unique_by=lambda kv: kv[0]))
        head = draw(st.sampled_from([f"id: item-{number}"] * 6 + ["text: no id", "id: 7"]))
        items.append("- " + head + "".join(f"\n  {key}: {value}" for key, value in fields))
    body = draw(st.sampled_from(["\n".join(items)] * 8 + ["just: a mapping", "[", "", "- plain string"]))
    return "```yaml bank\n" + body + "\n```\n"


markdown_line = st.one_of(
    words,
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 7), words),
    st.sampled_from(
        [
            "",
            "```",
            "~~~",
            "<div>html</div>",
            "<!-- comment",
            "-->",
            "import X from 'y'",
            ":::tip Title",
            ":::",
            "{% include x %}",
            "{{ value }}",
            "[link](http://example.org)",
            "![img](a.png)",
            "**bold** __under__",
            ":rocket: \U0001f680",
            "&amp; &#x20; &nbsp;",
            "\t- list item",
            "---",
        ]
    ),
    st.text(printable, min_size=150, max_size=600),  # long sections, so the splitter is used
)


@st.composite
def markdown_document(draw: st.DrawFn) -> str:
    header = draw(st.one_of(st.just(""), front_matter()))
    lines = draw(st.lists(st.one_of(markdown_line, bank_block()), min_size=1, max_size=14))
    return header + "\n".join(lines)


json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), words, vocabulary_value)
json_value = st.recursive(
    json_scalar,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(words, children, max_size=3)),
    max_leaves=12,
)
note_object = st.fixed_dictionaries(
    {"text": weighted((6, sane_text), (1, st.text(printable, max_size=400)), (1, json_value))},
    optional={key: weighted((12, VALID_VALUES[key]), (1, vocabulary_value), (1, json_value)) for key in FRONT_KEYS},
)


@st.composite
def json_document(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["object", "list", "list", "notes", "value", "broken"]))
    if shape == "object":
        return json.dumps(draw(note_object))
    if shape == "list":
        return json.dumps(draw(st.lists(note_object, max_size=3)))
    if shape == "notes":
        return json.dumps({"notes": draw(st.lists(note_object, max_size=3))})
    if shape == "value":
        return json.dumps(draw(json_value))
    return draw(st.sampled_from(["{", "[1, 2", '{"text": ', "1" * 5000, "[" * 100_000, "{}", "[]", '"text"']))


jsonl_document = st.lists(
    st.one_of(note_object.map(json.dumps), note_object.map(json.dumps), words, st.just("")), max_size=4
).map("\n".join)


def encoded(text: str) -> bytes:
    return text.encode("utf-8")


with_odd_prefix = st.tuples(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\r\n"]), markdown_document())
named_files = weighted(
    # anything under any name
    (1, st.tuples(st.sampled_from(NAMES), st.binary(max_size=3000))),
    (1, st.tuples(st.sampled_from(NAMES), st.text(printable, max_size=3000).map(encoded))),
    (1, st.tuples(st.sampled_from(NAMES), with_odd_prefix.map(lambda pair: pair[0] + encoded(pair[1])))),
    # the right kind of content for the name, so that most files get past the first check
    (4, st.tuples(st.sampled_from(("note.md", "guide.mdx", "UPPER.MD")), markdown_document().map(encoded))),
    (1, st.tuples(st.just("session.txt"), st.text(printable, max_size=3000).map(encoded))),
    (2, st.tuples(st.just("notes.json"), json_document().map(encoded))),
    (1, st.tuples(st.just("notes.jsonl"), jsonl_document.map(encoded))),
)


# -- helpers -------------------------------------------------------------------------------
def note_outcome(outcome: str) -> None:
    """Count outcomes in `--hypothesis-show-statistics`, to check that the strategies reach every branch."""
    if currently_in_test_context():
        event(outcome)


def load_or_refuse(data: bytes, name: str) -> list[Part] | None:
    """The loader's contract: parts, or a LoadError with a message; anything else fails the test."""
    try:
        parts = load_bytes(data, name)
    except LoadError as exc:
        assert str(exc).strip(), "a LoadError must say what is wrong"
        note_outcome(f"refused: {re.sub(r'[^a-z ]', '', str(exc).split(':')[0].lower())[:40]}")
        return None
    note_outcome(f"loaded {Path(name).suffix.lower()}")
    assert isinstance(parts, list) and all(isinstance(p, Part) for p in parts)
    return parts


def check_chunks(parts: list[Part], source: str) -> None:
    chunks = Chunker(CHUNK_SIZE, CHUNK_OVERLAP).chunk_parts(parts, tenant="acme", source=source)
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids)), "chunk ids must be unique within a source"
    for chunk in chunks:
        assert chunk.text.strip(), "no empty chunk is ever indexed"
        if chunk.item is None:  # prose; a bank item is one chunk whatever its length
            assert len(chunk.text) <= CHUNK_SIZE, (len(chunk.text), chunk.heading)
        metadata = chunk.metadata()
        assert all(isinstance(v, str | int | float | bool) for v in metadata.values())
        assert chunk.tenant == "acme" and chunk.source == source


# -- loader and chunker properties ---------------------------------------------------------
ALIAS_BOMB = (
    "---\ntitle: Bomb\nbank: icebreakers\nkind: question_bank\n---\n```yaml bank\n- id: a\n  text: t\n"
    + "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}' if i else 'x'] * 9)}]\n" for i in range(9))
    + "```\n"
)


@settings(max_examples=600, deadline=None)
@given(named=named_files)
@example(named=("note.md", b"---\ntitle: x\nstage: 2020-13-45\n---\nbody"))
@example(named=("note.md", b"---\ntitle: !!timestamp x\n---\nbody"))
@example(named=("b.md", b"---\nbank: icebreakers\n---\n```yaml bank\n- id: a\n  when: !!int x\n```\n"))
@example(named=("b.md", b"---\nbank: icebreakers\n---\n```yaml bank\n- id: a\n  1: one\n```\n"))
@example(named=("b.md", b"---\nbank: icebreakers\n---\n```yaml bank\n- id: a\n  themes: 7\n```\n"))
@example(named=("b.md", b"---\nbank: icebreakers\n---\n```yaml bank\n- id: a\n  themes: [1, 2]\n```\n"))
@example(named=("b.md", b"---\nbank: icebreakers\n---\n```yaml bank\n- id: a\n  x: &r [*r]\n```\n"))
@example(named=("b.md", b"---\nbank: icebreakers\n---\n# Bank\n\nProse.\n```yaml bank\n- id: only-an-id\n```\n"))
@example(named=("bomb.md", ALIAS_BOMB.encode()))
@example(named=("notes.json", b"1" * 5000))
@example(named=("notes.json", b"[" * 100_000))
@example(named=("notes.jsonl", b'{"text": "' + b"1" * 10 + b'", "id": ' + b"9" * 5000 + b"}"))
def test_loader_returns_parts_or_a_clear_error_and_the_chunker_never_fails(named: tuple[str, bytes]) -> None:
    name, data = named
    parts = load_or_refuse(data, name)
    if parts is not None:
        check_chunks(parts, f"folder/{name}")


@settings(max_examples=300, deadline=None)
@given(text=st.text(printable, max_size=5000), title=sane_text)
def test_chunker_on_arbitrary_text(text: str, title: str) -> None:
    check_chunks([Part(DocMeta(title=title), text)], "t.txt")


PATHOLOGICAL = {
    # Each of these made a regular expression try every opener against the rest of the text:
    # 100 KB took from seconds to minutes, and the 10 MB the API accepts would take hours.
    "unclosed link brackets": "[" * 100_000,
    "unclosed image brackets": "![" * 50_000,
    "images without a closing paren": "![a](" * 20_000,
    "autolinks without a closing >": "<http://" * 12_500,
    "bold never closed": "**a " * 25_000,
    "html comments never closed": "<!--" * 25_000,
    "script tags never closed": "<script>" * 12_500 + "</style>",
    "html headings never closed": "<h1>" * 25_000 + "</h2>",
    "liquid tags never closed": "{%" * 50_000,
    "liquid output never closed": "{{" * 50_000,
    "block tags without >": "<p" * 50_000,
    "bank blocks never closed": "---\nbank: icebreakers\n---\n" + "```yaml bank\n" * 7_500,
    "many small bank blocks": "---\nbank: icebreakers\n---\n" + "## h\n```yaml bank\n- id: a\n  text: t\n```\n" * 2_500,
    "deeply nested json": "[" * 100_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markup_is_handled_in_linear_time(text: str) -> None:
    for name in ("note.md", "notes.json"):
        started = time.perf_counter()
        parts = load_or_refuse(text.encode(), name)
        if parts is not None:
            check_chunks(parts, name)
        assert time.perf_counter() - started < 5, f"{name}: {len(text):,} characters took too long"


# -- ingest property -----------------------------------------------------------------------
class HashEmbedder:
    """Deterministic 16-dimensional unit vectors from a text's hash (test-only; see module docstring)."""

    model_id = "test-hash-16"
    dimension = 16

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
            row = np.frombuffer(digest[: self.dimension * 2], dtype=np.uint16).astype(np.float32) + 1.0
            rows.append(row / np.linalg.norm(row))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)


@pytest.fixture(scope="module")
def ingest_workspace() -> Iterator[tuple[Path, Indexer, Catalog, ChromaStore]]:
    """One embedded store and catalog for every generated example (opening Chroma per example is slow)."""
    root = Path(tempfile.mkdtemp(prefix="fault-props-"))
    settings_ = Settings(_env_file=None, data_dir=root / "data")  # type: ignore[call-arg]
    embedder = HashEmbedder()
    catalog = Catalog(settings_.catalog_path)
    store = ChromaStore(settings_, embedder.model_id)
    indexer = Indexer(
        embed=embedder.embed,
        model_id=embedder.model_id,
        store=store,
        catalog=catalog,
        lexical=LexicalIndex(settings_.lexical_dir, catalog),
        chunker=Chunker(CHUNK_SIZE, CHUNK_OVERLAP),
        max_file_bytes=20_000,
    )
    yield root, indexer, catalog, store
    shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(named_files, min_size=1, max_size=6))
@example(files=[("late-nul.md", b"# Late NUL\n\n" + b"word " * 2000 + b"\x00 after the first 8 KB")])
@example(files=[("control.txt", "\x0b\x1c\u2028\u0085 text \ufeff\U0010ffff".encode())])
@example(files=[("same.md", b"# A\n\nSame."), ("same.mdx", b"# A\n\nSame."), ("same.txt", b"Same.")])
def test_ingest_reports_bad_files_and_indexes_the_rest(
    ingest_workspace: tuple[Path, Indexer, Catalog, ChromaStore], files: list[tuple[str, bytes]]
) -> None:
    root, indexer, catalog, store = ingest_workspace
    folder = Path(tempfile.mkdtemp(prefix="kb-", dir=root))
    written = []
    for number, (name, data) in enumerate(files):
        path = folder / f"{number}-{name}"
        path.write_bytes(data)
        written.append(path)

    report = indexer.ingest([folder], tenant="acme", prune=True)
    note_outcome(f"{len(written) - len(report.failures)} of {len(written)} files indexed")

    failed = {Path(f.path).name for f in report.failures}
    assert all(f.problem.strip() for f in report.failures)
    assert report.files == len(written)
    assert report.files_changed + report.files_unchanged + len(failed) == len(written)
    for path in written:
        expected_ok = load_or_refuse(path.read_bytes(), path.name) is not None
        if path.name not in failed:
            assert expected_ok, f"{path.name} was indexed although the loader refuses it"
    sources = catalog.sources()
    assert all(r.state == "done" for r in sources), "no source is left pending"
    catalog_ids = {c.chunk_id for c in catalog.iter_chunks()}
    assert store.count() == len(catalog_ids)
    assert store.existing_ids(sorted(catalog_ids)) == catalog_ids
    assert indexer.lexical.size() == len(catalog_ids)

    again = indexer.ingest([folder], tenant="acme", prune=True)
    assert again.files_changed == 0 and again.chunks_added == 0 and again.chunks_removed == 0
    assert {c.chunk_id for c in catalog.iter_chunks()} == catalog_ids


# -- generation inputs through the API: far dates and huge numbers -----------------------------
DAY = dt.timedelta(days=1)
edge_dates = st.sampled_from(
    [
        dt.date.min,
        dt.date.max,
        EARLIEST_DATE,
        LATEST_DATE,
        EARLIEST_DATE - DAY,
        LATEST_DATE + DAY,
        dt.date(9999, 12, 20),
    ]
)
any_date = weighted((2, st.dates()), (2, edge_dates), (1, st.dates(EARLIEST_DATE, LATEST_DATE)))
huge_count = weighted(
    (2, st.integers(0, 10**40)),
    (1, st.sampled_from([0, 1, 7, 5228, 5229, 36_600, 500_000, 600_000, 2**31, 2**63, 10**18])),
    (1, st.integers(0, 60)),
)
date_phrase = st.one_of(
    st.builds(
        lambda lead, count, unit: f"{lead} {count} {unit}",
        st.sampled_from(["in", "within", "in the next", "inside"]),
        huge_count,
        st.sampled_from(["days", "weeks", "months", "years"]),
    ),
    any_date.map(lambda day: f"by {day.isoformat()}"),
    st.builds(lambda q, year: f"by Q{q} {year:04d}", st.integers(1, 4), st.integers(1, 9999)),
    st.builds(
        lambda month, year: f"by {month} {year:04d}", st.sampled_from(["June", "Dec", "March"]), st.integers(1, 9999)
    ),
    st.builds(
        lambda month, day, year: f"by {month} {day}, {year:04d}",
        st.sampled_from(["Jan", "Dec"]),
        st.integers(1, 31),
        st.integers(1, 9999),
    ),
    st.sampled_from(["by Friday", "by next Friday", "tomorrow", "next week", "by the end of the year", "by the 31st"]),
)
GENERATION_PATHS = (
    "/v1/agenda",
    "/v1/icebreakers",
    "/v1/feedback-summary",
    "/v1/decision-framework",
    "/v1/reflection-prompts",
    "/v1/goal-plan",
)


def _date_or_none(draw: st.DrawFn) -> dt.date | None:
    return draw(st.one_of(st.none(), any_date))


@st.composite
def generation_request(draw: st.DrawFn) -> tuple[dict[str, object], set[str]]:
    """A context with far dates, huge numbers and overflowing phrases, and the fields a 422 must name."""
    invalid: set[str] = set()
    session: dict[str, object] = {
        "number": draw(weighted((2, st.integers(1, 1000)), (1, st.integers(-(10**30), 10**30)))),
        "duration_minutes": draw(weighted((2, st.integers(10, 240)), (1, st.integers(-(10**30), 10**30)))),
    }
    if not 1 <= int(session["number"]) <= 1000:  # type: ignore[call-overload]
        invalid.add("session.number")
    if not 10 <= int(session["duration_minutes"]) <= 240:  # type: ignore[call-overload]
        invalid.add("session.duration_minutes")
    context: dict[str, object] = {
        "mentee": {"name": "Priya", "goals": [f"ship v1 {draw(date_phrase)}", f"hire an engineer {draw(date_phrase)}"]},
        "session": session,
        "notes": "\n".join(
            f"Action: Priya to send the deck {draw(date_phrase)}." for _ in range(draw(st.integers(1, 3)))
        ),
        "decision": {"statement": f"take the offer {draw(date_phrase)}"},
    }
    dated = (
        ("today", context, "today"),
        ("session.date", session, "date"),
        ("decision.deadline", context["decision"], "deadline"),
    )
    for path, holder, key in dated:
        day = _date_or_none(draw)
        if day is not None:
            holder[key] = day.isoformat()  # type: ignore[index]
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                invalid.add(path)
    due = _date_or_none(draw)
    context["open_action_items"] = [{"text": "send the deck", "due": due.isoformat() if due else None}]
    if due is not None and not EARLIEST_DATE <= due <= LATEST_DATE:
        invalid.add("open_action_items.0.due")
    return context, invalid


@pytest.fixture(scope="module")
def knowledge_api(knowledge_data_dir: Path, embedder) -> Iterator[tuple[TestClient, str]]:
    """One app over a copy of the indexed shipped knowledge (local mode), and a mentorship in it."""
    root = Path(tempfile.mkdtemp(prefix="generation-props-"))
    shutil.copytree(knowledge_data_dir, root / "data")
    settings_ = make_settings(root / "data", rate_limit_per_minute=0)
    app = create_app(settings_, embedder=embedder, local_mode=True)
    with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as client:
        body = {
            "mentor": {"person_id": "dana", "name": "Dana"},
            "mentee": {"person_id": "priya", "name": "Priya"},
            "goals": ["Raise a seed round by June"],
        }
        created = client.post("/v1/mentorships", json=body)
        assert created.status_code == 201, created.text
        yield client, created.json()["id"]
    shutil.rmtree(root, ignore_errors=True)


def check_refusal(response: object, invalid: set[str]) -> None:
    """Below 500; in range -> 2xx; out of range -> 422 problem+json naming only (and at least one of) those fields."""
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, response.text  # type: ignore[attr-defined]
    if not invalid:
        assert status < 300, response.text  # type: ignore[attr-defined]
        return
    assert status == 422, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    named = {error["path"] for error in problem.get("errors", [])}
    assert named <= invalid, (named, invalid)
    assert any(path in problem["detail"] for path in invalid), (problem["detail"], invalid)
    for path in named & {p for p in invalid if p.endswith(("today", "date", "deadline", "due"))}:
        message = next(e["message"] for e in problem["errors"] if e["path"] == path)
        assert message == f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=generation_request(), path=st.sampled_from(GENERATION_PATHS), stored=st.booleans())
@example(
    request=({"mentee": {"name": "P", "goals": ["ship v1 in 500000 weeks"]}}, set()), path="/v1/goal-plan", stored=False
)
@example(
    request=({"mentee": {"name": "P", "goals": ["x"]}, "today": "9999-12-20"}, {"today"}),
    path="/v1/goal-plan",
    stored=False,
)
@example(
    request=({"mentee": {"name": "P", "goals": ["x"]}, "today": "9999-12-20"}, {"today"}),
    path="/v1/goal-plan",
    stored=True,
)
@example(
    request=({"mentee": {"name": "P"}, "notes": "Action: Priya to call in 600000 weeks."}, set()),
    path="/v1/feedback-summary",
    stored=False,
)
def test_generation_with_far_dates_and_huge_numbers_never_fails(
    knowledge_api: tuple[TestClient, str], request: tuple[dict[str, object], set[str]], path: str, stored: bool
) -> None:
    client, mentorship_id = knowledge_api
    context, invalid = request
    body = {**context, "mentorship_id": mentorship_id} if stored else context
    check_refusal(client.post(path, json=body), invalid)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=any_date, due=st.one_of(st.none(), any_date))
@example(day=dt.date(9999, 12, 31), due=None)
def test_stored_sessions_and_web_goal_plans_with_far_dates_never_fail(
    knowledge_api: tuple[TestClient, str], day: dt.date, due: dt.date | None
) -> None:
    client, mentorship_id = knowledge_api
    in_range = EARLIEST_DATE <= day <= LATEST_DATE
    session = {"date": day.isoformat(), "action_items": [{"text": "send the deck", "due": due and due.isoformat()}]}
    invalid = set() if in_range else {"date"}
    if due is not None and not EARLIEST_DATE <= due <= LATEST_DATE:
        invalid.add("action_items.0.due")
    check_refusal(client.post(f"/v1/mentorships/{mentorship_id}/sessions", json=session), invalid)

    page = client.post(f"/mentorships/{mentorship_id}/goals", data={"start": day.isoformat()})
    assert page.status_code == (200 if in_range else 422), page.text[-500:]
    assert page.headers["content-type"].startswith("text/html")
    if not in_range:
        assert f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}" in page.text

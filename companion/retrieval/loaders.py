"""Read Markdown, plain text and JSON/JSONL mentor notes into validated parts ready for chunking.

Every problem with a file becomes a `LoadError` whose message names the problem; the
caller reports it against the file and carries on with the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from companion import vocabulary as vocab
from companion.retrieval.markdown import clean_markdown, split_front_matter

MARKDOWN_SUFFIXES = (".md", ".mdx", ".markdown")
TEXT_SUFFIXES = (".txt",)
JSON_SUFFIXES = (".json", ".jsonl")
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES + TEXT_SUFFIXES + JSON_SUFFIXES

_BANK_BLOCK = re.compile(r"^```yaml bank[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
_FENCE_CLOSE = re.compile(r"^```[ \t]*$", re.M)
_PARSER_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, RecursionError)
"""What PyYAML's safe loader and the json module raise besides their own errors: out-of-range
dates (`2020-13-45`), bad explicit tags (`!!int x`), over-long integers and deep nesting."""
MAX_BANK_NODES = 20_000
"""Values one bank block may expand to; YAML aliases can make a short block expand without bound."""


class LoadError(Exception):
    """A file that cannot be ingested; the message says why in plain words."""


@dataclass(frozen=True)
class DocMeta:
    """Front-matter fields of one document or note, with defaults applied and values checked."""

    title: str
    kind: str = "guide"
    themes: tuple[str, ...] = ()
    stage: str = "any"
    audience: str = "both"
    visibility: str = "shared"
    author: str | None = None
    tenant: str | None = None
    bank: str | None = None


@dataclass
class Part:
    """One indexable document: a Markdown file, a text file or one JSON note."""

    meta: DocMeta
    text: str
    bank_items: list[dict[str, Any]] = field(default_factory=list)


def as_note(part: Part) -> Part:
    """The part as a note: an example stays an example; banks and guide kinds become a plain note."""
    kind = part.meta.kind if part.meta.kind in ("note", "example") else "note"
    items = [str(item.get("text", "")).strip() for item in part.bank_items]
    text = "\n".join([part.text, *(f"- {item}" for item in items if item)]).strip()
    return Part(meta=replace(part.meta, kind=kind, bank=None), text=text)


@dataclass
class LoadedFile:
    source: str
    parts: list[Part]


def _as_list(value: Any, field_name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise LoadError(f"{field_name} must be a list of strings")


def _choice(value: Any, allowed: Iterable[str], field_name: str, default: str) -> str:
    if value is None or value == "":
        return default
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise LoadError(f"{field_name} {value!r} is not one of: {', '.join(allowed)}")
    return value


def _optional_str(value: Any, field_name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    raise LoadError(f"{field_name} must be a string")


def parse_meta(raw: dict[str, Any], default_title: str) -> DocMeta:
    """Validate front matter (or a JSON note's fields) against the vocabulary."""
    themes = _as_list(raw.get("themes", raw.get("theme")), "themes")
    unknown = [t for t in themes if t not in vocab.THEMES]
    if unknown:
        raise LoadError(f"unknown theme(s) {', '.join(unknown)}; allowed: {', '.join(vocab.THEMES)}")
    bank = _optional_str(raw.get("bank"), "bank")
    if bank is not None and bank not in vocab.BANKS:
        raise LoadError(f"bank {bank!r} is not one of: {', '.join(vocab.BANKS)}")
    tenant = _optional_str(raw.get("tenant"), "tenant")
    if tenant is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", tenant):
        raise LoadError(f"tenant {tenant!r} must be 1-64 letters, digits, '.', '_' or '-'")
    title = _optional_str(raw.get("title"), "title") or default_title
    return DocMeta(
        title=title,
        kind=_choice(raw.get("kind"), vocab.KINDS, "kind", "guide"),
        themes=themes,
        stage=_choice(raw.get("stage"), vocab.STAGES, "stage", "any"),
        audience=_choice(raw.get("audience"), vocab.AUDIENCES, "audience", "both"),
        visibility=_choice(raw.get("visibility"), vocab.VISIBILITIES, "visibility", "shared"),
        author=_optional_str(raw.get("author"), "author"),
        tenant=tenant,
        bank=bank,
    )


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), refusing binary data with a clear message."""
    if b"\x00" in data[:8192]:
        raise LoadError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _first_heading(body: str) -> str | None:
    for line in body.split("\n"):
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


_ATX_LINE = re.compile(r"^(#{2,6})\s+(.+?)\s*#*\s*$", re.M)


def _open_headings(stack: dict[int, str], body: str, start: int, end: int) -> list[str]:
    """Update `stack` with the H2..H6 headings in body[start:end]; return those in force at `end`
    (the section a bank block sits in). Called block after block, so the body is read once."""
    for match in _ATX_LINE.finditer(body, start, end):
        level = len(match.group(1))
        for deeper in [lvl for lvl in stack if lvl >= level]:
            del stack[deeper]
        stack[level] = match.group(2)
    return [stack[level] for level in sorted(stack)]


def _title_from_name(name: str) -> str:
    stem = Path(name).stem
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or name


def _parse_bank_items(block: str, offset_line: int) -> list[dict[str, Any]]:
    try:
        items = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" near line {offset_line + mark.line}" if mark is not None else ""
        raise LoadError(f"bank block{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except _PARSER_ERRORS as exc:
        raise LoadError(f"bank block near line {offset_line} is not valid YAML: {exc}") from None
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise LoadError(f"bank block at line {offset_line} must be a YAML list of mappings")
    if _expanded_size(items, MAX_BANK_NODES) > MAX_BANK_NODES:
        raise LoadError(f"bank block at line {offset_line} is too large or its YAML aliases refer to themselves")
    for item in items:
        if not isinstance(item.get("id"), str) or not item["id"].strip():
            raise LoadError(f"bank item without a string id in block at line {offset_line}")
        if not all(isinstance(key, str) for key in item):
            raise LoadError(f"bank item {item['id']!r}: field names must be text")
        if "themes" in item:
            themes = _as_list(item["themes"], f"bank item {item['id']!r}: themes")
            unknown = [t for t in themes if t not in vocab.THEMES]
            if unknown:
                raise LoadError(f"bank item {item['id']!r}: unknown theme(s) {', '.join(unknown)}")
            item["themes"] = list(themes)
    return items


def _expanded_size(value: Any, budget: int) -> int:
    """How many values `value` expands to when written out, counting at most just past `budget`."""
    count, stack = 0, [value]
    while stack and count <= budget:
        current = stack.pop()
        count += 1
        if isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return count


def load_markdown(text: str, name: str, *, plain: bool = False) -> Part:
    """Parse a Markdown (or plain text) file: front matter, bank blocks, cleaned prose."""
    if plain:
        if not text.strip():
            raise LoadError("empty file")
        return Part(DocMeta(title=_title_from_name(name), kind="note"), text.strip())
    try:
        front, body, body_line = split_front_matter(text)
    except ValueError as exc:
        raise LoadError(f"malformed front matter: {exc}") from None
    raw: dict[str, Any] = {}
    if front is not None:
        try:
            loaded = yaml.safe_load(front)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            raise LoadError(f"malformed front matter{where}: {getattr(exc, 'problem', exc)}") from None
        except _PARSER_ERRORS as exc:
            raise LoadError(f"malformed front matter: {exc}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise LoadError("malformed front matter: expected key: value pairs")
        raw = {str(k): v for k, v in (loaded or {}).items()}
    items: list[dict[str, Any]] = []
    # Blocks are looked for only up to the last closing fence, as in markdown._sub_closed: an
    # unclosed block would otherwise make every later opener scan to the end (quadratic).
    closers = [m.end() for m in _FENCE_CLOSE.finditer(body)]
    blocks_end = closers[-1] if closers else 0
    headings: dict[int, str] = {}
    scanned, line = 0, body_line
    for match in _BANK_BLOCK.finditer(body, 0, blocks_end):
        line += body.count("\n", scanned, match.start())
        section = _open_headings(headings, body, scanned, match.start())
        scanned = match.start()
        for item in _parse_bank_items(match.group(1), line + 1):
            item["_section"] = section
            items.append(item)
    if items and "bank" not in raw:
        raise LoadError("file has 'yaml bank' blocks but no 'bank:' in its front matter")
    body = _BANK_BLOCK.sub("", body[:blocks_end]) + body[blocks_end:]
    cleaned = clean_markdown(body)
    if not cleaned.strip() and not items:
        raise LoadError("empty file: no text after removing markup" if text.strip() else "empty file")
    meta = parse_meta(raw, _first_heading(cleaned) or _title_from_name(name))
    return Part(meta, cleaned, items)


NOTE_FIELDS = ("id", "title", "text", "kind", "themes", "stage", "audience", "visibility", "author", "tenant")


def _note_part(note: Any, where: str, name: str) -> Part:
    if not isinstance(note, dict):
        raise LoadError(f"{where}: a note must be a JSON object with a 'text' field")
    text = note.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LoadError(f"{where}: note has no 'text' (a non-empty string is required)")
    raw = dict(note)
    raw.setdefault("kind", "note")
    default_title = _optional_str(note.get("id"), "id") or _title_from_name(name)
    try:
        meta = parse_meta(raw, default_title)
    except LoadError as exc:
        raise LoadError(f"{where}: {exc}") from None
    return Part(meta, clean_markdown(text))


def load_json_notes(text: str, name: str, *, lines: bool) -> list[Part]:
    """Parse mentor notes: a JSON object, a list of objects, {"notes": [...]}, or JSONL."""
    if not text.strip():
        raise LoadError("empty file")
    if lines:
        parts = []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                note = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LoadError(f"line {number} is not valid JSON: {exc.msg}") from None
            except _PARSER_ERRORS as exc:
                raise LoadError(f"line {number} is not valid JSON: {exc}") from None
            parts.append(_note_part(note, f"line {number}", name))
        return parts
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except _PARSER_ERRORS as exc:
        raise LoadError(f"not valid JSON: {exc}") from None
    if isinstance(data, dict) and "notes" in data:
        data = data["notes"]
    if isinstance(data, dict):
        if "text" not in data:
            raise LoadError(
                "not a mentor-notes file: expected a note object with 'text', a list of notes, or {\"notes\": [...]}"
            )
        return [_note_part(data, "note", name)]
    if isinstance(data, list):
        if not data:
            raise LoadError("empty list of notes")
        return [_note_part(note, f"note {i + 1}", name) for i, note in enumerate(data)]
    raise LoadError("not a mentor-notes file: expected a JSON object or list")


def load_bytes(data: bytes, name: str) -> list[Part]:
    """Parse one file's bytes by its name's suffix."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}")
    if not data.strip():
        raise LoadError("empty file")
    text = decode_text(data)
    if suffix in JSON_SUFFIXES:
        return load_json_notes(text, name, lines=suffix == ".jsonl")
    return [load_markdown(text, name, plain=suffix in TEXT_SUFFIXES)]


def discover(root: Path, exclude: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Files under root that ingest reads, in a stable order; hidden files and folders are skipped.

    `exclude` names paths relative to root to leave out (the knowledge base's own README).
    """
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or rel.as_posix() in exclude:
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path

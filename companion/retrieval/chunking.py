"""Split parsed documents into heading-scoped chunks with stable, content-derived ids."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from companion.retrieval.loaders import Part

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

HEADING_SEPARATOR = " > "
_ATX = re.compile(r"^(#{1,6})\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")

# The field of a bank item that reads as its headline, by bank.
_ITEM_HEADLINE = ("text", "title", "goal", "name", "pattern")


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of knowledge; `heading` is the full path "Title > Section > Sub"."""

    chunk_id: str
    tenant: str
    source: str
    title: str
    heading: str
    text: str
    ordinal: int
    kind: str
    themes: tuple[str, ...]
    stage: str
    audience: str
    visibility: str
    author: str | None = None
    bank: str | None = None
    item: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @property
    def embed_text(self) -> str:
        """What is embedded and BM25-indexed: the heading path carries the section's context."""
        return f"{self.heading}\n\n{self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()

    def metadata(self) -> dict[str, str | int | float | bool]:
        """Flat metadata for the vector store; themes become boolean flags so they can be filtered."""
        meta: dict[str, str | int | float | bool] = {
            "tenant": self.tenant,
            "source": self.source,
            "title": self.title,
            "heading": self.heading,
            "ordinal": self.ordinal,
            "kind": self.kind,
            "stage": self.stage,
            "audience": self.audience,
            "visibility": self.visibility,
            "author": self.author or "",
            "bank": self.bank or "",
            "themes": ",".join(self.themes),
            "content_hash": self.content_hash,
        }
        for theme in self.themes:
            meta[f"theme_{theme}"] = True
        if self.item is not None:
            meta["item_id"] = str(self.item.get("id", ""))
            meta["item_json"] = json.dumps(self.item, sort_keys=True, ensure_ascii=False, default=str)
            if isinstance(self.item.get("depth"), str):
                meta["depth"] = self.item["depth"]
        return meta


def chunk_id_for(tenant: str, source: str, content: str, occurrence: int) -> str:
    """Stable id from tenant, source and content; `occurrence` separates identical chunks in one source.

    `content` includes the metadata, so a visibility or theme change gives new ids and the
    old chunks are replaced rather than kept with stale (possibly less private) metadata.
    """
    digest = hashlib.sha256("\x1f".join((tenant, source, content, str(occurrence))).encode("utf-8")).hexdigest()
    return digest[:32]


def _sections(text: str, title: str) -> list[tuple[str, str]]:
    """(heading path, body) for each heading-delimited section, skipping empty bodies."""
    sections: list[tuple[str, str]] = []
    stack: dict[int, str] = {}
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        body = "\n".join(lines).strip()
        lines.clear()
        if body:
            path = [title] + [stack[level] for level in sorted(stack) if not (level == 1 and stack[level] == title)]
            sections.append((HEADING_SEPARATOR.join(path), body))

    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _ATX.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            stack = {lvl: name for lvl, name in stack.items() if lvl < level}
            stack[level] = heading.group(2).strip()
            continue
        lines.append(line)
    flush()
    return sections


def render_item(item: dict[str, Any]) -> str:
    """Bank item as readable text: its headline, then the other fields as 'Field: value' lines."""
    headline_key = next((k for k in _ITEM_HEADLINE if isinstance(item.get(k), str)), None)
    lines = [str(item[headline_key])] if headline_key else []
    for key, value in item.items():
        if key == headline_key or key.startswith("_") or key == "id":
            continue
        label = key.replace("_", " ").capitalize()
        if isinstance(value, list):
            if value:
                lines.append(f"{label}: " + "; ".join(str(v) for v in value))
        elif value not in (None, ""):
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


class Chunker:
    """Heading-aware chunker: one chunk per section, long sections split with overlap."""

    def __init__(self, chunk_size: int = 1000, chunk_overlap: int = 100) -> None:
        self.chunk_size = chunk_size
        self.chunk_overlap = min(chunk_overlap, chunk_size // 2)

    @cached_property
    def _splitter(self) -> RecursiveCharacterTextSplitter:
        # Made at the first long section: langchain-core behind it costs a quarter to half a second
        # that readers of the catalog and `companion forget` never need.
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        return RecursiveCharacterTextSplitter(
            chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, separators=["\n\n", "\n", ". ", " ", ""]
        )

    def chunk_parts(self, parts: list[Part], *, tenant: str, source: str) -> list[Chunk]:
        chunks: list[Chunk] = []
        seen: dict[str, int] = {}

        def add(part: Part, heading: str, text: str, item: dict[str, Any] | None = None) -> None:
            meta = part.meta
            themes, stage, audience = meta.themes, meta.stage, meta.audience
            if item is not None:
                themes = tuple(item.get("themes") or themes)
                stage = str(item["stage"]) if isinstance(item.get("stage"), str) else stage
                audience = str(item["audience"]) if isinstance(item.get("audience"), str) else audience
            content = json.dumps(
                [
                    heading,
                    text,
                    meta.title,
                    meta.kind,
                    themes,
                    stage,
                    audience,
                    meta.visibility,
                    meta.author,
                    meta.bank,
                    item,
                ],
                sort_keys=True,
                ensure_ascii=False,
                default=str,
            )
            occurrence = seen.get(content, 0)
            seen[content] = occurrence + 1
            chunks.append(
                Chunk(
                    chunk_id=chunk_id_for(tenant, source, content, occurrence),
                    tenant=tenant,
                    source=source,
                    title=meta.title,
                    heading=heading,
                    text=text,
                    ordinal=len(chunks),
                    kind=meta.kind,
                    themes=themes,
                    stage=stage,
                    audience=audience,
                    visibility=meta.visibility,
                    author=meta.author,
                    bank=meta.bank,
                    item=item,
                )
            )

        for part in parts:
            for heading, body in _sections(part.text, part.meta.title):
                pieces = [body] if len(body) <= self.chunk_size else self._splitter.split_text(body)
                for piece in pieces:
                    if piece.strip():
                        add(part, heading, piece.strip())
            for raw_item in part.bank_items:
                item = {k: v for k, v in raw_item.items() if not k.startswith("_")}
                section = [str(s) for s in raw_item.get("_section", [])]
                heading = HEADING_SEPARATOR.join([part.meta.title, *section])
                text = render_item(item)
                if text.strip():  # an item with nothing but its id has nothing to index
                    add(part, heading, text, item)
        return chunks

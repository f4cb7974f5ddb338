"""`companion knowledge check`: validate the shipped knowledge base against the vocabulary."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from companion import vocabulary as vocab
from companion.retrieval.loaders import LoadError, decode_text, load_markdown
from companion.retrieval.markdown import split_front_matter

REQUIRED_FRONT_MATTER = ("title", "kind", "themes", "stage", "audience", "visibility", "tenant")
NEAR_DUPLICATE_RATIO = 0.9
_SLOT = re.compile(r"\{([a-z_]+)\}")
# Banks whose item text is filled by the composer, so only the known slots may appear.
_SLOTTED_FIELDS = {"icebreakers": ("text",), "reflection_prompts": ("text",), "agenda_blocks": ("prompts",)}


@dataclass
class CheckResult:
    files_by_kind: Counter[str] = field(default_factory=Counter)
    items_by_bank: Counter[str] = field(default_factory=Counter)
    items_by_stage: Counter[str] = field(default_factory=Counter)
    items_by_theme: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(self.files_by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.problems,
            "files": self.files,
            "files_by_kind": dict(sorted(self.files_by_kind.items())),
            "bank_items": dict(sorted(self.items_by_bank.items())),
            "bank_items_by_stage": dict(sorted(self.items_by_stage.items())),
            "bank_items_by_theme": dict(sorted(self.items_by_theme.items())),
            "problems": self.problems,
        }

    def print(self, console: Console) -> None:
        console.print(
            f"{self.files} knowledge files checked: "
            + ("[green]OK[/]" if not self.problems else "[red]problems found[/]")
        )
        for title, counts in (
            ("files by kind", self.files_by_kind),
            ("bank items by bank", self.items_by_bank),
            ("bank items by stage", self.items_by_stage),
            ("bank items by theme", self.items_by_theme),
        ):
            table = Table(title=title, show_header=False)
            for name, count in sorted(counts.items()):
                table.add_row(name, str(count))
            console.print(table)


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9{}]+", text.lower()))


def _item_text(item: dict[str, Any]) -> str:
    for key in ("text", "goal", "pattern", "title", "name"):
        if isinstance(item.get(key), str):
            return str(item[key])
    return ""


def _check_item(bank: str, item: dict[str, Any], where: str, problems: list[str]) -> None:
    spec = vocab.BANKS[bank]
    required = spec["required"]
    assert isinstance(required, tuple)
    for name in required:
        value = item.get(name)
        if value is None or value == "" or value == []:
            problems.append(f"{where}: missing required field {name!r}")
    for name, allowed in vocab.ITEM_FIELD_VOCABULARY.items():
        if name not in item:
            continue
        values = item[name] if isinstance(item[name], list) else [item[name]]
        for value in values:
            if value not in allowed:
                problems.append(f"{where}: {name} {value!r} is not one of: {', '.join(allowed)}")
    if bank == "icebreakers" and item.get("stage") == "any":
        problems.append(f"{where}: icebreakers need a concrete stage, not 'any'")
    for name in _SLOTTED_FIELDS.get(bank, ()):
        raw = item.get(name)
        values = raw if isinstance(raw, list) else [raw]
        for value in values:
            for slot in _SLOT.findall(str(value or "")):
                if slot not in vocab.TEMPLATE_SLOTS:
                    problems.append(
                        f"{where}: unknown placeholder {{{slot}}}; allowed: {', '.join(vocab.TEMPLATE_SLOTS)}"
                    )
    if bank == "agenda_blocks":
        minutes, minimum = item.get("minutes"), item.get("min_minutes", 1)
        if not isinstance(minutes, int) or not isinstance(minimum, int) or not 1 <= minimum <= minutes:
            problems.append(f"{where}: minutes and min_minutes must be whole numbers with 1 <= min_minutes <= minutes")


def _near_duplicates(bank: str, items: list[tuple[str, str]], problems: list[str]) -> None:
    """Exact duplicates after normalisation, and pairs whose wording is >= 90% the same."""
    normalised = [(item_id, _normalise(text)) for item_id, text in items]
    letters = [Counter(text) for _, text in normalised]
    for i, (id_a, text_a) in enumerate(normalised):
        for j, (id_b, text_b) in enumerate(normalised[i + 1 :], start=i + 1):
            if not text_a or not text_b:
                continue
            if text_a == text_b:
                problems.append(f"{bank}: items {id_a} and {id_b} are duplicates")
                continue
            shorter, longer = sorted((len(text_a), len(text_b)))
            if shorter / longer < NEAR_DUPLICATE_RATIO:
                continue
            # The characters two texts share bound SequenceMatcher's ratio from above (its quick_ratio),
            # so most pairs are ruled out without building a matcher.
            shared = sum((letters[i] & letters[j]).values())
            if 2 * shared / (len(text_a) + len(text_b)) < NEAR_DUPLICATE_RATIO:
                continue
            if SequenceMatcher(None, text_a, text_b, autojunk=False).ratio() >= NEAR_DUPLICATE_RATIO:
                problems.append(f"{bank}: items {id_a} and {id_b} are near-duplicates")


def check_knowledge(folder: Path) -> CheckResult:
    """Check every Markdown file under `folder` (its top-level README.md documents the format)."""
    result = CheckResult()
    if not folder.is_dir():
        result.problems.append(f"{folder}: not a folder")
        return result
    item_ids: dict[str, str] = {}
    bank_texts: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or rel == "README.md" or any(p.startswith(".") for p in path.relative_to(folder).parts):
            continue
        if path.suffix.lower() not in (".md", ".mdx"):
            result.problems.append(f"{rel}: only Markdown files belong in the knowledge base")
            continue
        try:
            text = decode_text(path.read_bytes())
            front, _, _ = split_front_matter(text)
            raw = yaml.safe_load(front) if front is not None else None
            part = load_markdown(text, path.name)
        except (LoadError, ValueError, yaml.YAMLError) as exc:
            result.problems.append(f"{rel}: {exc}")
            continue
        if not isinstance(raw, dict):
            result.problems.append(f"{rel}: front matter is required")
            continue
        missing = [name for name in REQUIRED_FRONT_MATTER if raw.get(name) in (None, "", [])]
        if raw.get("kind") == "example" and not raw.get("author"):
            missing.append("author")
        if part.bank_items and not raw.get("bank"):
            missing.append("bank")
        if missing:
            result.problems.append(f"{rel}: missing front matter field(s) {', '.join(missing)}")
        meta = part.meta
        result.files_by_kind[meta.kind] += 1
        if meta.kind == "example" and meta.tenant in (None, vocab.GLOBAL_TENANT):
            result.problems.append(f"{rel}: example notes belong to a tenant, not {meta.tenant!r}")
        if meta.kind != "example" and meta.tenant != vocab.GLOBAL_TENANT:
            result.problems.append(f"{rel}: shipped guides and banks must have tenant: {vocab.GLOBAL_TENANT}")
        if meta.bank is None:
            continue
        expected_kind = vocab.BANKS[meta.bank]["kind"]
        if meta.kind != expected_kind:
            result.problems.append(f"{rel}: bank {meta.bank} must have kind: {expected_kind}")
        for item in part.bank_items:
            item_id = str(item.get("id"))
            where = f"{rel}: item {item_id}"
            if item_id in item_ids:
                result.problems.append(f"{where}: id also used in {item_ids[item_id]}")
            item_ids[item_id] = rel
            _check_item(meta.bank, item, where, result.problems)
            result.items_by_bank[meta.bank] += 1
            result.items_by_stage[str(item.get("stage", meta.stage))] += 1
            for theme in item.get("themes") or meta.themes:
                result.items_by_theme[str(theme)] += 1
            bank_texts.setdefault(meta.bank, []).append((item_id, _item_text(item)))
    for bank, spec in vocab.BANKS.items():
        minimum = spec["min_items"]
        assert isinstance(minimum, int)
        if result.items_by_bank[bank] < minimum:
            result.problems.append(f"bank {bank} has {result.items_by_bank[bank]} items; it needs at least {minimum}")
    for bank, texts in sorted(bank_texts.items()):
        _near_duplicates(bank, texts, result.problems)
    return result

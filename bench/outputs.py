"""What the offline outputs read like, measured on the labelled contexts (issue 12's output figures).

    python bench/outputs.py                          # dev set, this checkout vs the baseline (cd1c81e)
    python bench/outputs.py --set all                # dev and held-out sets
    python bench/outputs.py --baseline none          # this checkout only
    python bench/outputs.py --only 'kwame|16-' --dump /tmp/outputs   # some contexts, Markdown written out

For every context of bench/quality (loaded with bench/quality.py's `load_cases`) the six tasks run
through the real service on embedded defaults (knowledge/ indexed into a temporary data dir, as in
bench/offline_latency.py), each output is rendered to Markdown with companion/generation/render.py,
and the rendered text is split into sentences. Headings, bullet labels ("**Specific:**", "Upside:"),
the agenda's item-title lines, the Sources list and the generator footer are not sentences; every
other line of the Markdown is.

Metrics, per task and overall:

* shared per pair (issue 12's target: ≤ 15%): for every two different mentees A and B, the share of
  A's sentences that B's output of the same task also has, identically (after lower-casing and
  dropping punctuation); the mean over all pairs, and the most similar pair. "In any other" is
  stricter: the share of sentences found in at least one other mentee's output (with 66 contexts,
  every bank question that is picked twice counts). "Masked" first replaces the mentee's and mentor's
  names, the goals and dates with tokens, so "What would make <goal> feel done?" is the same sentence
  for everyone.
* placeholders, truncated, mixed language: sentences caught by the detectors below (target: zero).
* guide/framework citations: the share of an output's citations whose chunk kind (the source file's
  front matter `kind`, which is what the index stores) is guide or framework, not question_bank,
  agenda_block or example; "prose" is the share from guides/, sessions/ and frameworks/ (not banks/).
* latency: one call per context and task after a warm-up, wall time.

`--baseline REF` runs the same measurement in a subprocess against `git worktree add` of REF, with
PYTHONPATH pointing there (its own code and its own knowledge/), and prints both columns side by side.
Context fields the old MentoringContext rejects are dropped for it and listed in the output.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
TASKS = ("agenda", "icebreakers", "feedback", "decision", "reflection", "goals")
DEFAULT_BASELINE = "cd1c81e"
TARGETS = {"repeated": 0.15, "placeholders": 0, "truncated": 0, "mixed": 0}


# --------------------------------------------------------------------------------------
# Sentences of a rendered output
# --------------------------------------------------------------------------------------
_LABEL = re.compile(
    r"^(?:\*\*[^*]{1,40}:\*\*|_Why:_|_Following:.*_$|(?:Upside|Downside|Worst case|Mitigation|Reversibility|"
    r"From the notes|Ask|Milestones|Sessions|Date|Last planned session)\s*:)\s*"
)
_LIST_MARK = re.compile(r"^(?:[-*+]\s+(?:\[[ xX]\]\s+)?|\d+\.\s+)")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’)]))\s+(?=[\"“‘(¿¡]?[A-ZÄÖÜÁÉÍÓÚÑ0-9])")
_ACTION_DETAILS = re.compile(
    r"\s\((?:[^()]+, )?due \d{4}-\d{2}-\d{2}(?:, overdue)?(?:; (?:still open|done, as the notes say))?\)$"
    r"|\s\([^()]{1,60}; (?:still open|done, as the notes say)\)$|\s\((?:still open|done, as the notes say)\)$"
    r"|\s\(by \d{4}-\d{2}-\d{2}\)$"
)
_AGENDA_TITLE = re.compile(r"^\*\*\d+:\d\d–\d+:\d\d .*\*\* \(\d+ min\)$")


def unescape(markdown: str) -> str:
    return markdown.replace("&lt;", "<").replace("&gt;", ">")


def split_sentences(markdown: str) -> list[str]:
    """The sentences of a rendered output: headings, labels, agenda item titles, Sources and footer excluded."""
    sentences: list[str] = []
    in_sources = False
    for raw in unescape(markdown).splitlines():
        line = raw.strip()
        if line.startswith("#"):
            in_sources = line.lstrip("#").strip() == "Sources"
            continue
        if in_sources or not line or line.startswith("_Written by the "):
            continue
        line = _LIST_MARK.sub("", line).strip()
        if _AGENDA_TITLE.match(line):
            continue
        line = _LABEL.sub("", line).strip()
        if line.startswith("_") and line.endswith("_") and len(line) > 2:
            line = line[1:-1].strip()
        if not line or (line.endswith(":") and len(line.split()) <= 3):
            continue  # a label on its own line ("Milestones:", "Ask:")
        line = _ACTION_DETAILS.sub("", line)  # the renderer's "(Name, due 2026-12-01)" after an action item
        for sentence in _split_line(line):
            if re.search(r"[^\W\d_]", sentence):
                sentences.append(sentence)
    return sentences


def _open_quote(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _split_line(line: str) -> list[str]:
    """Sentences of one line; never inside a quotation (“… Frau Dr. Weber …” stays one sentence)."""
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(line):
        if pieces and _open_quote(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return [p.strip() for p in pieces if p.strip()]


def normalise(sentence: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", sentence.lower()))


# --------------------------------------------------------------------------------------
# Masking (for the masked repetition figure)
# --------------------------------------------------------------------------------------
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE_PATTERNS = (
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(rf"\b(?:(?:{_WEEKDAYS}),? )?\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})\b(?: \d{{4}})?"),
    re.compile(rf"\b(?:(?:{_WEEKDAYS}),? )?(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?\b(?:,? \d{{4}})?"),
    re.compile(rf"\b(?:{_WEEKDAYS})\b"),
    re.compile(r"\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b"),
)


def mask(sentence: str, names: Iterable[str], goals: Iterable[str]) -> str:
    """The sentence with the given names, goals and any dates replaced by tokens."""
    text = sentence
    for goal in sorted((g for g in goals if g), key=len, reverse=True):
        text = re.sub(re.escape(goal), "<goal>", text, flags=re.I)
    parts = {part for name in names if name for part in [name, *name.split()] if len(part) > 1}
    for part in sorted(parts, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(part)}(?:'s)?(?!\w)", "<name>", text)
    for pattern in _DATE_PATTERNS:
        text = pattern.sub("<date>", text)
    return text


# --------------------------------------------------------------------------------------
# Detectors: plain functions of one sentence (tests/bench/test_output_metrics.py)
# --------------------------------------------------------------------------------------
_PLACEHOLDERS = (
    re.compile(r"\{\{.*?\}\}"),
    re.compile(r"\{[A-Za-z_][A-Za-z0-9_ ]*\}"),
    re.compile(r"<\s*[A-Za-z_][A-Za-z0-9_ ]*\s*>"),
    re.compile(r"\[(?:insert|name|goal|role|interest|mentee|mentor|date|todo|tbd)[^\]]*\]", re.I),
    re.compile(r"\b(?:TBD|TBC|TODO|FIXME|XXX|lorem ipsum)\b"),
    re.compile(r"\?\?\?"),
    re.compile(r"(?<![\w'])(?:None|null|undefined|nan)(?![\w'])"),
)


def find_placeholders(sentence: str) -> list[str]:
    """Template holes left in a sentence: {slot}, {{slot}}, <name>, [insert …], TBD/TODO, None/null."""
    return [m.group(0) for pattern in _PLACEHOLDERS for m in pattern.finditer(sentence)]


_TITLES = {"dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "herr", "frau", "hr.", "fr.",
           "sr.", "sra.", "dra.", "don", "doña"}  # fmt: skip
_ELLIPSIS = re.compile(r"(?:…|\.\.\.)")
_TIME_LEAD = re.compile(
    r"(?i)(?:by|in|on|at|before|until|till|this|next|within|during|over|end|from|bis|vor|im|zum|zur|ende|nach|"
    r"antes|hasta|en|para|a\s+finales|dentro|este|esta|el\s+pr[oó]ximo)\b"
)


def find_truncations(sentence: str, texts: Iterable[str]) -> list[str]:
    """A profile text (a name, a goal) cut in the sentence: mid-word, with a '…' the input did not have,
    quoted only in part (“raise a Series” for 'raise a Series A in 2027'), or a name reduced to its title
    ('Dr.' for 'Dr. Miriam Vogel')."""
    found: list[str] = []
    lowered = sentence.lower()
    for text in texts:
        text = text.strip()
        if len(text) < 4:
            continue
        words = text.split()
        if len(words) > 1 and words[0].lower() in _TITLES:
            for m in re.finditer(rf"(?<!\w){re.escape(words[0])}(?!\w)", sentence):
                rest = sentence[m.end() :].lstrip(" ")
                if not any(rest.lower().startswith(word.lower()) for word in words[1:]):
                    found.append(f"{words[0]} (for {text})")
        for quoted in re.findall(r"[“\"‘]([^”\"’]{3,})[”\"’]", sentence):
            inner = quoted.strip().rstrip("…").rstrip(".").strip()
            rest = text[len(inner) :].strip()
            if (
                len(inner.split()) < len(words)
                and text.lower().startswith(inner.lower() + " ")
                and not _TIME_LEAD.match(rest)  # the goal without its deadline ('… post' of '… post this year')
                and not _TIME_LEAD.match(inner)  # the deadline phrase itself ('bis zum Sommer')
            ):
                found.append(f"“{inner}” (for {text})")
        probe = text[: min(len(text), 12)].lower()
        start = lowered.find(probe)
        while start >= 0:
            length = 0
            while (
                start + length < len(lowered) and length < len(text) and lowered[start + length] == text[length].lower()
            ):
                length += 1
            if length < len(text):
                cut, after = text[:length], sentence[start + length : start + length + 3]
                mid_word = text[length - 1].isalnum() and text[length].isalnum()
                next_is_letter = start + length < len(sentence) and sentence[start + length].isalnum()
                if mid_word and not next_is_letter:
                    found.append(f"{cut}… (for {text})")
                elif _ELLIPSIS.match(after.lstrip()) and not _ELLIPSIS.search(text[length:][:4]):
                    found.append(f"{cut.strip()}… (for {text})")
            start = lowered.find(probe, start + 1)
    return found


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|„[^“”]*[“”]|«[^»]*»|‘[^’]*’|`[^`]*`")
_WORD = re.compile(r"(?<![\w'’])[^\W\d_]+(?:['’][^\W\d_]+)?(?![\w'’])")  # letters only: 'Y9' is no word
_NON_ENGLISH_LETTERS = re.compile(r"[äöüßñáéíóúàèìòùâêîôûç¿¡]", re.I)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "to",
        "of",
        "is",
        "an",
        "in",
        "for",
        "with",
        "you",
        "your",
        "what",
        "how",
        "when",
        "which",
        "will",
        "be",
        "this",
        "that",
        "on",
        "at",
        "by",
        "from",
        "it",
        "are",
        "do",
        "does",
        "did",
        "can",
        "would",
        "could",
        "should",
        "we",
        "our",
        "their",
        "they",
        "he",
        "she",
        "his",
        "her",
        "has",
        "have",
        "not",
        "or",
        "if",
    ]
)


def unquoted(sentence: str) -> str:
    """The sentence without its quoted spans (“…”, "…", „…“, «…», ‘…’, `…`)."""
    return _QUOTED.sub(" ", sentence)


def mixed_language(sentence: str, names: Iterable[str] = ()) -> list[str]:
    """Non-English words spliced unquoted into an English sentence: the words of the unquoted text that the
    notes module's language detection reads as German or Spanish, or that carry non-English letters.
    A sentence counts when it is English (≥ 2 common English words) and holds ≥ 2 such words, or one
    foreign function word next to a word with non-English letters. Names are not foreign words."""
    from companion.generation.notes import detect_language

    name_words = {w.lower() for name in names for w in _WORD.findall(name or "")}
    words = [w for w in _WORD.findall(unquoted(sentence)) if re.sub(r"['’]s$", "", w.lower()) not in name_words]
    english = sum(1 for w in words if w.lower() in _ENGLISH_WORDS)
    if english < 2:
        return []
    function_words = [w for w in words if w.lower() not in _ENGLISH_WORDS and detect_language(w.lower(), "en") != "en"]
    lettered = [w for w in words if _NON_ENGLISH_LETTERS.search(w) and w not in function_words]
    if len(function_words) + len(lettered) >= 2 and (function_words or len(lettered) >= 2):
        return function_words + lettered
    return []


# --------------------------------------------------------------------------------------
# Running the tasks (this checkout, or a baseline worktree in a subprocess)
# --------------------------------------------------------------------------------------
def _front_matter_kind(path: Path) -> str:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    match = re.search(r"^kind:\s*([a-z_]+)\s*$", text.split("\n---", 1)[0], re.M)
    return match.group(1) if match else "unknown"


def _validate_dropping(model: Any, data: dict[str, Any]) -> tuple[Any, list[str]]:
    """The context as `model` accepts it: fields it rejects as unknown are dropped (and named)."""
    from pydantic import ValidationError

    dropped: list[str] = []
    while True:
        try:
            return model.model_validate(data), dropped
        except ValidationError as exc:
            extra = [e["loc"] for e in exc.errors() if e["type"] == "extra_forbidden"]
            if not extra:
                raise
            for loc in extra:
                parent = data
                for part in loc[:-1]:
                    parent = parent[part]
                parent.pop(loc[-1], None)
                dropped.append(".".join(str(p) for p in loc))


def run_worker(contexts: list[dict[str, Any]], knowledge: Path, warm: bool = True) -> dict[str, Any]:
    """Every task on every context through the service of whatever `companion` is importable here."""
    from companion.config import Settings
    from companion.generation.base import Audience

    try:
        from companion.generation.taskspec import render_markdown
    except ImportError:  # code from before one TaskSpec per task (the baseline)
        from companion.generation.render import render_markdown  # type: ignore[attr-defined,no-redef]
    from companion.schemas import MentoringContext
    from companion.service import Companion

    data_dir = Path(tempfile.mkdtemp(prefix="companion-outputs-bench-"))
    try:
        start = time.perf_counter()
        service = Companion(Settings(_env_file=None, data_dir=data_dir, knowledge_dir=knowledge))  # type: ignore[call-arg]
        service.ingest_shipped_knowledge()
        ingest_seconds = time.perf_counter() - start
        kinds: dict[str, str] = {}
        parsed = []
        for raw in contexts:
            context, dropped = _validate_dropping(MentoringContext, json.loads(json.dumps(raw["context"])))
            parsed.append((raw["name"], context, dropped))
        if warm:  # one untimed pass over a few contexts: model, caches and regexes warm
            for _, context, _ in parsed[:3]:
                for task in TASKS:
                    with contextlib.suppress(Exception):
                        service.generate(task, context, audience=Audience(mentor_name=context.mentor.name))
        results = []
        for name, context, dropped in parsed:
            tasks: dict[str, Any] = {}
            for task in TASKS:
                audience = Audience(mentor_name=context.mentor.name)
                start = time.perf_counter()
                try:
                    output = service.generate(task, context, audience=audience)
                except Exception as exc:  # a missing input is a skip, anything else an error
                    kind = "skipped" if type(exc).__name__ == "MissingInput" else "error"
                    tasks[task] = {kind: f"{type(exc).__name__}: {exc}"}
                    continue
                millis = (time.perf_counter() - start) * 1000
                sources = [c.source for c in output.citations]
                for source in sources:
                    if source not in kinds:
                        kinds[source] = _front_matter_kind(knowledge / source)
                tasks[task] = {
                    "markdown": render_markdown(output, context),
                    "millis": millis,
                    "citations": [[s, kinds[s]] for s in sources],
                }
                if task == "feedback":  # what the summary read from the notes, for bench/quality.py's matching
                    tasks[task]["action_items"] = [
                        [a.text, a.owner, a.due.isoformat() if a.due else None, a.done]
                        for a in getattr(output, "action_items", [])
                    ]
                    tasks[task]["decisions"] = list(getattr(output, "decisions", []))
            results.append({"name": name, "dropped": dropped, "tasks": tasks})
        return {"ingest_seconds": ingest_seconds, "cases": results}
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run_baseline(ref: str, contexts: list[dict[str, Any]], keep: bool = False) -> tuple[str, dict[str, Any]]:
    """The same run against `git worktree add` of `ref`, in a subprocess whose PYTHONPATH is that worktree."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", f"{ref}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"companion-outputs-baseline-{commit}"
    created = False
    if not (tree / "companion").is_dir():
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), commit],
            check=True,
            capture_output=True,
        )
        created = True
    try:
        with tempfile.TemporaryDirectory(prefix="companion-outputs-io-") as io_dir:
            given, got = Path(io_dir) / "contexts.json", Path(io_dir) / "outputs.json"
            given.write_text(json.dumps(contexts), encoding="utf-8")
            env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(given), "--worker-out", str(got)]
            command += ["--knowledge", str(tree / "knowledge")]
            subprocess.run(command, check=True, cwd=tree, env=env)
            return commit, json.loads(got.read_text(encoding="utf-8"))
    finally:
        if created and not keep:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)


# --------------------------------------------------------------------------------------
# Metrics over a run
# --------------------------------------------------------------------------------------
@dataclass
class Profile:
    """What the detectors need to know about one context."""

    names: list[str]
    goals: list[str]
    texts: list[str] = field(default_factory=list)


def profile_of(context: Any) -> Profile:
    names = [n for n in (context.mentee.name, context.mentor.name) if n]
    goals = list(context.mentee.goals)
    texts = [*names, *goals]
    if context.decision is not None:
        texts += [context.decision.statement, *context.decision.options]
    return Profile(names, goals, texts)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def pairwise_overlap(sentences_of: dict[str, list[tuple[str, str, str]]], column: int) -> list[float]:
    """For every ordered pair of different mentees (A, B): the share of A's sentences that B's output of the
    same task also has, identically (column 1: normalised; column 2: masked)."""
    keys = {name: [row[column] for row in rows] for name, rows in sentences_of.items() if rows}
    sets = {name: set(values) for name, values in keys.items()}
    return [
        sum(key in sets[other] for key in values) / len(values)
        for name, values in keys.items()
        for other in keys
        if other != name
    ]


def measure(run: dict[str, Any], profiles: dict[str, Profile]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Per task (and 'all'): the figures of the module docstring, and one line per caught sentence."""
    findings: list[str] = []
    per_task: dict[str, dict[str, Any]] = {}
    totals: Counter[str] = Counter()
    all_millis: list[float] = []
    all_pairs: tuple[list[float], list[float]] = ([], [])
    for task in (*TASKS, "all"):
        if task == "all":
            figures: dict[str, Any] = {k: totals[k] for k in ("placeholders", "truncated", "mixed", "errors")}
            figures["outputs"] = totals["outputs"]
            figures["sentences"] = totals["sentences"]
            figures["pairwise"] = statistics.mean(all_pairs[0]) if all_pairs[0] else None
            figures["pairwise_masked"] = statistics.mean(all_pairs[1]) if all_pairs[1] else None
            figures["pairwise_max"] = max(all_pairs[0]) if all_pairs[0] else None
            figures["repeated"] = totals["repeated"] / totals["sentences"] if totals["sentences"] else None
            figures["repeated_masked"] = totals["masked"] / totals["sentences"] if totals["sentences"] else None
            figures["guide_share"] = totals["guide"] / totals["citations"] if totals["citations"] else None
            figures["prose_share"] = totals["prose"] / totals["citations"] if totals["citations"] else None
            figures["p50"] = statistics.median(all_millis) if all_millis else None
            figures["p95"] = percentile(all_millis, 95) if all_millis else None
            per_task[task] = figures
            continue
        outputs = []
        errors = 0
        for case in run["cases"]:
            result = case["tasks"].get(task, {})
            if "error" in result:
                errors += 1
                findings.append(f"{case['name']} {task}: ERROR {result['error']}")
            if "markdown" in result:
                outputs.append((case["name"], result))
        exact: dict[str, set[str]] = {}
        masked: dict[str, set[str]] = {}
        sentences_of: dict[str, list[tuple[str, str, str]]] = {}
        for name, result in outputs:
            profile = profiles[name]
            rows = []
            for sentence in split_sentences(result["markdown"]):
                key = normalise(sentence)
                masked_key = normalise(mask(sentence, profile.names, profile.goals))
                exact.setdefault(key, set()).add(name)
                masked.setdefault(masked_key, set()).add(name)
                rows.append((sentence, key, masked_key))
            sentences_of[name] = rows
        counts: Counter[str] = Counter()
        pair_exact, pair_masked = pairwise_overlap(sentences_of, 1), pairwise_overlap(sentences_of, 2)
        millis = [result["millis"] for _, result in outputs]
        all_millis += millis
        for name, result in outputs:
            profile = profiles[name]
            for sentence, key, masked_key in sentences_of[name]:
                counts["sentences"] += 1
                counts["repeated"] += len(exact[key]) > 1
                counts["masked"] += len(masked[masked_key]) > 1
                for kind, hits in (
                    ("placeholders", find_placeholders(sentence)),
                    ("truncated", find_truncations(sentence, profile.texts)),
                    ("mixed", mixed_language(sentence, profile.names)),
                ):
                    if hits:
                        counts[kind] += 1
                        findings.append(f"{name} {task}: {kind} {hits}: {sentence}")
            for source, kind in result["citations"]:
                counts["citations"] += 1
                counts["guide"] += kind in ("guide", "framework")
                counts["prose"] += not source.startswith("banks/") and kind in ("guide", "framework")
        counts["outputs"] = len(outputs)
        counts["errors"] = errors
        totals.update(counts)
        all_pairs[0].extend(pair_exact)
        all_pairs[1].extend(pair_masked)
        sentences = counts["sentences"]
        per_task[task] = {
            "outputs": len(outputs),
            "sentences": sentences,
            "pairwise": statistics.mean(pair_exact) if pair_exact else None,
            "pairwise_masked": statistics.mean(pair_masked) if pair_masked else None,
            "pairwise_max": max(pair_exact) if pair_exact else None,
            "repeated": counts["repeated"] / sentences if sentences else None,
            "repeated_masked": counts["masked"] / sentences if sentences else None,
            "placeholders": counts["placeholders"],
            "truncated": counts["truncated"],
            "mixed": counts["mixed"],
            "errors": errors,
            "guide_share": counts["guide"] / counts["citations"] if counts["citations"] else None,
            "prose_share": counts["prose"] / counts["citations"] if counts["citations"] else None,
            "p50": statistics.median(millis) if millis else None,
            "p95": percentile(millis, 95) if millis else None,
        }
    return per_task, findings


def most_repeated(run: dict[str, Any], top: int = 10) -> list[tuple[int, str, str]]:
    """The sentences shared by the most mentees' outputs, per task: what to rewrite first."""
    rows = []
    for task in TASKS:
        owners: dict[str, set[str]] = {}
        text: dict[str, str] = {}
        for case in run["cases"]:
            markdown = case["tasks"].get(task, {}).get("markdown")
            for sentence in split_sentences(markdown or ""):
                key = normalise(sentence)
                owners.setdefault(key, set()).add(case["name"])
                text.setdefault(key, sentence)
        rows += [(len(names), task, text[key]) for key, names in owners.items() if len(names) > 1]
    return sorted(rows, reverse=True)[:top]


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------
_ROWS = (
    ("outputs", "outputs (contexts with the task's inputs)", "{:d}"),
    ("sentences", "sentences", "{:d}"),
    ("pairwise", "sentences shared with another mentee's output, mean over pairs (≤ 15%)", "{:.1%}"),
    ("pairwise_masked", "… with names, goals and dates masked", "{:.1%}"),
    ("pairwise_max", "… the most similar pair", "{:.1%}"),
    ("repeated", "sentences found in any other mentee's output", "{:.1%}"),
    ("repeated_masked", "… with names, goals and dates masked", "{:.1%}"),
    ("placeholders", "sentences with a placeholder (0)", "{:d}"),
    ("truncated", "sentences with a truncated name/goal (0)", "{:d}"),
    ("mixed", "mixed-language sentences (0)", "{:d}"),
    ("errors", "errors", "{:d}"),
    ("guide_share", "citations to guides/frameworks (kind)", "{:.1%}"),
    ("prose_share", "… of which prose guides (not banks/)", "{:.1%}"),
    ("p50", "latency p50 ms", "{:.0f}"),
    ("p95", "latency p95 ms", "{:.0f}"),
)


def _cell(value: Any, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)


def print_tables(columns: list[tuple[str, dict[str, dict[str, Any]]]]) -> None:
    for task in ("all", *TASKS):
        print(f"\n### {task}\n")
        print("| metric | " + " | ".join(name for name, _ in columns) + " |")
        print("| --- |" + " ---: |" * len(columns))
        for key, label, fmt in _ROWS:
            cells = [_cell(figures[task].get(key), fmt) for _, figures in columns]
            print(f"| {label} | " + " | ".join(cells) + " |")


def print_summary(columns: list[tuple[str, dict[str, dict[str, Any]]]]) -> None:
    """One row per task and column: the figures issue 12 names, in one table."""
    print(
        "| task | code | shared per pair | masked | in any other | masked | placeholders | truncated | mixed "
        "| guide/framework cites | p50 ms | p95 ms |"
    )
    print("| --- | --- |" + " ---: |" * 10)
    for task in (*TASKS, "all"):
        for name, figures in columns:
            f = figures[task]
            cells = [
                _cell(f["pairwise"], "{:.1%}"),
                _cell(f["pairwise_masked"], "{:.1%}"),
                _cell(f["repeated"], "{:.1%}"),
                _cell(f["repeated_masked"], "{:.1%}"),
                str(f["placeholders"]),
                str(f["truncated"]),
                str(f["mixed"]),
                _cell(f["guide_share"], "{:.1%}"),
                _cell(f["p50"], "{:.0f}"),
                _cell(f["p95"], "{:.0f}"),
            ]
            print(f"| {task} | {name} | " + " | ".join(cells) + " |")


def print_action_items(cases: list[Any], columns: list[tuple[str, dict[str, Any]]]) -> None:
    """The feedback task's action items and decisions, through the service, scored with bench/quality.py's
    matching: the one notes figure that old code without a notes analyser can be measured on too."""
    from bench.quality import Item, Prediction, action_item_metrics, decision_metrics

    def owner(value: str | None) -> str:
        return value if value in ("mentee", "mentor") else "unclear"

    rows = []
    for label, run in columns:
        by_name = {case["name"]: case["tasks"].get("feedback", {}) for case in run["cases"]}
        if not all("action_items" in by_name.get(c.name, {}) for c in cases):
            continue
        predictions = [
            Prediction(
                [
                    Item(text, owner(who), dt.date.fromisoformat(due) if due else None, bool(done))
                    for text, who, due, done in by_name[c.name]["action_items"]
                ],
                list(by_name[c.name]["decisions"]),
            )
            for c in cases
        ]
        for scope, chosen in (("all", None), ("de+es", "en")):
            pairs = [(c, p) for c, p in zip(cases, predictions, strict=True) if chosen is None or c.language != chosen]
            some_cases, some_predictions = [c for c, _ in pairs], [p for _, p in pairs]
            row = {
                **action_item_metrics(some_cases, some_predictions),
                **decision_metrics(some_cases, some_predictions),
            }
            rows.append((f"{label}, {scope}", row))
    if not rows:
        return
    names = ["recall", "owner", "due", "done", "precision", "decision recall"]
    print("\n## Action items from the feedback task (through the service; bench/quality.py's matching)\n")
    print("| code | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for label, row in rows:
        print(f"| {label} | " + " | ".join(_cell(row.get(n), "{:.2f}") for n in names) + " |")


def _dump(folder: Path, label: str, run: dict[str, Any]) -> None:
    for case in run["cases"]:
        target = folder / label / case["name"]
        target.mkdir(parents=True, exist_ok=True)
        for task, result in case["tasks"].items():
            body = result.get("markdown") or f"({next(iter(result.values()))})\n"
            (target / f"{task}.md").write_text(body, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="dev", help="dev, holdout, all, or a folder of contexts (as bench/quality.py)")
    parser.add_argument("--only", default=None, help="a regular expression: only the contexts whose file name matches")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="a commit to compare with, or 'none'")
    parser.add_argument("--keep-baseline", action="store_true", help="keep the baseline worktree afterwards")
    parser.add_argument(
        "--baseline-cache",
        type=Path,
        default=None,
        help="a JSON file: reuse the baseline's outputs from it when it holds the same commit and contexts, "
        "else run the baseline and write them there (its code does not change; only the measurement does)",
    )
    parser.add_argument("--dump", type=Path, default=None, help="write every output's Markdown under this folder")
    parser.add_argument("--findings", action="store_true", help="list every caught sentence and the most repeated")
    parser.add_argument("--worker", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker is not None:  # inside the baseline's subprocess: its `companion`, not this checkout's
        contexts = json.loads(args.worker.read_text(encoding="utf-8"))
        args.worker_out.write_text(json.dumps(run_worker(contexts, args.knowledge)), encoding="utf-8")
        return

    sys.path.insert(0, str(REPO))
    from bench.quality import SETS, load_cases

    folders = SETS.get(args.set) or (Path(args.set),)
    cases = [case for folder in folders for case in load_cases(folder)]
    if args.only:
        cases = [case for case in cases if re.search(args.only, case.name)]
    if not cases:
        parser.error("no contexts")
    contexts = []
    for case in cases:  # today = the session date, so relative dates and 'overdue' are the same on every run
        context = case.context.model_copy(update={"today": case.context.session.date or case.context.reference_date})
        contexts.append({"name": case.name, "context": context.model_dump(mode="json", exclude_unset=True)})
        contexts[-1]["context"]["today"] = context.today.isoformat() if context.today else None
    profiles = {case.name: profile_of(case.context) for case in cases}
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]

    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "companion", "knowledge"],
                           capture_output=True, text=True).stdout.strip()  # fmt: skip
    now_label = f"now ({head}{'+changes' if dirty else ''})"
    runs = [(now_label, run_worker(contexts, REPO / "knowledge"))]
    if args.baseline != "none":
        cached = None
        if args.baseline_cache is not None and args.baseline_cache.is_file():
            cached = json.loads(args.baseline_cache.read_text(encoding="utf-8"))
            wanted = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", f"{args.baseline}^{{commit}}"],
                                    capture_output=True, text=True).stdout.strip()  # fmt: skip
            if cached.get("commit") != wanted or cached.get("contexts") != contexts:
                cached = None
        if cached is not None:
            commit, baseline = cached["commit"], cached["run"]
            print(f"(baseline outputs reused from {args.baseline_cache})")
        else:
            commit, baseline = run_baseline(args.baseline, contexts, keep=args.keep_baseline)
            if args.baseline_cache is not None:
                payload = {"commit": commit, "contexts": contexts, "run": baseline}
                args.baseline_cache.write_text(json.dumps(payload), encoding="utf-8")
        runs.insert(0, (f"baseline ({commit})", baseline))
    columns = []
    print(
        f"# Output quality on {len(cases)} contexts of set {args.set!r}, {started:%Y-%m-%d %H:%M} UTC "
        f"({os.cpu_count()} CPUs, load {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end)"
    )
    for label, run in runs:
        figures, findings = measure(run, profiles)
        columns.append((label, figures))
        dropped = Counter(field for case in run["cases"] for field in case["dropped"])
        print(f"\n{label}: index built in {run['ingest_seconds']:.0f} s.", end="")
        if dropped:
            listed = ", ".join(f"{name} ({count} contexts)" for name, count in sorted(dropped.items()))
            print(f" Fields its MentoringContext rejects, dropped for it: {listed}.", end="")
        print()
        if args.findings:
            print(f"\n#### Caught sentences, {label}\n")
            print("\n".join(f"- {line}" for line in findings) or "- none")
            print(f"\n#### Most repeated sentences, {label}\n")
            for count, task, sentence in most_repeated(run, 15):
                print(f"- {count}× {task}: {sentence}")
        if args.dump:
            _dump(args.dump, label.split()[0], run)
    print("\n## Summary\n")
    print_summary(columns)
    print_action_items(cases, [(label, run) for label, run in runs])
    print_tables(columns)
    print(
        "\nRepeated: a sentence that appears identically in another mentee's output of the same task. "
        "Latency: one service call per context and task after a warm-up, wall time, retrieval included."
    )


if __name__ == "__main__":
    main()

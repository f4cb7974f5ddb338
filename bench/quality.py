"""Quality of what the offline composer understands from session notes, on the labelled dev set.

    python bench/quality.py                      # notes analyser + the feedback task's reader
    python bench/quality.py --feedback service   # the feedback task through the service (indexes knowledge/)
    python bench/quality.py --feedback none --details
    python bench/quality.py --set holdout        # the held-out set (bench/quality/holdout/) only
    python bench/quality.py --set all            # the dev set and the held-out set together
    python bench/quality.py --set holdout --only 'h1[3-9]|h20'   # some contexts of a set, by file name

Each file in bench/quality/ is a mentoring context (the format of examples/context.yaml) plus a
`labels:` block: the action items (keywords that must all appear in the item's text, owner, due,
done), the decisions, the stage, the cadence, the next meeting and whether the notes hold a
distress cue. bench/quality/README.md says how the labels are written.

Matching: a predicted item matches a label when every keyword of the label appears in its text
(case-insensitive); each prediction matches at most one label. Recall is matched labels over
labels, precision matched predictions over predictions (a prediction matching an `optional` label
counts for neither), owner and due accuracy are over matched labels.

Metrics are plain functions of (cases, predictions) registered in METRICS: add one to measure
something else (sentence repetition, placeholders) without touching the rest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion.generation.notes import NotesFacts, analyse_notes, clear_date_cache, warm_up  # noqa: E402
from companion.generation.tasks.common import session_stage  # noqa: E402
from companion.schemas import MentoringContext  # noqa: E402

DEV_SET = REPO / "bench" / "quality"
SETS = {"dev": (DEV_SET,), "holdout": (DEV_SET / "holdout",), "all": (DEV_SET, DEV_SET / "holdout")}
"""Named sets: the dev set (tuned on), the held-out set (written before any change for it), or both."""
TARGETS = {"recall": 0.90, "owner": 0.90, "due": 0.85, "precision": 0.85}


# --------------------------------------------------------------------------------------
# Cases and predictions
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Label:
    keywords: tuple[str, ...]
    owners: tuple[str, ...]
    dues: tuple[dt.date | None, ...]
    done: bool = False
    optional: bool = False

    def matches(self, text: str) -> bool:
        lowered = text.lower()
        return all(k.lower() in lowered for k in self.keywords)


@dataclass(frozen=True)
class Case:
    name: str
    context: MentoringContext
    language: str
    items: tuple[Label, ...]
    decisions: tuple[tuple[str, ...], ...]
    labels: dict[str, Any]


@dataclass(frozen=True)
class Item:
    text: str
    owner: str
    due: dt.date | None
    done: bool


@dataclass
class Prediction:
    """What one system read from one case's notes."""

    items: list[Item]
    decisions: list[str] = field(default_factory=list)
    facts: NotesFacts | None = None
    millis: float = 0.0
    cpu_millis: float = 0.0
    """CPU time of the call: what the machine's other load does not inflate."""


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def load_cases(folder: Path = DEV_SET) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        labels = data.pop("labels")
        context = MentoringContext.model_validate(data)
        items = tuple(
            Label(
                keywords=tuple(str(k) for k in raw["keywords"]),
                owners=tuple(str(o) for o in _as_tuple(raw["owner"])),
                dues=tuple(_as_tuple(raw.get("due"))),
                done=bool(raw.get("done", False)),
                optional=bool(raw.get("optional", False)),
            )
            for raw in labels.get("action_items", [])
        )
        decisions = tuple(tuple(str(k) for k in d["keywords"]) for d in labels.get("decisions", []))
        cases.append(Case(path.stem, context, context.session.language[:2], items, decisions, labels))
    return cases


def _session_date(case: Case) -> dt.date:
    return case.context.session.date or case.context.reference_date


def run_analyser(case: Case, cold: bool = True) -> Prediction:
    if cold:
        clear_date_cache()
    start, cpu_start = time.perf_counter(), time.process_time()
    facts = analyse_notes(
        case.context.notes or "",
        session_date=_session_date(case),
        mentee_name=case.context.mentee.name,
        mentor_name=case.context.mentor.name,
        language=case.context.session.language,
    )
    millis = (time.perf_counter() - start) * 1000
    cpu_millis = (time.process_time() - cpu_start) * 1000
    items = [Item(a.text, a.owner, a.due, a.done) for a in facts.action_items]
    return Prediction(items, [d.text for d in facts.decisions], facts, millis, cpu_millis)


def _feedback_owner(owner: str | None) -> str:
    return owner if owner in ("mentee", "mentor") else "unclear"


def feedback_runner(mode: str) -> Callable[[Case], Prediction] | None:
    """The current feedback task's reading of the notes: its NotesReader, or the whole task through the service."""
    if mode == "none":
        return None
    try:
        from companion.generation.tasks.feedback import read_notes
    except Exception as exc:  # the task is being rewritten elsewhere; the bench still runs
        print(f"(feedback task not importable: {exc})")
        return None
    if mode == "reader":

        def reader(case: Case) -> Prediction:
            context = case.context.model_copy(update={"today": _session_date(case)})
            start = time.perf_counter()
            parsed = read_notes(context)
            millis = (time.perf_counter() - start) * 1000
            items = [Item(a.text, _feedback_owner(a.owner), a.due, a.done) for a in parsed.action_items]
            return Prediction(items, list(parsed.decisions), None, millis)

        return reader
    from companion.config import Settings
    from companion.generation.base import Audience
    from companion.service import Companion

    data_dir = Path(tempfile.mkdtemp(prefix="companion-quality-bench-"))
    service = Companion(Settings(_env_file=None, data_dir=data_dir, knowledge_dir=REPO / "knowledge"))  # type: ignore[call-arg]
    service.ingest_shipped_knowledge()

    def through_service(case: Case) -> Prediction:
        context = case.context.model_copy(update={"today": _session_date(case)})
        start = time.perf_counter()
        output = service.generate("feedback", context, audience=Audience(mentor_name=context.mentor.name))
        millis = (time.perf_counter() - start) * 1000
        items = [Item(a.text, _feedback_owner(a.owner), a.due, a.done) for a in output.action_items]  # type: ignore[attr-defined]
        return Prediction(items, list(output.decisions), None, millis)  # type: ignore[attr-defined]

    return through_service


# --------------------------------------------------------------------------------------
# Matching and metrics
# --------------------------------------------------------------------------------------
@dataclass
class Match:
    case: Case
    label: Label
    item: Item | None


def match_items(case: Case, prediction: Prediction) -> tuple[list[Match], list[Item]]:
    """Each label to at most one prediction (labels with fewest candidates first); unmatched predictions."""
    used: set[int] = set()
    order = sorted(
        range(len(case.items)),
        key=lambda i: sum(case.items[i].matches(p.text) for p in prediction.items),
    )
    found: dict[int, Item | None] = {}
    for index in order:
        label = case.items[index]
        chosen = None
        for position, item in enumerate(prediction.items):
            if position not in used and label.matches(item.text):
                chosen = position
                break
        if chosen is not None:
            used.add(chosen)
        found[index] = prediction.items[chosen] if chosen is not None else None
    matches = [Match(case, case.items[i], found[i]) for i in range(len(case.items))]
    extra = [item for position, item in enumerate(prediction.items) if position not in used]
    return matches, extra


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


Metric = Callable[[list[Case], list[Prediction]], dict[str, float | None]]


def action_item_metrics(cases: list[Case], predictions: list[Prediction]) -> dict[str, float | None]:
    labelled = matched = owner_ok = due_ok = done_ok = predicted = correct_predictions = 0
    for case, prediction in zip(cases, predictions, strict=True):
        matches, extra = match_items(case, prediction)
        for m in matches:
            if m.label.optional:
                continue
            labelled += 1
            if m.item is None:
                continue
            matched += 1
            owner_ok += m.item.owner in m.label.owners
            due_ok += m.item.due in m.label.dues
            done_ok += m.item.done == m.label.done
        optional_hits = sum(1 for m in matches if m.label.optional and m.item is not None)
        predicted += len(prediction.items) - optional_hits
        correct_predictions += sum(1 for m in matches if not m.label.optional and m.item is not None)
        del extra
    return {
        "recall": _ratio(matched, labelled),
        "owner": _ratio(owner_ok, matched),
        "due": _ratio(due_ok, matched),
        "done": _ratio(done_ok, matched),
        "precision": _ratio(correct_predictions, predicted),
        "labelled": float(labelled),
    }


def decision_metrics(cases: list[Case], predictions: list[Prediction]) -> dict[str, float | None]:
    labelled = found = 0
    for case, prediction in zip(cases, predictions, strict=True):
        for keywords in case.decisions:
            labelled += 1
            found += any(all(k.lower() in d.lower() for k in keywords) for d in prediction.decisions)
    # A labelled decision must not also come out as an action item.
    leaked = 0
    for case, prediction in zip(cases, predictions, strict=True):
        for keywords in case.decisions:
            leaked += any(all(k.lower() in i.text.lower() for k in keywords) for i in prediction.items)
    return {"decision recall": _ratio(found, labelled), "decisions as items": float(leaked)}


def facts_metrics(cases: list[Case], predictions: list[Prediction]) -> dict[str, float | None]:
    """Stage, cadence, next meeting and distress; only for systems that give NotesFacts."""
    if not predictions or predictions[0].facts is None:
        return {}
    stage = cadence = meeting = meetings = distress = 0
    for case, prediction in zip(cases, predictions, strict=True):
        facts = prediction.facts
        assert facts is not None
        stage += session_stage(case.context.session) == case.labels.get("stage")
        cadence += facts.cadence == case.labels.get("cadence")
        if "next_meeting" in case.labels:
            meetings += 1
            meeting += facts.next_meeting == case.labels["next_meeting"]
        distress += facts.distress == bool(case.labels.get("distress"))
    n = len(cases)
    return {
        "stage": stage / n,
        "cadence": cadence / n,
        "next meeting": _ratio(meeting, meetings),
        "distress": distress / n,
        "language": sum(
            p.facts is not None and p.facts.language == c.language for c, p in zip(cases, predictions, strict=True)
        )
        / n,
    }


def latency_metrics(cases: list[Case], predictions: list[Prediction]) -> dict[str, float | None]:
    times = [p.millis for p in predictions]
    if not times:
        return {}
    row: dict[str, float | None] = {"p50 ms": statistics.median(times), "max ms": max(times)}
    if any(p.cpu_millis for p in predictions):
        cpu = [p.cpu_millis for p in predictions]
        row |= {"p50 cpu ms": statistics.median(cpu), "max cpu ms": max(cpu)}
    return row


def twenty_line_latency(cases: list[Case]) -> tuple[float, float]:
    """Median wall and CPU milliseconds for notes of 20 lines (the latency target's 'typical notes')."""
    walls, cpus = [], []
    for first, second in itertools.pairwise(cases):
        lines = [x for x in f"{first.context.notes}\n{second.context.notes}".splitlines() if x.strip()][:20]
        clear_date_cache()
        start, cpu_start = time.perf_counter(), time.process_time()
        analyse_notes(
            "\n".join(lines),
            session_date=_session_date(first),
            mentee_name=first.context.mentee.name,
            mentor_name=first.context.mentor.name,
        )
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu_start) * 1000)
    return statistics.median(walls), statistics.median(cpus)


METRICS: list[Metric] = [action_item_metrics, decision_metrics, facts_metrics, latency_metrics]


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def evaluate(cases: list[Case], predictions: list[Prediction]) -> dict[str, float | None]:
    row: dict[str, float | None] = {}
    for metric in METRICS:
        row.update(metric(cases, predictions))
    return row


def _cell(value: float | None, name: str) -> str:
    if value is None:
        return "–"
    if name.endswith("ms"):
        return f"{value:.1f}"
    if name in ("labelled", "decisions as items"):
        return str(int(value))
    return f"{value:.2f}"


def print_table(rows: list[tuple[str, dict[str, float | None]]]) -> None:
    columns: list[str] = []
    for _, row in rows:
        columns += [c for c in row if c not in columns]
    print("| system | " + " | ".join(columns) + " |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " |")
    for name, row in rows:
        print(f"| {name} | " + " | ".join(_cell(row.get(c), c) for c in columns) + " |")


def print_details(cases: list[Case], predictions: list[Prediction]) -> None:
    for case, prediction in zip(cases, predictions, strict=True):
        matches, extra = match_items(case, prediction)
        problems = []
        for m in matches:
            if m.item is None:
                if not m.label.optional:
                    problems.append(f"  MISSED   {m.label.keywords} ({'/'.join(m.label.owners)}, {m.label.dues})")
                continue
            wrong = []
            if m.item.owner not in m.label.owners:
                wrong.append(f"owner {m.item.owner} != {'/'.join(m.label.owners)}")
            if m.item.due not in m.label.dues:
                wrong.append(f"due {m.item.due} != {m.label.dues}")
            if m.item.done != m.label.done:
                wrong.append(f"done {m.item.done}")
            if wrong:
                problems.append(f"  WRONG    {m.item.text!r}: {', '.join(wrong)}")
        for item in extra:
            problems.append(f"  EXTRA    {item.text!r} ({item.owner}, {item.due})")
        if problems:
            print(f"{case.name}:")
            print("\n".join(problems))


def _set_name(folder: Path) -> str:
    try:
        return str(folder.resolve().relative_to(REPO))
    except ValueError:
        return str(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feedback", choices=("reader", "service", "none"), default="reader")
    parser.add_argument("--details", action="store_true", help="list every missed, wrong and extra item")
    parser.add_argument(
        "--set",
        default="dev",
        help="dev (bench/quality/*.yaml), holdout (bench/quality/holdout/), all, or a folder of contexts",
    )
    parser.add_argument("--dev-set", type=Path, default=None, help="a folder of contexts (overrides --set)")
    parser.add_argument("--only", default=None, help="a regular expression: only the contexts whose file name matches")
    args = parser.parse_args()

    folders = (args.dev_set,) if args.dev_set else SETS.get(args.set) or (Path(args.set),)
    cases = [case for folder in folders for case in load_cases(folder)]
    if args.only:
        cases = [case for case in cases if re.search(args.only, case.name)]
    if not cases:
        parser.error(f"no contexts (*.yaml) in {', '.join(str(f) for f in folders)}")
    non_english = [c for c in cases if c.language != "en"]
    warm_up()
    for case in cases:  # warm-up: dateparser's locale data and the regexes
        run_analyser(case, cold=False)
    systems: list[tuple[str, Callable[[Case], Prediction]]] = [("notes analyser", run_analyser)]
    feedback = feedback_runner(args.feedback)
    if feedback is not None:
        systems.append((f"feedback ({args.feedback})", feedback))

    lines = [len([x for x in (c.context.notes or "").splitlines() if x.strip()]) for c in cases]
    print(
        f"# Notes quality on {len(cases)} contexts of {', '.join(_set_name(f) for f in folders)} "
        f"({len(non_english)} not in English; "
        f"{min(lines)}-{max(lines)} lines of notes, median {statistics.median(lines):.0f})\n"
    )
    rows = []
    all_predictions = {}
    for name, run in systems:
        predictions = [run(case) for case in cases]
        all_predictions[name] = predictions
        rows.append((f"{name}, all", evaluate(cases, predictions)))
        foreign = [p for c, p in zip(cases, predictions, strict=True) if c.language != "en"]
        rows.append((f"{name}, de+es", evaluate(non_english, foreign)))
    print_table(rows)
    print(f"\nTargets: {', '.join(f'{k} ≥ {v:.2f}' for k, v in TARGETS.items())} (action items, overall and de+es).")
    wall, cpu = twenty_line_latency(cases)
    print(f"20-line notes (two contexts' notes joined, cold date cache): p50 {wall:.1f} ms wall, {cpu:.1f} ms CPU.")
    print(
        "Latency: one analyse_notes call per notes with a cold date cache (a new session date), after warm-up; "
        f"wall and CPU time on this machine ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})."
    )
    if args.details:
        for name, predictions in all_predictions.items():
            print(f"\n## {name}\n")
            print_details(cases, predictions)


if __name__ == "__main__":
    main()

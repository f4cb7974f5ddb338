"""The shipped knowledge base: valid, big enough, our own words, and findable by theme."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from companion import vocabulary as vocab
from companion.knowledge import check_knowledge
from companion.service import Companion
from tests.conftest import CORPUS, KNOWLEDGE


def test_knowledge_check_passes_with_every_bank_at_size(run_cli) -> None:
    code, out, err = run_cli("knowledge", "check", "--json")
    result = json.loads(out)
    assert code == 0 and result["ok"], result["problems"]
    for bank, spec in vocab.BANKS.items():
        assert result["bank_items"][bank] >= spec["min_items"], bank
    assert result["files_by_kind"]["example"] >= 20
    for theme in vocab.THEMES:
        assert result["bank_items_by_theme"].get(theme, 0) > 0, theme


def test_icebreakers_cover_every_stage_and_depth() -> None:
    from companion.retrieval.loaders import load_bytes

    (part,) = load_bytes((KNOWLEDGE / "banks" / "icebreakers.md").read_bytes(), "icebreakers.md")
    pairs = {(item["stage"], item["depth"]) for item in part.bank_items}
    assert pairs == {(s, d) for s in ("first_session", "early", "established", "closing") for d in vocab.DEPTHS}
    assert sum("{interest}" in item["text"] for item in part.bank_items) >= 20


def test_example_notes_span_mentors_tenants_themes_and_visibility() -> None:
    from companion.retrieval.loaders import load_bytes

    metas = [load_bytes(p.read_bytes(), p.name)[0].meta for p in sorted((KNOWLEDGE / "examples").rglob("*.md"))]
    assert len(metas) >= 20 and all(m.kind == "example" for m in metas)
    assert len({m.author for m in metas}) >= 3
    assert len({m.tenant for m in metas}) >= 2
    assert {m.visibility for m in metas} == {"shared", "mentor_private"}
    core = set(vocab.THEMES) - {"session_structure"}
    assert core <= {t for m in metas for t in m.themes}


@pytest.fixture
def broken_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    bank = folder / "banks" / "icebreakers.md"
    text = bank.read_text()
    text = text.replace("depth: light", "depth: shallow", 1)
    first_id = re.search(r"- id: (\S+)", text).group(1)
    second_id = re.findall(r"- id: (\S+)", text)[1]
    text = text.replace(f"- id: {second_id}", f"- id: {first_id}", 1)
    bank.write_text(text)
    guide = folder / "guides" / "work-life-balance.md"
    guide.write_text(guide.read_text().replace("tenant: global\n", "", 1).replace("themes: [", "themes: [astrology, ", 1))
    (folder / "banks" / "smart-goals.md").unlink()
    reflection = folder / "banks" / "reflection-prompts.md"
    items = re.findall(r"  text: (.+)", reflection.read_text())
    reflection.write_text(reflection.read_text().replace(items[1], items[0].rstrip("?") + " now?", 1))
    return folder


def test_knowledge_check_reports_each_violation(broken_knowledge: Path) -> None:
    problems = "\n".join(check_knowledge(broken_knowledge).problems)
    assert "depth 'shallow' is not one of" in problems
    assert "id also used in banks/icebreakers.md" in problems
    assert "guides/work-life-balance.md: unknown theme(s) astrology" in problems
    assert "bank smart_goals has 0 items; it needs at least 30" in problems
    assert "are near-duplicates" in problems


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_no_twelve_word_run_of_our_knowledge_appears_in_the_corpus() -> None:
    runs: set[tuple[str, ...]] = set()
    for path in CORPUS.rglob("*"):
        if path.is_file():
            words = _words(path.read_text(encoding="utf-8", errors="ignore"))
            runs.update(tuple(words[i : i + 12]) for i in range(len(words) - 11))
    copied = []
    for path in sorted(KNOWLEDGE.rglob("*.md")):
        words = _words(path.read_text(encoding="utf-8"))
        copied += [(path.name, " ".join(words[i : i + 12])) for i in range(len(words) - 11) if tuple(words[i : i + 12]) in runs]
    assert copied == []


THEME_QUERIES = {
    "sharing_experience": "how can I share my own experience with my mentee without lecturing",
    "individual_needs": "how do I figure out what my mentee actually needs",
    "trust_and_rapport": "how to build trust and break the ice with a new mentee",
    "goals_and_progress": "setting goals and tracking progress between meetings",
    "feedback_and_self_assessment": "how to give feedback and encourage self-assessment",
    "career_risk": "should my mentee take a risky career move",
    "work_life_balance": "my mentee is overworked and burning out",
}


@pytest.mark.parametrize("theme", sorted(THEME_QUERIES))
def test_a_search_for_each_theme_returns_our_guides_in_the_top_five(knowledge_companion: Companion, theme: str) -> None:
    results = knowledge_companion.search(THEME_QUERIES[theme], tenant="local", k=5).results
    ours = [r for r in results if r.tenant == "global" and r.kind in ("guide", "framework") and theme in r.themes]
    assert ours, [(r.source, r.heading) for r in results]

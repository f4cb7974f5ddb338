"""Loaders and Markdown cleaning: what goes into the index is the prose, and bad files say why."""

from __future__ import annotations

import json

import pytest

from companion.retrieval.loaders import LoadError, load_bytes
from companion.retrieval.markdown import clean_markdown

MESSY = """---
title: Session plan
kind: guide
themes: [session_structure, trust_and_rapport]
stage: early
---
import Tabs from '@theme/Tabs';
import Partial from './_partial.mdx';

<head>
  <meta property="og:title" content="Session plan" />
</head>

{% include "step-indicator.html" steps: healthy.steps %}

# Session plan

Agendas help :rocket: both people 🥦 focus on what matters.&#x20;

<Partial />

### Getting started <a href="#getting-started" id="getting-started"></a>

:::tip Keep it shared
Put the agenda where you can **both** reach it, see [our guide](https://example.org/x).
:::

<h3 id="x">Inline <b>HTML</b> heading</h3>
<p>Paragraph in <em>HTML</em>.</p>
Value from {{ page.title }} and <!-- a comment --> done.
"""


def test_messy_markdown_is_reduced_to_prose() -> None:
    (part,) = load_bytes(MESSY.encode(), "plan.mdx")
    text = part.text
    for markup in ("import ", "<", ">", "{%", "{{", ":::", ":rocket:", "🥦", "&#x20;", "](", "**", "og:title"):
        assert markup not in text, markup
    assert "Agendas help both people focus on what matters." in text
    assert "### Getting started" in text
    assert "### Inline HTML heading" in text
    assert "Keep it shared" in text
    assert "Put the agenda where you can both reach it, see our guide." in text
    assert "Paragraph in HTML." in text
    assert part.meta.title == "Session plan"
    assert part.meta.themes == ("session_structure", "trust_and_rapport")
    assert part.meta.stage == "early"


def test_front_matter_defaults_apply_when_absent() -> None:
    (part,) = load_bytes(b"# A title\n\nSome text.", "note.md")
    meta = part.meta
    assert (meta.title, meta.kind, meta.stage, meta.audience, meta.visibility) == (
        "A title",
        "guide",
        "any",
        "both",
        "shared",
    )
    assert meta.tenant is None and meta.author is None and meta.themes == ()


def test_plain_text_title_comes_from_the_file_name() -> None:
    (part,) = load_bytes(b"We met on Tuesday.", "weekly-check_in.txt")
    assert part.meta.title == "Weekly check in"
    assert part.meta.kind == "note"


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "image.md", "binary file"),
        (b"caf\xe9 au lait", "latin1.md", "not valid UTF-8"),
        (b"", "empty.md", "empty file"),
        (b"   \n\n", "blank.txt", "empty file"),
        (b"---\ntitle: [unclosed\n---\nbody", "bad.md", "malformed front matter"),
        (b"---\ntitle: x\nbody without end", "open.md", "never closed"),
        (b"---\n- a\n- b\n---\nbody", "list.md", "expected key: value pairs"),
        (b"---\nkind: essay\n---\nbody", "kind.md", "kind 'essay' is not one of"),
        (b"---\nthemes: [astrology]\n---\nbody", "theme.md", "unknown theme(s) astrology"),
        (b"---\nvisibility: secret\n---\nbody", "vis.md", "visibility 'secret'"),
        (b"<!-- only a comment -->", "markup.md", "no text after removing markup"),
        (b"{not json", "notes.json", "not valid JSON"),
        (b'{"languages": ["en"], "questions": []}', "questions.json", "not a mentor-notes file"),
        (b'[{"title": "x"}]', "notes.json", "note 1: note has no 'text'"),
        (b'{"text": "ok"}\n{"text": 3}', "notes.jsonl", "line 2: note has no 'text'"),
        (b'{"text": "ok"}\nnope', "notes.jsonl", "line 2 is not valid JSON"),
        (b"data", "sheet.xlsx", "unsupported file type .xlsx"),
    ],
)
def test_bad_input_gets_a_clear_error(data: bytes, name: str, problem: str) -> None:
    with pytest.raises(LoadError, match=problem.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_bytes(data, name)


def test_json_notes_in_every_documented_shape() -> None:
    note = {
        "id": "n1",
        "text": "Priya practised her pitch.",
        "themes": ["feedback_and_self_assessment"],
        "visibility": "mentor_private",
        "author": "Dana",
        "tenant": "acme",
    }
    for payload, name in (
        (json.dumps(note), "one.json"),
        (json.dumps([note, {**note, "id": "n2"}]), "list.json"),
        (json.dumps({"notes": [note]}), "wrapped.json"),
        (json.dumps(note) + "\n\n" + json.dumps({**note, "id": "n2"}), "lines.jsonl"),
    ):
        parts = load_bytes(payload.encode(), name)
        assert parts[0].meta.title == "n1"
        assert parts[0].meta.kind == "note"
        assert parts[0].meta.visibility == "mentor_private"
        assert parts[0].meta.author == "Dana"
        assert parts[0].meta.tenant == "acme"
        assert parts[0].text == "Priya practised her pitch."


def test_bank_blocks_become_items_with_their_section() -> None:
    text = """---
title: Bank
kind: question_bank
bank: icebreakers
---
# Bank

## First session

Intro prose.

```yaml bank
- id: q1
  text: What are you reading?
  stage: first_session
```
"""
    (part,) = load_bytes(text.encode(), "bank.md")
    assert part.bank_items == [
        {"id": "q1", "text": "What are you reading?", "stage": "first_session", "_section": ["First session"]}
    ]
    assert "yaml bank" not in part.text and "Intro prose." in part.text


def test_bank_block_with_invalid_yaml_names_the_line() -> None:
    text = "---\nbank: icebreakers\n---\n# B\n\n```yaml bank\n- id: q1\n  text: [oops\n```\n"
    with pytest.raises(LoadError, match="bank block near line"):
        load_bytes(text.encode(), "bank.md")


def test_code_fences_keep_hash_lines_out_of_headings() -> None:
    cleaned = clean_markdown("# T\n\n```\n# not a heading\n```\n")
    assert "# not a heading" in cleaned

"""Heading-scoped chunks with stable ids."""

from __future__ import annotations

from dataclasses import replace

from companion.retrieval.chunking import Chunker
from companion.retrieval.loaders import load_bytes

DOC = """---
title: Feedback guide
themes: [feedback_and_self_assessment]
---
# Feedback guide

Opening words.

## Giving feedback

Use SBI.

### Situation

Name the moment.

## Receiving feedback

""" + ("Listen first and thank them. " * 80)


def chunks_of(text: str, tenant: str = "t1", source: str = "guide.md", size: int = 500):
    return Chunker(chunk_size=size, chunk_overlap=50).chunk_parts(
        load_bytes(text.encode(), source), tenant=tenant, source=source
    )


def test_each_chunk_knows_its_heading_path_and_embeds_it() -> None:
    chunks = chunks_of(DOC)
    headings = [c.heading for c in chunks]
    assert headings[:3] == [
        "Feedback guide",
        "Feedback guide > Giving feedback",
        "Feedback guide > Giving feedback > Situation",
    ]
    assert all(h == "Feedback guide > Receiving feedback" for h in headings[3:])
    assert len(headings) > 4, "the long section must be split"
    assert all(len(c.text) <= 500 for c in chunks)
    assert chunks[2].embed_text.startswith("Feedback guide > Giving feedback > Situation\n\n")
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_ids_are_stable_and_depend_on_tenant_source_content_and_metadata() -> None:
    first, again = chunks_of(DOC), chunks_of(DOC)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    assert len({c.chunk_id for c in first}) == len(first)
    other_tenant = chunks_of(DOC, tenant="t2")
    other_source = chunks_of(DOC, source="other.md")
    private = chunks_of(DOC.replace("themes:", "visibility: mentor_private\nthemes:"))
    for variant in (other_tenant, other_source, private):
        assert not {c.chunk_id for c in variant} & {c.chunk_id for c in first}
    edited = chunks_of(DOC.replace("Name the moment.", "Name the exact moment."))
    changed = {c.chunk_id for c in edited} ^ {c.chunk_id for c in first}
    assert len(changed) == 2, "only the edited section's chunk changes"


def test_identical_sections_in_one_file_get_distinct_ids() -> None:
    chunks = chunks_of("# T\n\n## A\n\nSame words.\n\n## A\n\nSame words.\n")
    assert len(chunks) == 2 and chunks[0].chunk_id != chunks[1].chunk_id


def test_bank_items_are_chunks_carrying_their_tags() -> None:
    text = """---
title: Icebreakers
kind: question_bank
bank: icebreakers
themes: [trust_and_rapport]
---
# Icebreakers

## First session

```yaml bank
- id: q1
  text: What got you into {interest}?
  why: Hobbies are easy to talk about.
  stage: first_session
  depth: light
  themes: [trust_and_rapport, work_life_balance]
  audience: mentor
```
"""
    (chunk,) = chunks_of(text, source="bank.md")
    assert chunk.heading == "Icebreakers > First session"
    assert (
        chunk.text
        == "What got you into {interest}?\nWhy: Hobbies are easy to talk about.\nStage: first_session\nDepth: light\nThemes: trust_and_rapport; work_life_balance\nAudience: mentor"
    )
    meta = chunk.metadata()
    assert meta["item_id"] == "q1" and meta["bank"] == "icebreakers" and meta["depth"] == "light"
    assert meta["stage"] == "first_session" and meta["audience"] == "mentor"
    assert meta["theme_work_life_balance"] is True
    assert chunk.item is not None and chunk.item["why"] == "Hobbies are easy to talk about."
    assert replace(chunk, text="x").chunk_id == chunk.chunk_id  # ids are computed once, at chunking

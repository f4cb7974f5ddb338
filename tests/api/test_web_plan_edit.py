"""Issue 14, "make the plan the mentor's own": the prepare page's plan editor without JavaScript (TestClient).

Every change is a plain form post that answers with the page as edited, still unsaved: edit a block's title,
purpose and questions; add, delete and move blocks; pin a block's minutes; undo; save. The minutes always
sum to the session length, a typo like 999 is refused in words (nothing is crushed to fit, nothing stored),
and a tampered plan is refused in words, never as pydantic's text. The browser side is in
tests/web/test_plan_edit_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.web.planning import PlanError, fit_minutes
from companion.schemas import AgendaItem
from tests.api.test_web_pages import login
from tests.api.test_web_slips import (
    text_of,
)

RAW_VALIDATION = ("String should", "Value error", "validation error", "pydantic", "Traceback", "Input should")


class PlanForm(HTMLParser):
    """The fields the plan form would send, as a browser would send them (checked boxes only)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "plan" in a.get("class", "").split():
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text))
            self.textarea = None
        elif tag == "form":
            self.inside = False


def fields(page: str) -> dict[str, Any]:
    """The plan form's fields: repeated names as lists (minutes, title, purpose, prompts, pinned, icebreaker)."""
    parser = PlanForm()
    parser.feed(page)
    out: dict[str, Any] = {name: [] for name in ("minutes", "title", "purpose", "prompts", "pinned", "icebreaker")}
    for name, value in parser.fields:
        if name in out:
            out[name].append(value)
        else:
            out[name] = value
    assert out["agenda_json"], "the page has a plan form"
    return out


def agenda_of(page: str) -> dict[str, Any]:
    return json.loads(fields(page)["agenda_json"])


def titles(page: str) -> list[str]:
    return [item["title"] for item in agenda_of(page)["items"]]


def minutes_of(page: str) -> list[int]:
    return [int(m) for m in fields(page)["minutes"]]


@pytest.fixture
def plan(client: TestClient, people: dict) -> dict[str, Any]:
    """A generated 45-minute plan on the prepare page, logged in as the mentor."""
    login(client, people["mentor"])
    mentorship_id = people["mentorship"].id
    page = client.post(f"/mentorships/{mentorship_id}/prepare", data={"date": "2026-12-01", "duration": "45"})
    assert page.status_code == 200
    assert len(agenda_of(page.text)["items"]) >= 4, "the generated plan has enough blocks to edit"
    return {"id": mentorship_id, "page": page.text, "memory": client.app.state.companion.memory}


def edit(client: TestClient, plan: dict, form: dict[str, Any], op: str, status: int = 200) -> str:
    response = client.post(f"/mentorships/{plan['id']}/prepare/edit", data={**form, "op": op})
    assert response.status_code == status, text_of(response.text)[-600:]
    return response.text


def save(client: TestClient, plan: dict, form: dict[str, Any]) -> Any:
    return client.post(f"/mentorships/{plan['id']}/prepare/save", data=form, follow_redirects=False)


def stored(plan: dict) -> list[Any]:
    return plan["memory"].list_sessions("acme", plan["id"])


def test_edited_titles_purposes_and_questions_are_what_is_saved(client: TestClient, plan: dict) -> None:
    form = fields(plan["page"])
    before = agenda_of(plan["page"])["items"]
    form["title"][1] = "  Our   own   check-in  "
    form["purpose"][1] = "Hear how the week went, in her words."
    form["prompts"][1] = "What went well this week?\n\n  What is stuck?  \n"
    page = edit(client, plan, form, "apply")
    assert stored(plan) == [], "applying a change stores nothing"
    after = agenda_of(page)["items"][1]
    assert after["title"] == "Our own check-in", "spaces are tidied, the words kept"
    assert after["purpose"] == "Hear how the week went, in her words."
    assert after["prompts"] == ["What went well this week?", "What is stuck?"]
    assert after["citations"] == before[1]["citations"], "editing the text keeps the block's citations"
    assert '<h3 id="block-1-h">Our own check-in</h3>' in page and "not saved yet" in text_of(page)

    # typed and saved straight away (no Apply first): the save takes the typing too
    form = fields(page)
    form["title"][0] = "Settling in"
    form["prompts"][0] = "How are you arriving today?"
    response = save(client, plan, form)
    assert response.status_code == 303
    (session,) = stored(plan)
    saved = session.agenda
    assert [i.title for i in saved.items][:2] == ["Settling in", "Our own check-in"]
    assert saved.items[0].prompts == ["How are you arriving today?"]
    assert saved.items[1].prompts == ["What went well this week?", "What is stuck?"]
    assert saved.items[1].purpose == "Hear how the week went, in her words."
    assert {c.chunk_id for c in saved.items[1].citations} == {c["chunk_id"] for c in before[1]["citations"]}
    assert sum(i.minutes for i in saved.items) == 45 == saved.total_minutes
    shown = text_of(client.get(response.headers["location"]).text)
    assert "Settling in" in shown and "What is stuck?" in shown, "the session page shows the saved plan"


def test_move_delete_and_add_keep_the_minutes_summing_to_the_session(client: TestClient, plan: dict) -> None:
    page = plan["page"]
    order, mins = titles(page), minutes_of(page)
    count = len(order)

    page = edit(client, plan, fields(page), "down:0")
    assert titles(page) == [order[1], order[0], *order[2:]]
    assert minutes_of(page) == [mins[1], mins[0], *mins[2:]], "a block's minutes move with it"
    assert 'id="down-1" aria-label="Move down: ' in page and " autofocus" in page

    page = edit(client, plan, fields(page), f"up:{count - 1}")
    assert titles(page) == [order[1], order[0], *order[2 : count - 2], order[-1], order[-2]]

    agenda = agenda_of(page)
    gone = agenda["items"][2]
    only_there = {c["chunk_id"] for c in gone["citations"]} - {
        c["chunk_id"] for i, item in enumerate(agenda["items"]) if i != 2 for c in item["citations"]
    }
    page = edit(client, plan, fields(page), "delete:2")
    agenda = agenda_of(page)
    assert [i["title"] for i in agenda["items"]] == [order[1], order[0], *order[3 : count - 2], order[-1], order[-2]]
    assert sum(minutes_of(page)) == 45 and min(minutes_of(page)) >= 1
    assert not only_there & {c["chunk_id"] for c in agenda["citations"]}, "the deleted block's citations are gone"
    assert f"“{gone['title']}” is deleted" in text_of(page)

    page = edit(client, plan, fields(page), "add")
    agenda = agenda_of(page)
    new = agenda["items"][-1]
    assert len(agenda["items"]) == count and new["title"] == "New block" and new["citations"] == []
    assert new["minutes"] >= 1 and sum(minutes_of(page)) == 45
    assert re.search(rf'id="title-{count - 1}" name="title" type="text" value="New block"[^>]* autofocus', page)

    form = fields(page)
    form["title"][-1] = "Her question of the week"
    assert save(client, plan, form).status_code == 303
    saved = stored(plan)[0].agenda
    assert [i.title for i in saved.items] == [*[i["title"] for i in agenda["items"][:-1]], "Her question of the week"]
    assert saved.items[-1].citations == [] and sum(i.minutes for i in saved.items) == 45


def test_a_pinned_block_keeps_its_minutes_when_others_change(client: TestClient, plan: dict) -> None:
    form = fields(plan["page"])
    count = len(form["minutes"])
    form["pinned"] = ["0"]
    form["minutes"][0] = "12"  # typed and pinned at once
    page = edit(client, plan, form, "apply")
    assert minutes_of(page)[0] == 12 and sum(minutes_of(page)) == 45
    assert 'id="pin-0" type="checkbox" name="pinned" value="0" checked' in page

    form = fields(page)
    assert form["pinned"] == ["0"], "the pin is carried by the page"
    form["minutes"][1] = str(int(form["minutes"][1]) + 5)
    page = edit(client, plan, form, "apply")
    mins = minutes_of(page)
    assert mins[0] == 12, "another block's edit leaves the pinned block alone"
    assert mins[1] == int(form["minutes"][1]) and sum(mins) == 45

    page = edit(client, plan, fields(page), f"delete:{count - 1}")
    assert minutes_of(page)[0] == 12 and sum(minutes_of(page)) == 45, "a deleted block's minutes skip the pin"
    page = edit(client, plan, fields(page), "add")
    assert minutes_of(page)[0] == 12 and sum(minutes_of(page)) == 45

    # pins that leave less than a minute for each other block are refused in words; nothing changes
    form = fields(page)
    others = len(form["minutes"]) - 2
    form["pinned"] = ["0", "1"]
    form["minutes"][0], form["minutes"][1] = "22", "22"
    refused = edit(client, plan, form, "apply", status=422)
    words = text_of(refused)
    assert "leaves less than a minute for each of the" in words and f"{others} other blocks" in words, words[-900:]
    assert agenda_of(refused) == agenda_of(page), "the plan stays as it was"
    assert save(client, plan, form).status_code == 422 and stored(plan) == []

    # a block cannot be deleted when every other block is pinned: its minutes would have nowhere to go
    form = fields(page)
    last = len(form["minutes"]) - 1
    form["pinned"] = [str(i) for i in range(last)]
    form["title"][0] = "Typed before the refused delete"
    refused = edit(client, plan, form, f"delete:{last}", status=422)
    assert "cannot be deleted while every other block is pinned" in text_of(refused)
    assert len(agenda_of(refused)["items"]) == last + 1, "nothing was deleted"
    assert titles(refused)[0] == "Typed before the refused delete", "the valid typing is kept"
    assert titles(edit(client, plan, fields(refused), "undo")) == titles(page), "and Undo takes it back"


def test_999_minutes_is_refused_in_words_and_nothing_is_stored(client: TestClient, plan: dict) -> None:
    form = fields(plan["page"])
    count, before = len(form["minutes"]), minutes_of(plan["page"])
    title = titles(plan["page"])[0]
    form["title"][2] = "Kept while the typo is fixed"
    form["minutes"][0] = "999"
    for response in (
        client.post(f"/mentorships/{plan['id']}/prepare/edit", data={**form, "op": "apply"}),
        save(client, plan, form),
    ):
        assert response.status_code == 422
        page = response.text
        words = text_of(page)
        assert f"Minutes for “{title}”: 999 is not allowed; it must be between 1 and {45 - (count - 1)}" in words
        assert not any(raw in words for raw in RAW_VALIDATION), words[-900:]
        assert 'id="plan-errors" role="alert"' in page, "the page itself comes back, with the error at the top"
        assert minutes_of(page) == [999, *before[1:]], "the typo is shown as typed and nothing else moved"
        assert 'id="minutes-0"' in page and 'aria-invalid="true"' in page
        assert agenda_of(page)["items"][0]["minutes"] == before[0], "the plan it carries is the one before the typo"
        assert fields(page)["title"][2] == "Kept while the typo is fixed", "the rest of the typing is kept"
    assert stored(plan) == [], "nothing was stored"

    form["minutes"][0] = "20"
    page = edit(client, plan, form, "apply")
    assert minutes_of(page)[0] == 20 and sum(minutes_of(page)) == 45 and min(minutes_of(page)) >= 1


def test_undo_restores_the_plan_before_the_last_change(client: TestClient, plan: dict) -> None:
    first = plan["page"]
    order, mins = titles(first), minutes_of(first)

    form = fields(first)
    form["title"][0] = "Renamed"
    renamed = edit(client, plan, form, "apply")
    moved = edit(client, plan, fields(renamed), "down:1")
    assert titles(moved) == ["Renamed", order[2], order[1], *order[3:]]
    deleted = edit(client, plan, fields(moved), "delete:0")
    assert titles(deleted)[0] == order[2]

    back = edit(client, plan, fields(deleted), "undo")
    assert titles(back) == titles(moved) and minutes_of(back) == minutes_of(moved), "the deleted block is back"
    assert agenda_of(back)["items"][0]["citations"] == agenda_of(moved)["items"][0]["citations"]
    back = edit(client, plan, fields(back), "undo")
    assert titles(back) == titles(renamed)
    back = edit(client, plan, fields(back), "undo")
    assert titles(back) == order and minutes_of(back) == mins
    assert "nothing to undo" in text_of(edit(client, plan, fields(back), "undo"))

    # typing not yet applied is what Undo takes back first
    form = fields(moved)
    form["title"][0] = "Typed, then thought better of it"
    form["minutes"][0] = "999"
    back = edit(client, plan, form, "undo")
    assert titles(back) == titles(moved) and minutes_of(back) == minutes_of(moved)
    assert "plan-errors" not in back
    assert titles(edit(client, plan, fields(back), "undo")) == titles(renamed), "and then the change before it"
    assert stored(plan) == []


def test_a_tampered_plan_or_oversized_typing_is_refused_in_words(client: TestClient, plan: dict) -> None:
    form = fields(plan["page"])
    agenda = agenda_of(plan["page"])

    def refused(data: dict[str, Any], said: str, url: str = "edit") -> str:
        response = client.post(f"/mentorships/{plan['id']}/prepare/{url}", data={"op": "apply", **data})
        words = text_of(response.text)
        assert response.status_code == 422 and said in words, words[-900:]
        assert not any(raw in words for raw in RAW_VALIDATION), words[-900:]
        return response.text

    many = {**agenda, "items": [agenda["items"][0]] * 25}
    refused({**form, "agenda_json": json.dumps(many), "minutes": ["1"] * 25}, "has 25 blocks; a plan holds 1 to 20")
    long = json.loads(json.dumps(agenda))
    long["items"][0]["title"] = "T" * 5000
    refused({**form, "agenda_json": json.dumps(long)}, "title that is empty or too long")
    nul = json.loads(json.dumps(agenda))
    nul["items"][0]["purpose"] = "a\x00b"
    refused({**form, "agenda_json": json.dumps(nul)}, "control character", "save")
    refused({**form, "agenda_json": json.dumps({"items": "nope"})}, "could not be read back", "save")
    refused({**form, "history_json": "[{broken"}, "could not be read back")
    refused({**form, "pins_json": "[99]"}, "could not be read back")
    refused({**form, "pinned": ["99"]}, "could not be read back")
    refused({**form, "title": form["title"][:-1]}, "The agenda changed while you edited it")
    refused({**form, "op": "explode:1"}, "not one this page offers")

    typed = {**form, "title": list(form["title"]), "prompts": list(form["prompts"]), "purpose": list(form["purpose"])}
    typed["title"][0] = "x" * 121
    typed["title"][1] = "   "
    typed["prompts"][2] = "\n".join(f"Question {n}?" for n in range(9))
    typed["purpose"][3] = "p" * 601
    page = refused(typed, "Title of block 1: 121 characters is too long; keep it to 120 or fewer.")
    words = text_of(page)
    assert "Title of block 2: it is empty" in words
    assert "9 questions are too many; keep it to 8 or fewer" in words
    assert "601 characters is too long; keep it to 600 or fewer" in words
    assert '<details class="edit-block" open>' in page, "the blocks with a problem open their text fields"
    assert 'href="#title-0"' in page, "each problem links to its field"
    response = save(client, plan, typed)
    assert response.status_code == 422 and stored(plan) == [], "nothing stored from refused typing"


def test_an_edit_streams_the_edited_plan_to_the_script(client: TestClient, plan: dict) -> None:
    form = fields(plan["page"])
    order = titles(plan["page"])
    stream = client.post(
        f"/mentorships/{plan['id']}/prepare/edit",
        data={**form, "op": "down:0"},
        headers={"Accept": "text/event-stream"},
    )
    assert stream.headers["content-type"].startswith("text/event-stream")
    events = [(m.group(1), json.loads(m.group(2))) for m in re.finditer(r"event: (\w+)\ndata: (.*)\n\n", stream.text)]
    assert events[-1][0] == "result"
    fragment = events[-1][1]["html"]
    assert titles(fragment)[:2] == [order[1], order[0]] and 'id="up-1"' in fragment


def test_only_the_mentor_side_may_edit_and_never_from_another_site(
    client: TestClient, plan: dict, people: dict
) -> None:
    form = fields(plan["page"])
    cross = client.post(
        f"/mentorships/{plan['id']}/prepare/edit",
        data={**form, "op": "delete:0"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403 and "another site" in cross.text
    login(client, people["mentee"])
    mentee = client.post(f"/mentorships/{plan['id']}/prepare/edit", data={**form, "op": "delete:0"})
    assert mentee.status_code == 403 and "Agenda for session" not in mentee.text


@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=8).flatmap(
        lambda m: st.tuples(
            st.just(m),
            st.lists(st.booleans(), min_size=len(m), max_size=len(m)),
            st.lists(st.booleans(), min_size=len(m), max_size=len(m)),
            st.integers(10, 240),
        )
    )
)
def test_fitting_keeps_pins_and_edits_and_sums_to_the_session_or_says_why(case: tuple) -> None:
    minutes, pinned, kept, total = case
    items = [AgendaItem(title=f"Block {i}", minutes=m, purpose="") for i, m in enumerate(minutes)]
    try:
        fit_minutes(items, pinned, total, kept)
    except PlanError as exc:
        assert str(exc)[0].isupper() and str(exc).endswith("."), "refused in a sentence"
        assert [item.minutes for item in items] == minutes, "a refused fit changes nothing"
        return
    result = [item.minutes for item in items]
    assert sum(result) == total and min(result) >= 1
    if sum(minutes) != total:
        assert all(r == m for r, m, p, k in zip(result, minutes, pinned, kept, strict=True) if p or k)

"""Issue 14's shared agenda: the mentee adds topics for the next session, the mentor sees them when
preparing, the generated agenda gives them time, and saving the plan takes them into that session.

Through the real app (TestClient) over the shipped knowledge and the offline composer, as the other API
tests run it. The browser side is tests/web/test_topics_browser.py; the routes are also in the isolation
matrix (tests/api/test_isolation_matrix.py).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from companion import access
from companion.access import Action, Caller, Parties
from companion.memory.schemas import MentorshipCreate, SessionCreate
from tests.api.privacy_support import login
from tests.conftest import LOCAL_BASE_URL

TOPIC = "How to answer investors about churn"
TODAY = dt.date.today()


@pytest.fixture
def people(client: TestClient, keys: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """Tenant acme: dana mentors priya (with session 1 held a week ago), eli mentors sam; and globex."""
    memory = client.app.state.companion.memory

    def mentorship(mentor: str, mentee: str) -> Any:
        return memory.create_mentorship(
            "acme",
            MentorshipCreate.model_validate(
                {
                    "mentor": {"person_id": mentor, "name": mentor.title()},
                    "mentee": {"person_id": mentee, "name": mentee.title(), "role": "first-time founder"},
                    "goals": ["Raise a seed round by June"],
                }
            ),
        )

    ours, theirs = mentorship("dana", "priya"), mentorship("eli", "sam")
    memory.add_session("acme", ours.id, SessionCreate(date=TODAY - dt.timedelta(days=7)))
    return {
        "id": ours.id,
        "other_id": theirs.id,
        "mentor": keys("acme", "mentor", "dana"),
        "mentee": keys("acme", "mentee", "priya"),
        "admin": keys("acme", "admin"),
        "platform": keys("acme", "platform"),
        "eli": keys("acme", "mentor", "eli"),
        "sam": keys("acme", "mentee", "sam"),
        "globex": keys("globex", "admin"),
    }


@pytest.fixture
def pages(client: TestClient) -> Iterator[Callable[[dict[str, str]], TestClient]]:
    """A web client logged in with a key (its own cookie jar), one per person."""
    made: list[TestClient] = []

    def page_client(headers: dict[str, str]) -> TestClient:
        web = TestClient(client.app, raise_server_exceptions=False, base_url=LOCAL_BASE_URL)
        login(web, headers)
        made.append(web)
        return web

    yield page_client
    for web in made:
        web.close()


def topics_url(people: dict[str, Any], *rest: str) -> str:
    return "/".join([f"/v1/mentorships/{people['id']}/topics", *rest])


def open_topics(client: TestClient, people: dict[str, Any], who: str = "mentor", **params: Any) -> list[dict]:
    response = client.get(topics_url(people), headers=people[who], params=params)
    assert response.status_code == 200, response.text
    return response.json()


def words_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def hidden_values(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)]


def agenda_of(page: str) -> dict[str, Any]:
    values = hidden_values(page, "agenda_json")
    assert values, "the page carries no generated agenda"
    return json.loads(values[0])


def item_with(agenda: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The agenda item whose title, purpose or questions carry `text` (compared without case)."""
    wanted = text.casefold()
    for item in agenda["items"]:
        said = " ".join([item["title"], item.get("purpose") or "", *item.get("prompts", [])]).casefold()
        if wanted in said:
            return item
    return None


# -- the API ---------------------------------------------------------------------------------------
def test_the_mentee_adds_a_topic_and_the_mentor_reads_it(client: TestClient, people: dict[str, Any]) -> None:
    made = client.post(topics_url(people), headers=people["mentee"], json={"text": f"  {TOPIC}  "})
    assert made.status_code == 201, made.text
    topic = made.json()
    assert topic["text"] == TOPIC, "stored as typed, spaces around it dropped"
    assert (topic["added_by"], topic["added_by_role"], topic["session_id"]) == ("priya", "mentee", None)

    # the same topic again (a double submit, another spelling of the same words) is that topic: 200, no second row
    again = client.post(topics_url(people), headers=people["mentee"], json={"text": TOPIC.upper() + "."})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == topic["id"]
    assert client.post(topics_url(people), headers=people["mentee"], json={"text": TOPIC}).status_code == 200

    for who in ("mentor", "mentee", "admin", "platform"):
        listed = open_topics(client, people, who)
        assert [t["id"] for t in listed] == [topic["id"]], who


def test_the_author_comes_from_the_caller_and_bad_topics_are_refused(
    client: TestClient, people: dict[str, Any]
) -> None:
    by_mentor = client.post(topics_url(people), headers=people["mentor"], json={"text": "Hiring the first engineer"})
    assert by_mentor.status_code == 201 and by_mentor.json()["added_by"] == "dana"
    assert by_mentor.json()["added_by_role"] == "mentor"
    by_platform = client.post(topics_url(people), headers=people["platform"], json={"text": "Programme survey"})
    assert by_platform.json()["added_by"] is None and by_platform.json()["added_by_role"] == "platform"
    smuggled = client.post(topics_url(people), headers=people["mentee"], json={"text": "Pricing", "added_by": "dana"})
    assert smuggled.status_code == 422, "nobody writes a topic as somebody else"
    for text in ("", "   ", "x" * 301):
        assert client.post(topics_url(people), headers=people["mentee"], json={"text": text}).status_code == 422
    assert [t["text"] for t in open_topics(client, people)] == ["Hiring the first engineer", "Programme survey"]


def test_open_topics_are_bounded(client: TestClient, people: dict[str, Any]) -> None:
    for n in range(20):
        assert client.post(topics_url(people), headers=people["mentee"], json={"text": f"Topic {n}"}).status_code == 201
    refused = client.post(topics_url(people), headers=people["mentee"], json={"text": "One too many"})
    assert refused.status_code == 422 and "20 open topics" in refused.text
    again = client.post(topics_url(people), headers=people["mentee"], json={"text": "topic 3"})
    assert again.status_code == 200, "an open topic is still found when the list is full"


def test_strangers_and_other_tenants_get_404_like_a_missing_id(client: TestClient, people: dict[str, Any]) -> None:
    topic = client.post(topics_url(people), headers=people["mentee"], json={"text": TOPIC}).json()
    missing = {**people, "id": "0" * 36}
    for who in ("eli", "sam", "globex"):
        for method, url, body in (
            ("GET", topics_url(people), None),
            ("POST", topics_url(people), {"text": "Let me in"}),
            ("DELETE", topics_url(people, topic["id"]), None),
        ):
            answer = client.request(method, url, headers=people[who], json=body)
            blank = client.request(method, url.replace(people["id"], missing["id"]), headers=people[who], json=body)
            assert answer.status_code == blank.status_code == 404, (who, method, answer.text)
            assert answer.json()["title"] == blank.json()["title"]
            assert TOPIC not in answer.text
    # a topic id of this mentorship under the caller's own mentorship is a missing topic, too
    own = client.delete(f"/v1/mentorships/{people['other_id']}/topics/{topic['id']}", headers=people["eli"])
    assert own.status_code == 404, own.text
    assert [t["id"] for t in open_topics(client, people)] == [topic["id"]], "nothing was removed"
    assert [t["text"] for t in open_topics(client, people)] == [TOPIC], "nothing was added"


def test_removing_is_for_the_author_or_the_mentor(client: TestClient, people: dict[str, Any]) -> None:
    mentors = client.post(topics_url(people), headers=people["mentor"], json={"text": "Board meeting prep"}).json()
    mentees = client.post(topics_url(people), headers=people["mentee"], json={"text": TOPIC}).json()
    platform = client.post(topics_url(people), headers=people["platform"], json={"text": "Survey"}).json()

    refused = client.delete(topics_url(people, mentors["id"]), headers=people["mentee"])
    assert refused.status_code == 403, refused.text
    assert "not yours to remove" in refused.json()["detail"]
    assert client.delete(topics_url(people, mentees["id"]), headers=people["platform"]).status_code == 403
    assert len(open_topics(client, people)) == 3, "a refused removal removes nothing"

    assert client.delete(topics_url(people, mentees["id"]), headers=people["mentee"]).status_code == 204
    assert client.delete(topics_url(people, mentees["id"]), headers=people["mentee"]).status_code == 204, "again: no-op"
    assert client.delete(topics_url(people, platform["id"]), headers=people["mentor"]).status_code == 204
    assert [t["id"] for t in open_topics(client, people)] == [mentors["id"]]
    # removed is removed: posting the words again makes a new open topic, not the removed one back
    back = client.post(topics_url(people), headers=people["mentee"], json={"text": TOPIC})
    assert back.status_code == 201 and back.json()["id"] != mentees["id"]


def test_the_policy_is_decided_in_access() -> None:
    parties = Parties(mentor_person_id="dana", mentee_person_id="priya", mentee_name="Priya")
    mentee = Caller("acme", "mentee", "priya")
    mentor = Caller("acme", "mentor", "dana")
    stranger = Caller("acme", "mentor", "eli")
    admin, platform = Caller("acme", "admin"), Caller("acme", "platform")
    for caller in (mentee, mentor, admin, platform):
        assert access.allows(caller, parties, Action.ADD_TOPIC)
    assert not access.allows(stranger, parties, Action.ADD_TOPIC)
    assert access.topic_author(mentee, parties) == ("priya", "mentee")
    assert access.topic_author(admin, parties) == (None, "admin")
    assert access.may_remove_topic(mentee, parties, "priya", "mentee")
    assert not access.may_remove_topic(mentee, parties, "dana", "mentor")
    assert not access.may_remove_topic(mentee, parties, None, "platform")
    assert access.may_remove_topic(mentor, parties, "priya", "mentee")
    assert access.may_remove_topic(admin, parties, None, "platform")
    assert access.may_remove_topic(platform, parties, None, "platform")
    assert not access.may_remove_topic(platform, parties, "priya", "mentee")
    assert not access.may_remove_topic(stranger, parties, "dana", "mentor")
    assert not access.allows(mentee, parties, Action.PLAN), "taking topics into a plan is the mentor side's"
    # the person decides, not the key: the mentee holding a mentor key adds and removes as the mentee
    mentee_with_mentor_key = Caller("acme", "mentor", "priya")
    assert access.topic_author(mentee_with_mentor_key, parties) == ("priya", "mentee")
    assert not access.may_remove_topic(mentee_with_mentor_key, parties, "dana", "mentor")
    with pytest.raises(access.Forbidden):
        access.topic_author(stranger, parties)


# -- the mentee's page ----------------------------------------------------------------------------------
def test_the_mentee_adds_and_removes_topics_with_plain_forms(
    client: TestClient, people: dict[str, Any], pages: Callable[[dict[str, str]], TestClient]
) -> None:
    web = pages(people["mentee"])
    page_url = f"/mentorships/{people['id']}"
    page = web.get(page_url)
    assert page.status_code == 200
    assert "Topics for our next session" in page.text
    assert re.search(r'<label for="topic-text">A topic for our next session</label>', page.text), "labelled"

    added = web.post(f"{page_url}/topics", data={"text": TOPIC, "back": page_url}, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == f"{page_url}?topic=added#topics-h"
    twice = web.post(f"{page_url}/topics", data={"text": TOPIC, "back": page_url}, follow_redirects=False)
    assert twice.headers["location"] == f"{page_url}?topic=exists#topics-h"
    assert [t["text"] for t in open_topics(client, people)] == [TOPIC], "a double submit adds one topic"

    shown = words_of(web.get(f"{page_url}?topic=exists").text)
    assert "on the list already" in shown
    assert f"{TOPIC} · added by you" in shown
    client.post(topics_url(people), headers=people["mentor"], json={"text": "Board meeting prep"})
    page = web.get(page_url).text
    assert f'aria-label="Remove: {TOPIC}"' in page, "a Remove button on the mentee's own topic"
    assert 'aria-label="Remove: Board meeting prep"' not in page, "none on the mentor's"
    assert "Board meeting prep · added by Dana" in words_of(page)

    # worded errors, the typed text kept, never pydantic's own words
    for typed, words in (("   ", "please write what you would like to talk about"), ("y" * 301, "300 characters")):
        wrong = web.post(f"{page_url}/topics", data={"text": typed, "back": page_url}, follow_redirects=False)
        assert wrong.status_code == 422, wrong.text
        assert words in words_of(wrong.text)
        assert 'aria-invalid="true"' in wrong.text and "String should" not in wrong.text
        assert f'name="back" value="{page_url}"' in wrong.text, "the page's forms still lead back to it"
        assert f'value="{typed}"' in wrong.text or not typed.strip(), "the typed text is kept"
    assert len(open_topics(client, people)) == 2

    mine = next(t for t in open_topics(client, people) if t["text"] == TOPIC)
    gone = web.post(f"{page_url}/topics/{mine['id']}/remove", data={"back": page_url}, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == f"{page_url}?topic=removed#topics-h"
    theirs = next(t for t in open_topics(client, people) if t["text"] != TOPIC)
    refused = web.post(f"{page_url}/topics/{theirs['id']}/remove", data={"back": page_url}, follow_redirects=False)
    assert refused.status_code == 403 and "not yours to remove" in words_of(refused.text)
    assert [t["text"] for t in open_topics(client, people)] == ["Board meeting prep"]


def test_a_stranger_cannot_post_a_topic_from_a_page(
    client: TestClient, people: dict[str, Any], pages: Callable[[dict[str, str]], TestClient]
) -> None:
    for who in ("eli", "sam"):
        web = pages(people[who])
        answer = web.post(f"/mentorships/{people['id']}/topics", data={"text": "Let me in"}, follow_redirects=False)
        assert answer.status_code == 404, (who, answer.text)
    assert open_topics(client, people) == []


# -- the mentor prepares the session ---------------------------------------------------------------------
def test_the_mentor_prepares_with_the_topics_and_saving_takes_them(
    client: TestClient, people: dict[str, Any], pages: Callable[[dict[str, str]], TestClient]
) -> None:
    topic = client.post(topics_url(people), headers=people["mentee"], json={"text": TOPIC}).json()
    left_out = client.post(topics_url(people), headers=people["mentee"], json={"text": "Pricing tiers"}).json()
    mentor = pages(people["mentor"])
    base = f"/mentorships/{people['id']}"

    overview = words_of(mentor.get(base).text)
    assert "Topics for the next session" in overview and f"{TOPIC} · added by Priya" in overview

    prepare = mentor.get(f"{base}/prepare").text
    assert "Your mentee asked to talk about:" in words_of(prepare)
    assert re.search(rf'name="topic" value="{topic["id"]}" checked> {TOPIC}', prepare), "ticked by default"

    # generate with one of the two topics ticked (a plain form post: the page comes back whole)
    form = {"date": (TODAY + dt.timedelta(days=7)).isoformat(), "duration": "45", "focus": "", "topic": [topic["id"]]}
    generated = mentor.post(f"{base}/prepare", data=form)
    assert generated.status_code == 200, generated.text
    agenda = agenda_of(generated.text)
    item = item_with(agenda, TOPIC)
    assert item is not None, [i["title"] for i in agenda["items"]]
    assert item["minutes"] >= 5, "the topic has time of its own"
    assert item_with(agenda, "Pricing tiers") is None, "an unticked topic is not in the plan"
    assert hidden_values(generated.text, "topic") == [topic["id"]], "the plan carries the topic it used"
    assert "this plan makes time for: " + TOPIC in words_of(generated.text)

    save = {
        "date": form["date"],
        "duration": "45",
        "focus": "",
        "agenda_json": hidden_values(generated.text, "agenda_json")[0],
        "icebreakers_json": hidden_values(generated.text, "icebreakers_json")[0],
        "topic": hidden_values(generated.text, "topic"),
    }
    saved = mentor.post(f"{base}/prepare/save", data=save, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    session_id = re.search(r"/sessions/([0-9a-f-]{36})", saved.headers["location"]).group(1)  # type: ignore[union-attr]

    assert [t["id"] for t in open_topics(client, people)] == [left_out["id"]], "the used topic is no longer open"
    taken = {t["id"]: t for t in open_topics(client, people, include_taken="true")}
    assert taken[topic["id"]]["session_id"] == session_id and taken[left_out["id"]]["session_id"] is None
    stored = client.get(f"/v1/mentorships/{people['id']}/sessions/{session_id}", headers=people["mentor"]).json()
    assert item_with(stored["agenda"], TOPIC) is not None, "the saved agenda keeps the topic's block"
    assert TOPIC not in words_of(mentor.get(base).text), "the mentorship page lists open topics only"
    assert TOPIC not in words_of(mentor.get(f"{base}/prepare").text)
    # a taken topic stays with its session
    assert client.delete(topics_url(people, topic["id"]), headers=people["mentor"]).status_code == 422
    # saving the same plan again takes nothing twice and breaks nothing
    assert mentor.post(f"{base}/prepare/save", data=save, follow_redirects=False).status_code == 303
    again = {t["id"]: t for t in open_topics(client, people, include_taken="true")}
    assert again[topic["id"]]["session_id"] == session_id, "still the first session's"


def test_the_offline_agenda_gives_the_mentees_topic_its_own_block(client: TestClient, people: dict[str, Any]) -> None:
    """The real service's composer, through the same context the prepare page builds (plan_context)."""
    from api.web.pages import plan_context

    client.post(topics_url(people), headers=people["mentee"], json={"text": TOPIC})
    companion = client.app.state.companion
    mentoring = companion.mentoring
    mentor = Caller("acme", "mentor", "dana")
    topic_id = mentoring.list_topics(mentor, people["id"])[0].id
    state = {"date": TODAY, "duration": 45, "focus": "", "session_id": None, "icebreakers": None, "topics": [topic_id]}
    context, who = plan_context(mentoring, mentor, people["id"], state)
    assert TOPIC in context.session.focus and state["topics"] == [topic_id]
    agenda = mentoring.run(mentor, "agenda", context, who, people["id"])
    item = item_with(agenda.model_dump(), TOPIC)
    assert item is not None, [i.title for i in agenda.items]
    assert item["minutes"] >= 5

    # without the topic, the same plan has no such block: the topic is what put it there
    state["topics"] = []
    plain, who = plan_context(mentoring, mentor, people["id"], state)
    assert item_with(mentoring.run(mentor, "agenda", plain, who, people["id"]).model_dump(), TOPIC) is None

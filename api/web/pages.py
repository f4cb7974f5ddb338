"""The pages: home, new mentorship, prepare a session, after the session, mentee view, decision
workbench, goal plan and progress, plus exports (Markdown, printable pages, .ics).

Every page resolves the caller with `web_principal` and reads through the same tenant-scoped memory
repository and generation pipeline as the JSON API, with the same audience rules.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.deps import require_database
from api.errors import ApiError
from api.lanes import memory_write
from api.web import planning
from api.web.charts import progress_points, progress_svg
from api.web.core import (
    COOKIE,
    FormError,
    Job,
    WebRoute,
    check_same_origin,
    citation_passages,
    comma_list,
    generate_step,
    lines,
    parse_date,
    parse_int,
    readable_validation,
    redirect,
    render,
    run_job,
    safe_next,
    stream_job,
    wants_stream,
    web_caller,
)
from api.web.goal_progress import goal_values
from api.web.planning import (
    HISTORY,
    HISTORY_MAX,
    PlanError,
    Snapshot,
    check_carried,
    edit_text,
    fit_minutes,
    most_minutes,
    pinned_problem,
    quoted,
)
from api.web.voice import for_mentee, is_mentor_item
from companion import access, schemas
from companion.access import Action, Caller, Parties, Relation
from companion.generation.tasks.feedback import as_confirmed
from companion.generation.taskspec import render_markdown
from companion.memory.errors import InvalidMemoryRequest
from companion.memory.schemas import (
    MAX_OPEN_TOPICS,
    ActionItemPublic,
    DecisionCheckIn,
    MentorshipCreate,
    MentorshipPublic,
    NoteCreate,
    SessionCreate,
    SessionPlanUpdate,
    SessionPublic,
    TopicCreate,
    TopicPublic,
)
from companion.mentoring import Mentoring, Reach, move_check_in, next_session_date, parties
from companion.schemas import ContextPatch
from companion.service import Companion

router = APIRouter(route_class=WebRoute, include_in_schema=False)

MENTOR_SIDE: tuple[access.Role, ...] = ("admin", "platform", "mentor")
FOCUS_ITEMS = 10
"""SessionInfo.focus holds at most this many items: typed ones and shared-agenda topics together."""
TOPIC_FOCUS_CHARS = 300
"""The shared-agenda topics one plan takes into its focus, in characters (a topic holds up to 300)."""
NOTE_ROWS = 3


def get_companion(request: Request) -> Companion:
    return request.app.state.companion


def get_mentoring(request: Request) -> Mentoring:
    return request.app.state.companion.mentoring


async def get_form(request: Request) -> FormData:
    return await request.form()


CompanionDep = Annotated[Companion, Depends(get_companion)]
MentoringDep = Annotated[Mentoring, Depends(get_mentoring)]
WebCaller = Annotated[Caller, Depends(web_caller)]
Form = Annotated[FormData, Depends(get_form)]
MentorshipId = Annotated[str, Path(max_length=64)]
ItemId = Annotated[str, Path(max_length=64)]
TopicId = Annotated[str, Path(max_length=64)]


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------
def load(mentoring: Mentoring, caller: Caller, mentorship_id: str, action: Action = Action.READ) -> Reach:
    """The mentorship as this caller reaches it, if they may do `action` (404 for strangers, 403 otherwise)."""
    return mentoring.reach(caller, mentorship_id, action)


def parties_of(mentorship: MentorshipPublic) -> Parties:
    return parties(mentorship)


def form_value(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_values(form: FormData, name: str) -> list[str]:
    return [v if isinstance(v, str) else "" for v in form.getlist(name)]


def respond(request: Request, job: Job, page: str, fragment: str, **page_values: Any) -> Response:
    """Stream progress and then the fragment to app.js, or finish the job and answer with the whole page."""
    if wants_stream(request):
        return stream_job(request, job, fragment)
    return render(request, page, **page_values, **run_job(job))


def export_context(
    mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, session: SessionPublic
) -> schemas.MentoringContext:
    context, _ = mentoring.context(
        caller,
        ContextPatch(session=schemas.SessionInfo(number=min(session.number, 1000), date=session.date)),
        mentorship.id,
    )
    return context


# --------------------------------------------------------------------------------------
# Login
# --------------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, companion: CompanionDep, next: str = "/", expired: int = 0) -> Response:
    local = request.app.state.local_mode and not companion.keys.any_keys()
    message = "Your key is no longer valid; log in again." if expired else None
    return render(request, "login.html", next=safe_next(next), local=local, error=message)


def set_login_cookie(request: Request, response: Response, key: str) -> None:
    """The login cookie, the same for a typed key and an invite: HttpOnly, SameSite=Strict, 12 hours."""
    response.set_cookie(
        COOKIE, key, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=60 * 60 * 12
    )


@router.post("/login")
def login(request: Request, companion: CompanionDep, form: Form) -> Response:
    check_same_origin(request)
    client = request.client.host if request.client else "unknown"
    request.app.state.rate_limiter.check(f"login:{client}")
    key = form_value(form, "key")
    next_path = safe_next(form_value(form, "next"))
    record = companion.keys.authenticate(key) if key else None
    if record is None:
        message = "Enter your API key." if not key else "That key is unknown or has been revoked."
        return render(request, "login.html", status=401, next=next_path, local=False, error=message)
    response = redirect(next_path)
    set_login_cookie(request, response, key)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    check_same_origin(request)
    response = redirect("/login")
    response.delete_cookie(COOKIE)
    return response


# --------------------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------------------
@router.get("/")
def home(request: Request, mentoring: MentoringDep, caller: WebCaller) -> Response:
    today = dt.date.today()
    rows = []
    open_items: list[tuple[MentorshipPublic, ActionItemPublic]] = []
    overdue_items: list[tuple[MentorshipPublic, ActionItemPublic]] = []
    for mentorship in mentoring.list_mentorships(caller):
        progress = mentoring.progress(caller, mentorship.id, today)
        sessions = mentoring.list_sessions(caller, mentorship.id)
        mine = access.relation(caller, parties_of(mentorship)) is Relation.MENTEE
        for group, bucket in ((progress.action_items.open, open_items), (progress.action_items.overdue, overdue_items)):
            bucket += [(mentorship, item) for item in group if not mine or mentoring.is_mentee_item(item, mentorship)]
        rows.append(
            {
                "mentorship": mentorship,
                "next_date": next_session_date(mentorship, sessions, today),
                "sessions": len(sessions),
                "open": len(progress.action_items.open),
                "overdue": len(progress.action_items.overdue),
            }
        )
    return render(
        request,
        "home.html",
        rows=rows,
        open_items=open_items,
        overdue_items=overdue_items,
        decisions=mentoring.decisions_due(caller, today),
        can_start=caller.is_mentor_side,
    )


# --------------------------------------------------------------------------------------
# New mentorship
# --------------------------------------------------------------------------------------
def mentor_records(companion: Companion, caller: Caller) -> list[Any]:
    """Stored mentor records to choose from; a mentor key starts mentorships only as themself."""
    return [] if caller.role == "mentor" else companion.people.list_mentors(caller)


@router.get("/mentorships/new")
def new_mentorship_page(request: Request, companion: CompanionDep, caller: WebCaller) -> Response:
    access.require_role(caller, *MENTOR_SIDE, what="start a mentorship")
    values = {"mentor_person_id": caller.person_id or ""}
    records = mentor_records(companion, caller)
    return render(request, "mentorship_new.html", values=values, error=None, mentor_records=records)


@router.post("/mentorships/new")
def create_mentorship(
    request: Request, companion: CompanionDep, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    access.require_role(caller, *MENTOR_SIDE, what="start a mentorship")
    values = {key: form_value(form, key) for key in form}
    if caller.role == "mentor":
        values["mentor_person_id"] = caller.person_id or ""
        values["mentor_record"] = ""
    mentor: dict[str, Any] = (
        {"mentor_id": values["mentor_record"]}
        if values.get("mentor_record")
        else {
            "mentor": {
                "person_id": values.get("mentor_person_id", ""),
                "name": values.get("mentor_name") or None,
                "expertise": comma_list(values.get("mentor_expertise")),
                "interests": comma_list(values.get("mentor_interests")),
            }
        }
    )
    try:
        data = MentorshipCreate.model_validate(
            {
                **mentor,
                "mentee": {
                    "person_id": values.get("mentee_person_id", ""),
                    "name": values.get("mentee_name", ""),
                    "role": values.get("mentee_role") or None,
                    "situation": values.get("mentee_situation") or None,
                    "interests": comma_list(values.get("mentee_interests")),
                    "challenges": comma_list(values.get("mentee_challenges")),
                },
                "goals": lines(values.get("goals")),
            }
        )
    except ValidationError as exc:
        records = mentor_records(companion, caller)
        return render(
            request,
            "mentorship_new.html",
            status=422,
            values=values,
            error=readable_validation(exc),
            mentor_records=records,
        )
    mentorship = mentoring.create_mentorship(caller, data)
    return redirect(f"/mentorships/{mentorship.id}")


# --------------------------------------------------------------------------------------
# Mentorship overview and progress
# --------------------------------------------------------------------------------------
def progress_values(
    mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, sessions: list[SessionPublic]
) -> dict[str, Any]:
    today = dt.date.today()
    progress = mentoring.progress(caller, mentorship.id, today)
    groups = progress.action_items
    items = [*groups.overdue, *groups.open, *groups.done]
    points = progress_points(sessions, items, today)
    return {
        "progress": progress,
        "points": points,
        "chart": progress_svg(points, len(mentorship.goals)),
        "next_date": next_session_date(mentorship, sessions, today),
    }


def mentorship_values(request: Request, mentoring: Mentoring, caller: Caller, reach: Reach) -> dict[str, Any]:
    """The mentor side's overview of a mentorship."""
    sessions = mentoring.list_sessions(caller, reach.mentorship.id)
    return {
        "mentorship": reach.mentorship,
        "sessions": sessions,
        "decisions": mentoring.list_decisions(caller, reach.mentorship.id),
        "can_invite": access.may_invite(caller, reach.parties),
        "invite": None,
        **topic_values(mentoring, caller, reach, request.query_params.get("topic")),
        **progress_values(mentoring, caller, reach.mentorship, sessions),
    }


@router.get("/mentorships/{mentorship_id}")
def mentorship_page(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller
) -> Response:
    reach = load(mentoring, caller, mentorship_id)
    if reach.relation is Relation.MENTEE:
        return mentee_page(request, mentorship_id, mentoring, caller)
    return render(request, "mentorship.html", **mentorship_values(request, mentoring, caller, reach))


# --------------------------------------------------------------------------------------
# Inviting the mentee: a one-time sign-in link
# --------------------------------------------------------------------------------------
def first_name(mentorship: MentorshipPublic) -> str:
    name = (mentorship.mentee.name or "").strip()
    return name.split()[0] if name else mentorship.mentee.person_id


def expiry_words(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return f"{moment.day} {moment:%B %Y at %H:%M} UTC"


@router.post("/mentorships/{mentorship_id}/invite")
@memory_write
def invite_mentee(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller
) -> Response:
    """Make a one-time sign-in link for the mentee and show it once, on this page's answer only (never in a
    redirect, so it stays out of URLs and history). Their earlier unused link stops working."""
    reach, created = mentoring.invite_mentee(caller, mentorship_id)
    values = mentorship_values(request, mentoring, caller, reach)
    values["invite"] = {
        "link": f"{str(request.base_url).rstrip('/')}/invite/{created.token}",
        "expires": expiry_words(created.record.expires_at),
        "first_name": first_name(reach.mentorship),
    }
    return render(request, "mentorship.html", **values)


INVITE_REFUSED = 410
"""A used, replaced, expired or unknown invite: gone, in the same words whichever it is."""


def invite_refused(request: Request) -> Response:
    return render(request, "invite.html", status=INVITE_REFUSED, invite=None, mentee=None)


@router.get("/invite/{token}")
def invite_page(request: Request, token: str, companion: CompanionDep) -> Response:
    """Who the link signs in, and a button to do it: looking (or a link preview) uses nothing up."""
    require_database(request.app)
    record = companion.keys.usable_invite(token)
    if record is None:
        return invite_refused(request)
    mentorship = companion.memory.get_mentorship(record.tenant, record.mentorship_id)
    values: dict[str, Any] = {
        "invite": record,
        "mentee": first_name(mentorship),
        "expires": expiry_words(record.expires_at),
    }
    return render(request, "invite.html", token=token, **values)


@router.post("/invite/{token}")
@memory_write
def use_invite(request: Request, token: str, companion: CompanionDep) -> Response:
    """Sign the mentee in: their new key, the invite used up, the login cookie, and on to their page."""
    check_same_origin(request)
    require_database(request.app)
    client = request.client.host if request.client else "unknown"
    request.app.state.rate_limiter.check(f"login:{client}")
    redeemed = companion.keys.redeem_invite(token)
    if redeemed is None:
        return invite_refused(request)
    invite, created = redeemed
    response = redirect(f"/mentorships/{invite.mentorship_id}")
    set_login_cookie(request, response, created.key)
    return response


@router.post("/mentorships/{mentorship_id}/action-items/{item_id}")
@memory_write
def toggle_action_item(
    request: Request,
    mentorship_id: MentorshipId,
    item_id: ItemId,
    mentoring: MentoringDep,
    caller: WebCaller,
    form: Form,
) -> Response:
    done = form_value(form, "done") == "1"
    mentoring.set_action_item_done(caller, mentorship_id, item_id, done)
    back = safe_next(form_value(form, "back") or f"/mentorships/{mentorship_id}")
    return redirect(back)


# --------------------------------------------------------------------------------------
# The shared agenda: topics for the next session
# --------------------------------------------------------------------------------------
TOPIC_NOTICES = {
    "added": "Added to the topics for the next session.",
    "exists": "That topic is on the list already, so nothing was added twice.",
    "removed": "The topic is removed.",
}


def topic_author(topic: TopicPublic, caller: Caller, mentorship: MentorshipPublic) -> str:
    """Who added a topic, as this page's reader says it."""
    if topic.added_by is not None and topic.added_by == caller.person_id:
        return "you"
    if topic.added_by_role == "mentee":
        return mentorship.mentee.name
    if topic.added_by_role == "mentor":
        return mentorship.mentor.name or "the mentor"
    return "the programme"


def topic_values(mentoring: Mentoring, caller: Caller, reach: Reach, notice: str | None = None) -> dict[str, Any]:
    """The open topics for the next session, who added each, and which ones this caller may remove."""
    topics = mentoring.list_topics(caller, reach.mentorship.id)
    return {
        "topics": topics,
        "topic_by": {t.id: topic_author(t, caller, reach.mentorship) for t in topics},
        "removable": {
            t.id for t in topics if access.may_remove_topic(caller, reach.parties, t.added_by, t.added_by_role)
        },
        "topic_notice": TOPIC_NOTICES.get(notice or ""),
        "topic_error": None,
        "topic_text": "",
    }


def topic_back(form: FormData, mentorship_id: str) -> str:
    return safe_next(form_value(form, "back") or f"/mentorships/{mentorship_id}")


def with_notice(url: str, notice: str) -> str:
    path, _, fragment = url.partition("#")
    return f"{path}{'&' if '?' in path else '?'}topic={notice}#{fragment or 'topics-h'}"


@router.post("/mentorships/{mentorship_id}/topics")
@memory_write
def add_topic(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    """Add a topic from the mentee view (a plain form post, then back to the page). What is wrong comes back
    next to the field, in words, with the text as typed."""
    load(mentoring, caller, mentorship_id, Action.ADD_TOPIC)
    typed = form_value(form, "text")
    problem = None
    if not typed:
        problem = "Topic: please write what you would like to talk about."
    elif len(typed) > 300:
        problem = f"Topic: please keep it to 300 characters; this one has {len(typed):,}."
    else:
        try:
            _, created = mentoring.add_topic(caller, mentorship_id, TopicCreate(text=typed))
        except ValidationError as exc:
            problem = f"Topic: {readable_validation(exc)}."
        except InvalidMemoryRequest as exc:
            problem = f"Topic: {exc}."
        else:
            return redirect(with_notice(topic_back(form, mentorship_id), "added" if created else "exists"))
    values = mentee_values(mentoring, caller, mentorship_id)
    values.update(topic_error=problem, topic_text=typed[:2000], back=topic_back(form, mentorship_id))
    return render(request, "mentee.html", status=422, **values, **kept_reflection(mentoring, caller, values))


@router.post("/mentorships/{mentorship_id}/topics/{topic_id}/remove")
@memory_write
def remove_topic(
    mentorship_id: MentorshipId, topic_id: TopicId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    mentoring.remove_topic(caller, mentorship_id, topic_id)
    return redirect(with_notice(topic_back(form, mentorship_id), "removed"))


# --------------------------------------------------------------------------------------
# Prepare a session
# --------------------------------------------------------------------------------------
def plan_state(form: FormData) -> dict[str, Any]:
    """What the prepare form carries between requests: the settings and, once generated, the plan with the
    mentor's changes typed since the last post applied (or, when one is wrong, what is wrong in words)."""
    state: dict[str, Any] = {
        "date": parse_date(form_value(form, "date"), "Session date") or dt.date.today(),
        "duration": parse_int(form_value(form, "duration") or "45", "Session length (minutes)", 10, 240),
        "focus": form_value(form, "focus"),
        "session_id": form_value(form, "session_id") or None,
        "topics": topic_ids(form),
        "agenda": None,
        "icebreakers": None,
        **editor_state(),
    }
    history: list[Snapshot] = []
    try:
        if form_value(form, "agenda_json"):
            state["agenda"] = schemas.Agenda.model_validate_json(form_value(form, "agenda_json"))
        if form_value(form, "icebreakers_json"):
            state["icebreakers"] = schemas.Icebreakers.model_validate_json(form_value(form, "icebreakers_json"))
        if form_value(form, "history_json"):
            history = HISTORY.validate_json(form_value(form, "history_json"))
    except ValidationError:
        raise FormError("The plan on this page could not be read back; please generate it again.") from None
    agenda = state["agenda"]
    if agenda is None:
        return state
    try:
        check_carried(agenda.items)
        for snapshot in history:
            check_carried(snapshot.items, "The undo history on this page")
    except PlanError as exc:
        raise FormError(str(exc)) from None
    count = len(agenda.items)
    pins = pin_flags(form_values(form, "pins_json")[:1], count, json_list=True)
    state["pinned"], state["history"] = pins, history[-HISTORY_MAX:]
    state["carried"] = Snapshot(
        items=[item.model_copy(deep=True) for item in agenda.items],
        citations=list(agenda.citations),
        pinned=[i for i, p in enumerate(pins) if p],
    )
    if form_values(form, "minutes"):
        read_edits(form, state)
    return state


def topic_ids(form: FormData) -> list[str]:
    """The shared-agenda topics the form takes into the plan (the ticked boxes, or those the plan carries)."""
    ids = [v.strip() for v in form_values(form, "topic") if v.strip()]
    if len(ids) > MAX_OPEN_TOPICS or any(len(v) > 64 for v in ids):
        raise FormError("The topics on this page could not be read back; please reload the page.")
    return list(dict.fromkeys(ids))


def session_focus(typed: str, topics: list[TopicPublic]) -> tuple[list[str], list[str]]:
    """The session focus: what the mentor typed, then the chosen topics in their authors' words (each once,
    as far as the focus holds them); and the ids of the topics it took in. The topics' words are kept to
    TOPIC_FOCUS_CHARS in all (the first always fits), so the agenda's focus block and its questions stay
    within what a plan can carry; the others wait for another session."""
    focus = comma_list(typed)
    seen = {" ".join(item.casefold().split()) for item in focus}
    taken: list[str] = []
    used = 0
    for topic in topics:
        key = " ".join(topic.text.casefold().split())
        if key in seen:
            taken.append(topic.id)
        elif len(focus) < FOCUS_ITEMS and (not taken or used + len(topic.text) <= TOPIC_FOCUS_CHARS):
            focus.append(topic.text)
            seen.add(key)
            taken.append(topic.id)
            used += len(topic.text)
    return focus, taken


def editor_state() -> dict[str, Any]:
    """The plan editor's part of the state: pins, Undo history, what is wrong, what to show open or focus."""
    return {
        "pinned": [],
        "history": [],
        "carried": None,
        "errors": {},
        "drafts": None,
        "open": set(),
        "autofocus": None,
        "notice": None,
    }


def pin_flags(values: list[str], count: int, json_list: bool = False) -> list[bool]:
    """Which of `count` blocks are pinned, from the checkboxes' values (block indices) or the carried list."""
    try:
        indices = [int(i) for i in (json.loads(values[0]) if values and values[0] else [])] if json_list else values
        flags = [False] * count
        for index in indices:
            if not 0 <= int(index) < count:
                raise ValueError(index)
            flags[int(index)] = True
    except (ValueError, TypeError):
        raise FormError("The plan on this page could not be read back; please generate it again.") from None
    return flags


def read_edits(form: FormData, state: dict[str, Any]) -> None:
    """Apply what the mentor typed (titles, purposes, questions, minutes, pins) to the plan in `state`, or keep
    the plan as it was and note what is wrong, by field, so the page can show it next to the field."""
    agenda: schemas.Agenda = state["agenda"]
    items, total = agenda.items, state["duration"]
    count = len(items)
    minutes = form_values(form, "minutes")
    typed = {name: form_values(form, name) if name in form else None for name in ("title", "purpose", "prompts")}
    if len(minutes) != count or any(v is not None and len(v) != count for v in typed.values()):
        raise FormError("The agenda changed while you edited it; please generate it again.")
    pins = pin_flags([v.strip() for v in form_values(form, "pinned")], count)
    errors: dict[str, str] = {}
    edited: list[schemas.AgendaItem] = []
    for i, item in enumerate(items):
        block, wrong = edit_text(item, i + 1, *(v[i] if v is not None else None for v in typed.values()))
        errors.update({f"{field}-{i}": message for field, message in wrong.items()})
        edited.append(block)
    if total < count:
        errors["plan"] = (
            f"Session length (minutes): {total} minutes cannot hold {count} agenda items of at least a minute "
            "each; make the session longer, delete a block or generate the plan again."
        )
    else:
        errors.update(minutes_errors(minutes, items, pins, total))
    if not errors:
        for block, raw in zip(edited, minutes, strict=True):
            block.minutes = int(raw.strip())
        kept_flags = [block.minutes != item.minutes for block, item in zip(edited, items, strict=True)]
        try:
            fit_minutes(edited, pins, total, kept_flags)
        except PlanError as exc:
            errors["plan"] = str(exc)
    state["pinned"] = pins
    if errors:
        state["errors"] = errors
        state["drafts"] = [
            {
                "title": typed["title"][i] if typed["title"] is not None else item.title,
                "purpose": typed["purpose"][i] if typed["purpose"] is not None else item.purpose,
                "prompts": typed["prompts"][i] if typed["prompts"] is not None else "\n".join(item.prompts),
                "minutes": minutes[i],
            }
            for i, item in enumerate(items)
        ]
        state["open"] = {
            int(key.rsplit("-", 1)[1]) for key in errors if key != "plan" and not key.startswith("minutes")
        }
        state["autofocus"] = "plan-errors"
        return
    agenda.items = edited
    agenda.total_minutes = total


def minutes_errors(minutes: list[str], items: list[schemas.AgendaItem], pins: list[bool], total: int) -> dict[str, str]:
    """What is wrong with the typed minutes, by field: each must be a whole number that leaves every other block
    a minute, and then what the pinned blocks keep counts too. Never clamped: 999 is refused, not made to fit."""
    count = len(items)

    def check(ranges: list[int], why: Callable[[int], str]) -> dict[str, str]:
        wrong = {}
        for i, (raw, item, most) in enumerate(zip(minutes, items, ranges, strict=True)):
            try:
                parse_int(raw, f"Minutes for {quoted(item.title)}", 1, max(most, 1), why(i))
            except FormError as exc:
                wrong[f"minutes-{i}"] = str(exc)
        return wrong

    each = f"each of the {count} blocks needs a minute or more of the {total}-minute session"
    wrong = check([total - (count - 1)] * count, lambda _i: each)
    if wrong or not any(pins):
        return wrong
    values = [int(raw.strip()) for raw in minutes]
    typed = [item.model_copy(update={"minutes": value}) for item, value in zip(items, values, strict=True)]
    problem = pinned_problem(typed, pins, total)
    if problem:
        return {"plan": problem}

    def pinned_why(i: int) -> str:
        kept = sum(v for j, (v, p) in enumerate(zip(values, pins, strict=True)) if p and j != i)
        return f"the pinned blocks keep {kept} minutes and each other block needs a minute or more" if kept else each

    return check([most_minutes(values, pins, total, i) for i in range(count)], pinned_why)


def plan_changed(state: dict[str, Any]) -> bool:
    """Whether the plan on the page differs from the one it carried in (or the mentor's typing was refused)."""
    carried: Snapshot | None = state["carried"]
    if carried is None or state["errors"]:
        return bool(state["errors"])
    return current_snapshot(state) != carried


def current_snapshot(state: dict[str, Any]) -> Snapshot:
    agenda: schemas.Agenda = state["agenda"]
    return Snapshot(
        items=[item.model_copy(deep=True) for item in agenda.items],
        citations=list(agenda.citations),
        pinned=[i for i, p in enumerate(state["pinned"]) if p],
    )


def restore(state: dict[str, Any], snapshot: Snapshot) -> None:
    """Put an earlier state of the plan back (its blocks, citations and pins)."""
    agenda: schemas.Agenda = state["agenda"]
    agenda.items = [item.model_copy(deep=True) for item in snapshot.items]
    agenda.citations = list(snapshot.citations)
    state["pinned"] = pin_flags([str(i) for i in snapshot.pinned], len(agenda.items))
    state["errors"], state["drafts"], state["open"] = {}, None, set()
    try:
        fit_minutes(agenda.items, state["pinned"], state["duration"])
    except PlanError:
        raise FormError("The undo history on this page could not be read back; please generate it again.") from None
    agenda.total_minutes = state["duration"]


def remember(state: dict[str, Any]) -> None:
    """Keep the plan as it came in for Undo, when this post changed it (refused typing changes nothing)."""
    carried = state["carried"]
    if carried is not None and state["drafts"] is None and current_snapshot(state) != carried:
        state["history"] = [*state["history"], state["carried"]][-HISTORY_MAX:]


def plan_context(
    mentoring: Mentoring, caller: Caller, mentorship_id: str, state: dict[str, Any]
) -> tuple[schemas.MentoringContext, Any]:
    """The stored context with this plan's session (the saved session's number, else the next one)."""
    patch = ContextPatch()
    if state["icebreakers"] is not None:
        patch.previous_icebreakers = [q.text for q in state["icebreakers"].questions]
    context, who = mentoring.context(caller, patch, mentorship_id)
    number = context.session.number
    if state["session_id"]:
        number = mentoring.get_session(caller, mentorship_id, state["session_id"]).number
    chosen = set(state.get("topics") or [])
    topics = [t for t in mentoring.list_topics(caller, mentorship_id) if t.id in chosen]
    focus, state["topics"] = session_focus(state["focus"], topics)
    state["topics_left"] = [t for t in topics if t.id not in state["topics"]]
    try:
        session = schemas.SessionInfo(
            number=min(number, 1000),
            duration_minutes=state["duration"],
            focus=focus,
            date=state["date"],
        )
    except ValidationError as exc:
        raise FormError(readable_validation(exc)) from None
    return context.model_copy(update={"session": session}), who


def plan_values(
    mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, state: dict[str, Any], number: int
) -> dict[str, Any]:
    agenda, icebreakers = state["agenda"], state["icebreakers"]
    citations = [c for item in agenda.items for c in item.citations] if agenda else []
    citations += [c for q in icebreakers.questions for c in q.citations] if icebreakers else []
    if agenda is not None and len(state.get("pinned") or []) != len(agenda.items):
        state["pinned"] = [False] * len(agenda.items)
    pinned = state.get("pinned") or []
    open_topics = mentoring.list_topics(caller, mentorship.id)
    chosen = set(state.get("topics") or [])
    return {
        "mentorship": mentorship,
        "open_topics": open_topics,
        "plan_topics": [t for t in open_topics if t.id in chosen],
        "mentee_topics": all(t.added_by_role == "mentee" for t in open_topics),
        "topic_by": {t.id: topic_author(t, caller, mentorship) for t in open_topics},
        "state": state,
        "number": number,
        "agenda": agenda,
        "icebreakers": icebreakers,
        "passages": citation_passages(mentoring, caller, citations, parties_of(mentorship)),
        "agenda_json": agenda.model_dump_json() if agenda else "",
        "icebreakers_json": icebreakers.model_dump_json() if icebreakers else "",
        "history_json": HISTORY.dump_json(state.get("history") or []).decode() if agenda else "",
        "limits": {"title": planning.TITLE_MAX, "prompts": planning.PROMPTS_MAX, "blocks": planning.MAX_BLOCKS},
        # the pins of the plan in agenda_json: after refused typing that is still the plan the page came with
        "pins_json": json.dumps(
            state["carried"].pinned if state.get("drafts") is not None else [i for i, p in enumerate(pinned) if p]
        ),
    }


@router.get("/mentorships/{mentorship_id}/prepare")
def prepare_page(
    request: Request,
    mentorship_id: MentorshipId,
    mentoring: MentoringDep,
    caller: WebCaller,
) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.PLAN).mentorship
    session_id = request.query_params.get("session")
    today = dt.date.today()
    sessions = mentoring.list_sessions(caller, mentorship_id)
    duration = mentorship.cadence.session_minutes if mentorship.cadence else 45
    # The next planned date of the goal plan's schedule after the last saved session, else today.
    after = max([today - dt.timedelta(days=1), *(s.date for s in sessions)])
    planned = [d for d in mentorship.cadence.sessions if d > after] if mentorship.cadence else []
    date = min(planned, default=today)
    number = (max((s.number for s in sessions), default=0)) + 1
    if session_id:
        existing = mentoring.get_session(caller, mentorship_id, session_id)
        date, number = existing.date, existing.number
        if existing.agenda is not None:
            duration = existing.agenda.total_minutes
    state = {
        "date": date,
        "duration": duration,
        "focus": "",
        "session_id": session_id,
        "topics": [t.id for t in mentoring.list_topics(caller, mentorship_id)],
        "agenda": None,
        "icebreakers": None,
        **editor_state(),
    }
    return render(request, "prepare.html", **plan_values(mentoring, caller, mentorship, state, number))


def prepare_job(mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, state: dict[str, Any]) -> Job:
    context, who = plan_context(mentoring, caller, mentorship.id, state)
    state["agenda"] = yield from generate_step(mentoring, caller, "agenda", context, who, "Agenda")
    state["icebreakers"] = yield from generate_step(mentoring, caller, "icebreakers", context, who, "Icebreakers")
    yield "progress", "Done"
    yield "done", plan_values(mentoring, caller, mentorship, state, context.session.number)


@router.post("/mentorships/{mentorship_id}/prepare")
def prepare(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.PLAN).mentorship
    state = plan_state(form)
    state.update(agenda=None, icebreakers=None, **editor_state())  # a new plan starts with no pins or history
    job = prepare_job(mentoring, caller, mentorship, state)
    return respond(request, job, "prepare.html", "_plan.html")


def swap_job(
    mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, state: dict[str, Any], index: int | None
) -> Job:
    """Swap one icebreaker (index) or all of them (None) for questions not asked before."""
    current = state["icebreakers"]
    context, who = plan_context(mentoring, caller, mentorship.id, state)
    fresh = yield from generate_step(mentoring, caller, "icebreakers", context, who, "Icebreakers")
    assert isinstance(fresh, schemas.Icebreakers)
    if index is None or current is None:
        state["icebreakers"] = fresh
    else:
        if not 0 <= index < len(current.questions):
            raise FormError("That icebreaker is no longer on the page; please reload.")
        known = {q.text.casefold() for q in current.questions}
        replacement = next((q for q in fresh.questions if q.text.casefold() not in known), None)
        if replacement is None:
            raise FormError("No other icebreaker fits this mentee right now; keep this one or edit it.")
        current.questions[index] = replacement
        current.citations = [*current.citations, *(c for c in replacement.citations if c not in current.citations)]
        if fresh.visibility == "mentor_private":
            current.visibility = "mentor_private"
    yield "done", plan_values(mentoring, caller, mentorship, state, context.session.number)


@router.post("/mentorships/{mentorship_id}/prepare/icebreakers")
def swap_icebreakers(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.PLAN).mentorship
    state = plan_state(form)
    if state["errors"]:  # the mentor's typing is wrong: show it, swap nothing
        return plan_response(request, mentoring, caller, mentorship, state)
    remember(state)
    action = form_value(form, "swap")
    index = None if action in ("", "all") else parse_int(action, "Icebreaker", 0, 50)
    return respond(request, swap_job(mentoring, caller, mentorship, state, index), "prepare.html", "_plan.html")


def plan_response(
    request: Request, mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, state: dict[str, Any]
) -> Response:
    """The page (or, for app.js, the plan fragment) with the plan as edited, still unsaved; 422 when the
    mentor's change was refused, with what is wrong next to the field."""

    def job() -> Job:
        context, _ = plan_context(mentoring, caller, mentorship.id, state)
        yield "done", plan_values(mentoring, caller, mentorship, state, context.session.number)

    if wants_stream(request):
        return stream_job(request, job(), "_plan.html")
    return render(request, "prepare.html", status=422 if state["errors"] else 200, **run_job(job()))


def edit_step(state: dict[str, Any], op: str) -> None:
    """One change the mentor asked for with a button: apply (just re-balance), add, undo, or move up, move
    down or delete block N. A change that cannot be made is noted in words and the plan stays as it was."""
    agenda: schemas.Agenda = state["agenda"]
    name, _, where = op.partition(":")
    if name == "undo":
        if plan_changed(state):
            restore(state, state["carried"])
            state["notice"] = "Your changes since the page was last updated are undone."
        elif state["history"]:
            restore(state, state["history"][-1])
            state["history"] = state["history"][:-1]
            state["notice"] = "The last change is undone."
        else:
            state["notice"] = "There is nothing to undo."
        state["autofocus"] = "plan-notice"
        return
    if state["errors"]:
        return
    before = [item.model_copy(deep=True) for item in agenda.items], list(agenda.citations), list(state["pinned"])
    total = state["duration"]
    try:
        if name == "apply":
            state["notice"], state["autofocus"] = "Your changes are applied; the plan is not saved yet.", "plan-notice"
        elif name == "add":
            index = planning.add(agenda.items, state["pinned"], total)
            state["open"], state["autofocus"] = {index}, f"title-{index}"
            state["notice"] = f"A new block {index + 1} is added at the end; give it a title."
        elif name in ("up", "down", "delete") and where.isdigit() and len(where) <= 3:
            index = int(where)
            if not 0 <= index < len(agenda.items):
                raise PlanError("That block is no longer on the page; please reload.")
            title = quoted(agenda.items[index].title)
            if name == "delete":
                planning.delete(agenda, state["pinned"], index, total)
                state["notice"], state["autofocus"] = f"{title} is deleted.", "plan-notice"
            else:
                target = planning.move(agenda.items, state["pinned"], index, -1 if name == "up" else 1)
                state["notice"] = f"{title} is moved {name} to place {target + 1}."
                last = len(agenda.items) - 1
                side = name if 0 < target < last else ("down" if target == 0 else "up")
                state["autofocus"] = f"{side}-{target}"
        else:
            raise FormError("That change is not one this page offers; please reload the page.")
    except PlanError as exc:
        agenda.items, agenda.citations, state["pinned"] = before
        state["errors"] = {"plan": str(exc)}
        state["autofocus"] = "plan-errors"
        return
    agenda.total_minutes = total


@router.post("/mentorships/{mentorship_id}/prepare/edit")
def edit_plan(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    """A change to the plan on the page (a button of the plan form), answered with the page as edited: it
    works without JavaScript, and nothing is stored until "Save as the plan"."""
    mentorship = load(mentoring, caller, mentorship_id, Action.PLAN).mentorship
    state = plan_state(form)
    if state["agenda"] is None:
        raise FormError("Generate an agenda first, then change it.")
    op = form_value(form, "op")
    edit_step(state, op)
    if not op.startswith("undo"):
        remember(state)
    return plan_response(request, mentoring, caller, mentorship, state)


@router.post("/mentorships/{mentorship_id}/prepare/save")
@memory_write
def save_plan(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.PLAN).mentorship
    state = plan_state(form)
    agenda, icebreakers = state["agenda"], state["icebreakers"]
    if agenda is None:
        raise FormError("Generate an agenda first, then save it.")
    if state["errors"]:  # nothing is stored; the page comes back with the mentor's typing and what is wrong
        return plan_response(request, mentoring, caller, mentorship, state)
    chosen = [q for q in form_values(form, "icebreaker") if q.strip()]
    if not chosen and icebreakers is not None:
        chosen = [q.text for q in icebreakers.questions]
    # The plan's audience comes from what it was made of (mentoring decides and strips citations).
    drawn_from = icebreakers.visibility if icebreakers is not None else None
    if state["session_id"]:
        session = mentoring.update_session_plan(
            caller,
            mentorship_id,
            state["session_id"],
            SessionPlanUpdate(date=state["date"], agenda=agenda, icebreakers_asked=chosen),
            icebreakers_visibility=drawn_from,
        )
    else:
        session = mentoring.add_session(
            caller,
            mentorship_id,
            SessionCreate(date=state["date"], agenda=agenda, icebreakers_asked=chosen),
            icebreakers_visibility=drawn_from,
        )
    # the shared-agenda topics this plan was made with are now this session's, no longer open
    mentoring.take_topics(caller, mentorship_id, session.id, state["topics"])
    return redirect(f"/mentorships/{mentorship_id}/sessions/{session.id}?saved=1")


# --------------------------------------------------------------------------------------
# After the session
# --------------------------------------------------------------------------------------
def session_values(mentoring: Mentoring, caller: Caller, mentorship_id: str, session_id: str) -> dict[str, Any]:
    reach = load(mentoring, caller, mentorship_id)
    session = mentoring.get_session(caller, mentorship_id, session_id)
    cited = [c for item in session.agenda.items for c in item.citations] if session.agenda else []
    return {
        "mentorship": reach.mentorship,
        "session": session,
        "feedback": session.feedback,
        "passages": citation_passages(mentoring, caller, cited, reach.parties),
        **goal_values(mentoring, caller, reach, [session], check_in_session=session),
    }


@router.get("/mentorships/{mentorship_id}/sessions/{session_id}")
def session_page(
    request: Request, mentorship_id: MentorshipId, session_id: ItemId, mentoring: MentoringDep, caller: WebCaller
) -> Response:
    reach = load(mentoring, caller, mentorship_id, Action.WRITE_NOTES)
    values = session_values(mentoring, caller, mentorship_id, session_id)
    return render(
        request,
        "session.html",
        note_rows=NOTE_ROWS,
        saved=request.query_params.get("saved") == "1",
        can_private=access.allows(caller, reach.parties, Action.WRITE_PRIVATE_NOTES),
        **values,
    )


def feedback_job(mentoring: Mentoring, caller: Caller, mentorship_id: str, values: dict[str, Any], saved: int) -> Job:
    """The feedback summary of a session's notes (already stored), saved with the session."""
    if saved:
        yield "progress", f"Saved {saved} note{'s' if saved != 1 else ''}"
    session: SessionPublic = values["session"]
    text = "\n\n".join(note.text for note in session.notes)
    patch = ContextPatch(notes=text, session=schemas.SessionInfo(number=min(session.number, 1000), date=session.date))
    context, who = mentoring.context(caller, patch, mentorship_id)
    feedback = yield from generate_step(mentoring, caller, "feedback", context, who, "Summary")
    assert isinstance(feedback, schemas.FeedbackSummary)
    if who is not None and access.allows(caller, who, Action.SAVE_FEEDBACK):
        mentoring.save_feedback(caller, mentorship_id, session.id, feedback)
    yield "progress", "Done"
    yield "done", {**values, "feedback": feedback}


@router.post("/mentorships/{mentorship_id}/sessions/{session_id}/notes")
def add_notes(
    request: Request,
    mentorship_id: MentorshipId,
    session_id: ItemId,
    mentoring: MentoringDep,
    caller: WebCaller,
    form: Form,
) -> Response:
    reach = load(mentoring, caller, mentorship_id, Action.WRITE_NOTES)
    can_private = access.allows(caller, reach.parties, Action.WRITE_PRIVATE_NOTES)
    texts, visibilities = form_values(form, "note_text"), form_values(form, "note_visibility")
    notes = []
    for position, text in enumerate(texts):
        if not text.strip():
            continue
        # a note sent without a choice stays with the mentor when it can; shared would reach the mentee
        unset = "mentor_private" if can_private else "shared"
        visibility = visibilities[position] if position < len(visibilities) else unset
        if visibility == "mentor_private" and not can_private:
            raise FormError("Only the mentor can write private notes.")
        try:
            notes.append(NoteCreate(text=text, visibility=visibility))  # type: ignore[arg-type]
        except ValidationError as exc:
            raise FormError(f"Note {position + 1}: {readable_validation(exc)}") from None
    # Notes are stored before any generation starts: a failed or abandoned summary never loses them.
    if notes:
        mentoring.add_notes(caller, mentorship_id, session_id, notes)
    values = session_values(mentoring, caller, mentorship_id, session_id)
    if not values["session"].notes:
        raise FormError("Write at least one note first: the summary is made from your notes.")
    job = feedback_job(mentoring, caller, mentorship_id, values, len(notes))
    return respond(
        request,
        job,
        "session.html",
        "_after.html",
        note_rows=NOTE_ROWS,
        saved=False,
        can_private=can_private,
    )


@router.post("/mentorships/{mentorship_id}/sessions/{session_id}/action-items")
@memory_write
def save_action_items(
    request: Request,
    mentorship_id: MentorshipId,
    session_id: ItemId,
    mentoring: MentoringDep,
    caller: WebCaller,
    form: Form,
) -> Response:
    load(mentoring, caller, mentorship_id, Action.PLAN)
    keep = set(form_values(form, "item_keep"))
    texts, owners, dues = form_values(form, "item_text"), form_values(form, "item_owner"), form_values(form, "item_due")
    items = []
    for index, text in enumerate(texts):
        if str(index) not in keep or not text.strip():
            continue
        due = parse_date(dues[index] if index < len(dues) else "", f"Due date of action item {index + 1}")
        owner = (owners[index] if index < len(owners) else "").strip() or None
        try:
            items.append(schemas.ActionItem(text=text, owner=owner, due=due))
        except ValidationError as exc:
            raise FormError(f"Action item {index + 1}: {readable_validation(exc)}") from None
    if not items:
        raise FormError("Tick at least one action item to save.")
    mentoring.add_action_items(caller, mentorship_id, items, session_id=session_id)
    return redirect(f"/mentorships/{mentorship_id}/sessions/{session_id}?items={len(items)}#action-items")


# --------------------------------------------------------------------------------------
# Exports: Markdown and printable pages
# --------------------------------------------------------------------------------------
def confirmed_summary(
    feedback: schemas.FeedbackSummary,
    mentorship: MentorshipPublic,
    saved: list[ActionItemPublic],
    context: schemas.MentoringContext,
) -> schemas.FeedbackSummary:
    """Once the mentor saved the session's action items, the summary exported follows them: what they left
    out is gone, their owners and due dates are the ones shown."""

    def side(owner: str | None) -> str | None:
        if access.is_mentee_item_owner(owner, parties_of(mentorship)):
            return "mentee"
        return "mentor" if is_mentor_item(owner, mentorship) else owner

    items = [schemas.ActionItem(text=i.text, owner=side(i.owner), due=i.due, done=i.done) for i in saved]
    return as_confirmed(feedback, context, items)


def export_output(
    mentoring: Mentoring, caller: Caller, mentorship_id: str, session_id: str, what: str
) -> tuple[schemas._Output, str, dict[str, Any]]:
    load(mentoring, caller, mentorship_id, Action.EXPORT)
    values = session_values(mentoring, caller, mentorship_id, session_id)
    output = values["session"].agenda if what == "agenda" else values["feedback"]
    if output is None:
        missing = "no agenda has been saved" if what == "agenda" else "no summary has been made"
        raise ApiError(404, "Not found", f"Session {values['session'].number}: {missing} yet.")
    context = export_context(mentoring, caller, values["mentorship"], values["session"])
    if what == "feedback" and values["session"].action_items:
        output = confirmed_summary(output, values["mentorship"], values["session"].action_items, context)
    # an export goes into a calendar invite or to the mentee: the generator's notes to the mentor stay out
    return output, render_markdown(output, context, generator_notes=False), values


@router.get("/mentorships/{mentorship_id}/sessions/{session_id}/{what}.md")
def export_markdown(
    mentorship_id: MentorshipId,
    session_id: ItemId,
    what: Annotated[str, Path(pattern="^(agenda|feedback)$")],
    mentoring: MentoringDep,
    caller: WebCaller,
) -> Response:
    _output, markdown, values = export_output(mentoring, caller, mentorship_id, session_id, what)
    filename = f"session-{values['session'].number}-{what}.md"
    return PlainTextResponse(
        markdown,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/mentorships/{mentorship_id}/sessions/{session_id}/{what}/print")
def export_print(
    request: Request,
    mentorship_id: MentorshipId,
    session_id: ItemId,
    what: Annotated[str, Path(pattern="^(agenda|feedback)$")],
    mentoring: MentoringDep,
    caller: WebCaller,
) -> Response:
    output, markdown, values = export_output(mentoring, caller, mentorship_id, session_id, what)
    return render(request, "print.html", what=what, output=output, markdown=markdown, **values)


# --------------------------------------------------------------------------------------
# Mentee view
# --------------------------------------------------------------------------------------
def mentee_values(mentoring: Mentoring, caller: Caller, mentorship_id: str) -> dict[str, Any]:
    """Only what the mentee may see: shared notes, their goals and items, shared plans; never a private
    note or anything drawn from one. A mentor previewing the page gets the mentee's view, not their own."""
    reach = load(mentoring, caller, mentorship_id)
    mentorship = reach.mentorship
    sessions = [mentee_view(s) for s in mentoring.list_sessions(caller, mentorship_id)]
    values = progress_values(mentoring, caller, mentorship, sessions)
    groups = values["progress"].action_items
    items = [*groups.overdue, *groups.open, *groups.done]
    held = [s for s in sessions if s.date <= dt.date.today()]
    # The mentee rates their goals here, after the session; a mentor previewing the page sees no form.
    rater = "mentee" if reach.relation is Relation.MENTEE else ""
    goals = goal_values(mentoring, caller, reach, sessions, check_in_session=held[-1] if held else None, rater=rater)
    return {
        "mentorship": mentorship,
        "last_session": (held or sessions)[-1] if sessions else None,
        **goals,
        "my_items": [i for i in items if mentoring.is_mentee_item(i, mentorship)],
        "other_items": [i for i in items if not mentoring.is_mentee_item(i, mentorship)],
        # the mentor's items read as what the mentor owes the mentee, for display only (voice.py)
        "owed_to_you": {i.id: for_mentee(i.text, mentorship) for i in items if is_mentor_item(i.owner, mentorship)},
        "preview": reach.relation is not Relation.MENTEE,
        **topic_values(mentoring, caller, reach),
        **values,
    }


def mentee_view(session: SessionPublic) -> SessionPublic:
    """A session as its mentee reads it, whoever is looking: shared notes and a shared plan only."""
    shared_plan = session.plan_visibility == "shared"
    return session.model_copy(
        update={
            "notes": [n for n in session.notes if n.visibility == "shared"],
            "feedback": None,
            "agenda": session.agenda if shared_plan else None,
            "icebreakers_asked": session.icebreakers_asked if shared_plan else [],
        }
    )


def kept_reflection(mentoring: Mentoring, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """The reflection prompts kept for the session the page reflects on, with the passages they cite that
    the mentee may open (shared ones only, as when they were made)."""
    last: SessionPublic | None = values["last_session"]
    reflection = mentoring.kept_reflection(caller, values["mentorship"].id, last.id) if last is not None else None
    if reflection is None:
        return {"reflection": None, "passages": {}}
    return {"reflection": reflection, "passages": reflection_passages(mentoring, caller, values, reflection)}


def reflection_passages(
    mentoring: Mentoring, caller: Caller, values: dict[str, Any], reflection: schemas.ReflectionPrompts
) -> dict[str, Any]:
    cited = [c for p in reflection.prompts for c in p.citations]
    passages = citation_passages(mentoring, caller, cited, parties_of(values["mentorship"]))
    return {cid: record for cid, record in passages.items() if record.meta.get("visibility") == "shared"}


@router.get("/mentorships/{mentorship_id}/mentee")
def mentee_page(request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller) -> Response:
    values = mentee_values(mentoring, caller, mentorship_id)
    values["topic_notice"] = TOPIC_NOTICES.get(request.query_params.get("topic") or "")
    return render(request, "mentee.html", **values, **kept_reflection(mentoring, caller, values))


def reflection_job(mentoring: Mentoring, caller: Caller, mentorship_id: str) -> Job:
    values = mentee_values(mentoring, caller, mentorship_id)
    last: SessionPublic | None = values["last_session"]
    patch = ContextPatch()
    if last is not None:
        shared = [note.text for note in last.notes if note.visibility == "shared"]
        patch = ContextPatch(
            notes="\n\n".join(shared) or None,
            session=schemas.SessionInfo(number=min(last.number, 1000), date=last.date),
        )
    context, who = mentoring.context(caller, patch, mentorship_id)
    reflection = yield from generate_step(mentoring, caller, "reflection", context, who, "Reflection prompts")
    assert isinstance(reflection, schemas.ReflectionPrompts)
    cited = [c for p in reflection.prompts for c in p.citations]
    passages = citation_passages(mentoring, caller, cited, who)
    passages = {cid: record for cid, record in passages.items() if record.meta.get("visibility") == "shared"}
    if last is not None:
        # kept with the session (the mentee's own only), so ticking an item or coming back shows them again
        def readable(cites: list[schemas.Citation]) -> list[schemas.Citation]:
            return [c for c in cites if c.chunk_id in passages]

        prompts = [p.model_copy(update={"citations": readable(p.citations)}) for p in reflection.prompts]
        kept = reflection.model_copy(update={"prompts": prompts, "citations": readable(reflection.citations)})
        if mentoring.keep_reflection(caller, mentorship_id, last.id, kept):
            yield "progress", "Kept the prompts for this session"
    yield "done", {**values, "reflection": reflection, "passages": passages}


@router.post("/mentorships/{mentorship_id}/reflection")
def reflection(request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller) -> Response:
    return respond(request, reflection_job(mentoring, caller, mentorship_id), "mentee.html", "_reflection.html")


# --------------------------------------------------------------------------------------
# Decision workbench
# --------------------------------------------------------------------------------------
@router.get("/mentorships/{mentorship_id}/decisions")
def decisions_page(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller
) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.DECIDE).mentorship
    decisions = mentoring.list_decisions(caller, mentorship_id)
    return render(request, "decisions.html", mentorship=mentorship, decisions=decisions, framework=None, values={})


def decision_job(
    mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, decision: schemas.DecisionInput
) -> Job:
    context, who = mentoring.context(caller, ContextPatch(decision=decision), mentorship.id)
    framework = yield from generate_step(mentoring, caller, "decision", context, who, "Decision framework")
    passages = citation_passages(mentoring, caller, framework.relevant_experience + framework.citations, who)
    yield (
        "done",
        {
            "mentorship": mentorship,
            "framework": framework,
            "framework_json": framework.model_dump_json(),
            "passages": passages,
            "saved": None,
        },
    )


@router.post("/mentorships/{mentorship_id}/decisions")
def decide(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.DECIDE).mentorship
    values = {key: form_value(form, key) for key in form}
    try:
        decision = schemas.DecisionInput(
            statement=values.get("statement", ""),
            options=lines(values.get("options")),
            deadline=parse_date(values.get("deadline"), "Decide by"),
            risk_appetite=values.get("risk_appetite") or "medium",  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        raise FormError(readable_validation(exc)) from None
    decisions = mentoring.list_decisions(caller, mentorship_id)
    job = decision_job(mentoring, caller, mentorship, decision)
    return respond(request, job, "decisions.html", "_decision.html", decisions=decisions, values=values)


@router.post("/mentorships/{mentorship_id}/decisions/save")
@memory_write
def save_decision(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    load(mentoring, caller, mentorship_id, Action.DECIDE)
    try:
        framework = schemas.DecisionFramework.model_validate_json(form_value(form, "framework_json"))
    except ValidationError:
        raise FormError("The framework on this page could not be read back; please generate it again.") from None
    check_in = parse_date(form_value(form, "check_in_date"), "Check-in date")
    if check_in is not None:
        framework = move_check_in(framework, check_in)
    saved = mentoring.save_decision(caller, mentorship_id, framework)
    return redirect(f"/mentorships/{mentorship_id}/decisions/{saved.id}")


@router.get("/mentorships/{mentorship_id}/decisions/{decision_id}")
def decision_page(
    request: Request, mentorship_id: MentorshipId, decision_id: ItemId, mentoring: MentoringDep, caller: WebCaller
) -> Response:
    reach = load(mentoring, caller, mentorship_id, Action.DECIDE)
    saved = mentoring.get_decision(caller, mentorship_id, decision_id)
    framework = saved.framework
    cited = framework.relevant_experience + framework.citations
    passages = citation_passages(mentoring, caller, cited, reach.parties)
    return render(
        request, "decision.html", mentorship=reach.mentorship, saved=saved, framework=framework, passages=passages
    )


@router.post("/mentorships/{mentorship_id}/decisions/{decision_id}/check-in")
@memory_write
def check_in_decision(
    request: Request,
    mentorship_id: MentorshipId,
    decision_id: ItemId,
    mentoring: MentoringDep,
    caller: WebCaller,
    form: Form,
) -> Response:
    load(mentoring, caller, mentorship_id, Action.DECIDE)
    try:
        check_in = DecisionCheckIn(outcome=form_value(form, "outcome"))
    except ValidationError as exc:
        raise FormError(f"What happened: {readable_validation(exc).removeprefix('outcome ')}") from None
    mentoring.check_in_decision(caller, mentorship_id, decision_id, check_in)
    return redirect(f"/mentorships/{mentorship_id}/decisions/{decision_id}")


# --------------------------------------------------------------------------------------
# Goal plan and schedule
# --------------------------------------------------------------------------------------
@router.get("/mentorships/{mentorship_id}/goals")
def goals_page(request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.PLAN).mentorship
    return render(request, "goals.html", mentorship=mentorship, plan=None, passages={})


def goals_job(mentoring: Mentoring, caller: Caller, mentorship: MentorshipPublic, start: dt.date) -> Job:
    context, who = mentoring.context(caller, ContextPatch(today=start), mentorship.id)
    plan = yield from generate_step(mentoring, caller, "goals", context, who, "Goal plan", mentorship.id)
    assert isinstance(plan, schemas.GoalPlan)
    yield "progress", "Saved the meeting schedule"
    passages = citation_passages(mentoring, caller, [c for g in plan.goals for c in g.citations], who)
    yield "done", {"mentorship": mentoring.get_mentorship(caller, mentorship.id), "plan": plan, "passages": passages}


@router.post("/mentorships/{mentorship_id}/goals")
def make_goal_plan(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    mentorship = load(mentoring, caller, mentorship_id, Action.PLAN).mentorship
    start = parse_date(form_value(form, "start"), "Start date") or dt.date.today()
    return respond(request, goals_job(mentoring, caller, mentorship, start), "goals.html", "_goals.html")


@router.get("/mentorships/{mentorship_id}/schedule.ics")
def schedule(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller) -> Response:
    body, _filename = mentoring.schedule(caller, mentorship_id)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mentoring-schedule.ics"', "Cache-Control": "no-store"},
    )

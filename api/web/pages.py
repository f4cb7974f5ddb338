"""The pages: home, new mentorship, prepare a session, after the session, mentee view, decision
workbench, goal plan and progress, plus exports (Markdown, printable pages, .ics).

Every page resolves the caller with `web_principal` and reads through the same tenant-scoped memory
repository and generation pipeline as the JSON API, with the same audience rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.auth import Principal
from api.errors import ApiError
from api.routers.generation import ContextPatch, build_context, remember
from api.routers.mentorships import viewer
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
    keep_known_citations,
    lines,
    parse_date,
    parse_int,
    readable_validation,
    redirect,
    render,
    require_roles,
    run_job,
    safe_next,
    stream_job,
    wants_stream,
    web_principal,
)
from api.web.planning import rebalance
from companion import schemas
from companion.calendar import schedule_ics
from companion.generation.render import render_markdown
from companion.memory.schemas import (
    ActionItemPublic,
    DecisionCheckIn,
    MentorshipCreate,
    MentorshipPublic,
    NoteCreate,
    SessionCreate,
    SessionPlanUpdate,
    SessionPublic,
)
from companion.service import Companion

router = APIRouter(route_class=WebRoute, include_in_schema=False)

MENTOR_SIDE = ("admin", "platform", "mentor")
NOTE_ROWS = 3


def get_companion(request: Request) -> Companion:
    return request.app.state.companion


async def get_form(request: Request) -> FormData:
    return await request.form()


CompanionDep = Annotated[Companion, Depends(get_companion)]
WebPrincipal = Annotated[Principal, Depends(web_principal)]
Form = Annotated[FormData, Depends(get_form)]
MentorshipId = Annotated[str, Path(max_length=64)]
ItemId = Annotated[str, Path(max_length=64)]


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------
def load(companion: Companion, principal: Principal, mentorship_id: str) -> MentorshipPublic:
    return companion.memory.get_mentorship(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))


def mentor_side(companion: Companion, principal: Principal, mentorship_id: str, what: str) -> MentorshipPublic:
    """The mentorship, for a page only the mentor side (admin, platform, mentor) may use."""
    require_roles(principal, *MENTOR_SIDE, what=what)
    return load(companion, principal, mentorship_id)


def sees_private(principal: Principal) -> bool:
    return principal.role in ("admin", "mentor")


def is_mentee_item(item: ActionItemPublic | schemas.ActionItem, mentorship: MentorshipPublic) -> bool:
    owner = (item.owner or "").strip().casefold()
    mentee = mentorship.mentee
    return owner in {"mentee", mentee.name.casefold(), mentee.person_id.casefold()}


def next_session_date(mentorship: MentorshipPublic, sessions: list[SessionPublic], today: dt.date) -> dt.date | None:
    """The first planned date from today on: a saved plan's date, else the goal plan's schedule."""
    planned = [s.date for s in sessions if s.date >= today]
    if mentorship.cadence is not None:
        planned += [d for d in mentorship.cadence.sessions if d >= today]
    return min(planned, default=None)


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
    companion: Companion, principal: Principal, mentorship: MentorshipPublic, session: SessionPublic
) -> schemas.MentoringContext:
    context, _ = build_context(
        companion,
        principal,
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
    response.set_cookie(
        COOKIE, key, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=60 * 60 * 12
    )
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
def home(request: Request, companion: CompanionDep, principal: WebPrincipal) -> Response:
    today = dt.date.today()
    person = viewer(principal)
    rows = []
    open_items: list[tuple[MentorshipPublic, ActionItemPublic]] = []
    overdue_items: list[tuple[MentorshipPublic, ActionItemPublic]] = []
    for mentorship in companion.memory.list_mentorships(principal.tenant, viewer_person_id=person):
        progress = companion.memory.progress(principal.tenant, mentorship.id, today, viewer_person_id=person)
        sessions = companion.memory.list_sessions(principal.tenant, mentorship.id, viewer_person_id=person)
        mine = principal.role == "mentee"
        for group, bucket in ((progress.action_items.open, open_items), (progress.action_items.overdue, overdue_items)):
            bucket += [(mentorship, item) for item in group if not mine or is_mentee_item(item, mentorship)]
        rows.append(
            {
                "mentorship": mentorship,
                "next_date": next_session_date(mentorship, sessions, today),
                "sessions": len(sessions),
                "open": len(progress.action_items.open),
                "overdue": len(progress.action_items.overdue),
            }
        )
    decisions = []
    if principal.role in MENTOR_SIDE:
        decisions = companion.memory.decisions_due(principal.tenant, today, viewer_person_id=person)
    return render(
        request,
        "home.html",
        rows=rows,
        open_items=open_items,
        overdue_items=overdue_items,
        decisions=decisions,
        can_start=principal.role in MENTOR_SIDE,
    )


# --------------------------------------------------------------------------------------
# New mentorship
# --------------------------------------------------------------------------------------
@router.get("/mentorships/new")
def new_mentorship_page(request: Request, principal: WebPrincipal) -> Response:
    require_roles(principal, *MENTOR_SIDE, what="start a mentorship")
    values = {"mentor_person_id": principal.person_id or ""}
    return render(request, "mentorship_new.html", values=values, error=None)


@router.post("/mentorships/new")
def create_mentorship(request: Request, companion: CompanionDep, principal: WebPrincipal, form: Form) -> Response:
    require_roles(principal, *MENTOR_SIDE, what="start a mentorship")
    values = {key: form_value(form, key) for key in form}
    if principal.role == "mentor":
        values["mentor_person_id"] = principal.person_id or ""
    try:
        data = MentorshipCreate.model_validate(
            {
                "mentor": {
                    "person_id": values.get("mentor_person_id", ""),
                    "name": values.get("mentor_name") or None,
                    "expertise": comma_list(values.get("mentor_expertise")),
                    "interests": comma_list(values.get("mentor_interests")),
                },
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
        return render(request, "mentorship_new.html", status=422, values=values, error=readable_validation(exc))
    mentorship = companion.memory.create_mentorship(principal.tenant, data)
    return redirect(f"/mentorships/{mentorship.id}")


# --------------------------------------------------------------------------------------
# Mentorship overview and progress
# --------------------------------------------------------------------------------------
def progress_values(
    companion: Companion, principal: Principal, mentorship: MentorshipPublic, sessions: list[SessionPublic]
) -> dict[str, Any]:
    today = dt.date.today()
    progress = companion.memory.progress(principal.tenant, mentorship.id, today, viewer_person_id=viewer(principal))
    groups = progress.action_items
    items = [*groups.overdue, *groups.open, *groups.done]
    points = progress_points(sessions, items, today)
    return {
        "progress": progress,
        "points": points,
        "chart": progress_svg(points, len(mentorship.goals)),
        "next_date": next_session_date(mentorship, sessions, today),
    }


@router.get("/mentorships/{mentorship_id}")
def mentorship_page(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal
) -> Response:
    if principal.role == "mentee":
        return mentee_page(request, mentorship_id, companion, principal)
    mentorship = load(companion, principal, mentorship_id)
    sessions = companion.memory.list_sessions(
        principal.tenant,
        mentorship_id,
        viewer_person_id=viewer(principal),
        include_private_notes=sees_private(principal),
    )
    decisions = companion.memory.list_decisions(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))
    return render(
        request,
        "mentorship.html",
        mentorship=mentorship,
        sessions=sessions,
        decisions=decisions,
        **progress_values(companion, principal, mentorship, sessions),
    )


@router.post("/mentorships/{mentorship_id}/action-items/{item_id}")
def toggle_action_item(
    request: Request,
    mentorship_id: MentorshipId,
    item_id: ItemId,
    companion: CompanionDep,
    principal: WebPrincipal,
    form: Form,
) -> Response:
    done = form_value(form, "done") == "1"
    companion.memory.set_action_item_done(
        principal.tenant, mentorship_id, item_id, done, viewer_person_id=viewer(principal)
    )
    back = safe_next(form_value(form, "back") or f"/mentorships/{mentorship_id}")
    return redirect(back)


# --------------------------------------------------------------------------------------
# Prepare a session
# --------------------------------------------------------------------------------------
def plan_state(form: FormData) -> dict[str, Any]:
    """What the prepare form carries between requests: the settings and, once generated, the plan."""
    state: dict[str, Any] = {
        "date": parse_date(form_value(form, "date"), "Session date") or dt.date.today(),
        "duration": parse_int(form_value(form, "duration") or "45", "Session length (minutes)", 10, 240),
        "focus": form_value(form, "focus"),
        "session_id": form_value(form, "session_id") or None,
        "agenda": None,
        "icebreakers": None,
    }
    try:
        if form_value(form, "agenda_json"):
            state["agenda"] = schemas.Agenda.model_validate_json(form_value(form, "agenda_json"))
        if form_value(form, "icebreakers_json"):
            state["icebreakers"] = schemas.Icebreakers.model_validate_json(form_value(form, "icebreakers_json"))
    except ValidationError:
        raise FormError("The plan on this page could not be read back; please generate it again.") from None
    minutes = form_values(form, "minutes")
    if state["agenda"] is not None and minutes:
        items = state["agenda"].items
        if len(minutes) != len(items):
            raise FormError("The agenda changed while you edited it; please generate it again.")
        values = [parse_int(m, f"Minutes for “{item.title}”", 1, 240) for m, item in zip(minutes, items, strict=True)]
        values = rebalance(values, state["duration"])
        for item, value in zip(items, values, strict=True):
            item.minutes = value
        state["agenda"].total_minutes = state["duration"]
    return state


def plan_context(
    companion: Companion, principal: Principal, mentorship_id: str, state: dict[str, Any]
) -> tuple[schemas.MentoringContext, Any]:
    """The stored context with this plan's session (the saved session's number, else the next one)."""
    patch = ContextPatch()
    if state["icebreakers"] is not None:
        patch.previous_icebreakers = [q.text for q in state["icebreakers"].questions]
    context, mentor_person = build_context(companion, principal, patch, mentorship_id)
    number = context.session.number
    if state["session_id"]:
        number = companion.memory.get_session(
            principal.tenant, mentorship_id, state["session_id"], viewer_person_id=viewer(principal)
        ).number
    try:
        session = schemas.SessionInfo(
            number=min(number, 1000),
            duration_minutes=state["duration"],
            focus=comma_list(state["focus"]),
            date=state["date"],
        )
    except ValidationError as exc:
        raise FormError(readable_validation(exc)) from None
    return context.model_copy(update={"session": session}), principal.audience("agenda", mentor_person)


def plan_values(
    companion: Companion, principal: Principal, mentorship: MentorshipPublic, state: dict[str, Any], number: int
) -> dict[str, Any]:
    agenda, icebreakers = state["agenda"], state["icebreakers"]
    citations = [c for item in agenda.items for c in item.citations] if agenda else []
    citations += [c for q in icebreakers.questions for c in q.citations] if icebreakers else []
    return {
        "mentorship": mentorship,
        "state": state,
        "number": number,
        "agenda": agenda,
        "icebreakers": icebreakers,
        "passages": citation_passages(companion, principal, citations),
        "agenda_json": agenda.model_dump_json() if agenda else "",
        "icebreakers_json": icebreakers.model_dump_json() if icebreakers else "",
    }


@router.get("/mentorships/{mentorship_id}/prepare")
def prepare_page(
    request: Request,
    mentorship_id: MentorshipId,
    companion: CompanionDep,
    principal: WebPrincipal,
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "prepare sessions")
    session_id = request.query_params.get("session")
    today = dt.date.today()
    sessions = companion.memory.list_sessions(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))
    duration = mentorship.cadence.session_minutes if mentorship.cadence else 45
    # The next planned date of the goal plan's schedule after the last saved session, else today.
    after = max([today - dt.timedelta(days=1), *(s.date for s in sessions)])
    planned = [d for d in mentorship.cadence.sessions if d > after] if mentorship.cadence else []
    date = min(planned, default=today)
    number = (max((s.number for s in sessions), default=0)) + 1
    if session_id:
        existing = companion.memory.get_session(
            principal.tenant, mentorship_id, session_id, viewer_person_id=viewer(principal)
        )
        date, number = existing.date, existing.number
        if existing.agenda is not None:
            duration = existing.agenda.total_minutes
    state = {
        "date": date,
        "duration": duration,
        "focus": "",
        "session_id": session_id,
        "agenda": None,
        "icebreakers": None,
    }
    return render(request, "prepare.html", **plan_values(companion, principal, mentorship, state, number))


def prepare_job(
    companion: Companion,
    principal: Principal,
    mentorship: MentorshipPublic,
    state: dict[str, Any],
) -> Job:
    context, audience = plan_context(companion, principal, mentorship.id, state)
    state["agenda"] = yield from generate_step(companion, "agenda", context, audience, "Agenda")
    state["icebreakers"] = yield from generate_step(companion, "icebreakers", context, audience, "Icebreakers")
    yield "progress", "Done"
    yield "done", plan_values(companion, principal, mentorship, state, context.session.number)


@router.post("/mentorships/{mentorship_id}/prepare")
def prepare(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal, form: Form
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "prepare sessions")
    state = plan_state(form)
    state["agenda"] = state["icebreakers"] = None
    job = prepare_job(companion, principal, mentorship, state)
    return respond(request, job, "prepare.html", "_plan.html")


def swap_job(
    companion: Companion, principal: Principal, mentorship: MentorshipPublic, state: dict[str, Any], index: int | None
) -> Job:
    """Swap one icebreaker (index) or all of them (None) for questions not asked before."""
    current = state["icebreakers"]
    context, audience = plan_context(companion, principal, mentorship.id, state)
    fresh = yield from generate_step(companion, "icebreakers", context, audience, "Icebreakers")
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
    yield "done", plan_values(companion, principal, mentorship, state, context.session.number)


@router.post("/mentorships/{mentorship_id}/prepare/icebreakers")
def swap_icebreakers(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal, form: Form
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "prepare sessions")
    state = plan_state(form)
    action = form_value(form, "swap")
    index = None if action in ("", "all") else parse_int(action, "Icebreaker", 0, 50)
    return respond(request, swap_job(companion, principal, mentorship, state, index), "prepare.html", "_plan.html")


@router.post("/mentorships/{mentorship_id}/prepare/save")
def save_plan(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal, form: Form
) -> Response:
    mentor_side(companion, principal, mentorship_id, "save session plans")
    state = plan_state(form)
    agenda, icebreakers = state["agenda"], state["icebreakers"]
    if agenda is None:
        raise FormError("Generate an agenda first, then save it.")
    cited = [c for item in agenda.items for c in item.citations] + list(agenda.citations)
    passages = citation_passages(companion, principal, cited)
    for item in agenda.items:
        item.citations = keep_known_citations(item.citations, passages)
    agenda.citations = keep_known_citations(agenda.citations, passages)
    chosen = [q for q in form_values(form, "icebreaker") if q.strip()]
    if not chosen and icebreakers is not None:
        chosen = [q.text for q in icebreakers.questions]
    person = viewer(principal)
    if state["session_id"]:
        session = companion.memory.update_session_plan(
            principal.tenant,
            mentorship_id,
            state["session_id"],
            SessionPlanUpdate(date=state["date"], agenda=agenda, icebreakers_asked=chosen),
            viewer_person_id=person,
            include_private_notes=False,
        )
    else:
        session = companion.memory.add_session(
            principal.tenant,
            mentorship_id,
            SessionCreate(date=state["date"], agenda=agenda, icebreakers_asked=chosen),
            viewer_person_id=person,
        )
    return redirect(f"/mentorships/{mentorship_id}/sessions/{session.id}?saved=1")


# --------------------------------------------------------------------------------------
# After the session
# --------------------------------------------------------------------------------------
def session_values(companion: Companion, principal: Principal, mentorship_id: str, session_id: str) -> dict[str, Any]:
    mentorship = load(companion, principal, mentorship_id)
    session = companion.memory.get_session(
        principal.tenant,
        mentorship_id,
        session_id,
        viewer_person_id=viewer(principal),
        include_private_notes=sees_private(principal),
    )
    cited = [c for item in session.agenda.items for c in item.citations] if session.agenda else []
    return {
        "mentorship": mentorship,
        "session": session,
        "feedback": session.feedback,
        "passages": citation_passages(companion, principal, cited),
    }


@router.get("/mentorships/{mentorship_id}/sessions/{session_id}")
def session_page(
    request: Request, mentorship_id: MentorshipId, session_id: ItemId, companion: CompanionDep, principal: WebPrincipal
) -> Response:
    require_roles(principal, *MENTOR_SIDE, what="open the mentor's session page")
    values = session_values(companion, principal, mentorship_id, session_id)
    return render(
        request,
        "session.html",
        note_rows=NOTE_ROWS,
        saved=request.query_params.get("saved") == "1",
        can_private=sees_private(principal),
        **values,
    )


def feedback_job(
    companion: Companion, principal: Principal, mentorship_id: str, values: dict[str, Any], saved: int
) -> Job:
    """The feedback summary of a session's notes (already stored), saved with the session."""
    if saved:
        yield "progress", f"Saved {saved} note{'s' if saved != 1 else ''}"
    session: SessionPublic = values["session"]
    text = "\n\n".join(note.text for note in session.notes)
    patch = ContextPatch(notes=text, session=schemas.SessionInfo(number=min(session.number, 1000), date=session.date))
    context, mentor_person = build_context(companion, principal, patch, mentorship_id)
    feedback = yield from generate_step(
        companion, "feedback", context, principal.audience("feedback", mentor_person), "Summary"
    )
    assert isinstance(feedback, schemas.FeedbackSummary)
    companion.memory.save_feedback(
        principal.tenant,
        mentorship_id,
        session.id,
        feedback,
        viewer_person_id=viewer(principal),
        include_private_notes=False,
    )
    yield "progress", "Done"
    yield "done", {**values, "feedback": feedback}


@router.post("/mentorships/{mentorship_id}/sessions/{session_id}/notes")
def add_notes(
    request: Request,
    mentorship_id: MentorshipId,
    session_id: ItemId,
    companion: CompanionDep,
    principal: WebPrincipal,
    form: Form,
) -> Response:
    require_roles(principal, *MENTOR_SIDE, what="write session notes")
    texts, visibilities = form_values(form, "note_text"), form_values(form, "note_visibility")
    notes = []
    for position, text in enumerate(texts):
        if not text.strip():
            continue
        visibility = visibilities[position] if position < len(visibilities) else "shared"
        if visibility == "mentor_private" and not sees_private(principal):
            raise FormError("Only the mentor can write private notes.")
        try:
            notes.append(NoteCreate(text=text, visibility=visibility))  # type: ignore[arg-type]
        except ValidationError as exc:
            raise FormError(f"Note {position + 1}: {readable_validation(exc)}") from None
    # Notes are stored before any generation starts: a failed or abandoned summary never loses them.
    if notes:
        companion.memory.add_notes(
            principal.tenant,
            mentorship_id,
            session_id,
            notes,
            viewer_person_id=viewer(principal),
            include_private_notes=False,
        )
    values = session_values(companion, principal, mentorship_id, session_id)
    if not values["session"].notes:
        raise FormError("Write at least one note first: the summary is made from your notes.")
    job = feedback_job(companion, principal, mentorship_id, values, len(notes))
    return respond(
        request,
        job,
        "session.html",
        "_after.html",
        note_rows=NOTE_ROWS,
        saved=False,
        can_private=sees_private(principal),
    )


@router.post("/mentorships/{mentorship_id}/sessions/{session_id}/action-items")
def save_action_items(
    request: Request,
    mentorship_id: MentorshipId,
    session_id: ItemId,
    companion: CompanionDep,
    principal: WebPrincipal,
    form: Form,
) -> Response:
    require_roles(principal, *MENTOR_SIDE, what="save action items")
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
    companion.memory.add_action_items(
        principal.tenant, mentorship_id, items, session_id=session_id, viewer_person_id=viewer(principal)
    )
    return redirect(f"/mentorships/{mentorship_id}/sessions/{session_id}?items={len(items)}#action-items")


# --------------------------------------------------------------------------------------
# Exports: Markdown and printable pages
# --------------------------------------------------------------------------------------
def export_output(
    companion: Companion, principal: Principal, mentorship_id: str, session_id: str, what: str
) -> tuple[schemas._Output, str, dict[str, Any]]:
    require_roles(principal, *MENTOR_SIDE, what="export session documents")
    values = session_values(companion, principal, mentorship_id, session_id)
    output = values["session"].agenda if what == "agenda" else values["feedback"]
    if output is None:
        missing = "no agenda has been saved" if what == "agenda" else "no summary has been made"
        raise ApiError(404, "Not found", f"Session {values['session'].number}: {missing} yet.")
    context = export_context(companion, principal, values["mentorship"], values["session"])
    return output, render_markdown(output, context), values


@router.get("/mentorships/{mentorship_id}/sessions/{session_id}/{what}.md")
def export_markdown(
    mentorship_id: MentorshipId,
    session_id: ItemId,
    what: Annotated[str, Path(pattern="^(agenda|feedback)$")],
    companion: CompanionDep,
    principal: WebPrincipal,
) -> Response:
    _output, markdown, values = export_output(companion, principal, mentorship_id, session_id, what)
    filename = f"session-{values['session'].number}-{what}.md"
    return PlainTextResponse(
        markdown,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/mentorships/{mentorship_id}/sessions/{session_id}/{what}/print")
def export_print(
    request: Request,
    mentorship_id: MentorshipId,
    session_id: ItemId,
    what: Annotated[str, Path(pattern="^(agenda|feedback)$")],
    companion: CompanionDep,
    principal: WebPrincipal,
) -> Response:
    output, markdown, values = export_output(companion, principal, mentorship_id, session_id, what)
    return render(request, "print.html", what=what, output=output, markdown=markdown, **values)


# --------------------------------------------------------------------------------------
# Mentee view
# --------------------------------------------------------------------------------------
def mentee_values(companion: Companion, principal: Principal, mentorship_id: str) -> dict[str, Any]:
    """Only what the mentee may see: shared notes, their goals and items; never a private note."""
    mentorship = load(companion, principal, mentorship_id)
    sessions = companion.memory.list_sessions(
        principal.tenant, mentorship_id, viewer_person_id=viewer(principal), include_private_notes=False
    )
    values = progress_values(companion, principal, mentorship, sessions)
    groups = values["progress"].action_items
    items = [*groups.overdue, *groups.open, *groups.done]
    held = [s for s in sessions if s.date <= dt.date.today()]
    return {
        "mentorship": mentorship,
        "last_session": (held or sessions)[-1] if sessions else None,
        "my_items": [i for i in items if is_mentee_item(i, mentorship)],
        "other_items": [i for i in items if not is_mentee_item(i, mentorship)],
        "preview": principal.role != "mentee",
        **values,
    }


@router.get("/mentorships/{mentorship_id}/mentee")
def mentee_page(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal
) -> Response:
    return render(request, "mentee.html", reflection=None, **mentee_values(companion, principal, mentorship_id))


def reflection_job(companion: Companion, principal: Principal, mentorship_id: str) -> Job:
    values = mentee_values(companion, principal, mentorship_id)
    last: SessionPublic | None = values["last_session"]
    patch = ContextPatch()
    if last is not None:
        shared = [note.text for note in last.notes if note.visibility == "shared"]
        patch = ContextPatch(
            notes="\n\n".join(shared) or None,
            session=schemas.SessionInfo(number=min(last.number, 1000), date=last.date),
        )
    context, _mentor = build_context(companion, principal, patch, mentorship_id)
    audience = principal.audience("reflection")
    reflection = yield from generate_step(companion, "reflection", context, audience, "Reflection prompts")
    passages = citation_passages(companion, principal, [c for p in reflection.prompts for c in p.citations])
    yield "done", {**values, "reflection": reflection, "passages": passages}


@router.post("/mentorships/{mentorship_id}/reflection")
def reflection(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal
) -> Response:
    return respond(request, reflection_job(companion, principal, mentorship_id), "mentee.html", "_reflection.html")


# --------------------------------------------------------------------------------------
# Decision workbench
# --------------------------------------------------------------------------------------
@router.get("/mentorships/{mentorship_id}/decisions")
def decisions_page(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "use the decision workbench")
    decisions = companion.memory.list_decisions(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))
    return render(request, "decisions.html", mentorship=mentorship, decisions=decisions, framework=None, values={})


def decision_job(
    companion: Companion, principal: Principal, mentorship: MentorshipPublic, decision: schemas.DecisionInput
) -> Job:
    context, mentor_person = build_context(companion, principal, ContextPatch(decision=decision), mentorship.id)
    audience = principal.audience("decision", mentor_person)
    framework = yield from generate_step(companion, "decision", context, audience, "Decision framework")
    passages = citation_passages(companion, principal, framework.relevant_experience + framework.citations)
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
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal, form: Form
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "use the decision workbench")
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
    decisions = companion.memory.list_decisions(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))
    job = decision_job(companion, principal, mentorship, decision)
    return respond(request, job, "decisions.html", "_decision.html", decisions=decisions, values=values)


@router.post("/mentorships/{mentorship_id}/decisions/save")
def save_decision(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal, form: Form
) -> Response:
    require_roles(principal, *MENTOR_SIDE, what="save decisions")
    try:
        framework = schemas.DecisionFramework.model_validate_json(form_value(form, "framework_json"))
    except ValidationError:
        raise FormError("The framework on this page could not be read back; please generate it again.") from None
    check_in = parse_date(form_value(form, "check_in_date"), "Check-in date")
    if check_in is not None:
        framework.check_in_date = check_in
    passages = citation_passages(companion, principal, framework.relevant_experience + framework.citations)
    framework.relevant_experience = keep_known_citations(framework.relevant_experience, passages)
    framework.citations = keep_known_citations(framework.citations, passages)
    saved = companion.memory.save_decision(
        principal.tenant, mentorship_id, framework, viewer_person_id=viewer(principal)
    )
    return redirect(f"/mentorships/{mentorship_id}/decisions/{saved.id}")


@router.get("/mentorships/{mentorship_id}/decisions/{decision_id}")
def decision_page(
    request: Request, mentorship_id: MentorshipId, decision_id: ItemId, companion: CompanionDep, principal: WebPrincipal
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "use the decision workbench")
    saved = companion.memory.get_decision(
        principal.tenant, mentorship_id, decision_id, viewer_person_id=viewer(principal)
    )
    framework = saved.framework
    passages = citation_passages(companion, principal, framework.relevant_experience + framework.citations)
    return render(request, "decision.html", mentorship=mentorship, saved=saved, framework=framework, passages=passages)


@router.post("/mentorships/{mentorship_id}/decisions/{decision_id}/check-in")
def check_in_decision(
    request: Request,
    mentorship_id: MentorshipId,
    decision_id: ItemId,
    companion: CompanionDep,
    principal: WebPrincipal,
    form: Form,
) -> Response:
    mentor_side(companion, principal, mentorship_id, "check in on decisions")
    try:
        check_in = DecisionCheckIn(outcome=form_value(form, "outcome"))
    except ValidationError as exc:
        raise FormError(f"What happened: {readable_validation(exc).removeprefix('outcome: ')}") from None
    companion.memory.check_in_decision(
        principal.tenant, mentorship_id, decision_id, check_in, viewer_person_id=viewer(principal)
    )
    return redirect(f"/mentorships/{mentorship_id}/decisions/{decision_id}")


# --------------------------------------------------------------------------------------
# Goal plan and schedule
# --------------------------------------------------------------------------------------
@router.get("/mentorships/{mentorship_id}/goals")
def goals_page(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "make goal plans")
    return render(request, "goals.html", mentorship=mentorship, plan=None, passages={})


def goals_job(companion: Companion, principal: Principal, mentorship: MentorshipPublic, start: dt.date) -> Job:
    context, mentor_person = build_context(companion, principal, ContextPatch(today=start), mentorship.id)
    plan = yield from generate_step(
        companion, "goals", context, principal.audience("goals", mentor_person), "Goal plan"
    )
    assert isinstance(plan, schemas.GoalPlan)
    remember(companion, principal, mentorship.id, plan)
    yield "progress", "Saved the meeting schedule"
    passages = citation_passages(companion, principal, [c for g in plan.goals for c in g.citations])
    yield "done", {"mentorship": load(companion, principal, mentorship.id), "plan": plan, "passages": passages}


@router.post("/mentorships/{mentorship_id}/goals")
def make_goal_plan(
    request: Request, mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal, form: Form
) -> Response:
    mentorship = mentor_side(companion, principal, mentorship_id, "make goal plans")
    start = parse_date(form_value(form, "start"), "Start date") or dt.date.today()
    return respond(request, goals_job(companion, principal, mentorship, start), "goals.html", "_goals.html")


@router.get("/mentorships/{mentorship_id}/schedule.ics")
def schedule(mentorship_id: MentorshipId, companion: CompanionDep, principal: WebPrincipal) -> Response:
    mentorship = load(companion, principal, mentorship_id)
    sessions = companion.memory.list_sessions(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))
    body = schedule_ics(mentorship, sessions)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mentoring-schedule.ics"'},
    )

"""Markdown for people: what a mentor pastes into a calendar invite or sends after a session.

The JSON output model is the contract; this is a readable view of it, with a short list of
sources and one line saying which generator wrote it.

No raw HTML: the text in an output comes from people (names, goals, notes), from the knowledge
base and from an LLM, and a Markdown viewer would render a `<script>` or `<img onerror=...>` in it
as HTML. The renderers below write no `<` or `>` of their own, so the finished document has every
`<` and `>` escaped (`&lt;`, `&gt;`, which Markdown shows as the characters themselves).
"""

from __future__ import annotations

from companion.schemas import (
    ActionItem,
    Agenda,
    Citation,
    DecisionFramework,
    FeedbackSummary,
    GoalPlan,
    Icebreakers,
    MentoringContext,
    ReflectionPrompts,
    _Output,
)

HEADING_SEPARATOR = " > "


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _owner(owner: str | None, context: MentoringContext | None) -> str | None:
    """'mentee' and 'mentor' read better as names in a message both people see."""
    if context is not None and owner == "mentee":
        return context.mentee.name.split()[0]
    if context is not None and owner == "mentor" and context.mentor.name:
        return context.mentor.name.split()[0]
    return owner


def _action_line(item: ActionItem, context: MentoringContext | None) -> str:
    owner = _owner(item.owner, context)
    details = [owner] if owner else []
    if item.due is not None:
        overdue = context is not None and not item.done and item.due < context.reference_date
        details.append(f"due {item.due.isoformat()}" + (", overdue" if overdue else ""))
    suffix = f" ({', '.join(details)})" if details else ""
    return f"- [{'x' if item.done else ' '}] {item.text}{suffix}"


def _bullets(items: list[str]) -> list[str]:
    return [f"- {item}" for item in items]


def _section(title: str, body: list[str]) -> list[str]:
    return [f"### {title}", "", *body, ""] if body else []


def _who(context: MentoringContext | None) -> str:
    if context is None:
        return ""
    return f" with {context.mentee.name}"


def render_agenda(agenda: Agenda, context: MentoringContext | None) -> list[str]:
    session = f"Session {context.session.number}" if context is not None else "Session"
    lines = [f"## {session}{_who(context)}: agenda ({agenda.total_minutes} minutes)", ""]
    if context is not None and context.session.date is not None:
        lines += [f"Date: {context.session.date.isoformat()}", ""]
    start = 0
    for number, item in enumerate(agenda.items, start=1):
        end = start + item.minutes
        lines.append(f"{number}. **{_clock(start)}–{_clock(end)} {item.title}** ({item.minutes} min)  ")
        lines.append(f"   {item.purpose}")
        lines += [f"   - {prompt}" for prompt in item.prompts]
        start = end
    lines.append("")
    lines += _section("Carried forward", [_action_line(a, context) for a in agenda.carried_forward])
    return lines


def render_icebreakers(output: Icebreakers, context: MentoringContext | None) -> list[str]:
    lines = [f"## Icebreakers{_who(context)}", ""]
    for number, question in enumerate(output.questions, start=1):
        lines += [f"{number}. {question.text}  ", f"   _Why:_ {question.why}"]
    return [*lines, ""]


def render_feedback(output: FeedbackSummary, context: MentoringContext | None) -> list[str]:
    lines = [f"## Session summary{_who(context)}", ""]
    if output.language_note:
        lines += [f"_{output.language_note}_", ""]
    lines += [output.summary, ""]
    if output.topics:
        lines += [f"**Topics:** {', '.join(output.topics)}", ""]
    lines += _section("Decisions", _bullets(output.decisions))
    confirm = output.to_confirm
    owed = output.mentor_owes
    own = [a for a in output.action_items if a not in confirm and not (owed and a.owner == "mentor")]
    lines += _section("Action items", [_action_line(a, context) for a in own])
    lines += _section("What I owe you", [_action_line(a, context) for a in owed])
    if confirm:
        guessed = any(a.owner for a in confirm)
        ask = (
            "Who takes these is not settled yet (a name in brackets is the notes' best guess); tell me if one is yours."
            if guessed
            else "The notes do not say who takes these; tell me if one is yours."
        )
        lines += _section("To confirm", [ask, "", *[_action_line(a, context) for a in confirm]])
    earlier = [a for a in output.previous_items if a not in owed]
    lines += _section("From last time", [_previous_line(a, context) for a in earlier])
    lines += _section("Next time", _bullets(output.next_time))
    lines += _section("Strengths", _bullets(output.strengths))
    lines += _section("To work on", _bullets(output.growth_areas))
    if output.wellbeing_note:
        lines += _section("How you are doing", [output.wellbeing_note])
    lines += _section("Feedback to share (SBI)", _bullets([s.text for s in output.feedback_statements]))
    lines += _section("Questions for self-assessment", _bullets(output.self_assessment_questions))
    if output.follow_up_message:
        # one paragraph per line, as the message reads (no blockquote: the renderers write no `>` of their own)
        message = [line for line in output.follow_up_message.splitlines() if line.strip()]
        lines += _section("Follow-up message", "\n\n".join(message).splitlines())
    return lines


def _previous_line(item: ActionItem, context: MentoringContext | None) -> str:
    """An item from before the session: done when the notes say so; otherwise the notes do not say, so say that."""
    line = _action_line(item, context)
    status = "done, as the notes say" if item.done else "not marked done in the notes"
    has_details = bool(_owner(item.owner, context)) or item.due is not None
    return f"{line[:-1]}; {status})" if has_details else f"{line} ({status})"


def _guide_line(citations: list[Citation]) -> list[str]:
    """The framework guide a section follows, in one line under its heading."""
    guides = [c for c in citations if not c.source.startswith("banks/")] or citations
    if not guides:
        return []
    names = "; ".join(c.heading.replace(HEADING_SEPARATOR, " › ") for c in guides[:2])
    return [f"_Following: {names}_", ""]


def render_decision(output: DecisionFramework, context: MentoringContext | None) -> list[str]:
    level = output.reversibility.level.replace("_", " ")
    lines = [f"## Decision: {output.decision}", "", f"**Reversibility:** {level}. {output.reversibility.reason}", ""]
    lines += _section("Criteria", _bullets(output.criteria))
    options: list[str] = []
    for option in output.options:
        reversibility = option.reversibility
        options += [
            f"**{option.name}**",
            *(
                [f"- Reversibility: {reversibility.level.replace('_', ' ')} — {_lower_first(reversibility.reason)}"]
                if reversibility is not None
                else []
            ),
            f"- Upside: {option.upside}",
            f"- Downside: {option.downside}",
            f"- Worst case: {option.worst_case}",
            f"- Mitigation: {option.mitigation}",
            *[f"- From the notes: {line}" for line in option.from_notes],
        ]
        if option.questions:
            options += ["- Ask:", *[f"  - {question}" for question in option.questions]]
        options.append("")
    lines += _section("Options", options[:-1])
    if output.premortem:
        lines += _section("Pre-mortem", _guide_line(output.premortem_citations) + _bullets(output.premortem))
    if output.ten_ten_ten:
        lines += _section("10/10/10", _guide_line(output.ten_ten_ten_citations) + _bullets(output.ten_ten_ten))
    lines += _section("Questions to work through", _bullets(output.questions_for_mentor))
    lines += _section("A small experiment first", [*_guide_line(output.experiment_citations), output.experiment])
    lines += _section("Next steps", _bullets(output.next_steps))
    if output.check_in_date is not None:
        lines += [f"**Check-in:** {output.check_in_date.isoformat()}", ""]
    lines += _section("Relevant experience", _bullets([c.title for c in output.relevant_experience]))
    return lines


def render_reflection(output: ReflectionPrompts, context: MentoringContext | None) -> list[str]:
    lines = [
        "## Reflection prompts",
        "",
        "Pick two or three and write a few lines on each before the next session.",
        "",
    ]
    session = [p.text for p in output.prompts if p.from_session and p.goal is None]
    if session:
        lines += _section("About today's session", _bullets(session))
    goals: list[str | None] = []
    for prompt in output.prompts:
        if prompt.goal not in goals and not (prompt.from_session and prompt.goal is None):
            goals.append(prompt.goal)
    for goal in goals:
        title = f"For your goal: {goal}" if goal else "General"
        texts = [p.text for p in output.prompts if p.goal == goal and not (p.from_session and goal is None)]
        lines += _section(title, _bullets(texts))
    return lines


def render_goals(output: GoalPlan, context: MentoringContext | None) -> list[str]:
    lines = [f"## Goal plan{_who(context)}", ""]
    for number, goal in enumerate(output.goals, start=1):
        body = [
            f"- **Specific:** {goal.specific}",
            f"- **Measurable:** {goal.measurable}",
            f"- **Achievable:** {goal.achievable}",
            f"- **Relevant:** {goal.relevant}",
            f"- **Time-bound:** {goal.time_bound}",
            "",
            "Milestones:",
            "",
            *[f"- [ ] {m.text}" + (f" (by {m.due.isoformat()})" if m.due else "") for m in goal.milestones],
        ]
        lines += _section(f"{number}. {goal.statement}", body)
    cadence = output.cadence
    if cadence.sessions:
        dates = ", ".join(day.isoformat() for day in cadence.sessions)
        body = [
            f"Meet {cadence.frequency} on {cadence.meeting_day}, {cadence.session_minutes} minutes each.",
            "",
            f"Sessions: {dates}",
        ]
        if cadence.ends_on is not None:
            body += ["", f"Last planned session: {cadence.ends_on.isoformat()}"]
    else:
        body = ["No further sessions are planned."]
    if cadence.basis:
        body += ["", *_bullets(cadence.basis)]
    lines += _section("Cadence", body)
    return lines


def render_sources(citations: list[Citation]) -> list[str]:
    """One line per source section: bank items of one section collapse into a single entry."""
    seen: list[tuple[str, str]] = []
    for citation in citations:
        key = (citation.source, citation.heading)
        if key not in seen:
            seen.append(key)
    lines = [f"- {heading.replace(HEADING_SEPARATOR, ' › ')} (`{source}`)" for source, heading in seen]
    return _section("Sources", lines)


def render_footer(output: _Output, *, notes: bool = True) -> list[str]:
    """Who wrote it and, for the mentor reading it, the generator's notes on what it skipped or assumed."""
    info = output.generator
    line = f"_Written by the {info.provider} generator ({info.model}, {info.prompt_version})"
    if info.fallback_reason:
        line += f"; the LLM was not used: {info.fallback_reason}"
    lines = [line + "._"]
    lines += [f"_{note}_" for note in info.notes] if notes else []
    return lines


def escape_html(text: str) -> str:
    """`<` and `>` as character references, so no text can open an HTML tag, comment or autolink."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def markdown_document(output: _Output, body: list[str], *, generator_notes: bool = True) -> str:
    """A task's Markdown body with the sources and the footer every output gets, HTML escaped. Without
    `generator_notes`, for a document that leaves the mentor's hands (a calendar invite, a printout)."""
    lines = body + render_sources(output.citations) + render_footer(output, notes=generator_notes)
    return escape_html("\n".join(lines).rstrip() + "\n")


def _lower_first(reason: str) -> str:
    """A reason continuing the level in one sentence: 'irreversible — a layoff cannot be taken back.'"""
    return reason[:1].lower() + reason[1:] if reason[:2] != "I " else reason

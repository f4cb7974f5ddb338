"""The goal plan's meeting schedule as an iCalendar (.ics) file, built with `icalendar`.

One event per planned session date in the mentorship's cadence (set by its latest goal plan):

- **Stable UIDs.** An event's UID is derived from the mentorship id and the session date only, so
  importing a newer export updates the events already in the calendar instead of duplicating them
  (DTSTAMP, the export time, tells the calendar which copy is newer).
- **Floating local time.** Events start at `start_time` (09:00 by default) in whatever time zone the
  calendar shows, and last the cadence's `session_minutes`. A mentoring pair shares a schedule, not
  necessarily a time zone, and the cadence only knows the day.
- **What goes in.** The summary names the mentor and the mentee; when a stored session on that date
  has an agenda, the description lists its items (title, minutes, purpose). Never note text, feedback,
  icebreakers or action items: a calendar is shared, synced and forwarded, and private notes must
  not travel with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event, vText

from companion.memory.schemas import MentorshipPublic, SessionPublic
from companion.schemas import Agenda

PRODUCT_ID = "-//Mentor Companion//Meeting schedule//EN"
UID_DOMAIN = "mentor-companion"
DEFAULT_START_TIME = dt.time(9, 0)


class NoMeetingSchedule(LookupError):
    """The mentorship has no goal plan yet, so there are no planned session dates to export.

    The API answers 409 Conflict, not 404: the mentorship exists and the caller may see it (a 404
    here means "no such mentorship in your tenant"), and the export only fails because of the
    mentorship's current state, which the caller can change by making a goal plan. Keeping 404 for
    unknown and foreign ids also keeps the two cases apart for clients without reading the text.
    """

    def __init__(self, mentorship_id: str) -> None:
        self.mentorship_id = mentorship_id
        super().__init__(f"mentorship {mentorship_id!r} has no meeting schedule yet: make a goal plan first")


def event_uid(mentorship_id: str, day: dt.date) -> str:
    """The same UID for the same mentorship and date in every export."""
    return f"mentorship-{mentorship_id}-session-{day:%Y%m%d}@{UID_DOMAIN}"


def schedule_filename(mentorship: MentorshipPublic) -> str:
    """An ASCII file name for the download (people's names may not be)."""
    return f"mentoring-schedule-{mentorship.id}.ics"


def one_line(text: str) -> str:
    """Whitespace (line breaks included) collapsed to single spaces."""
    return " ".join(text.split())


def agenda_text(agenda: Agenda) -> str:
    """The agenda as plain text: one line per item with its minutes and purpose."""
    lines = [f"Agenda ({agenda.total_minutes} minutes):"]
    for number, item in enumerate(agenda.items, start=1):
        lines.append(f"{number}. {one_line(item.title)} ({item.minutes} min): {one_line(item.purpose)}")
    return "\n".join(lines)


MAX_SESSION_MINUTES = 24 * 60


def session_end(start: dt.datetime, minutes: int) -> dt.datetime:
    """When a session of `minutes` (held to 1 minute .. one day) that begins at `start` ends; a session
    that would run past the last moment a datetime can hold ends there instead of overflowing."""
    length = dt.timedelta(minutes=min(max(minutes, 1), MAX_SESSION_MINUTES))
    return start + length if start <= dt.datetime.max - length else dt.datetime.max.replace(microsecond=0)


def schedule_ics(
    mentorship: MentorshipPublic,
    sessions: Sequence[SessionPublic] = (),
    *,
    start_time: dt.time = DEFAULT_START_TIME,
    now: dt.datetime | None = None,
) -> bytes:
    """The cadence's planned sessions as an .ics calendar (UTF-8 bytes).

    `sessions` are the mentorship's stored sessions; only their date and agenda are read (when
    several fall on one date, the latest with an agenda is used). `now` is the DTSTAMP (default: the
    current UTC time). Raises NoMeetingSchedule when the mentorship has no cadence.
    """
    cadence = mentorship.cadence
    if cadence is None or not cadence.sessions:
        raise NoMeetingSchedule(mentorship.id)
    if start_time.tzinfo is not None:
        raise ValueError("start_time must be a local (naive) time: events use floating time")
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    mentor = one_line(mentorship.mentor.name or "") or "mentor"
    mentee = one_line(mentorship.mentee.name) or "mentee"
    agendas: dict[dt.date, Agenda] = {}
    for session in sorted(sessions, key=lambda s: s.number):
        if session.agenda is not None:
            agendas[session.date] = session.agenda

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(f"Mentoring: {mentor} & {mentee}"))
    for number, day in enumerate(sorted(set(cadence.sessions)), start=1):
        start = dt.datetime.combine(day, start_time)
        event = Event()
        event.add("uid", event_uid(mentorship.id, day))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", session_end(start, cadence.session_minutes))
        event.add("summary", f"Mentoring: {mentor} & {mentee} — session {number}")
        if day in agendas:
            event.add("description", agenda_text(agendas[day]))
        calendar.add_component(event)
    return calendar.to_ical()

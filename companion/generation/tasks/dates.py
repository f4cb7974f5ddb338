"""Turn the date phrases people write in notes and goals into dates, relative to a reference day.

Every function takes the reference date explicitly, so the same text always gives the same
date for the same context: nothing here reads the clock.

A phrase whose date would fall more than `MAX_YEARS_AWAY` years from the reference, outside the
dates the service accepts (`schemas.EARLIEST_DATE` to `schemas.LATEST_DATE`), or outside what
`datetime.date` can hold ("in 600000 weeks", "in 99999999999 days", "by Q4" on 9999-12-31) is not
read as a date: the phrase is ignored, as if it named none. So every date found here can be stored
and sent back.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from companion.schemas import EARLIEST_DATE, LATEST_DATE

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ABBREVIATIONS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}
_WEEKDAY_ABBREVIATIONS |= {"sat": 5, "sun": 6}
MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): index for index, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple of": 2,
    "few": 3,
}

_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = (
    r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b"
)
_COUNT = r"(?P<count>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple of|few)"
_LEAD = r"(?:(?:by|before|on|due|until|til|till)\s+)"

MAX_YEARS_AWAY = 100
"""A date further than this from the reference date (either way) is not a due date or deadline."""
MAX_DAYS_AWAY = MAX_YEARS_AWAY * 366


@dataclass(frozen=True)
class DatePhrase:
    """A date found in text, and where: callers remove the phrase once it is a field of its own."""

    date: dt.date
    start: int
    end: int


def plausible(date: dt.date, reference: dt.date) -> bool:
    """Whether `date` is within `MAX_YEARS_AWAY` years of `reference` and within the accepted dates."""
    return abs((date - reference).days) <= MAX_DAYS_AWAY and EARLIEST_DATE <= date <= LATEST_DATE


def shift(reference: dt.date, days: int) -> dt.date | None:
    """`reference` moved by `days`, or None when the result would fall outside what a date can hold."""
    try:
        return reference + dt.timedelta(days=days)
    except OverflowError:  # beyond date.min/date.max, or a count too large for timedelta
        return None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def _weekday_index(word: str) -> int:
    word = word.lower()
    return WEEKDAYS.index(word) if word in WEEKDAYS else _WEEKDAY_ABBREVIATIONS[word]


def days_to_weekday(reference: dt.date, weekday: int) -> int:
    """How many days after `reference` the next day with this weekday is (1 to 7)."""
    return (weekday - reference.weekday() - 1) % 7 + 1


def next_weekday(reference: dt.date, weekday: int) -> dt.date:
    """The first day with this weekday strictly after `reference`."""
    return reference + dt.timedelta(days=days_to_weekday(reference, weekday))


def _month_day(reference: dt.date, month: int, day: int, year: int | None = None) -> dt.date | None:
    """That day in the given year, else the next one on or after `reference`."""
    years = (year,) if year else (reference.year, reference.year + 1)
    for candidate in years:
        try:
            date = dt.date(candidate, month, day)
        except ValueError:
            return None
        if year or date >= reference:
            return date
    return None


def end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(reference: dt.date, months: int) -> dt.date:
    month_index = reference.month - 1 + months
    year, month = reference.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(reference.day, calendar.monthrange(year, month)[1]))


Resolver = Callable[[re.Match[str]], "dt.date | None"]


def _due_patterns(reference: dt.date) -> list[tuple[re.Pattern[str], Resolver]]:
    """(pattern, resolver) pairs, most specific first; each resolver maps a match to a date or None."""

    def iso(m: re.Match[str]) -> dt.date | None:
        try:
            return dt.date.fromisoformat(m.group("iso"))
        except ValueError:
            return None

    def month_day(m: re.Match[str]) -> dt.date | None:
        year = int(m.group("year")) if m.groupdict().get("year") else None
        return _month_day(reference, MONTHS[m.group("month").lower().rstrip(".")], int(m.group("day")), year)

    def weekday(m: re.Match[str]) -> dt.date | None:
        qualifier = (m.group("qualifier") or "").strip().lower()
        if not m.group("lead") and not qualifier:
            return None  # a bare weekday ("since Monday") is not a due date
        index = _weekday_index(m.group("weekday"))
        if qualifier == "next":
            # "next Friday" is the Friday of the following week, not the coming one.
            return reference + dt.timedelta(days=7 - reference.weekday() + index)
        return next_weekday(reference, index)

    def relative(m: re.Match[str]) -> dt.date | None:
        count, unit = _count(m.group("count")), m.group("unit").lower()
        if unit.startswith("day"):
            return shift(reference, count) if count <= MAX_DAYS_AWAY else None
        if unit.startswith("week"):
            return shift(reference, 7 * count) if count <= MAX_DAYS_AWAY // 7 else None
        return add_months(reference, count) if count <= MAX_YEARS_AWAY * 12 else None

    def next_week(m: re.Match[str]) -> dt.date:
        return reference + dt.timedelta(days=7 - reference.weekday() + 4)

    def end_of(m: re.Match[str]) -> dt.date:
        if m.group("period").lower() == "week":
            friday = reference + dt.timedelta(days=4 - reference.weekday())
            return friday if friday >= reference else reference
        return end_of_month(reference.year, reference.month)

    def tomorrow(m: re.Match[str]) -> dt.date:
        return reference + dt.timedelta(days=1)

    def day_of_month(m: re.Match[str]) -> dt.date | None:
        day = int(m.group("day"))
        for months_ahead in range(3):
            first = add_months(reference.replace(day=1), months_ahead)
            date = _month_day(reference, first.month, day, first.year)
            if date is not None and date > reference:
                return date
        return None

    flags = re.I
    return [
        (re.compile(rf"\b{_LEAD}?(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b", flags), iso),
        (re.compile(rf"\b{_LEAD}?{_MONTH}\s+{_DAY}(?:,?\s+(?P<year>\d{{4}}))?\b", flags), month_day),
        (re.compile(rf"\b{_LEAD}?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:\s+(?P<year>\d{{4}}))?\b", flags), month_day),
        (re.compile(rf"\b(?P<lead>{_LEAD})?(?P<qualifier>next\s+|this\s+)?{_WEEKDAY}", flags), weekday),
        (
            re.compile(
                rf"\b(?:within|in|inside)\s+(?:the\s+next\s+)?{_COUNT}\s+(?P<unit>days?|weeks?|months?)\b", flags
            ),
            relative,
        ),
        (re.compile(r"\b(?:by\s+|during\s+)?next\s+week\b", flags), next_week),
        (re.compile(r"\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<period>week|month)\b", flags), end_of),
        (re.compile(r"\b(?:by\s+)?tomorrow\b", flags), tomorrow),
        (re.compile(rf"\b{_LEAD}the\s+{_DAY}\b", flags), day_of_month),
    ]


def _resolved(resolve: Resolver, match: re.Match[str], reference: dt.date) -> dt.date | None:
    """The match's date, or None when it overflows or is implausibly far from the reference."""
    try:
        date = resolve(match)
    except (OverflowError, ValueError):  # past date.max/date.min, or a count too long to be a number
        return None
    return date if date is not None and plausible(date, reference) else None


def find_due_date(text: str, reference: dt.date) -> DatePhrase | None:
    """The first due-date phrase in an action item ('by Friday', 'by Dec 3', 'within two weeks', ...)."""
    for pattern, resolve in _due_patterns(reference):
        for match in pattern.finditer(text):
            date = _resolved(resolve, match, reference)
            if date is not None:
                return DatePhrase(date, match.start(), match.end())
    return None


_QUARTER = re.compile(r"\b(?:by|before|in)\s+(?:the\s+end\s+of\s+)?q(?P<quarter>[1-4])(?:\s+(?P<year>\d{4}))?\b", re.I)
_MONTH_DEADLINE = re.compile(
    rf"\b(?:by|before|in|until)\s+(?:the\s+end\s+of\s+|end\s+of\s+)?{_MONTH}(?:\s+(?P<year>\d{{4}}))?\b(?!\s+\d)", re.I
)
_YEAR_END = re.compile(r"\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year\b|\bthis\s+year\b", re.I)
_WITHIN = re.compile(rf"\b(?:within|in)\s+(?:the\s+next\s+)?{_COUNT}\s+(?P<unit>weeks?|months?|years?)\b", re.I)


def goal_deadline(goal: str, reference: dt.date) -> dt.date | None:
    """The deadline a goal's own words give ('by June', 'by Q3', 'within six months', 'by 2027-03-01');
    None when they give none, or only one that overflows or lies implausibly far away."""
    try:
        deadline = _goal_deadline(goal, reference)
    except (OverflowError, ValueError):  # a year past 9999, or a count too long to be a number
        return None
    return deadline if deadline is not None and plausible(deadline, reference) else None


def _goal_deadline(goal: str, reference: dt.date) -> dt.date | None:
    phrase = find_due_date(goal, reference)
    if phrase is not None and not _WITHIN.search(goal):
        return phrase.date
    if match := _QUARTER.search(goal):
        quarter = int(match.group("quarter"))
        year = int(match.group("year")) if match.group("year") else reference.year
        deadline = end_of_month(year, quarter * 3)
        return deadline if match.group("year") or deadline >= reference else end_of_month(year + 1, quarter * 3)
    if match := _MONTH_DEADLINE.search(goal):
        month = MONTHS[match.group("month").lower().rstrip(".")]
        if match.group("year"):
            return end_of_month(int(match.group("year")), month)
        deadline = end_of_month(reference.year, month)
        return deadline if deadline >= reference else end_of_month(reference.year + 1, month)
    if _YEAR_END.search(goal):
        return dt.date(reference.year, 12, 31)
    if match := _WITHIN.search(goal):
        count, unit = _count(match.group("count")), match.group("unit").lower()
        if unit.startswith("week"):
            return shift(reference, 7 * count) if count <= MAX_DAYS_AWAY // 7 else None
        months = count * (12 if unit.startswith("year") else 1)
        return add_months(reference, months) if months <= MAX_YEARS_AWAY * 12 else None
    return None

"""What a mentor's session notes say, as facts: who owes what by when, what was decided, what is
already done, what is planned for next time, wins, growth areas, wellbeing cues and the cadence.

`analyse_notes` is one pure function of the notes text, the session date and the two names: nothing
here reads the clock, so the same notes always give the same facts. It reads notes the way people
write them: bullets, checkboxes, `ACTION:`/`TODO`/`AP:` markers, arrows, initials ("T. to ...",
"K:"), pronouns ("she'll", "he said he'd", "I'll" is the mentor who writes the notes, "you" the
mentee the notes are addressed to), speaker lines ("Me: ...", "J: I'll ..."), commitments after a
label ("bus pass – I'll grab the form Mon"), action tables with or without outer pipes and
"Action: … — Owner: … — Due: …" fields (on one line or three), owner tags ("(P) Fri", "(owner: Tariq,
by 26 Mar)", "→ R, this wk", "– BO – end of May"), passive tasks ("CV to be sent by Friday", "wird …
geschickt", "se enviará …"), requests and imperatives ("pls …", "schick mir …", "inscríbete …"),
given-up plans as decisions, conditional tasks kept for confirmation, run-on voice memos, recaps
written by the mentee, and English, German and Spanish (mixed too).

Dates: this module finds the date phrase ("by Fri", "bis Ende Q1", "para el viernes", "bis KW 14") and
decides what kind of deadline it is ("end of", "before", "next week"); `dateparser`, restricted to
English, German and Spanish with the session date as its RELATIVE_BASE and future dates preferred,
turns the words into a day (weekdays, "tomorrow", "in zwei Wochen", "mañana"). A known day and month,
quarters, holidays, calendar weeks, numeric dates ("18.12.", and 10/22 month first when the notes write
dates that way) and period ends are plain arithmetic here.

Conventions (the same as `companion.generation.tasks.dates`): a weekday is the next such day after
the session; "next Friday" is the Friday of the following week; "next week" is that week's Friday;
"end of the week" this week's Friday; "by December"/"end of Dec" the last day of December;
"before December" the last day of November; "before Xmas" 24 December; "next session" the next
meeting date when the notes give one. "in November" on its own is when something happens, not a
deadline, and "late 3 times in November" is no date at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from companion.generation.tasks.dates import add_months, end_of_month, next_weekday

Owner = Literal["mentee", "mentor", "unclear"]
TITLE_DAYS_BACK = 120
"""A dated first line up to this many days before the session date is the notes' title (the last session's)."""
LANGUAGES = ("en", "de", "es")
CADENCES = ("weekly", "every two weeks", "monthly")


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoteAction:
    """One action item: the task, who owes it, by when, whether it is done, and the line it came from."""

    text: str
    owner: Owner
    due: dt.date | None
    done: bool
    to_confirm: bool
    """True when the notes do not say plainly who owns it (always so for owner 'unclear')."""
    source: str
    owner_as_written: str | None = None
    """The word that named the owner ('she', 'T.', 'Marco', 'ich'), when there was one."""
    due_as_written: str | None = None


@dataclass(frozen=True)
class NoteFact:
    """A decision, a thing already done, a plan for next time, a win or a growth area."""

    text: str
    source: str


@dataclass(frozen=True)
class WellbeingCue:
    kind: str
    """exhaustion, burnout, sleep, overwhelm, stress, low_energy, overwork or health."""
    phrase: str
    source: str


@dataclass(frozen=True)
class NotesFacts:
    language: str
    action_items: tuple[NoteAction, ...] = ()
    decisions: tuple[NoteFact, ...] = ()
    done: tuple[NoteFact, ...] = ()
    next_time: tuple[NoteFact, ...] = ()
    wins: tuple[NoteFact, ...] = ()
    growth_areas: tuple[NoteFact, ...] = ()
    wellbeing: tuple[WellbeingCue, ...] = ()
    cadence: str | None = None
    """'weekly', 'every two weeks' or 'monthly' when the notes agree one for these sessions."""
    meeting_weekday: int | None = None
    """The weekday the agreed cadence names (0 is Monday): 'every other Tuesday' is 1."""
    next_meeting: dt.date | None = None
    skipped_lines: int = 0
    """Lines that read like instructions to an AI; they are never analysed."""

    @property
    def distress(self) -> bool:
        return bool(self.wellbeing)

    @property
    def open_items(self) -> tuple[NoteAction, ...]:
        return tuple(item for item in self.action_items if not item.done)

    @property
    def to_confirm(self) -> tuple[NoteAction, ...]:
        return tuple(item for item in self.action_items if item.to_confirm)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=16384)
def _fold(text: str) -> str:
    """Lower case without accents, for matching words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def _clean(text: str) -> str:
    text = re.sub(r"\bw/(?=\s)", "with", text)
    text = re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(text.split()))
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"(?:\s+(?:um+|uh+|erm+|ähm|äh|eh))+\s*$", "", text, flags=re.I)  # a transcript's fillers
    text = re.sub(r"[\s\u2600-\u27bf\U0001f300-\U0001faff\ufe0f\u200d]+$", "", text)  # a trailing emoji
    text = text.strip(" -–—,;:+&/→>=")
    for pair in ('""', "“”"):
        if (text.count(pair[0]) + (text.count(pair[1]) if pair[1] != pair[0] else 0)) % 2:
            text = text.strip(pair).strip()  # an unbalanced quote left from a quoted commitment
    if text.count("(") > text.count(")"):
        text = text.rstrip("(").strip()
        if text.count("(") > text.count(")"):
            text = f"{text})"
    elif text.count(")") > text.count("("):
        text = text.replace(")", "", text.count(")") - text.count("(")) if text.endswith(")") else text
        text = text.rstrip(")").strip() if text.count(")") > text.count("(") else text
    return text.strip(" -–—,;:+&/")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# --------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------
_STOPWORDS = {
    "en": _words(
        "the and to of is she he her his with for will i'll she'll he'll we you my me not was this that "
        "by next about it on at be has have they their them our wants said what"
    ),
    "de": _words(
        "der die das und ist nicht mit er ich wir bis zu den dem ein eine einen für auf hat noch sich "
        "auch nächste nächstes mal ihm ihr ihn sein seine wie dass oder aber schon sehr mir uns"
    ),
    "es": _words(
        "el la los las y de que en con por para es está ella él yo le se del una un muy lo próxima su sus "
        "al pero ya me como más hasta sobre"
    ),
}


def detect_language(text: str, hint: str | None = None) -> str:
    """'en', 'de' or 'es', by counting common words; the hint (e.g. the session language) breaks ties."""
    words = re.findall(r"[a-zA-ZäöüßÄÖÜáéíóúñÁÉÍÓÚÑ']+", text.lower())
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    preferred = (hint or "en")[:2].lower()
    best = max(scores.values()) if scores else 0
    if best == 0:
        return preferred if preferred in LANGUAGES else "en"
    leaders = [lang for lang, score in scores.items() if score == best]
    return preferred if preferred in leaders else leaders[0]


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------
_WEEKDAY_WORDS = {
    "en": {
        "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2, "wed": 2,
        "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
        "sunday": 6, "sun": 6,
    },
    "de": {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonntag": 6},
    "es": {
        "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    },
}  # fmt: skip
_MONTH_WORDS = {
    "en": {
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
        "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
        "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    },
    "de": {
        "januar": 1, "janner": 1, "februar": 2, "marz": 3, "maerz": 3, "mai": 5, "juni": 6, "juli": 7,
        "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    },
    "es": {
        "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5, "junio": 6, "julio": 7,
        "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12, "dic": 12,
    },
}  # fmt: skip
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "couple of": 2, "a couple of": 2, "few": 3, "a few": 3,
    "ein": 1, "eine": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6,
    "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "quince": 15,
}  # fmt: skip
_UNITS = {
    "day": "day", "days": "day", "tag": "day", "tage": "day", "tagen": "day", "dia": "day", "dias": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week", "woche": "week", "wochen": "week",
    "semana": "week", "semanas": "week", "fortnight": "fortnight",
    "month": "month", "months": "month", "monat": "month", "monate": "month", "monaten": "month",
    "mes": "month", "meses": "month",
}  # fmt: skip
_UNIT_NAMES = {"day": "days", "week": "weeks", "month": "months"}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted({re.escape(w) for w in words}, key=lambda w: (-len(w), w)))


def _accent_insensitive(word: str) -> str:
    """A regex for a folded word that also matches its accented spelling (miercoles ~ miércoles)."""
    variants = {"a": "[aáä]", "e": "[eé]", "i": "[ií]", "o": "[oóö]", "u": "[uúü]", "n": "[nñ]"}
    return "".join(variants.get(c, re.escape(c)) for c in word)


def _words_re(words: Iterable[str]) -> str:
    return "|".join(_accent_insensitive(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


_SHORT_WEEKDAYS = {
    "de": {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6},
    "es": {"lun": 0, "mie": 2, "jue": 3, "vie": 4, "sab": 5, "dom": 6},
}
"""German two-letter and Spanish short day names: read as days only in notes of that language, written as
such ('bis So', '→ ich, Mo', 'el jue')."""
for _lang, _short in _SHORT_WEEKDAYS.items():
    _WEEKDAY_WORDS[_lang].update(_short)
_ALL_WEEKDAYS = {w for table in _WEEKDAY_WORDS.values() for w in table}
_SHORT_WEEKDAY_WORDS = frozenset(w for table in _SHORT_WEEKDAYS.values() for w in table)
_ALL_MONTHS = {w for table in _MONTH_WORDS.values() for w in table}
MONTH_NAMES_RE = _words_re(_ALL_MONTHS)
"""Every English, German and Spanish month name and abbreviation, accents optional ('März', 'Marz')."""


def month_number(word: str) -> int | None:
    """The month a name or abbreviation from MONTH_NAMES_RE stands for."""
    folded = _fold(word).rstrip(".")
    return next((table[folded] for table in _MONTH_WORDS.values() if folded in table), None)


_WD = rf"(?P<wd>{_words_re(_ALL_WEEKDAYS)})(?!\w)"
_MON = rf"(?P<mon>{_words_re(_ALL_MONTHS)})\.?(?!\w)"
_NUM = rf"(?P<num>\d{{1,3}}|{_alternation(_NUMBER_WORDS)})"
_UNIT = rf"(?P<unit>{_words_re(_UNITS)})(?!\w)"

# Deadline leads make a phrase a due date; context leads say when; negative leads say it is not a deadline.
_DEADLINE_LEAD = (
    r"by|before|due|no later than|latest|at the latest|eod|cob|end of day|"
    r"bis(?:\s+(?:zum|zur|spätestens|spaetestens))?|spätestens|spaetestens|vor(?:\s+dem|\s+der)?|"
    r"para(?:\s+el)?|antes\s+del?|hasta(?:\s+el)?|como\s+muy\s+tarde|a\s+m[aá]s\s+tardar(?:\s+el)?|"
    r"(?:between|b/w|btw)\s+now\s+and|zwischen\s+jetzt\s+und|entre\s+hoy\s+y"
)
_CONTEXT_LEAD = r"on|for|at|am|zum|el|este|this|coming"
_NEGATIVE_LEAD = (
    r"since|from|after|every|each|last|until|till|til|seit|ab|nach|jeden|jede|letzten|letzte|letztes|desde|cada|"
    r"despu[eé]s\s+de|el\s+pasado"
)


@dataclass(frozen=True)
class _DateHit:
    start: int
    end: int
    text: str
    priority: int
    """2 with a deadline lead ('by', 'bis', 'para'), 1 with a context lead ('on', 'am'), 0 bare."""
    resolve: Callable[[dt.date, dt.date | None], dt.date | None]


_DP_SETTINGS_BASE: dict[str, Any] = {
    "PREFER_DATES_FROM": "future",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PARSERS": ["relative-time", "absolute-time"],
    "DATE_ORDER": "DMY",
}


@lru_cache(maxsize=64)
def _parser(language: str, base: dt.date) -> Any:
    """One dateparser per language and session date: RELATIVE_BASE is the session, never the clock."""
    from dateparser.date import DateDataParser  # imported on first use: it takes about half a second

    settings = dict(_DP_SETTINGS_BASE, RELATIVE_BASE=dt.datetime(base.year, base.month, base.day))
    return DateDataParser(languages=[language], settings=settings)


@lru_cache(maxsize=4096)
def _resolve_words(phrase: str, language: str, base: dt.date) -> tuple[dt.date, str] | None:
    """dateparser on a short date phrase ('Freitag', '15 de enero', 'in 2 weeks'): (day, period) or None."""
    data = _parser(language, base).get_date_data(phrase)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.date(), data.period or "day"


def clear_date_cache() -> None:
    """Forget found and resolved phrases and per-date parsers (the benchmark times notes with a cold cache)."""
    _find_dates.cache_clear()
    _resolve_words.cache_clear()
    _parser.cache_clear()


def warm_up() -> None:
    """Load dateparser and its English, German and Spanish data once (about a second), e.g. at start-up."""
    base = dt.date(2000, 1, 3)
    for language, word in (("en", "Friday"), ("de", "Freitag"), ("es", "viernes")):
        _resolve_words(word, language, base)
    clear_date_cache()


def _language_of(word: str, table: dict[str, dict[str, int]]) -> str:
    folded = _fold(word).rstrip(".")
    for language in ("en", "de", "es"):  # "sat"/"sun" are English before anything else
        if folded in table[language]:
            return language
    return "en"


def _weekday_date(word: str, base: dt.date, following_week: bool) -> dt.date | None:
    """The weekday after the session ('Fri', 'Freitag', 'viernes'); 'next Friday' is the following week's."""
    folded = _fold(word).rstrip(".")
    index = _WEEKDAY_WORDS[_language_of(folded, _WEEKDAY_WORDS)].get(folded)
    if index is None:
        return None
    if following_week:
        return base + dt.timedelta(days=7 - base.weekday() + index)
    return next_weekday(base, index)


def _month_number(word: str) -> int | None:
    folded = _fold(word).rstrip(".")
    for table in _MONTH_WORDS.values():
        if folded in table:
            return table[folded]
    return None


def _next_month_end(base: dt.date, month: int, year: int | None = None) -> dt.date:
    if year:
        return end_of_month(year, month)
    candidate = end_of_month(base.year, month)
    return candidate if candidate >= base else end_of_month(base.year + 1, month)


def _day_in_future(base: dt.date, day: int, month: int | None = None, year: int | None = None) -> dt.date | None:
    """That day (of that month) on or after the session date; the next month or year when it has passed."""
    if month is None:
        for ahead in range(0, 3):
            first = add_months(base.replace(day=1), ahead)
            try:
                candidate = first.replace(day=day)
            except ValueError:
                continue
            if candidate >= base:
                return candidate
        return None
    years = (year,) if year else (base.year, base.year + 1)
    for candidate_year in years:
        try:
            candidate = dt.date(candidate_year, month, day)
        except ValueError:
            return None
        if year or candidate >= base - dt.timedelta(days=1):
            return candidate
    return None


def _friday(base: dt.date, weeks_ahead: int) -> dt.date:
    friday = base + dt.timedelta(days=4 - base.weekday() + 7 * weeks_ahead)
    return friday if friday >= base else base


def _sunday(base: dt.date) -> dt.date:
    return base + dt.timedelta(days=6 - base.weekday())


_HOLIDAYS = {
    "xmas": (12, 24), "christmas": (12, 24), "the holidays": (12, 24), "weihnachten": (12, 24),
    "navidad": (12, 24), "navidades": (12, 24), "new year": (12, 31), "silvester": (12, 31),
    "ano nuevo": (12, 31), "fin de ano": (12, 31), "year end": (12, 31), "jahresende": (12, 31),
    "easter": (0, 0), "ostern": (0, 0), "semana santa": (0, 0),
}  # fmt: skip


def _good_friday(year: int) -> dt.date:
    """Good Friday of `year` (the Gregorian computus): 'before Easter' means before the Easter holidays."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day) - dt.timedelta(days=2)


def _compile_date_patterns() -> list[tuple[re.Pattern[str], str]]:
    lead = ""  # found by _LEAD_BEFORE, looking back from the phrase: much faster than trying it everywhere
    next_q = r"(?P<q>next|this|coming|the\s+coming|n[aä]chste[nrs]?|n[aä]\.|kommende[nrs]?|diese[nrs]?|pr[oó]xim[oa]|este|esta)"
    holiday = _words_re(_HOLIDAYS)
    session = (
        r"(?:the\s+|our\s+|den\s+|dem\s+|der\s+|zum\s+|zur\s+|la\s+)?(?:next|n[aä]chste[nrs]?|pr[oó]xima)\s+"
        r"(?:session|time|meeting|call|catch[- ]?up|1:1|chat|sitzung|treffen|termin|mal|sesi[oó]n|reuni[oó]n|vez|llamada)\b"
    )
    patterns = [
        ("iso", rf"{lead}(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b"),
        ("dotted", rf"{lead}(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{2,4}})?(?!\d)"),
        (
            "slashed",
            rf"{lead}(?<![\d/])(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>\d{{2,4}}))?(?![\d/])(?!\s*(?:energy|mood|stress|sleep))",
        ),
        (
            "quarter",
            rf"{lead}(?:(?P<end>end\s+of|ende|finales\s+del?|fin\s+del?|the\s+end\s+of)\s+)?(?:the\s+)?q(?P<quarter>[1-4])(?:\s+(?P<year>\d{{4}}))?\b",
        ),
        ("holiday", rf"{lead}(?P<holiday>{holiday})\b"),
        (
            "year_end",
            rf"{lead}(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year|ende\s+des\s+jahres|(?:a\s+)?finales\s+de\s+a[nñ]o)\b",
        ),
        (
            "month_day",
            rf"{lead}(?P<day>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?{_MON}(?:\s+(?:de\s+)?(?P<year>\d{{4}}))?",
        ),
        ("day_month", rf"{lead}{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?"),
        ("session", rf"{lead}{session}"),
        (
            "period_end",
            rf"{lead}(?:(?:the\s+)?end\s+of\s+(?:the\s+)?(?P<q>this\s+|next\s+)?(?P<per>week|wk|month)|eo(?P<eo>[wm])\b|(?P<de>(?:ende\s+(?:der|des|dieser|dieses|n[aä]chster|n[aä]chsten)\s+(?P<deper>woche|monats))|monatsende|wochenende)|(?:a\s+)?finales\s+de\s+(?:la\s+|esta\s+)?(?P<esper>semana|mes)|(?:a\s+)?fin\s+de\s+(?P<esper2>mes))\b",
        ),
        (
            "weekend",
            rf"{lead}(?:(?:the|this|over\s+the|at\s+the)\s+(?:weekend|wkend|wknd|w/e)|over\s+(?:wkend|wknd|w/e)|am\s+wochenende|(?:el|este)\s+fin\s+de\s+semana)\b",
        ),
        (
            "month_end",
            rf"{lead}(?:(?P<end>end\s+of|the\s+end\s+of|ende|a\s+finales\s+de|finales\s+de|fin\s+de)\s+){_MON}(?:\s+(?P<year>\d{{4}}))?",
        ),
        ("mid_month", rf"(?:mid-?|mitte\s+|a\s+mediados\s+de\s+|mediados\s+de\s+){_MON}"),
        ("month_only", rf"(?P<lead>by|before|bis|vor|antes\s+de|para)\s+{_MON}(?:\s+(?P<year>\d{{4}}))?(?!\s*\d)"),
        (
            "next_period",
            rf"{lead}(?:{next_q}\s+(?P<per>week|wk|month|woche|monat|semana|mes)|(?:la|el)\s+(?P<per2>semana|mes)\s+que\s+viene)\b",
        ),
        (
            "count",
            rf"(?P<lead>in|within|inside|innerhalb\s+von|in\s+den\s+n[aä]chsten|en|dentro\s+de|en\s+los\s+pr[oó]ximos|en\s+las\s+pr[oó]ximas)\s+(?:the\s+next\s+)?{_NUM}\s+{_UNIT}",
        ),
        ("fortnight", r"(?P<lead>in|within)\s+a\s+fortnight\b"),
        ("calendar_week", rf"{lead}(?:KW|Kw|kw)\.?\s*(?P<kw>\d{{1,2}})\b"),
        ("clinical", r"(?P<lead>in|within|for)\s+(?P<n>\d{1,2})/(?P<u>52|12|7)\b"),
        (
            "relative",
            rf"{lead}(?P<rel>day\s+after\s+tomorrow|tomorrow|tmrw|tmrw|tmr|tmw|tomoz|2moro|today|tonight|tonite|eod|cob|end\s+of\s+(?:the\s+)?day|[uü]bermorgen|gleich\s+morgen|(?<!am\s)(?<!jeden\s)(?<!guten\s)(?<!den\s)morgen(?!s)|heute(?:\s+abend)?|pasado\s+ma[nñ]ana|(?<!la\s)(?<!esta\s)(?<!cada\s)ma[nñ]ana|hoy|esta\s+noche|esta\s+tarde)\b",
        ),
        (
            "weekday_day",
            rf"{lead}{_WD}\.?,?\s+(?:the\s+|el\s+|den\s+)?(?P<day>\d{{1,2}})(?!\d)(?:st|nd|rd|th|\.(?!\d))?"
            rf"(?:\s+(?:of\s+|de\s+)?(?P<wmon>{_words_re(_ALL_MONTHS)})\.?(?!\w))?"
            r"(?!\s*(?:[:/.]\d|h\b|uhr\b|am\b|pm\b|%|x\b))"
            r"(?!\s+(?!(?:at|um|a|en|in|from|von|ab|same|misma|mismo|next|this|or|oder|o|and|und|y)\b)[^\W\d])",
        ),
        (
            "weekday",
            rf"{lead}(?:{next_q}\s+)?(?:eod\s+|cob\s+)?{_WD}(?P<plural>s)?(?:'s|’s)?(?:\s+(?P<after>que\s+viene|next\s+week))?",
        ),
        ("ordinal", r"(?P<the>the\s+)?(?P<day>\d{1,2})(?P<suffix>st|nd|rd|th)\b(?!\s+[a-z])"),
        (
            "day_of",
            r"(?P<lead>am|zum|bis\s+zum|el\s+d[ií]a|el|on\s+the|by\s+the|before\s+the|antes\s+del\s+d[ií]a|para\s+el\s+d[ií]a|hasta\s+el\s+d[ií]a)\s+(?P<day>\d{1,2})(?:\.(?!\d)|\b)(?!\s*(?:h\b|uhr|min|:|%|de\s+\w+))",
        ),
    ]
    return [(re.compile(rf"(?<![\w]){body}", re.I), kind) for kind, body in patterns]


_DATE_PATTERNS = _compile_date_patterns()
_LEAD_BEFORE = re.compile(
    rf"(?:^|(?<=[\W]))(?P<lead>{_DEADLINE_LEAD}|{_CONTEXT_LEAD}|{_NEGATIVE_LEAD})\s+(?:the\s+|den\s+|dem\s+|la\s+|el\s+)?$",
    re.I,
)
_DEADLINE_RE = re.compile(rf"^(?:{_DEADLINE_LEAD})$", re.I)
_CONTEXT_RE = re.compile(rf"^(?:{_CONTEXT_LEAD})$", re.I)
_NEGATIVE_RE = re.compile(rf"^(?:{_NEGATIVE_LEAD})$", re.I)
_RECURRING_AFTER = re.compile(r"^\s*(?:s\b|each\b|every\b|nights\b|mornings\b|evenings\b|afternoons\b)", re.I)


def _lead_priority(lead: str | None) -> int | None:
    """2 for a deadline lead, 1 for a context lead or none; None when the lead says 'not a deadline'."""
    if not lead:
        return 0
    lead = " ".join(lead.split())
    if _NEGATIVE_RE.match(lead):
        return None
    if _DEADLINE_RE.match(lead):
        return 2
    return 1


def _resolver(
    kind: str, m: re.Match[str], language: str, lead: str, month_first: bool = False
) -> Callable[[dt.date, dt.date | None], dt.date | None] | None:
    g = m.groupdict()
    lead = " ".join(lead.lower().split())
    before = lead.startswith(("before", "vor", "antes"))

    if kind == "iso":
        iso = g["iso"]

        def resolve_iso(base: dt.date, meeting: dt.date | None) -> dt.date | None:
            try:
                return dt.date.fromisoformat(iso)
            except ValueError:
                return None

        return resolve_iso
    if kind in ("dotted", "slashed"):
        day, month = int(g["d"]), int(g["m"])
        year = int(g["y"]) if g.get("y") else None
        if year is not None and year < 100:
            year += 2000
        if kind == "slashed" and ((month > 12 and day <= 12) or (month_first and day <= 12)):
            day, month = month, day  # 12/18, or notes that write month first: an American order date
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return lambda base, meeting: _day_in_future(base, day, month, year)
    if kind == "quarter":
        quarter = int(g["quarter"])
        year = int(g["year"]) if g.get("year") else None
        if not (g.get("end") or lead):
            return None

        def resolve_quarter(base: dt.date, meeting: dt.date | None) -> dt.date:
            month = quarter * 3 - (3 if before else 0)
            if month == 0:
                return dt.date((year or base.year) - 1, 12, 31) if year else _next_month_end(base, 12)
            return _next_month_end(base, month, year)

        return resolve_quarter
    if kind == "holiday":
        month, day = _HOLIDAYS[_fold(g["holiday"])]
        if not lead or _CONTEXT_RE.match(lead):
            return None
        if month == 0:
            return lambda base, meeting: (
                _good_friday(base.year) if _good_friday(base.year) >= base else _good_friday(base.year + 1)
            )
        return lambda base, meeting: _day_in_future(base, day, month)
    if kind == "year_end":
        return lambda base, meeting: dt.date(base.year, 12, 31)
    if kind in ("month_day", "day_month"):
        mon_index = _month_number(g["mon"])
        if mon_index is None:
            return None
        if g["mon"].lower() == "may" and kind == "day_month" and not lead:
            return None
        day, year = int(g["day"]), int(g["year"]) if g.get("year") else None

        def resolve_month_day(base: dt.date, meeting: dt.date | None) -> dt.date | None:
            # day and month are known: the arithmetic is exact (and what dateparser would say), without its cost
            return _day_in_future(base, day, mon_index, year)

        return resolve_month_day
    if kind == "session":
        return lambda base, meeting: meeting
    if kind == "period_end":
        period = (g.get("per") or g.get("deper") or g.get("esper") or g.get("esper2") or "").lower()
        eo = (g.get("eo") or "").lower()
        de = _fold(g.get("de") or "")
        nxt = bool(g.get("q") and "next" in g["q"].lower()) or "nachst" in de
        if eo == "w" or period in ("week", "wk", "woche", "semana") or de == "wochenende":
            if de == "wochenende":
                return lambda base, meeting: _sunday(base)
            return lambda base, meeting: _friday(base, 1 if nxt else 0)
        return lambda base, meeting: (
            end_of_month(add_months(base, 1).year, add_months(base, 1).month)
            if nxt
            else end_of_month(base.year, base.month)
        )
    if kind == "weekend":
        return lambda base, meeting: _sunday(base)
    if kind == "month_end":
        mon_index = _month_number(g["mon"])
        if mon_index is None:
            return None
        year = int(g["year"]) if g.get("year") else None
        end_month: int = mon_index
        return lambda base, meeting: _next_month_end(base, end_month, year)
    if kind == "mid_month":
        mid = _month_number(g["mon"])
        if mid is None:
            return None
        mid_month: int = mid
        return lambda base, meeting: _day_in_future(base, 15, mid_month)
    if kind == "month_only":
        mon_index = _month_number(g["mon"])
        if mon_index is None or (g["mon"].lower() == "may" and g["mon"] == "may"):
            return None
        year = int(g["year"]) if g.get("year") else None

        def resolve_month(base: dt.date, meeting: dt.date | None) -> dt.date:
            end = _next_month_end(base, mon_index, year)
            return end.replace(day=1) - dt.timedelta(days=1) if before else end

        return resolve_month
    if kind == "next_period":
        period = _fold(g.get("per") or g.get("per2") or "")
        qualifier = _fold(g.get("q") or "que viene")
        this = qualifier in ("this", "diese", "dieser", "dieses", "diesen", "este", "esta")
        week = period in ("week", "wk", "woche", "semana")

        def resolve_next(base: dt.date, meeting: dt.date | None) -> dt.date:
            if this:
                return _friday(base, 0) if week else end_of_month(base.year, base.month)
            resolved = _resolve_words("next week" if week else "next month", "en", base)
            day = resolved[0] if resolved else base + dt.timedelta(days=7 if week else 31)
            if week:  # the Friday of the week dateparser named
                return day + dt.timedelta(days=4 - day.weekday())
            return end_of_month(day.year, day.month)

        return resolve_next
    if kind == "count":
        number = g["num"].lower()
        count = int(number) if number.isdigit() else _NUMBER_WORDS.get(_fold(number))
        unit = _UNITS.get(_fold(g["unit"]))
        if count is None or unit is None or count > 36:
            return None
        if unit == "fortnight":
            unit, count = "week", count * 2
        phrase = f"in {count} {_UNIT_NAMES[unit]}"
        return lambda base, meeting: r[0] if (r := _resolve_words(phrase, "en", base)) else None
    if kind == "fortnight":
        return lambda base, meeting: base + dt.timedelta(days=14)
    if kind == "calendar_week":
        week_number = int(g["kw"])
        if not 1 <= week_number <= 53:
            return None

        def resolve_calendar_week(base: dt.date, meeting: dt.date | None) -> dt.date | None:
            # "bis KW 14": the Friday of that ISO week, this year or, once it has passed, next year
            for year in (base.year, base.year + 1):
                try:
                    friday = dt.date.fromisocalendar(year, week_number, 5)
                except ValueError:
                    continue
                if friday >= base:
                    return friday
            return None

        return resolve_calendar_week
    if kind == "clinical":
        n, unit = int(g["n"]), g["u"]  # "review in 2/52": two weeks, in clinical shorthand
        days = {"52": 7, "7": 1}.get(unit)
        if days is not None:
            return lambda base, meeting: base + dt.timedelta(days=n * days)
        return lambda base, meeting: add_months(base, n)
    if kind == "relative":
        rel = _fold(" ".join(g["rel"].split()))
        if rel in ("today", "tonight", "tonite", "eod", "cob", "end of day", "heute", "heute abend", "hoy"):
            return lambda base, meeting: base
        if rel in ("esta noche", "esta tarde"):
            return lambda base, meeting: base
        if rel in ("day after tomorrow", "ubermorgen", "pasado manana"):
            return lambda base, meeting: base + dt.timedelta(days=2)
        rel_language = "de" if "morgen" in rel else "es" if rel == "manana" else "en"
        words = {"de": "morgen", "es": "mañana", "en": "tomorrow"}[rel_language]
        return lambda base, meeting: (
            r[0] if (r := _resolve_words(words, rel_language, base)) else base + dt.timedelta(days=1)
        )
    if kind == "weekday":
        if g.get("plural"):
            return None  # "Tuesdays": a habit, not a day
        word = g["wd"]
        folded = _fold(word)
        if folded in ("sat", "sun") and not (lead or g.get("q")) and word.islower():
            return None  # "sat down", "sun": only with a lead
        if not _short_weekday_ok(word, language, lead, m.string[m.end() :], needs_place=True):
            return None
        qualifier = _fold(g.get("q") or "")
        following = qualifier in ("next", "nachste", "nachsten", "nachster", "nachstes", "na.", "proximo", "proxima")
        following = following or bool(g.get("after") and "next" in g["after"].lower())
        return lambda base, meeting: _weekday_date(word, base, following)
    if kind == "weekday_day":
        day, weekday_word = int(g["day"]), g["wd"]
        if not 1 <= day <= 31 or not _short_weekday_ok(weekday_word, language, lead, ""):
            return None
        if g.get("wmon"):
            weekday_month = _month_number(g["wmon"])
            return lambda base, meeting: _day_in_future(base, day, weekday_month)

        def resolve_weekday_day(base: dt.date, meeting: dt.date | None) -> dt.date | None:
            # "jueves 27", "Thursday the 3rd": the next day with that number that falls on that weekday
            weekday = _weekday_date(weekday_word, base, False)
            if weekday is None:
                return _day_in_future(base, day)
            for ahead in range(0, 400, 7):
                candidate = weekday + dt.timedelta(days=ahead)
                if candidate.day == day:
                    return candidate if ahead <= 120 else _day_in_future(base, day)
            return _day_in_future(base, day)

        return resolve_weekday_day
    if kind == "ordinal":
        if not (lead or g.get("the") or m.string[max(0, m.start() - 1) : m.start()] == "("):
            return None  # "2nd catch-up" is no date; "by the 20th", "the 11th", "(25th)" are
        day = int(g["day"])
        return lambda base, meeting: _day_in_future(base, day)
    if kind == "day_of":
        day = int(g["day"])
        if not 1 <= day <= 31:
            return None
        return lambda base, meeting: _day_in_future(base, day)
    return None


def _short_weekday_ok(word: str, language: str, lead: str, after: str, needs_place: bool = False) -> bool:
    """'Mo', 'So', 'jue' are days only in notes of their language, German ones capitalised, and on their own
    only after 'bis'/'am' or at the end ('bis So', '→ ich, Mo'): 'so', 'do' and 'mi' are words first."""
    folded = _fold(word).rstrip(".")
    if folded not in _SHORT_WEEKDAY_WORDS or folded in _WEEKDAY_WORDS["en"]:
        return True
    short_language = "de" if folded in _SHORT_WEEKDAYS["de"] else "es"
    if language != short_language or (short_language == "de" and not word[:1].isupper()):
        return False
    if needs_place:
        return bool(_DEADLINE_RE.match(lead) or _CONTEXT_RE.match(lead) or re.match(r"^\.?\s*(?:[,;)]|$)", after))
    return True


def find_dates(text: str, language: str = "en", *, month_first: bool = False) -> list[_DateHit]:
    """Every date phrase in `text`, in order, each with a lazy resolver; overlapping phrases keep the longest.

    `month_first` reads slashed dates the American way (10/05 is 5 October), for notes that write them so."""
    return list(_find_dates(text, language, month_first))


_DATE_TRIGGER_WORDS = frozenset(
    _ALL_WEEKDAYS
    | _ALL_MONTHS
    | {_fold(h).split()[-1] for h in _HOLIDAYS}
    | set(
        [
            "tomorrow",
            "tmrw",
            "tmr",
            "tmw",
            "tomoz",
            "2moro",
            "today",
            "tonight",
            "tonite",
            "eod",
            "cob",
            "eow",
            "eom",
            "week",
            "weeks",
            "wk",
            "wks",
            "month",
            "weekend",
            "wkend",
            "wknd",
            "fortnight",
            "year",
            "next",
            "session",
            "time",
            "meeting",
            "call",
            "catch",
            "morgen",
            "ubermorgen",
            "heute",
            "woche",
            "wochen",
            "monat",
            "monats",
            "monatsende",
            "wochenende",
            "jahres",
            "manana",
            "hoy",
            "noche",
            "tarde",
            "semana",
            "semanas",
            "mes",
            "vez",
            "sesion",
            "reunion",
            "llamada",
            "sitzung",
            "treffen",
            "termin",
            "mal",
            "days",
            "day",
            "tag",
            "tage",
            "tagen",
            "dias",
        ]
    )
)
_TOKEN = re.compile(r"[\w'’]+")


@lru_cache(maxsize=16384)
def _is_date_word(token: str) -> bool:
    word = _fold(token)
    return (
        (word in _DATE_TRIGGER_WORDS and (word not in _SHORT_WEEKDAY_WORDS or word in _WEEKDAY_WORDS["en"]))
        or (word in _SHORT_WEEKDAY_WORDS and token[:1].isupper())
        or any(c.isdigit() for c in word)
        or word.startswith(("nachst", "proxim", "xmas", "christmas"))
        or word.rstrip("s") in _DATE_TRIGGER_WORDS
    )


def _starts_with_date_word(text: str) -> bool:
    """Whether one of the first three words can begin a date phrase ('Tomorrow I'll …', 'el lunes te …')."""
    return any(_is_date_word(token) for token in _TOKEN.findall(text[:40])[:3])


def _date_triggers(text: str) -> Iterable[tuple[int, int]]:
    for m in _TOKEN.finditer(text):
        if _is_date_word(m.group(0)):
            yield m.start(), m.end()


@lru_cache(maxsize=8192)
def _find_dates(text: str, language: str, month_first: bool = False) -> tuple[_DateHit, ...]:
    windows: list[list[int]] = []
    for trigger_start, trigger_end in _date_triggers(text):
        # only the text around a date word can hold a date phrase: match there, not over the whole line
        start = text.rfind(" ", 0, max(0, trigger_start - 40)) + 1
        end = text.find(" ", min(len(text), trigger_end + 40))
        end = len(text) if end == -1 else end
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    if not windows:
        return ()
    hits: list[_DateHit] = []
    taken: list[tuple[int, int]] = []
    candidates: list[tuple[int, int, str, re.Match[str]]] = []
    for window_start, window_end in windows:
        window = text[window_start:window_end]
        for pattern, kind in _DATE_PATTERNS:
            for m in pattern.finditer(window):
                if m.end() > m.start():
                    candidates.append((window_start + m.start(), window_start + m.end(), kind, m))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    for start, end, kind, m in candidates:
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            continue
        lead = m.groupdict().get("lead")
        if not lead:
            before_match = _LEAD_BEFORE.search(text[max(0, start - 30) : start])
            if before_match:
                lead = before_match.group("lead")
                start = start - (len(text[max(0, start - 30) : start]) - before_match.start())
        priority = _lead_priority(lead)
        if kind in ("count", "fortnight") and re.match(
            r"\s+(?:of|after|from|once|nach|ab|despu[eé]s\s+de|tras|desde)\b", text[end:], re.I
        ):
            continue  # "within two days of getting it": counted from an event, not from the session
        if kind in ("count", "fortnight", "clinical"):
            priority = 2
        if priority is None:
            taken.append((start, end))
            continue
        if kind in ("weekday", "month_day", "day_month", "ordinal") and _RECURRING_AFTER.match(text[end:]):
            continue
        before = text[:start].rstrip().lower()
        if re.search(r"(?:\d|\btimes?|\bx)\s*$", before) and kind in ("month_end", "next_period"):
            continue
        resolve = _resolver(kind, m, language, lead or "", month_first)
        if resolve is None:
            continue
        if kind in _STRONG_KINDS:
            priority = max(priority, 1)
        if re.search(r"\b(?:if|once|when|si|wenn|falls|sobald|cuando)\b[^,;.]*$", text[:start], re.I):
            priority = -1  # "… si me lo manda el jueves": the condition's date, not the task's
        taken.append((start, end))
        hits.append(_DateHit(start, end, m.group(0), priority, resolve))
    hits.sort(key=lambda h: h.start)
    return tuple(hits)


_STRONG_KINDS = frozenset(
    {"relative", "period_end", "weekend", "next_period", "month_end", "session", "holiday", "year_end"}
)


def resolve_due(
    text: str,
    session_date: dt.date,
    language: str = "en",
    next_meeting: dt.date | None = None,
    *,
    month_first: bool = False,
) -> tuple[dt.date, _DateHit] | None:
    """The due date a task's own words give, preferring 'by/bis/para' phrases over bare ones."""
    hits = find_dates(text, language, month_first=month_first)
    for hit in sorted(hits, key=lambda h: (-h.priority, h.start)):
        date = hit.resolve(session_date, next_meeting)
        if date is not None:
            return date, hit
    return None


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------
class _People:
    """Who a name, an initial or a pronoun in the notes refers to."""

    def __init__(self, mentee: str, mentor: str | None) -> None:
        self.mentee_first = mentee.split()[0] if mentee.split() else mentee
        self.mentor_first = mentor.split()[0] if mentor and mentor.split() else None
        self.mentee = self._forms(mentee)
        self.mentor = self._forms(mentor or "")
        shared = self.mentee & self.mentor
        self.mentee -= shared
        self.mentor -= shared
        self.third_party: set[str] = set()
        self.mentee_pronoun = "she"

    @staticmethod
    def _forms(name: str) -> set[str]:
        parts = [p for p in re.split(r"[\s-]+", _fold(name)) if p and p not in ("dr", "dr.", "prof", "prof.")]
        if not parts:
            return set()
        forms = {" ".join(parts), parts[0], parts[-1]}
        forms.add(parts[0][0])
        forms.add("".join(p[0] for p in parts))
        if len(parts) > 1:
            forms.add(parts[0][0] + parts[-1][0])
        return forms

    def who(self, word: str) -> str | None:
        """'mentee', 'mentor', 'third' for another person's name, or None for words that are no name."""
        folded = _fold(word).strip(" .,:;()")
        compact = folded.replace(".", "").replace(" ", "") if re.fullmatch(r"(?:[a-z]\.?\s?){1,3}", folded) else folded
        for candidate in (folded, compact):
            if candidate in self.mentee:
                return "mentee"
            if candidate in self.mentor:
                return "mentor"
        first = folded.split()[0] if folded.split() else folded
        if len(first) >= 3:
            mentee_first, mentor_first = _fold(self.mentee_first), _fold(self.mentor_first or "")
            if mentee_first.startswith(first) and not (mentor_first and mentor_first.startswith(first)):
                return "mentee"
            if mentor_first and mentor_first.startswith(first):
                return "mentor"
        if first in self.mentee or first in self.mentor:
            return "mentee" if first in self.mentee else "mentor"
        initial_and_surname = re.fullmatch(r"([a-z])\.?\s*([a-z'-]{3,})", folded)
        if initial_and_surname:  # "U. Brandt", "M Lopez"
            for forms, role in ((self.mentee, "mentee"), (self.mentor, "mentor")):
                if initial_and_surname.group(2) in forms and initial_and_surname.group(1) in forms:
                    return role
        return None


# --------------------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:(?P<arrow>->|→|=>|⇒)|[-*•+·▪◦–—]|\d{1,2}[.)](?=\s+\D))\s*")
_CHECKBOX = re.compile(r"^\s*(?:[-*•+]\s*)?(?:\[(?P<mark>[ xX✓✔/-]?)\]|(?P<box>[☐☑☒✅]))\s*")
_DONE_TAIL = re.compile(
    r"\s*(?:[(\[]\s*(?:¡)?(?:done|erledigt|hecho|terminado|listo|completed?)\s*!?[)\]]|[-–—:]\s*(?:done|erledigt|hecho|listo)\b|"
    r"\b(?:DONE)\b|✓|✔|✅)\s*[.!]*\s*$",
)
_STRIKE = re.compile(r"^~~(?P<text>.+)~~$")
_MARKER = re.compile(
    r"^(?P<marker>action(?:\s+items?)?|actions?|todo|to-do|to\s+do|ap|ai|follow[- ]?ups?|next\s+steps?|homework|hw|"
    r"aufgaben?|hausaufgaben?|to-dos?|tarea|tareas|pendiente|pendientes|deberes)\b\s*(?:[:\-–—]\s*|\s+(?=\S))",
    re.I,
)
_MARKER_WITHOUT_COLON = re.compile(
    r"^(?:[A-Z]{2,}|[\w-]+(?:\s+\w+)?\s+(?:for|f[uü]r|para)\s|[\w-]+(?:\s+\w+)?\s+\("
    r"|[\w-]+(?:\s+\w+)?\s+(?:[A-Z]\w*|me|mir|yo)\s*[:\-–—])"
)
_HEADING_MD = re.compile(r"^\s*(?:#{1,6}\s+|\*\*)(?P<title>.+?)(?:\*\*)?\s*:?\s*#*\s*$")
_ACTION_TITLE = re.compile(
    r"\b(?:actions?|action\s+items?|todos?|to-dos?|to\s+do|next\s+steps?|follow[- ]?ups?|homework|tasks?|"
    r"list|aufgaben|hausaufgaben|n[aä]chste\s+schritte|vereinbarungen|to-?dos|tareas|pendientes|"
    r"pr[oó]ximos\s+pasos|deberes|compromisos)\b",
    re.I,
)
_DECISION_TITLE = re.compile(
    r"^(?:decisions?|decided|agreed|agreements?|entscheidungen?|beschl[uü]sse?|decisiones|acuerdos)$", re.I
)
_GOALS_TITLE = re.compile(r"^(?:goals?|objectives?|aims?|ziele?|objetivos?|metas?)$", re.I)
_OWNER_TITLE = re.compile(
    r"^(?:for|f[uü]r|para)\s+(?P<who>.+?)(?:'s)?$|^(?P<who2>.+?)(?:'s)?\s+(?:actions?|to-?dos?|tasks?|homework)$", re.I
)
_LABEL = re.compile(
    r"^(?P<label>[^\s:](?:[^:]|(?<=\d):(?=\d)){0,38}?)\s*(?P<sep>(?<=\D):|(?<=\d):(?!\d)|\s[-–—]\s|\s?→|\s?->)\s*(?P<rest>\S.*)$"
)

_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_COLUMNS = {
    "task": re.compile(
        r"^(?:actions?|action items?|tasks?|what|to-?dos?|items?|next steps?|agreed(?: actions?)?|actions? agreed|"
        r"aufgaben?|ma(?:ß|ss)nahmen?|was|vereinbart|vereinbarungen|tareas?|acci[oó]n|acciones|qu[eé]|acordado|"
        r"compromisos?)$",
        re.I,
    ),
    "owner": re.compile(
        r"^(?:owners?|who|by whom|whose|wer|wer macht(?: was)?|qui[eé]n(?: lo hace)?|responsables?|"
        r"verantwortlich(?:e[rn]?)?|zust[aä]ndig|assignee|assigned\s+to|person|lead)$",
        re.I,
    ),
    "due": re.compile(
        r"^(?:due|when|by|deadline|date|due date|target date|bis|bis wann|wann|termin|frist|f[aä]llig|fecha|"
        r"fecha l[ií]mite|cu[aá]ndo|plazo)$",
        re.I,
    ),
    "status": re.compile(r"^(?:status|done|state|erledigt|estado|hecho)\??$", re.I),
}
_FIELD = re.compile(r"^(?P<key>[^\W\d][\w.]*(?:\s+[\w.]+){0,2}?)\s*:\s*(?P<value>.*)$")
_FIELD_SEPARATOR = re.compile(r"\s+[|—–]\s+|\s+-{1,2}\s+(?=[^\W\d][\w ]{0,20}:)|;\s+(?=[^\W\d][\w ]{0,20}:)")


def _column_of(header: str) -> str | None:
    header = " ".join(header.split()).strip(" *_")
    for name, pattern in _TABLE_COLUMNS.items():
        if pattern.match(header):
            return name
    return None


_WIN_LABEL = re.compile(
    r"^(?:wins?|win of the week|strengths?|good|going well|went well|www|what went well|highlights?|proudest of|"
    r"positives?|st[aä]rken?|"
    r"gut|erfolge?|lob|muy bien|bien|logros?|fortalezas?|puntos fuertes)$",
    re.I,
)
_GROWTH_LABEL = re.compile(
    r"^(?:growth(?:\s+areas?)?|weaker|weak(?:ness(?:es)?)?|to work on|work on|improve|struggles?|challenges?|"
    r"ebi|even better if|areas? (?:to|for) (?:develop|improve)\w*|targets?|"
    r"development|entwicklungsfelder?|schw[aä]chen?|baustellen?|a mejorar|mejorar|[aá]reas de mejora|debilidades?|dificultades)$",
    re.I,
)
_DECISION_LABEL = re.compile(
    r"^(?:decided|decision|decisions|agreed|agreement|we agreed|entschieden|entscheidung|beschlossen|vereinbart|"
    r"abgemacht|beschluss|decidimos|decidido|decisi[oó]n|acordamos|acordado|acuerdo)$",
    re.I,
)
_NEXT_LABEL = re.compile(
    r"^(?:(?:idea\s+)?for\s+next\s+time|(?:idea\s+for\s+)?next\s+(?:time|session|call|meeting)|n[aä]chstes\s+mal|"
    r"n[aä]chste\s+sitzung|beim\s+n[aä]chsten\s+mal|(?:la\s+)?pr[oó]xima\s+(?:vez|sesi[oó]n|reuni[oó]n))\b.*$",
    re.I,
)
_TOPIC_ONLY_LABEL = re.compile(
    r"^(?:topics?|themen?|temas?|agenda|recap|r[uü]ckblick|repaso|where she is|where he is)$", re.I
)
_SELF_WORDS = frozenset({"me", "mentor", "mine", "ich", "yo", "mi", "mí", "myself", "mir", "mentora", "mentorin"})
_MENTEE_WORDS = frozenset(
    {"mentee", "you", "du", "tú", "tu", "mentorizado", "mentorizada", "mentorado", "mentorada", "mentoree", "protege"}
)
_ROLE_OWNERS = {word: "mentor" for word in ("mentor", "mentora", "mentorin")} | {
    word: "mentee" for word in ("mentee", "mentorizado", "mentorizada", "mentorado", "mentorada", "mentoree")
}


@dataclass
class _Line:
    text: str
    source: str
    section: str | None = None
    section_owner: str | None = None
    checkbox: str | None = None
    marked: bool = False
    arrow: bool = False
    label: str | None = None
    label_kind: str | None = None
    """'owner', 'decision', 'next', 'win', 'growth', 'topic' or 'context'."""
    label_owner: str | None = None
    owner_hedged: bool = False
    """The owner came from an unsure aside ('(who? prob me)', '(maybe Sam?)'): ask who takes it."""
    language: str = "en"


_OWNER_ASIDE = re.compile(
    r"\s*[(\[]\s*(?:who\s*\??\s*[-:,]?\s*)?(?P<hedge>(?:prob(?:ably)?|maybe|poss(?:ibly)?|likely)\.?\s+)?"
    r"(?P<who>[A-Za-zÀ-ÿ][\w.]{0,20})(?P<after>\s+(?:prob(?:ably)?|maybe|I\s+think)\.?|\s*\?)?\s*[)\]]\s*[.!]?\s*$",
    re.I,
)
"""An aside naming who takes a task, often unsure: '(who? prob me)', '(me probably)', '(maybe Sam?)', '(Sam)'."""


@dataclass
class _Clause:
    text: str
    """The verb phrase: subject, modal and lead removed."""
    owner: Owner | None
    kind: str
    """'commitment', 'joint' (we), 'negated' or 'plain'."""
    owner_word: str | None = None
    whole: str = ""
    """The words the clause was read from."""
    person_form: str | None = None
    """How it was written: 'modal', 'third', 'infinitive', 'quoted' (she said "I'll …"), 'shorthand' (note to self)."""


# --------------------------------------------------------------------------------------
# Commitments: English
# --------------------------------------------------------------------------------------
_ROLE_NOUNS = (
    r"manager|line\s+manager|boss|supervisor|lead|team\s+lead|cofounder|co-founder|partner|mentor|coach|director|"
    r"recruiter|HoD|head\s+of\s+\w+|tutor|teacher|professor|prof|PI|GP|ward\s+manager|principal|examiner|HR|CEO|CTO|COO"
)
_EN_SUBJECT = (
    rf"(?P<subj>I|me|you|she|he|they|we|"
    rf"(?:(?:her|his|their|my|our|the)\s+(?:new\s+|old\s+|current\s+)?(?:{_ROLE_NOUNS})(?:\s*\([^)]{{1,30}}\))?(?:\s+[A-Z][a-z]+)?)|"
    rf"(?:HR|IT|Legal|Finance)(?:\s*\([^)]{{1,30}}\))?|"
    rf"(?:Dr\.?|Prof\.?|Mr\.?|Ms\.?|Mrs\.?)\s+[A-Z][\w'-]+|"
    rf"[A-Z](?:\.\s?[A-Z])*\.?(?=\s|:)|[A-Z]{{2,3}}(?=\s|:)|"
    rf"[A-Za-z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?(?:\s*\([^)]{{1,30}}\))?|"
    # "Induction tutor (Sam)", "the careers adviser (Joe)": a role and the person's name
    rf"[A-Z][a-z]+(?:\s+[a-z]+){{1,2}}\s*\([A-Z][^)]{{0,30}}\))"
)
_EN_MODAL = (
    r"(?P<modal>'ll|’ll|\s+will|\s+shall|'s\s+going\s+to|’s\s+going\s+to|(?:'s|’s|'re|’re|'m|’m)\s+gonna|\s+is\s+going\s+to|'m\s+going\s+to|"
    r"\s+am\s+going\s+to|'re\s+going\s+to|\s+are\s+going\s+to|\s+gonna|\s+is\s+to|\s+to|\s+agreed\s+to|"
    r"\s+agrees\s+to|\s+offered\s+to|\s+offers\s+to|\s+promised\s+to|\s+promises\s+to|\s+committed\s+to|"
    r"\s+commits\s+to|\s+plans\s+to|\s+is\s+planning\s+to|(?:'s|’s|'re|’re|'m|’m|\s+are|\s+am)\s+planning\s+to|\s+intends\s+to|\s+needs\s+to|\s+has\s+to|\s+have\s+to|"
    r"\s+must|\s+need\s+to|\s+is\s+supposed\s+to|\s+is\s+meant\s+to|\s+will\s+try\s+to|\s+volunteered\s+to|"
    r"\s+(?:said|says|told\s+(?:me|her|him|them|you)|mentioned|promised|confirmed)\s*[:,]?\s+(?:that\s+)?[\"“]?(?:she|he|they|I|you|we)(?:'d|’d|\s+would|'ll|’ll|\s+will|\s+is\s+going\s+to|'s\s+going\s+to|’s\s+going\s+to|'m\s+going\s+to))"
)
_EN_NEG_MODAL = re.compile(
    r"^(?P<subj>I|you|she|he|they|we|[A-Z][a-z]+)\s*(?:won't|won’t|will\s+not|isn't\s+going\s+to|is\s+not\s+going\s+to|'s\s+not\s+going\s+to|doesn't\s+want\s+to)\b",
    re.I,
)
_EN_COMMIT = re.compile(
    rf"^{_EN_SUBJECT}(?:\s+(?:also|then|still|just|definitely|now|really|both|first|actually))?{_EN_MODAL}(?P<rest>\s+.+)$",
    re.S,
)
_EN_HEDGE = re.compile(r"^\s*(?:probably|maybe|might|possibly|perhaps|likely|hopefully)\b", re.I)
_OTHER_HEDGE = re.compile(
    r"\b(?:wahrscheinlich|vielleicht|eventuell|evtl\.?|m[oö]glicherweise|probablemente|quiz[aá]s?|tal\s+vez|a\s+lo\s+mejor)\b",
    re.I,
)
_WRITER_SHORTHAND = re.compile(
    r"^(?P<modal>will|need\s+to|going\s+to|gonna|must|have\s+to|gotta)\s+(?P<rest>\S.*)$", re.I | re.S
)
_EN_NOT_TASK = re.compile(
    r"^\s*(?:be\s+(?!\w+ing\b)|need\b|see\b|feel\b|know\b|like\b|love\b|hate\b|want\b|seem\b|get\s+there\b|"
    r"have\s+(?:no|more|less|time|fun|enough)\b|cope\b|struggle\b|probably\b|never\b|always\b|"
    r"think\s+(?:about\s+it|it\s+over)\b|consider\s+it\b|sleep\s+on\s+it\b|mull\b|wait\s+and\s+see\b|"
    r"look\s+after\s+(?:yourself|herself|himself|themselves)\b|take\s+care\b|rest\b|relax\b|breathe\b|enjoy\b)",
    re.I,
)
_EN_PRESENT = re.compile(rf"^{_EN_SUBJECT}\s+(?P<verb>[a-z]+s)\b(?P<rest>.*)$", re.S)
_NOT_NAMES = _words(
    "the a an this that these those it its there here what which who when where why how if then also "
    "still maybe perhaps next last time today tomorrow everyone someone nobody everything nothing both "
    "each session sessions call meeting plan goal goals deck round team company product thesis draft cv "
    "portfolio budget fundraising runway energy mood sleep work job role application applications "
    "interview interviews decided agreed decision action actions todo note notes topic topics feedback "
    "follow homework idea monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december and but or so because just really "
    "very much lol ok okay good great well bit any some all one two three first second last new old other "
    "another"
)


_NOT_NAMES_AT_START = _words(
    "need needs want wants have has going got back up due went talked moved listen used able ready keen hard easy nice "
    "try trying hope remember forget agreed decided offered promised reminder ask asked tell started continue "
    "plan planning aim goal reply answer response feedback access welcome thanks thank nothing something everything "
    "whatever someone anyone everyone noone return returned head headed link links note notes email emails this these "
    "that those then there here what who when where why how also still maybe perhaps today tomorrow tonight"
)


def _english_clause(text: str, people: _People, speaker: str | None, at_start: bool = True) -> _Clause | None:
    """A commitment at the start of `text`: 'she'll …', 'T. to …', 'he said he'd …', 'Claire will …'."""
    stripped = text.strip().lstrip("\"“„«'")
    shorthand = _WRITER_SHORTHAND.match(stripped)
    if shorthand and at_start and _starts_with_task_verb(shorthand.group("rest"), "en") and people.who("will") is None:
        # "Will check with HR", "Need to send the form": the writer's own note to self
        writer: Owner = "mentee" if speaker == "mentee" else "mentor"
        return _Clause(shorthand.group("rest"), writer, "commitment", None, whole=stripped, person_form="shorthand")
    passive = _english_passive(stripped, people, speaker)
    if passive is not None:
        return passive
    negated = _EN_NEG_MODAL.match(stripped)
    if negated:
        owner = _owner_of(negated.group("subj"), people, speaker)
        if owner is not None or negated.group("subj").lower() == "we":
            return _Clause(stripped[negated.end() :].strip(), None, "negated", whole=stripped)
    m = _EN_COMMIT.match(stripped)
    if m:
        subject = m.group("subj").strip()
        rest = m.group("rest")
        modal = " ".join(m.group("modal").split()).lower()
        if _EN_HEDGE.match(rest):
            return None
        rest = (
            re.sub(
                r"^\s*(?:also|then|just|definitely|first|still|try\s+to|try\s+and|try|aim\s+to|hope\s+to)\s+",
                " ",
                rest,
                flags=re.I,
            )
            if modal not in ("to",)
            else rest
        )
        if _EN_NOT_TASK.match(rest):
            return None
        if modal == "to" and not _plausible_subject_for_to(subject, people):
            return None
        owner = _owner_of(subject, people, speaker)
        if owner is None:
            return None
        if owner == "joint":
            return _Clause(rest.strip(), None, "joint", whole=stripped)
        form = "quoted" if re.search(r"[\"“]\s*I\b", m.group("modal")) else "modal"  # she said "I'll …"
        return _Clause(rest.strip(), owner, "commitment", subject, whole=stripped, person_form=form)
    m = _EN_PROGRESSIVE.match(stripped)
    if m and find_dates(re.split(r"[,;]", re.sub(r"\([^)]*\)", "", m.group("rest")), maxsplit=1)[0]):
        # "you're applying to the three internships before end of the month": a plan with a date
        verb = _ing_to_base(m.group("verb"))
        owner = _owner_of(m.group("subj").strip(), people, speaker) if verb else None
        if verb and owner in ("mentee", "mentor", "unclear"):
            return _Clause(
                f"{verb}{m.group('rest')}", owner, "commitment", m.group("subj"), whole=stripped, person_form="third"
            )
    m = _EN_PRESENT.match(stripped)
    if m and m.group("verb").lower() in _EN_TASK_VERBS_S:
        owner = _owner_of(m.group("subj").strip(), people, speaker)
        if owner in ("mentee", "mentor", "unclear") and find_dates(m.group("rest")):
            verb = _singular_to_base(m.group("verb"))
            return _Clause(
                f"{verb}{m.group('rest')}", owner, "commitment", m.group("subj"), whole=stripped, person_form="third"
            )
    return None


_EN_PROGRESSIVE = re.compile(
    rf"^{_EN_SUBJECT}(?:'re|’re|'s|’s|'m|’m|\s+are|\s+is|\s+am)\s+(?:also\s+|now\s+|still\s+)?(?P<verb>[a-z]+ing)\b(?P<rest>.*)$",
    re.S,
)
_NOT_PROGRESSIVE_PLANS = _words("get go come start have work feel find keep run stay do try see")


def _ing_to_base(verb: str) -> str | None:
    """'applying' -> 'apply', 'sending' -> 'send', 'writing' -> 'write', 'planning' -> 'plan'; None for no task verb."""
    stem = verb.lower()[:-3]
    for base in (stem, f"{stem}e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if base and base in _EN_TASK_VERBS and base not in _NOT_PROGRESSIVE_PLANS:
            return base
    return None


_EN_PASSIVE = re.compile(
    r"^(?P<obj>[^,;:()]{1,60}?)\s+(?:still\s+)?(?:(?:to|needs?\s+to|has\s+to|have\s+to|must|should|will|is\s+to|are\s+to|"
    r"is\s+going\s+to|are\s+going\s+to|(?:is|are)\s+supposed\s+to)\s+be\s+(?P<pp>[a-z]+)|'ll\s+be\s+(?P<pp2>[a-z]+)|"
    r"needs?\s+(?P<ing>[a-z]+ing))\b(?P<rest>.*)$",
    re.I | re.S,
)
_EN_PARTICIPLES = {
    "sent": "send", "done": "do", "written": "write", "rewritten": "rewrite", "given": "give", "made": "make",
    "taken": "take", "shown": "show", "read": "read", "set": "set", "put": "put", "bought": "buy", "brought": "bring",
    "told": "tell", "held": "hold", "kept": "keep", "met": "meet", "paid": "pay", "chosen": "choose",
    "drawn": "draw", "found": "find", "built": "build", "run": "run", "cut": "cut", "sorted": "sort",
    "redone": "redo", "resent": "resend", "fed back": "feed back", "proofread": "proofread", "got": "get",
}  # fmt: skip
_PERSON_WORDS = _words("i me you she he they we it someone somebody everyone nobody")


def _participle_to_base(word: str) -> str | None:
    """'updated' -> 'update', 'requested' -> 'request', 'sent' -> 'send', 'planned' -> 'plan'; None for no task verb."""
    lower = word.lower()
    if lower in _EN_PARTICIPLES:
        return _EN_PARTICIPLES[lower]
    candidates: list[str] = []
    if lower.endswith("ied"):
        candidates.append(lower[:-3] + "y")
    if lower.endswith("ed"):
        stem = lower[:-2]
        candidates += [stem, lower[:-1]]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            candidates.append(stem[:-1])
    return next((c for c in candidates if c in _EN_TASK_VERBS), None)


def _english_passive(text: str, people: _People, speaker: str | None) -> _Clause | None:
    """'CV to be updated by Friday', 'the reference list needs to be updated', 'slides need updating': the task is
    the verb on the thing; whoever owes it is named by 'by me'/'by her', hinted by 'your'/'my', or unclear."""
    m = _EN_PASSIVE.match(text)
    if not m:
        return None
    obj = _LEADING_FILLER.sub("", m.group("obj").strip()) or m.group("obj").strip()
    first = _fold(obj.split()[0]) if obj.split() else ""
    words = obj.split()
    name_like = len(words) <= 2 and all(w[:1].isupper() and not w.isupper() for w in words)
    if (
        first in _PERSON_WORDS
        or people.who(first) in ("mentee", "mentor")
        or name_like
        or _fold(obj) in people.third_party
        or re.search(r"\b(?:will|would|can|could|is|are|was|were|has|have|had|did|does|do|said|says)\b|'", obj, re.I)
    ):
        return None  # "she will be promoted", "Tom needs to be told", "Sam will need pairing": people, not tasks
    if re.search(r"\b(?:no\s+longer|not|never|no\s+more)$", obj, re.I):
        return _Clause(m.group("rest").strip(), None, "negated", whole=text)  # "the CV no longer needs to be updated"
    if m.group("ing"):
        verb = _ing_to_base(m.group("ing"))
    else:
        verb = _participle_to_base(m.group("pp") or m.group("pp2") or "")
    if verb is None:
        return None
    rest = m.group("rest")
    owner: Owner = "unclear"
    agent = re.search(
        r"\s+by\s+(?P<who>me|her|him|them|you|(?:her|his|their|my|the)\s+\w+|finance|legal|hr|it|[A-Z][\w.]*)(?=\W|$)",
        rest,
        re.I,
    )
    if agent and not find_dates(agent.group(0)):
        found = _owner_of(agent.group("who"), people, speaker)
        if found is None and agent.group("who").lower() in ("finance", "legal", "hr", "it"):
            found = "unclear"
        if found in ("mentee", "mentor", "unclear"):
            owner = found
            rest = rest[: agent.start()] + rest[agent.end() :]
    elif first == "your" or (first in ("her", "his", "their") and people.mentee_pronoun in ("she", "he", "they")):
        owner = "mentor" if speaker == "mentee" and first == "your" else "mentee"
    elif first == "my":
        owner = "mentee" if speaker == "mentee" else "mentor"
    future = re.search(r"(?:\swill|'ll|’ll|\sgoing\s+to)\s+be\s", m.group(0), re.I)
    if future and owner == "unclear" and not any(h.priority == 2 for h in find_dates(rest)):
        return None  # "the role will be advertised in March": an event, no one's task
    obj_text = obj if first in _DETERMINERS else obj[:1].lower() + obj[1:] if obj[1:2].islower() else obj
    return _Clause(f"{verb} {obj_text}{rest}", owner, "commitment", None, whole=text, person_form="passive")


_DETERMINERS = _words("the a an this that these those her his their your my our its some all both")


def _plausible_subject_for_to(subject: str, people: _People) -> bool:
    """'Priya to send …' yes; 'Talked to …', 'Went to …' no: the subject must name a person."""
    folded = _fold(subject)
    if folded in ("i", "me", "you", "she", "he", "they", "we"):
        return folded == "me"
    if folded in _ROLE_OWNERS:
        return True
    if people.who(subject) in ("mentee", "mentor"):
        return True
    first = subject.split()[0]
    return (
        bool(first[:1].isupper())
        and _fold(first) not in _NOT_NAMES
        and (
            _fold(first.rstrip(".")) in people.third_party
            or bool(re.match(r"^(?:[A-Z]\.?)+$", first))
            or "(" in subject
            or bool(re.match(r"^(?:her|his|their|my|our|the)\s", subject, re.I))
            or first in ("HR", "IT", "Legal", "Finance")
        )
    )


def _owner_of(subject: str, people: _People, speaker: str | None) -> Any:
    """'mentee', 'mentor', 'unclear' (a third person), 'joint' (we), or None when the word names nobody."""
    folded = _fold(subject).strip()
    base = re.sub(r"\s*\(.*\)$", "", folded).strip()
    if base in ("i", "me", "ich", "yo"):
        return speaker or "mentor"
    if base in _ROLE_OWNERS:  # "Mentee to apply …", "Mentor to share …"
        return _ROLE_OWNERS[base]
    if base in ("you", "du", "tu", "usted", "sie_formal"):
        return "mentor" if speaker == "mentee" else "mentee"
    if base in ("we", "wir", "nosotros", "nosotras", "let's", "lets"):
        return "joint"
    if base in ("she", "he", "they", "sie", "er", "ella", "el"):
        pronoun = {"sie": "she", "er": "he", "ella": "she", "el": "he"}.get(base, base)
        if speaker == "mentee" and pronoun != "they":
            return "unclear"
        return "mentee" if pronoun == people.mentee_pronoun or pronoun == "they" else "unclear"
    who = people.who(base)
    if who in ("mentee", "mentor"):
        return who
    first = subject.split()[0] if subject.split() else subject
    if re.match(
        r"^(?:her|his|their|my|our|the|su|sus|mi|el|la|der|die|sein|seine|ihr|ihre|mein|meine)\s", subject, re.I
    ):
        return "unclear"
    if first in ("HR", "IT", "Legal", "Finance") or re.match(
        r"^(?:Dr|Prof|Mr|Ms|Mrs|Herr|Frau|Hr|Hrn|Fr|Sr|Sra|Srta|Dra)\b", first
    ):
        return "unclear"
    if first[:1].isupper() and _fold(first) not in _NOT_NAMES and _fold(first.rstrip(".")) in people.third_party:
        return "unclear"
    if "(" in subject and first[:1].isupper() and _fold(first) not in _NOT_NAMES:
        return "unclear"
    return None


_EN_TASK_VERBS = _words(
    "send email e-mail write draft redraft rewrite update review read book ask call ring text message dm "
    "ping share prepare prep practise practice rehearse research look find check set schedule plan pick "
    "list finish complete submit apply publish post record contact reach follow intro introduce connect "
    "talk speak raise block take make do get give bring try start stop reflect journal sign register join "
    "attend meet arrange organise organize confirm decide choose collect gather dig forward print fix "
    "build design test run map outline sketch summarise summarize cut hand delegate say tell explain "
    "negotiate request propose pitch present compile create open close cancel move change reschedule buy "
    "order pay invoice enrol enroll revise study learn watch listen note log track measure calculate "
    "estimate sort chase nudge link upload install push ship deploy go visit shadow observe pair coach "
    "interview invite thank celebrate tidy clean clear translate rework restructure polish proofread edit "
    "add remove drop cap limit agree discuss brainstorm identify define write-up follow-up sign-up set-up "
    "reply respond answer come work put keep fill file renew return claim redo resend phone search compare rank "
    "shortlist save flag escalate highlight mention suggest recommend finalise finalize wrap reserve swap pilot "
    "scan attach include lodge appeal accept decline nominate loop prioritise prioritize reach-out double-check"
)
_EN_TASK_VERBS_S = frozenset(
    {v + "s" for v in _EN_TASK_VERBS} | {v + "es" for v in _EN_TASK_VERBS} | {"tries", "applies", "does", "goes", "has"}
)


def _singular_to_base(verb: str) -> str:
    lower = verb.lower()
    special = {"has": "have", "does": "do", "goes": "go", "is": "be"}
    if lower in special:
        return special[lower]
    if lower.endswith("ies"):
        return verb[:-3] + "y"
    if re.search(r"(?:ch|sh|ss|x|z|o)es$", lower):
        return verb[:-2]
    return verb[:-1]


def _starts_with_task_verb(text: str, language: str) -> bool:
    words = re.findall(r"[\wäöüßáéíóúñ'-]+", text.lower())
    if not words:
        return False
    first = words[0]
    if language == "de":
        last = words[-1]
        if first in ("ich", "er", "sie", "wir", "du", "es", "man", "ihr") or set(words) & _DE_FINITE:
            return False  # a sentence with a subject or a finite verb, not an infinitive task
        return bool(re.search(r"(?:en|ern|eln)$", last)) and len(words) >= 2 and last not in _DE_NOT_INFINITIVE
    if language == "es":
        return (
            bool(re.fullmatch(r"[a-záéíóúñ]+(?:ar|er|ir)(?:le|les|lo|la|me|se|te)?", first))
            and first not in _ES_NOT_INFINITIVE
        )
    return first in _EN_TASK_VERBS or (first.endswith("e") and first[:-1] in _EN_TASK_VERBS)


_DE_FINITE = _words("wird werde will soll muss kann ist hat war sind haben möchte möchten wollte sollte")
_DE_NOT_INFINITIVE = _words(
    "einen keinen seinen ihren meinen den wochen stunden monaten tagen eltern menschen zusammen unten oben"
)
_ES_NOT_INFINITIVE = frozenset(
    ["mejor", "mayor", "menor", "peor", "lugar", "hogar", "par", "mar", "bar", "ayer", "primer", "tercer", "familiar"]
)


# --------------------------------------------------------------------------------------
# Commitments: German
# --------------------------------------------------------------------------------------
_DE_SUBJECT = (
    r"(?P<subj>(?i:ich|er|sie|du|wir)|(?:Herr|Frau|Hr\.|Hrn\.|Fr\.|Dr\.?|Prof\.?)\s+[A-ZÄÖÜ][\wäöüß-]+|"
    r"(?i:der|die|sein|seine|ihr|ihre|mein|meine)\s+(?:Chef\w*|Ausbilder\w*|Betriebsrat|Vorgesetzte\w*|Kolleg\w*|"
    r"Partner\w*|Mitgr[uü]nder\w*|Teamleit\w*|Personalabteilung|Professor\w*|Betreuer\w*|Haus[aä]rzt\w*|Mentor\w*)|"
    r"[A-ZÄÖÜ](?:\.\s?[A-ZÄÖÜ])*\.(?=\s)|[A-ZÄÖÜ]{2,3}(?=\s)|"
    r"(?!(?:Der|Die|Das|Den|Dem|Ein|Eine|Nicht|Noch|Auch|Thema|Bis|Am|Im|Zum|Heute|Morgen|Dann|Sehr|Wie|Was|Wenn)\b)[A-ZÄÖÜ][a-zäöüß-]+)"
)
_DE_CLAUSE = re.compile(rf"^{_DE_SUBJECT}(?:\s*\([^)]{{1,30}}\))?\s+(?P<verb>[a-zäöüß]+)\b(?P<rest>.*)$", re.S)
_DE_ARTICLE_WORDS = (
    "der die das den dem des ein eine einen einem einer eines mein meine meinen meinem sein seine seinen seinem "
    "ihr ihre ihren ihrem unser unsere kein keine keinen zum zur im am vom beim ins fürs"
)
_DE_ARTICLES = frozenset(_DE_ARTICLE_WORDS.split())
_DE_NOT_VERB_WORDS = (
    "mit für von bei zu auf an in im am um über nach vor aus den die der das dem des ein eine und oder als wie"
)
_DE_NOT_VERBS = frozenset(_DE_NOT_VERB_WORDS.split())
_DE_PROMISE = re.compile(
    r"^\s*(?:sich\s+)?(?:fest\s+)?(?:zugesagt|versprochen|angeboten|vorgenommen|bereit|vor|einverstanden)\b[^,]*,\s*(?P<task>.+)$",
    re.S,
)
_DE_NEEDS_DATE = frozenset({"geht", "gehe", "kommt", "komme", "arbeitet", "lernt", "bleibt", "fährt", "fliegt"})
_DE_MODALS = frozenset(
    [
        *("wird", "werde", "will", "möchte", "moechte", "soll", "muss", "plant", "versucht"),
        # the du-forms of a recap written to the mentee: "du wolltest noch … klären" is a reminder of an open task
        *("wirst", "willst", "möchtest", "moechtest", "sollst", "musst", "planst", "versuchst", "wolltest"),
    ]
)
_DE_STATIVE = _words(
    "ist bin war waren hat habe hatte hatten wirkte wirkt sagt sagte meint meinte findet fand fühlt "
    "fühlte glaubt denkt weiß wusste kann konnte könnte läuft schläft traut fällt mag liebt hasst kennt "
    "braucht hört sieht steht gibt wäre würde sollte möchte hätte erzählt erzählte berichtet klingt "
    "scheint wurde sind haben hoffe hofft denke finde glaube weiß sehe"
)
_DE_TASK_STEMS = (
    "schick",
    "schreib",
    "meld",
    "ruf",
    "frag",
    "klär",
    "klaer",
    "bereit",
    "sprech",
    "sprich",
    "les",
    "lies",
    "buch",
    "plan",
    "recherch",
    "überarbeit",
    "ueberarbeit",
    "aktualisier",
    "erstell",
    "sammel",
    "samml",
    "kontaktier",
    "vereinbar",
    "besorg",
    "übernehm",
    "übernimm",
    "test",
    "mach",
    "leit",
    "send",
    "bring",
    "bitt",
    "organisier",
    "prüf",
    "pruef",
    "entscheid",
    "bewirb",
    "bewerb",
    "üb",
    "notier",
    "reich",
    "kümmer",
    "stell",
    "druck",
    "nimm",
    "nehm",
    "such",
    "schau",
    "mail",
    "erinner",
    "block",
    "trag",
    "zeig",
    "gib",
    "geb",
)
_DE_PARTICLES = _words(
    "an auf ab aus bei durch ein fest her hin mit nach vor vorbei weg weiter zu zurück zusammen nach los"
)
_DE_IRREGULAR = {
    "gibt": "geben", "nimmt": "nehmen", "spricht": "sprechen", "liest": "lesen", "sieht": "sehen",
    "trifft": "treffen", "hilft": "helfen", "fährt": "fahren", "läuft": "laufen", "hält": "halten",
    "lädt": "laden", "ist": "sein", "hat": "haben", "weiß": "wissen", "tut": "tun", "bittet": "bitten",
    "wirft": "werfen", "schlägt": "schlagen", "bewirbt": "bewerben", "trägt": "tragen", "lässt": "lassen",
    "wird": "werden", "tue": "tun", "nehme": "nehmen",
    "gibst": "geben", "nimmst": "nehmen", "sprichst": "sprechen", "siehst": "sehen", "triffst": "treffen",
    "hilfst": "helfen", "fährst": "fahren", "läufst": "laufen", "hältst": "halten", "lädst": "laden",
    "hast": "haben", "bist": "sein", "weißt": "wissen", "bewirbst": "bewerben", "trägst": "tragen",
    "wirfst": "werfen", "schlägst": "schlagen", "tust": "tun",
}  # fmt: skip


def _german_infinitive(verb: str, particle: str | None, second_person: bool = False) -> str:
    lower = verb.lower()
    if lower in _DE_IRREGULAR:
        infinitive = _DE_IRREGULAR[lower]
    elif second_person and lower.endswith("st") and len(lower) > 4:
        # du-forms: schickst -> schicken, meldest -> melden, sammelst -> sammeln
        stem = lower[:-3] if lower.endswith("est") and lower[-4] in "dt" else lower[:-2]
        infinitive = stem + "n" if stem.endswith(("el", "er")) else stem + "en"
    elif lower.endswith(("en", "ern", "eln")):
        infinitive = lower  # "Sie schicken …": already the infinitive
    elif lower.endswith(("et", "dt", "tt")) and len(lower) > 4:
        infinitive = lower[:-1] + "n"
    elif lower.endswith(("ert", "elt")) and len(lower) > 5:
        infinitive = lower[:-1] + "n"  # kümmert -> kümmern, sammelt -> sammeln
    elif lower.endswith(("ere", "ele")) and len(lower) > 5:
        infinitive = lower[:-1] + "n"  # kümmere -> kümmern
    elif lower.endswith("t"):
        infinitive = lower[:-1] + "en"
    elif lower.endswith("e"):
        infinitive = lower + "n"
    else:
        infinitive = lower + "en"
    if infinitive.endswith("len") and lower.endswith("le") and not lower.endswith("lle"):
        infinitive = infinitive[:-3] + "eln"  # sammle -> sammeln
    return f"{particle}{infinitive}" if particle else infinitive


_DE_PASSIVE = re.compile(
    r"^(?P<obj>[^,;:()]{1,60}?)\s+(?P<aux>wird|werden|muss|m[uü]ssen|soll|sollen|sollte|sollten)\s+(?P<rest>.+?)\s*[.!]*$",
    re.I | re.S,
)
_DE_NOT_PARTICIPLES = _words("gehen geben gewinnen genießen geniessen gelten geschehen gestalten gewöhnen")


def _is_german_participle(word: str) -> bool:
    """'geschickt', 'abgeschickt', 'geschrieben', 'überarbeitet', 'organisiert', 'erledigt' (not an infinitive)."""
    w = word.lower().strip(".,;!")
    if w in _DE_NOT_PARTICIPLES or len(w) < 5:
        return False
    if w.endswith("iert"):
        return True
    particles = "|".join(sorted(_DE_PARTICLES, key=len, reverse=True))
    if re.fullmatch(rf"(?:{particles})?ge[a-zäöüß]{{2,}}(?:t|en)", w):
        return True
    if re.fullmatch(r"[a-zäöüß]{2,8}ge[a-zäöüß]{2,}t", w):
        return True  # fertiggestellt, zurückgeschickt, bereitgestellt
    return bool(re.fullmatch(r"(?:be|ver|er|ent|zer|über|ueber|unter|hinter|miss|emp|ge)[a-zäöüß]{2,}t", w))


def _german_passive(text: str, people: _People) -> _Clause | None:
    """'Der Lebenslauf wird bis Freitag überarbeitet und an mich geschickt', 'Die Unterlagen müssen noch
    eingereicht werden': a task with no one named; 'an mich'/'sein'/'dein' hint the mentee, 'von mir' the mentor."""
    m = _DE_PASSIVE.match(text)
    if not m:
        return None
    obj, aux, rest = m.group("obj").strip(), m.group("aux").lower(), m.group("rest")
    first = _fold(obj.split()[0]) if obj.split() else ""
    if first in ("ich", "du", "er", "sie", "wir", "ihr", "man", "es") or people.who(first) in ("mentee", "mentor"):
        return None
    first_part = re.split(r"\s+und\s+|,", rest, maxsplit=1)[0].split()
    if not first_part:
        return None
    if aux in ("wird", "werden"):
        if not _is_german_participle(first_part[-1]):
            return None
    elif not (
        len(first_part) >= 2
        and first_part[-1].lower() == "werden"
        and first_part[-2][:1].islower()  # "muss … unterschrieben werden": only a participle stands there
        and len(first_part[-2]) >= 4
    ):
        return None
    if re.search(r"\b(?:nicht|kein\w*|nie|niemals)\b", " ".join(first_part), re.I):
        return _Clause(rest.strip(), None, "negated", whole=text)  # "… muss nicht neu gemacht werden"
    owner: Owner = "unclear"
    if re.search(r"\bvon\s+mir\b", rest, re.I):
        owner = "mentor"
    elif re.search(r"\b(?:an|zu)\s+mich\b|\bmir\b|\bvon\s+(?:ihm|ihr|dir)\b", rest, re.I) or first in (
        "sein",
        "seine",
        "seinen",
        "dein",
        "deine",
        "deinen",
        "ihr",
        "ihre",
        "ihren",
    ):
        owner = "mentee"
    if aux in ("wird", "werden") and owner == "unclear" and not any(h.priority == 2 for h in find_dates(rest, "de")):
        return None  # "Stelle wird im März ausgeschrieben": something that will happen, no one's task
    return _Clause(" ".join(text.split()).rstrip(".!"), owner, "commitment", None, whole=text, person_form="passive")


_DE_VERB_SECOND = re.compile(
    r"^(?P<lead>(?:[\wäöüß.\-]+\s+){0,6}?[\wäöüß.\-]+)\s+(?P<verb>[a-zäöüß]{3,})\s+(?P<subj>ich|er|sie|wir|du)\b(?P<rest>.*)$",
    re.I | re.S,
)
_DE_DISCOURSE_LEAD = re.compile(
    r"^(?:wie\s+(?:besprochen|vereinbart|abgemacht|versprochen|gesagt)|au(?:ß|ss)erdem|dann|danach|zuerst|zun[aä]chst|"
    r"also|anschlie(?:ß|ss)end|jedenfalls|gerne|auf\s+jeden\s+fall|und)$",
    re.I,
)
_DE_SUBORDINATORS = _words("wenn falls dass ob weil da als obwohl sobald bevor nachdem damit während wie was wer")


def _german_verb_second(text: str) -> re.Match[str] | None:
    """'Wie besprochen schicken Sie mir …', 'Mit Thomas spricht sie nächste Woche': German puts the verb second and
    the subject after it when something else comes first."""
    m = _DE_VERB_SECOND.match(text)
    if not m:
        return None
    lead_words = [_fold(w) for w in m.group("lead").split()]
    discourse = bool(_DE_DISCOURSE_LEAD.match(m.group("lead")))
    if (lead_words[0] in _DE_SUBORDINATORS and not discourse) or lead_words[0] in (
        "ich",
        "er",
        "sie",
        "wir",
        "du",
        "es",
        "man",
    ):
        return None
    verb = m.group("verb").lower()
    if verb in _DE_NOT_VERBS or verb in _DE_ARTICLES or any(_fold(w) in _DE_FINITE for w in lead_words):
        return None
    return m


_DE_IMPERATIVE_IRREGULAR = {
    "lies": "liest", "gib": "gibst", "nimm": "nimmst", "sprich": "sprichst", "sieh": "siehst", "hilf": "hilfst",
    "triff": "triffst", "wirf": "wirfst", "lass": "lässt",
}  # fmt: skip


def _german_imperative(text: str, people: _People, speaker: str | None, has_date: bool) -> _Clause | None:
    """'schick ihn mir bis So', 'ruf sie morgen an', 'melde dich für den Kurs an': a du-imperative, the task of the
    person the notes speak to. Read as the du-form ('du schickst ihn mir …') so the verb becomes an infinitive."""
    m = re.match(r"^(?P<verb>[a-zäöüß]{2,})\s+(?P<rest>\S.*)$", text.strip(), re.S)
    if not m or re.match(r"^(?:ich|du|er|wir|ihr|man)\b", m.group("rest"), re.I):
        return None  # "schickst du …?", not an imperative ("schick es mir", "ruf sie an" are)
    verb = m.group("verb")
    stem = verb[:-1] if verb.endswith("e") else verb
    if verb in _DE_IMPERATIVE_IRREGULAR:
        second = _DE_IMPERATIVE_IRREGULAR[verb]
    elif stem in _DE_TASK_STEMS or stem in _DE_IMPERATIVE_STEMS:
        second = f"{stem}est" if stem.endswith(("d", "t")) else f"{stem}st"
    else:
        return None
    clause = _german_clause(f"du {second} {m.group('rest')}", people, speaker, has_date)
    if clause is None or clause.kind != "commitment":
        return clause
    return _Clause(clause.text, clause.owner, "commitment", None, whole=text, person_form="request")


_DE_IMPERATIVE_STEMS = frozenset(
    ["versuch", "probier", "überleg", "lern", "setz", "leg", "check", "hör", "denk", "notier", "überprüf", "plane"]
)


_DE_PARTICLE_ALTERNATION = "an|auf|ab|aus|mit|vor|zurück|weiter|nach|durch|vorbei"
_DE_AFTER_PARTICLE = "wegen|für|fuer|mit|bei|zum|zur|bis|am|um|über|ueber|wenn|weil|damit|dass|ob|falls"


def _german_clause(text: str, people: _People, speaker: str | None, has_date: bool) -> _Clause | None:
    stripped = text.strip()
    if _OTHER_HEDGE.search(" ".join(stripped.split()[:4])):
        return None  # "sie wird wahrscheinlich …": a guess, not a commitment
    passive = _german_passive(stripped, people)
    if passive is not None:
        return passive
    inverted = re.match(
        r"^(?P<lead>(?:bis|am|gleich|morgen|heute|n[aä]chste\s+woche|sp[aä]ter)[^,]{0,30}?)\s+(?P<verb>[a-zäöüß]+)\s+(?P<subj>ich|er|sie|wir)\b(?P<rest>.*)$",
        stripped,
        re.I | re.S,
    ) or _german_verb_second(stripped)
    if inverted:
        lead_words = "" if _DE_DISCOURSE_LEAD.match(inverted.group("lead")) else f" {inverted.group('lead')}"
        m_subj, m_verb, m_rest = (
            inverted.group("subj"),
            inverted.group("verb"),
            f"{lead_words}{inverted.group('rest')}",
        )
    else:
        m = _DE_CLAUSE.match(stripped)
        if not m:
            return None
        m_subj, m_verb, m_rest = m.group("subj"), m.group("verb"), m.group("rest")
    subject, verb, rest = m_subj, m_verb.lower(), m_rest
    if subject == "Sie" and verb.endswith("en") and verb not in _DE_MODALS:
        owner = _owner_of("du", people, speaker)  # "Sie schicken mir …": the formal you, in a recap to the mentee
    elif subject.lower() in ("ich", "er", "sie", "du", "wir"):
        owner = _owner_of(subject.lower(), people, speaker)
    else:
        if not subject[:1].isupper():
            return None
        owner = _owner_of(subject, people, speaker)
        if owner is None:
            return None
        if not verb.endswith("t") and verb not in _DE_MODALS and verb not in _DE_FINITE:
            return None  # "Lena müde, …": a name's present-tense verb ends in -t ("Lena schickt"); this is no verb
    if verb in _DE_NOT_VERBS:
        return None
    promise = _DE_PROMISE.match(rest) if verb in ("hat", "habe", "ist", "bin", "nimmt", "nehme") else None
    if promise and owner in ("mentee", "mentor", "unclear"):
        # "Sie hat zugesagt, bis Ende November ihre Ziele aufzuschreiben": the zu-infinitive is the task
        task = re.sub(r"[.!;]+$", "", promise.group("task").strip())
        last = task.split()[-1] if task.split() else ""
        separable = re.fullmatch(
            rf"(?P<particle>{'|'.join(sorted(_DE_PARTICLES, key=len, reverse=True))})zu(?P<verb>\w+en)", last
        )
        if separable:
            task = task[: -len(last)] + separable.group("particle") + separable.group("verb")
        else:
            task = re.sub(r"\bzu\s+(\w+)$", r"\1", task)
        return _Clause(task, owner, "commitment", subject, whole=stripped, person_form="infinitive")
    if verb in _DE_NEEDS_DATE and not has_date:
        return None
    if verb in _DE_STATIVE and not (verb == "hat" and re.search(r"\bvor\s*$", rest)):
        return None
    if verb in ("frage", "fragt") and re.match(r"^\s*(?:mich|sich)\b", rest):
        return None  # "sie fragt sich": she wonders
    negated = bool(re.search(r"\b(?:nicht|kein|keine|keinen|nie)\b", rest, re.I))
    if owner == "joint":
        return _Clause(rest.strip(), None, "joint", whole=stripped)
    main = re.split(r",|\s[–—-]\s|\(", rest, maxsplit=1)[0]
    without_brackets = re.split(r",|\s[–—-]\s", re.sub(r"\s*\([^)]*\)", "", rest), maxsplit=1)[0]
    if without_brackets.split() and without_brackets.split()[-1].lower().strip(".!") in _DE_PARTICLES:
        main = without_brackets  # "ich frag bei Jens (Bosch) nach, ob …": the particle after the brackets
    last = main.split()[-1].lower().strip(".!") if main.split() else ""
    particle = last if last in _DE_PARTICLES else None
    moved_out = None
    if particle is None:
        # "ruf bei der Kammer an wegen der Anerkennung": a phrase may follow the particle
        moved_out = re.search(rf"\s(?P<p>{_DE_PARTICLE_ALTERNATION})\s+(?=(?:{_DE_AFTER_PARTICLE})\b)", main)
        particle = moved_out.group("p") if moved_out else None
    is_modal = verb in _DE_MODALS
    is_task = verb.startswith(_DE_TASK_STEMS)
    first_person = subject.lower() == "ich"
    if not (is_modal or particle or has_date or is_task or (first_person and verb.endswith("e"))):
        return None
    if negated:
        return _Clause(rest.strip(), None, "negated", whole=stripped)
    phrase = re.sub(r"(?<!\d)[.!;]+$", "", rest.strip())
    phrase = re.sub(r"^(?:au(?:ß|ss)erdem|auch|noch|dann|bitte|nochmal|gleich)\s+(?=\S+\s)", "", phrase, flags=re.I)
    if is_modal:
        main_words = re.split(r",|\s[–—-]\s", re.sub(r"\s*\([^)]*\)", "", phrase), maxsplit=1)[0].split()
        if not main_words or not re.fullmatch(r"[a-zäöüß]+(?:en|ern|eln|n)", main_words[-1].strip(".!?")):
            return None  # "Vermieter will Bürgschaft": wants a thing, no task to do
        text_out = phrase
    else:
        infinitive = _german_infinitive(verb, particle, subject.lower() == "du")
        at_particle = (
            re.search(rf"\s+{particle}(?=\s*(?:[,.(–—-]|$))", phrase) if particle and main is without_brackets else None
        )
        if moved_out is not None:
            at_particle = re.search(rf"\s{particle}(?=\s+(?:{_DE_AFTER_PARTICLE})\b)", phrase)
        if particle and at_particle is None:
            phrase = re.sub(rf"\s+{particle}(?=\s*(?:[,.(–—-]|$))", "", phrase, count=1)
        parts = (
            [phrase[: at_particle.start()], "", phrase[at_particle.end() :]]
            if at_particle is not None
            else re.split(r"(,|\s[–—-]\s|\()", phrase, maxsplit=1)
        )
        head, sep, tail = [*parts, "", ""][:3]
        text_out = (
            f"{head.strip()} {infinitive}{sep if sep.strip() in (',', '') else ' ' + sep.strip() + ' '}{tail}".strip()
        )
        text_out = re.sub(r"\s+,", ",", text_out)
    return _Clause(text_out, owner, "commitment", subject, whole=stripped, person_form="infinitive")


# --------------------------------------------------------------------------------------
# Commitments: Spanish
# --------------------------------------------------------------------------------------
_ES_SUBJECT = (
    r"(?:(?P<subj>(?i:yo|ella|él|tú|usted|nosotros|nosotras)|"
    r"(?i:su|sus|mi|el|la)\s+(?i:jef[ea]|cofundador[a]?|soci[oa]|supervisor[a]?|tutor[a]?|director[a]?|compa[nñ]er[oa]|pareja|madre|padre)|"
    r"[A-ZÁÉÍÓÚÑ](?:\.\s?[A-ZÁÉÍÓÚÑ])*\.(?=\s)|"
    r"(?!(?:Le|Les|Lo|La|Las|Los|Me|Te|Se|Nos|El|Una?|No|Si|Ya|Hay|Muy|Para|Con|En|De|Del|Al|Que|Y|Pero|Hoy|Ma[nñ]ana|"
    r"Va|Vas|Voy|Vamos|Van|Tiene|Tienes|Tengo|Tenemos|Debe|Debo|Quedó|Quedé|Quedamos|Est[aá]|Es|Son|Fue)\b)"
    r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ-]+)\s+)?"
)
_ES_CLAUSE = re.compile(
    rf"^{_ES_SUBJECT}(?P<clitic>(?:(?i:me|te|le|les|lo|la|se|nos)\s+){{0,2}})(?P<verb>(?i:[a-záéíóúñ]+))\b(?P<rest>.*)$",
    re.S,
)
_ES_AUX = {
    "va": ("third", "a"), "vas": ("second", "a"), "voy": ("first", "a"), "vamos": ("we", "a"), "van": ("third", "a"),
    "tiene": ("third", "que"), "tienes": ("second", "que"), "tengo": ("first", "que"), "tenemos": ("we", "que"),
    "debe": ("third", ""), "debes": ("second", ""), "debo": ("first", ""), "debemos": ("we", ""),
    "quedó": ("third", "en"), "quedé": ("first", "en"), "quedamos": ("we", "en"),
    "compromete": ("third", "a"), "comprometo": ("first", "a"), "ofrece": ("third", "a"), "ofrezco": ("first", "a"),
    "piensa": ("third", ""), "pienso": ("first", ""), "intentará": ("third", ""), "intentaré": ("first", ""),
    "comprometió": ("third", "a"), "comprometí": ("first", "a"), "ofreció": ("third", "a"), "ofrecí": ("first", "a"),
    "prometió": ("third", ""), "prometí": ("first", ""), "acordó": ("third", ""),
    "puedes": ("second", ""), "podrías": ("second", ""), "tendrás": ("second", "que"), "tendrá": ("third", "que"),
    "tendré": ("first", "que"), "intentas": ("second", ""), "necesitas": ("second", ""),
}  # fmt: skip
_ES_PERFORMATIVE = _words("resumo adjunto detallo")
_ES_STATIVE_FUTURE = _words("será seré estará estaré habrá podrá podré sabrá sabré querrá parecerá")
_ES_SECOND_STATIVE = _words(
    "estás estas eres quieres sabes crees piensas sientes pareces vives llevas trabajas duermes tienes gustas"
)
_ES_STATIVE = _words(
    "es está esta son están tiene tengo siente cuesta parece sabe quiere quiero lleva trabaja duerme fue "
    "era estaba hizo pasó dijo comentó cree creo pienso gusta encanta preocupa necesita hay ha he hemos "
    "han se siente le cuesta minimiza habla hablamos repasamos vimos estuvimos"
)
_ES_FIRST_PERSON_TASKS = _words(
    "mando envío envio paso reviso llamo escribo preparo busco hablo presento comparto pregunto hago miro "
    "confirmo organizo reenvío reenvio contacto consulto averiguo agendo reservo leo"
)
_ES_IRREGULAR_FUTURE = {
    "hará": "hacer", "haré": "hacer", "dirá": "decir", "diré": "decir", "pondrá": "poner", "pondré": "poner",
    "tendrá": "tener", "tendré": "tener", "podrá": "poder", "podré": "poder", "saldrá": "salir", "vendrá": "venir",
    "sabrá": "saber", "querrá": "querer", "traerá": "traer", "traeré": "traer",
}  # fmt: skip
_ES_ER_IR = {
    "escrib": "escribir", "le": "leer", "hag": "hacer", "hac": "hacer", "pong": "poner", "pon": "poner",
    "teng": "tener", "veng": "venir", "dig": "decir", "pid": "pedir", "sig": "seguir", "consig": "conseguir",
    "compart": "compartir", "recib": "recibir", "respond": "responder", "ofrezc": "ofrecer", "ofrec": "ofrecer",
    "conozc": "conocer", "sub": "subir", "abr": "abrir", "decid": "decidir", "imprim": "imprimir",
    "describ": "describir", "ve": "ver", "muev": "mover", "vuelv": "volver", "pued": "poder", "promet": "prometer",
    "envi": "enviar", "reenvi": "reenviar", "insist": "insistir", "aprend": "aprender", "corrig": "corregir",
    "eleg": "elegir", "elij": "elegir", "met": "meter", "añad": "añadir", "incluy": "incluir",
    # stems that change in the present: empieza -> empezar, cuenta -> contar, pide -> pedir
    "empiez": "empezar", "comienz": "comenzar", "piens": "pensar", "cierr": "cerrar", "entiend": "entender",
    "pierd": "perder", "quier": "querer", "prefier": "preferir", "sient": "sentir", "cuent": "contar",
    "muestr": "mostrar", "prueb": "probar", "encuentr": "encontrar", "recuerd": "recordar", "resuelv": "resolver",
    "devuelv": "devolver", "cuest": "costar", "suen": "sonar", "repit": "repetir", "sirv": "servir", "mid": "medir",
    "despid": "despedir", "invit": "invitar", "inscrib": "inscribir", "reun": "reunir", "cumpl": "cumplir",
    "dirig": "dirigir", "asist": "asistir", "permit": "permitir", "discut": "discutir", "sugier": "sugerir",
    "adviert": "advertir", "requier": "requerir",
}  # fmt: skip


def _spanish_infinitive(verb: str) -> str | None:
    lower = verb.lower()
    if lower in _ES_IRREGULAR_FUTURE:
        return _ES_IRREGULAR_FUTURE[lower]
    if re.search(r"(?:ar|er|ir)[áé]$", lower):
        return lower[:-1]
    if re.search(r"(?:ar|er|ir)án$", lower):
        return lower[:-2]  # enviarán -> enviar
    if lower.endswith(("as", "es", "an", "en")) and len(lower) > 4:
        # tú and ellos present: mandas -> mandar, escribes -> escribir, revisan -> revisar
        stem = lower[:-2].replace("í", "i").replace("ú", "u")
        if stem in _ES_ER_IR:
            return _ES_ER_IR[stem]
        return stem + ("ar" if lower[-2] == "a" else "er")
    if lower.endswith(("o", "a", "e")):
        stem = lower[:-1].replace("í", "i").replace("ú", "u")
        if stem in _ES_ER_IR:
            return _ES_ER_IR[stem]
        if lower.endswith("e"):
            return stem + "er"
        return stem + "ar"
    return None


_ES_REPORTED = re.compile(
    r"^(?P<subj>[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+|ella|él)\s+(?:(?:me|nos|le)\s+)?(?:dijo|dice|ha\s+dicho|coment[oó]|comenta|"
    r"cont[oó]|cuenta|asegur[oó]|asegura|prometi[oó]|promete|confirm[oó]|confirma)\s+que\s+(?P<rest>\S.*)$",
    re.S,
)
_ES_TOPIC = re.compile(
    r"^(?P<topic>(?:el|la|los|las)\s+[^,;]{2,50}?)\s+(?P<clitic>lo|la|los|las)\s+"
    r"(?P<rest>(?:tiene|tengo|tienes|debe|debo|debes|va|voy|vas|tendr[aáé]s?|har[aáé]s?|hace|hago|haces|"
    r"manda|mando|mandas|env[ií]a|env[ií]o|prepara|preparo|termina|termino|revisa|reviso)\b.*)$",
    re.I | re.S,
)
_ES_IMPERSONAL = re.compile(
    r"^(?:hay|habr[aá]|har[aá]\s+falta|hace\s+falta)\s+que\s+(?P<inf>[a-záéíóúñ]+(?:ar|er|ir)(?:le|les|lo|la|los|las|se)?)\b"
    r"(?P<tail>.*)$|^(?:quedan?|est[aá]n?)\s+pendientes?\s+(?:de\s+|que\s+)?(?P<task>\S.*)$",
    re.I | re.S,
)


_ES_ENCLITICS = (
    "selo",
    "sela",
    "melo",
    "mela",
    "telo",
    "tela",
    "les",
    "los",
    "las",
    "nos",
    "le",
    "lo",
    "la",
    "me",
    "te",
    "se",
)
_ES_IMPERATIVE_PLAIN = _words(
    "aplica revisa manda envía envia busca llama escribe prepara mira pide habla practica termina lee actualiza "
    "apunta contacta pregunta agenda reserva organiza intenta prueba guarda imprime firma paga completa rellena "
    "descarga comparte confirma trae sube investiga averigua anota haz pon ven di ten sal"
)
_ES_IRREGULAR_IMPERATIVE = {
    "haz": "hacer",
    "pon": "poner",
    "ven": "venir",
    "di": "decir",
    "ten": "tener",
    "sal": "salir",
}


def _spanish_imperative(text: str, speaker: str | None, at_start: bool) -> _Clause | None:
    """'cámbiale la foto', 'inscríbete al curso', 'aplica a las prácticas antes del viernes': a tú-imperative, the
    task of the person the notes speak to. With a pronoun on the end (and so an accent) it is one anywhere; the
    bare form only where a line or a point begins."""
    stripped = re.sub(r"^(?:nada\s+m[aá]s|s[oó]lo|tambi[eé]n|porfa|y)\s+", "", text.strip(), flags=re.I)
    m = re.match(r"^(?P<word>[a-záéíóúñ]+)\b(?P<rest>.*)$", stripped, re.I | re.S)
    if not m:
        return None
    word, rest = m.group("word").lower(), m.group("rest")
    infinitive: str | None = None
    clitics = ""
    if re.search(r"[áéíóú]", word):
        for clitic in _ES_ENCLITICS:
            base = word[: -len(clitic)]
            if word.endswith(clitic) and len(base) >= 3 and re.search(r"[áéíóú]", base) and base[-1] in "ae":
                plain = base.translate(str.maketrans("áéíóú", "aeiou"))
                infinitive, clitics = _spanish_infinitive(plain), clitic
                break
    elif at_start and word in _ES_IMPERATIVE_PLAIN:
        infinitive = _ES_IRREGULAR_IMPERATIVE.get(word) or _spanish_infinitive(word.replace("í", "i"))
    if not infinitive or not rest.strip():
        return None
    clitics = "se" if clitics == "te" else clitics  # "inscríbete" -> "inscribirse"
    owner: Owner = "mentor" if speaker == "mentee" else "mentee"
    return _Clause(f"{infinitive}{clitics}{rest}".strip(), owner, "commitment", None, whole=text, person_form="request")


def _spanish_clause(text: str, people: _People, speaker: str | None, has_date: bool, at_start: bool) -> _Clause | None:
    stripped = text.strip()
    if _OTHER_HEDGE.search(" ".join(stripped.split()[:4])):
        return None
    topic = _ES_TOPIC.match(stripped)
    if topic and at_start and re.search(r"\b(?:no|nunca|ya\s+no|tampoco)\s*$", topic.group("topic"), re.I):
        return _Clause(topic.group("rest"), None, "negated", whole=stripped)  # "el curso ya no lo voy a hacer"
    if topic and at_start:
        # "el CPA renewal lo tiene que hacer antes del 2/15": the thing first, then a pronoun for it
        clause = _spanish_clause(f"{topic.group('clitic')} {topic.group('rest')}", people, speaker, has_date, True)
        if clause is not None and clause.kind == "commitment":
            return _Clause(
                _spanish_antecedent(clause.text, topic.group("topic"), certain=True),
                clause.owner,
                "commitment",
                clause.owner_word,
                whole=stripped,
                person_form=clause.person_form,
            )
        return clause
    impersonal = _ES_IMPERSONAL.match(stripped)
    if impersonal:  # "hay que revisar el presupuesto", "queda pendiente el contrato": no one named
        task = impersonal.group("task") or f"{impersonal.group('inf')}{impersonal.group('tail')}"
        return _Clause(task.strip(), "unclear", "commitment", None, whole=stripped, person_form="passive")
    m = _ES_CLAUSE.match(stripped)
    if not m:
        return None
    subject = (m.group("subj") or "").strip()
    clitic = " ".join(m.group("clitic").split()).lower()
    verb = m.group("verb").lower()
    rest = m.group("rest")
    if not subject and not at_start:
        return None
    pronoun = subject.lower() in ("yo", "ella", "él", "el", "tú", "tu", "usted", "nosotros", "nosotras")
    if (
        subject
        and not pronoun
        and not subject[:1].isupper()
        and not subject.lower().startswith(("su ", "mi ", "el ", "la "))
    ):
        return None
    negated = bool(re.match(r"^(?:ya\s+)?no\s", stripped.lower())) or bool(re.match(r"^\s*no\b", clitic))
    person: str | None = None
    infinitive: str | None = None
    phrase = rest.strip()
    if (
        not subject
        and clitic == "se"
        and re.match(r"^\s*(?:el|la|los|las|un|una|unos|unas|este|esta|estos|estas)\b", rest, re.I)
    ):
        # "Se enviará el plan a RR. HH. antes del 1 de marzo": the impersonal se, no one named
        se_infinitive = _spanish_infinitive(verb) if verb not in _ES_STATIVE else None
        if se_infinitive is None or negated:
            return None
        return _Clause(
            f"{se_infinitive} {phrase}".strip(), "unclear", "commitment", None, whole=stripped, person_form="passive"
        )
    if verb in _ES_AUX:
        person, connector = _ES_AUX[verb]
        inf = re.match(
            rf"^\s*{connector}\s+(?P<inf>[a-záéíóúñ]+(?:ar|er|ir)(?:le|les|lo|la|me|se|te|nos)?)\b(?P<tail>.*)$"
            if connector
            else r"^\s*(?P<inf>[a-záéíóúñ]+(?:ar|er|ir)(?:le|les|lo|la|me|se|te|nos)?)\b(?P<tail>.*)$",
            rest,
            re.S | re.I,
        )
        if not inf:
            return None
        infinitive, phrase = inf.group("inf"), inf.group("tail").strip()
        reflexive_aux = verb in ("compromete", "comprometo") or clitic.strip() == "se"
        clitic_suffix = "" if reflexive_aux else clitic.replace(" ", "")
    elif verb in _ES_STATIVE or (verb.endswith(("ó", "aba", "ía", "ado", "ido")) and verb not in ("envía", "envío")):
        return None
    elif (re.search(r"(?:ar|er|ir)[áé]$", verb) or verb in _ES_IRREGULAR_FUTURE) and verb not in _ES_STATIVE_FUTURE:
        person = "third" if verb.endswith("á") else "first"
        infinitive = _spanish_infinitive(verb)
        clitic_suffix = clitic.replace(" ", "")
    elif verb.endswith("mos"):
        person = "we"
        infinitive = None
        clitic_suffix = ""
    elif (
        verb.endswith(("as", "es"))
        and len(verb) > 4
        and _fold(verb) not in _ALL_WEEKDAYS
        and _fold(verb) not in _ALL_MONTHS
        and re.search(r"[^\W\d]", rest)
        and verb not in _ES_SECOND_STATIVE
        and verb not in _ES_STATIVE
        and (
            subject.lower() in ("tú", "tu")
            or (not subject and at_start and verb == m.group("verb") and bool(clitic.strip() or has_date))
        )
    ):
        person = "second"  # "me mandas el presupuesto antes del martes": the mentee, in notes written to them
        infinitive = _spanish_infinitive(verb)
        clitic_suffix = clitic.replace(" ", "")
    elif verb in _ES_PERFORMATIVE or (verb == "escribo" and re.match(r"^\s*(?:para|porque)\b", rest)):
        return None  # "Te resumo la sesión de hoy", "te adjunto el enlace": the message itself, not a task
    elif verb.endswith(("o", "ío")) and (
        subject.lower() == "yo" or clitic or (at_start and not subject and verb in _ES_FIRST_PERSON_TASKS)
    ):
        person = "first"
        infinitive = _spanish_infinitive(verb)
        clitic_suffix = clitic.replace(" ", "")
    elif verb.endswith(("a", "e")) and (
        ((subject or "me" in clitic.split()) and (has_date or "me" in clitic.split()))
        or (clitic and people.who(subject) in ("mentee", "mentor"))  # "Isabel le presenta a Carla"
        or (
            # "lo empieza el lunes": "la"/"las"/"los" are articles first ("la entrevista es el 16")
            not subject
            and at_start
            and has_date
            and m.group("clitic").strip() in ("lo", "le", "les")
            and len(verb) >= 4
            and not re.match(r"^\s*(?:que|de|del)\b", rest)
        )
    ):
        person = "third"
        infinitive = _spanish_infinitive(verb)
        clitic_suffix = clitic.replace(" ", "")
    else:
        return None
    if person == "we" or subject.lower() in ("nosotros", "nosotras"):
        return _Clause(phrase, None, "joint", whole=stripped)
    if subject:
        owner = _owner_of(subject, people, speaker)
        if owner is None:
            return None
    elif person == "first":
        owner = speaker or "mentor"
    elif person == "second":
        owner = "mentor" if speaker == "mentee" else "mentee"
    else:
        owner = "mentee" if speaker != "mentee" else "unclear"
    if owner == "joint":
        return _Clause(phrase, None, "joint", whole=stripped)
    if negated:
        return _Clause(phrase, None, "negated", whole=stripped)
    if infinitive is None:
        return None
    phrase = re.sub(r"^(?:yo|t[uú]|él|ella)\b\s*", "", phrase, flags=re.I)  # "le paso yo el contacto"
    text_out = f"{infinitive}{clitic_suffix if clitic_suffix and not infinitive.endswith(clitic_suffix) else ''} {phrase}".strip()
    return _Clause(text_out, owner, "commitment", subject or None, whole=stripped, person_form="infinitive")


# --------------------------------------------------------------------------------------
# Requests: imperatives addressed to the other person
# --------------------------------------------------------------------------------------
_LEADING_FILLER = re.compile(
    r"^\s*(?:(?:oh|ah|and|also|so|then|plus|btw|fyi|note|nb|ps|ok|okay|great|yes|yeah|sure|fine|deal|fair|perfect|"
    r"y|pues|entonces|adem[aá]s|vale|s[ií](?=,)|claro|bueno|genial|perfecto|und|au[sß]erdem|dann|ach|ja|gut|klar|prima)"
    r"\b[,:]?\s+)+",
    re.I,
)
_REQUEST_START = re.compile(
    r"^\s*(?:pls|plz|please|kindly|remember|don'?t|do\s+not|make\s+sure|bitte|denk|vergiss|nicht\s+vergessen|por\s+favor|"
    r"acu[eé]rdate|recuerda|no\s+(?:te\s+)?olvides|intenta|procura|trata|[a-záéíóúñ]+[ae]\s+t[uú]\b)",
    re.I,
)
_EN_REQUEST = re.compile(
    r"^(?:(?:pls|plz|please|kindly)\s+(?:do\s+)?(?:remember\s+to\s+|don'?t\s+forget\s+to\s+)?|(?:remember|don'?t\s+forget|do\s+not\s+forget|make\s+sure)\s+to\s+|"
    r"make\s+sure\s+you\s+)(?P<task>\S.*)$",
    re.I | re.S,
)
_DE_REQUEST = re.compile(
    r"^(?:bitte\s+(?P<task>\S.*)|(?:denk(?:e)?\s+(?:bitte\s+)?dran|vergiss\s+(?:bitte\s+)?nicht|nicht\s+vergessen)"
    r"\s*[,:]?\s*(?P<zu>\S.*\bzu\s+\w+|\S.*\w+zu\w+en)\W*)$",
    re.I | re.S,
)
_ES_REQUEST = re.compile(
    r"^(?:por\s+favor,?\s+(?P<task>\S.*)|(?:acu[eé]rdate|recuerda|no\s+(?:te\s+)?olvides|intenta|procura|trata)\s+(?:de\s+)?"
    r"(?P<inf>[a-záéíóúñ]+(?:ar|er|ir)(?:le|les|lo|la|los|las|me|se|te|nos)?)\b(?P<rest>.*)|"
    r"(?P<verb>[a-záéíóúñ]+[ae])\s+t[uú]\b\s*(?P<rest2>.*))$",
    re.I | re.S,
)


def _request(text: str, language: str, speaker: str | None, people: _People) -> _Clause | None:
    """'pls fill in the form', 'remember to …', 'bitte schick mir …', 'acuérdate de apuntar …', 'busca tú otro':
    a task for the person the notes speak to: the mentee, or the mentor when the mentee is speaking."""
    stripped = text.strip()
    owner: Owner = "mentor" if speaker == "mentee" else "mentee"
    task: str | None = None
    m = _EN_REQUEST.match(stripped)
    if m and _starts_with_task_verb(m.group("task"), "en"):
        task = m.group("task")
    if task is None and language == "de":
        m = _DE_REQUEST.match(stripped)
        if m and m.group("task") and len(m.group("task").split()) >= 2:
            task = m.group("task")
        elif m and m.group("zu"):
            task = re.sub(r"\bzu\s+(\w+)$", r"\1", m.group("zu").strip())
            task = re.sub(rf"\b({_alternation(_DE_PARTICLES)})zu(\w+en)$", r"\1\2", task)
    if task is None and language == "es":
        m = _ES_REQUEST.match(stripped)
        if m and m.group("task") and len(m.group("task").split()) >= 2:
            task = m.group("task")
        elif m and m.group("inf") and m.group("inf").lower() not in _ES_NOT_INFINITIVE:
            task = f"{m.group('inf')}{m.group('rest')}"
        elif m and m.group("verb"):
            infinitive = _spanish_infinitive(m.group("verb"))
            task = f"{infinitive} {m.group('rest2')}".strip() if infinitive else None
    if not task or _EN_NOT_TASK.match(task):
        return None
    return _Clause(task.strip(), owner, "commitment", None, whole=stripped, person_form="request")


# --------------------------------------------------------------------------------------
# Wellbeing, cadence, decisions and the other kinds of lines
# --------------------------------------------------------------------------------------
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("burnout", r"\bburn(?:t|ed|ing)?[\s-]?out\b|\bburnout\b|\bausgebrannt\b|\bquemad[oa]\b"),
        (
            "exhaustion",
            r"\bexhausted\b|\bexhaustion\b|\bknackered\b|\bshattered\b|\bdrained\b|\bwiped out\b|"
            r"\brunning on (?:empty|fumes)\b|\bno energy\b|\b(?:her|his|their|my)\s+energy\s+is\s+(?:low|very low|gone)\b|"
            r"\bcan'?t switch off\b|\bnot coping\b|\bkaputt\b|\bfix und fertig\b|\bhecha? polvo\b|\bsin fuerzas\b|\bworn out\b|\btired\b|\bersch[oö]pf\w*|\bm[uü]de\b|\bausgelaugt\b|"
            r"\bplatt\b|\bagotad[oa]\b|\bagotamiento\b|\bcansad[oa]\b|\bsin energ[ií]a\b|\breventad[oa]\b",
        ),
        (
            "sleep",
            r"\bnot sleeping\b|\bcan'?t sleep\b|\bcannot sleep\b|\bsleep(?:ing)?\s+(?:is\s+)?(?:bad(?:ly)?|poor(?:ly)?|terrible|awful)\b|"
            r"\bsleeping badly\b|\bsleeping (?:very )?little\b|\bbarely sleeping\b|\bbad sleep\b|\bpoor sleep\b|\binsomnia\b|\bbarely sleep\w*|\bno sleep\b|"
            r"\bnot sleeping (?:much|great|well)\b|\bschl[aä]f\w*\s+(?:\w+\s+){0,3}(?:schlecht|kaum|nicht)\b|\bschlafprobleme\b|\bschl[aä]ft\s+(?:sehr\s+)?wenig\b|\bwenig\s+schlaf\b|\bkaum\s+schlaf\b|"
            r"\bsleep(?:ing|s)?\s+(?:only\s+|just\s+|about\s+|around\s+)?[1-5](?:\.5)?\s*(?:h|hrs?|hours?)\b|"
            r"\bschl[aä]ft\s+(?:nur\s+|kaum\s+)?[1-5]\s*(?:h|std\.?|stunden)\b|\bduerme\s+(?:solo\s+|unas\s+)?[1-5]\s*(?:h|horas)\b|"
            r"\bschlaflos\w*|\bno duerme\b|\bduerme mal\b|\binsomnio\b|\bsin dormir\b|\bdurmiendo\s+(?:poco|mal)\b|\bduerme\s+poco\b|\bno (?:puede|consigue) dormir\b",
        ),
        (
            "overwhelm",
            r"\boverwhelm\w*|\bswamped\b|\bdrowning\b|\bcan'?t cope\b|\bat (?:her|his|their|my) limit\b|"
            r"\b[uü]berfordert\b|\b[uü]berlastet\b|\bam limit\b|\bagobiad[oa]\b|\babrumad[oa]\b|\bdesbordad[oa]\b|\bal l[ií]mite\b|\bsaturad[oa]\b",
        ),
        (
            "stress",
            r"\bdemotivated\b|\bdiscouraged\b|\bhopeless\b|\bentmutigt\b|\bhoffnungslos\b|\bdesanimad[oa]\b|\bdesmotivad[oa]\b|"
            r"\banxious\b|\banxiety\b|\bpanic\w*|\bstressed\b|\bscared\b|\bcrying\b|\bcried\b|\bin tears\b|\bdreading\b|"
            r"\blow mood\b|\bdepress\w*|\bgestresst\b|\bangst\b(?!\s+vor\b)|\bpanik\b|\bweint\b|\bgeweint\b|\bniedergeschlagen\b|"
            r"\bestresad[oa]\b|\bansiedad\b|\bansios[oa]\b|\bangustiad[oa]\b|\bllor\w*|\bp[aá]nico\b",
        ),
        (
            "overwork",
            r"\b(?:[6-9]\d|1[0-4]\d)\s*-?\s*(?:h|hrs?|hours?|stunden)\s*(?:/|a|per|pro)?\s*-?\s*(?:week|wk|woche)s?\b|"
            r"\bno days? off\b|\bhasn'?t had a day off\b|\b\d{1,2}\s?am finishes\b|\bworking (?:every )?weekends\b|"
            r"\blate nights\b|\bworking doubles\b|\bdouble shifts\b|\bdoppelschichten\b|\bdobles?\s+turnos?\b|\bkeinen freien tag\b|\btrabaja hasta las \d\b|\b(?:[6-9]\d|1[0-4]\d)\s*horas\s+(?:a\s+la|por|cada)\s+semana\b|\bsin d[ií]as libres\b",
        ),
        (
            "health",
            r"\bheadaches?\b|\bmigraines?\b|\bsick leave\b|\boff sick\b|\bsigned off sick\b|\bkrankgeschrieben\b|"
            r"\bkopfschmerzen\b|\bbaja m[eé]dica\b|\bdolores? de cabeza\b|\bpanic attacks?\b",
        ),
    )
)
_ENERGY = re.compile(
    r"\b(?:energy|mood|energie|stimmung|energ[ií]a|[aá]nimo)\s*(?:level\s*)?[:=]?\s*(?P<a>\d{1,2})\s*/\s*10\b|"
    r"\b(?P<b>\d{1,2})\s*/\s*10\s+(?:energy|mood|energie|energ[ií]a)\b",
    re.I,
)
_CUE_NEGATION = re.compile(
    r"(?:\bnot\b|\bno longer\b|\bless\b|\bisn'?t\b|\bwasn'?t\b|\bnever\b|\bnicht(?: mehr)?\b|\bkein\w*|\bya no\b|\bno est[aá]\b|\bmenos\b|\bnada\b)\W+(?:\w+\W+){0,2}$",
    re.I,
)
_FULL_WEEKDAYS = {w: d for table in _WEEKDAY_WORDS.values() for w, d in table.items() if len(w) > 4 or w in ("lunes",)}
_DAY_NAMES = itertools.count()


def _day() -> str:
    """A weekday written out ('Tuesday', 'Dienstag', 'martes'), as a meeting rhythm names it (each use its own group)."""
    return rf"(?P<day{next(_DAY_NAMES)}>{_words_re(_FULL_WEEKDAYS)})s?(?!\w)"


_CADENCE = (
    (
        "every two weeks",
        rf"\bevery (?:other|second|2nd|alternate) {_day()}|\balternate {_day()}|\bjeden zweiten {_day()}|"
        rf"\bcada dos {_day()}|\b{_day()} (?:por medio|alternos)\b|"
        r"\bevery (?:two|2|other|second) (?:weeks?|wks?)\b|\b2-weekly\b|\bbi-?weekly\b|\bfortnightly\b|\bevery fortnight\b|"
        r"\balle (?:zwei|2|14 tage|vierzehn tage)(?: wochen)?\b|\b(?:14|vierzehn)-?t[aä]gig\b|\bzweiw[oö]chentlich\b|"
        r"\bcada (?:dos|2) semanas\b|\bquincenal(?:es|mente)?\b|\bcada quince d[ií]as\b",
    ),
    (
        "weekly",
        rf"\bevery {_day()}|\bjeden {_day()}|\b(?:cada|todos los) {_day()}|"
        r"\bweekly\b|\bevery week\b|\bonce a week\b|\bw[oö]chentlich\b|\bjede woche\b|\beinmal (?:pro|die) woche\b|"
        r"\bsemanal(?:es|mente)?\b|\bcada semana\b|\buna vez (?:a|por) semana\b",
    ),
    (
        "monthly",
        r"\bmonthly\b|\bevery month\b|\bonce a month\b|\bmonatlich\b|\bjeden monat\b|\beinmal (?:im|pro) monat\b|"
        r"\bmensual(?:es|mente)?\b|\bcada mes\b|\buna vez al mes\b",
    ),
)
_CADENCE_RE = tuple((name, re.compile(p, re.I)) for name, p in _CADENCE)
_MEETING_WORDS = re.compile(
    r"\b(?:we\s+(?:will\s+|'ll\s+)?meet|meet(?:ing)?s?|our\s+(?:sessions?|calls?|catch[- ]?ups?)|sessions?|catch[- ]?ups?|check[- ]?ins?|"
    r"cadence|we'll\s+go|go\s+(?:weekly|monthly|back)|switch(?:ing)?\s+to|stick\s+(?:to|with)|keep\s+(?:it|to|the)|slots?|agreed|treffen\s+uns|"
    r"rhythmus|bleiben\s+bei|sitzungen|termine|vernos|nos\s+vemos|reunirnos|seguimos|sesiones|quedamos)\b",
    re.I,
)
_NOT_OUR_CADENCE = re.compile(
    r"\b(?:with\s+(?:her|his|their)\s+(?:team|reports|manager)|her\s+team|his\s+team|reuniones\s+semanales|1:1s\s+with)\b",
    re.I,
)
_NEXT_MEETING = re.compile(
    r"^\W*next\s*:|\b(?:next\s+(?:session|meeting|call|catch[- ]?up|chat|1:1|one)|n[aä]chstes\s+mal\s+am|let'?s\s+do|see\s+you\s+(?:on\s+)?|n[aä]chste[rs]?\s+(?:termin|treffen|sitzung|gespr[aä]ch|telefonat|call)|"
    r"(?:meet|talk|speak|catch\s+up|reconvene|regroup)\s+again|same\s+time\s+next\s+(?:week|month)|wieder\s+(?:treffen|sprechen)|"
    r"pr[oó]xima\s+(?:sesi[oó]n|reuni[oó]n|cita)|nos\s+vemos|n[aä]\.\s*(?:termin|treffen|sitzung)|review\s+in\s+\d)\b|^\W*(?:la\s+)?pr[oó]xima\s*:|^\W*n[aä]chstes\s+mal\s*:",
    re.I,
)
_DECISION_WORDS = re.compile(
    r"^\W*agreed\s+to\b|\b(?:decided|decision|decide[sd]?\s+to|agreed(?!\s+to\b)|we\s+agreed|agreement|settled\s+on|going\s+with|"
    r"we\s+chose|chose|opted\s+for|parked|holding\s+off|no\s+(?:more|new)\b|won'?t|will\s+not|not\s+going\s+to|"
    r"entschieden|entscheidung|beschlossen|vereinbart|abgemacht|geeinigt|festgelegt|"
    r"decidi\w*|decisi[oó]n|acordamos|acordado|quedamos\s+en|nada\s+de)\b|"
    # a plan given up is a decision too: "dropped the idea of …", "vom Tisch", "lo dejamos", "descartado"
    r"\b(?:dropp(?:ed|ing)\s+(?:the\s+(?:idea|plan)|it)|scrapp(?:ed|ing)|ruled\s+out|no\s+longer\s+(?:need|going|want|plan)\w*|"
    r"park(?:ed|ing)?\s+(?!lot\b)\w+|(?:is|are|was)\s+off\s+the\s+table|vom\s+tisch|gestrichen|verworfen|"
    r"(?:muss|musst|m[uü]ssen|brauchst|braucht)\s+(?:\w+\s+){0,5}nicht\s+mehr|nicht\s+mehr\s+n[oö]tig|"
    r"(?:lo|la|los|las)\s+dejamos|descartad[oa]s?|se\s+acuerda|ya\s+no\s+hace\s+falta|no\s+hace\s+falta|"
    r"(?:ya\s+)?no\s+(?:va|voy|vas|van|vamos)\s+a|"
    # put off for now: "on hold", "not needed", "vorerst kein Thema", "zurückgestellt", "aplazado", "por ahora no"
    r"on\s+hold|not\s+needed|no\s+need\s+to|postponed|deferred|vorerst\s+(?:kein\s+thema|nicht)|zur[uü]ckgestellt|"
    r"aplazad[oa]s?|aplazamos|por\s+ahora\s+no)\b",
    re.I,
)
_NOT_DECIDED = re.compile(
    r"\b(?:no\s+decision|not\s+(?:yet\s+)?decided|undecided|yet\s+to\s+decide|hasn'?t\s+decided|still\s+deciding|"
    r"keine\s+entscheidung|noch\s+nicht\s+entschieden|sin\s+decidir|no\s+(?:hemos|ha)\s+decidido)\b",
    re.I,
)
_WIN_WORDS = re.compile(
    # each word whole ('super' is not 'supervisor'); a stem that may go on says so with \w* or its endings
    r"\b(?:went\s+(?:really\s+|very\s+|so\s+)?well|proud\w*|nailed|great|excellent|brilliant\w*|strong(?:er|est)?|"
    r"strengths?|confident\w*|improved|(?:big|real|huge|clear)\s+improvement|(?:for\s+the\s+)?first\s+time\s+ever|"
    r"well[- ](?:organised|organized|planned|prepared|paced|run|structured)|on task|"
    r"done\s*!|finally\s+(?:did|done|sent|shipped|finished|got)|landed\s+(?:the|a|her|his|their)\b|better\s+than|"
    r"well\s+done|breakthrough|lit\s+up|best\s+ever|passed|signed\s+off|(?<=: )offered|got\s+(?:the|an?)\s+offer|"
    r"good\s+(?:contacts|progress|feedback|results?|news|start|call|conversation)|"
    r"shipped|win|genuinely\s+excellent|good\s+at|gut\s+gelaufen|stolz\w*|st[aä]rken?|super|toll(?:e[nrs]?)?|"
    r"fortschritt\w*|geschafft|bestanden|souver[aä]n\w*|muy\s+bien|muy\s+buen[ao]|orgullos[ao]s?|logr[oó]|"
    r"consigui[oó]|mejor[oó]|aprob[oó]|excelente|genial\w*)(?!\w)|🎉",
    re.I,
)
_GROWTH_WORDS = re.compile(
    r"\b(?:struggl\w*|hard\s+to|finds\s+it\s+hard|difficult|wobble\w*|stuck|avoid\w*|tends\s+to|over-?explain\w*|"
    r"weak\w*|nervous|too\s+long|jumps\s+to|rambl\w*|sticking\s+point|needs\s+(?:more\s+)?(?:practice|work)|"
    r"schwierig\w*|schwer|traut\s+sich\s+nicht|unsicher|schwierigkeiten|le\s+cuesta|a\s+mejorar|dificultad\w*|"
    r"nervios\w*|minimiza|froze|freez(?:es|ing)\s+up|(?:mind|head)\s+(?:goes|went)\s+blank|went\s+blank|blanked|"
    r"panick\w*|flustered|lost\s+(?:the|her|his|their|my)\s+thread|rushed|defensive|procrastinat\w*|"
    r"overthink\w*|second-guess\w*|blockiert\w*|blackout|se\s+bloque\w*|en\s+blanco)\b",
    re.I,
)
_CONTRAST = re.compile(
    # not 'bis' or 'hasta': in German and Spanish notes they mostly start a date ('bis Freitag', 'hasta el lunes')
    r"\s+(?:until|till|except(?:\s+for)?|but|though|although|yet|aber|außer|pero|excepto)\s+|,\s*(?:though|but)\s+",
    re.I,
)


def _mixed_verdict(text: str) -> tuple[str, str] | None:
    """(the win, the growth area) of a line that praises and then qualifies ('great energy but still
    rambles', 'went well until the revenue slide: rushed'); None when it does not do both."""
    parts = _CONTRAST.split(text, maxsplit=1)
    if len(parts) != 2:
        return None
    praise, rest = parts[0].strip(" ,;:"), parts[1].strip(" ,;:")
    if not _WIN_WORDS.search(praise) or _WIN_WORDS.search(rest) or len(rest.split()) < 2 or len(praise.split()) < 2:
        return None
    return praise, rest


_DONE_WORDS = re.compile(
    r"\b(?:done|finished|completed|submitted|already|shipped|published|sent|applied|signed|passed|launched|"
    r"erledigt|abgeschlossen|geschafft|bereits|schon|angemeldet|abgerechnet|verdrahtet|"
    r"ya|termin[oó]|envi[oó]|complet[oó]|cerr[oó]|aprob[oó]|entreg[oó]|terminado|hecho)\b",
    re.I,
)
_PRO_FORM = re.compile(
    r"^(?:do|handle|sort|organi[sz]e|book|arrange|set|chase|own|take)\s+(?:it|that|this|them)(?:\s+up|\s+out)?\b|"
    r"^(?:das|es)\s+machen\b|^(?:das|es)\s+erledigen\b|^(?:sich\s+)?darum\s+k[uü]mmern\b|^hacerlo\b|^encargarse\b",
    re.I,
)
_SEND_PRO_FORM = re.compile(
    # "… und schicken es mir bis Freitag", "te lo mando esta semana": sending the thing the task before named
    r"^(?:es|ihn|sie|das)\s+(?:\w+\s+){0,2}(?:schicken|senden|mailen|weiterleiten|geben|zeigen)\b|"
    r"^(?:mandar|enviar|pasar|reenviar|dar)(?:te|le|les|me)?l[oa]s?\b",
    re.I,
)
_BOUNDARY = re.compile(
    r"(?:[,;]?\s+(?:and|but|then|so|und|aber|dann|y|pero|luego)\s+|[,;]\s+|\s*(?:→|->|=>)\s*|\s+\+\s+|\s+&\s+|\s*[—–]\s*|\s+-\s+|\s*\(\s*|\s*:\s+|\s*/\s+)"
)
_TRAILING_BOUNDARY = re.compile(
    r"(?:[,;]?\s*\b(?:and|but|then|so|und|aber|dann|y|pero|luego)|[,;:+&—–/(-]|→|->|=>)\s*$", re.I
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?!\()|;\s+|\s+(?=\bPS\b)")
_ABBREV_END = re.compile(
    r"(?:\b(?:e\.g|i\.e|vs|etc|approx|dr|prof|mr|ms|mrs|st|no|z\.b|ca|bzw|nr|sr|sra|srta|dra|ud|uds|hr|hrn|fr|"
    r"dipl|ing|n[aä]|ggf|evtl|usw|inkl|zzgl|vgl|bzgl|insb|mind|tel|std|wg|fa|abt|str|aprox|p[aá]g|n[uú]m|lic|"
    r"[A-Za-z])\.|"
    r"\b([A-Z])\1\.|\d\.)$",
    re.I,
)


def _sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        chunk = text[start : m.start()]
        if chunk.rstrip().endswith(".") and _ABBREV_END.search(chunk.rstrip()):
            continue
        if chunk.strip():
            pieces.append(chunk.strip())
        start = m.end()
    if text[start:].strip():
        pieces.append(text[start:].strip())
    return [part for piece in pieces for part in _run_on_parts(piece)]


_RUN_ON_START = re.compile(
    r"\s+(?=(?:I|she|he|we|they|you)(?:'\w+|’\w+)?\s+\w|next\s+(?:call|session|meeting|time|catch[- ]?up)\b)"
)
_BINDS_NEXT = _words(
    "that if when because whether so and but or as than what which who where how once unless until while said "
    "thinks think says hope hopes know knows guess feel feels sure told tell asked ask"
)


_REPORTING = _words("said told promised mentioned asked reminded")


def _run_on_parts(sentence: str) -> list[str]:
    """A transcribed voice memo or a long unpunctuated jotting: split it where a new subject starts
    ('… send it to me by monday so I can look at it I said I'd ring …'). Punctuated sentences stay whole."""
    words = len(sentence.split())
    if words < 30 or len(re.findall(r"[.,;:!?()–—]", sentence)) * 15 > words:
        return [sentence]
    parts, start = [], 0
    for m in _RUN_ON_START.finditer(sentence):
        before = sentence[start : m.start()].split()
        # "I told her I'd …", "she said she'll …": the reported words belong to the verb before them
        reported = (
            len(before) >= 2
            and _fold(before[-2]) in _REPORTING
            and _fold(before[-1]) in _PERSON_WORDS | {"her", "him", "them"}
        )
        if before and _fold(before[-1]) not in _BINDS_NEXT and not reported:
            parts.append(sentence[start : m.start()].strip())
            start = m.end()
    parts.append(sentence[start:].strip())
    return [part for part in parts if part]


def _cues(line: str, source: str) -> list[WellbeingCue]:
    found: list[WellbeingCue] = []
    for kind, pattern in _CUES:
        for m in pattern.finditer(line):
            if kind not in ("sleep",) and _CUE_NEGATION.search(line[: m.start()]):
                continue
            if kind == "exhaustion" and re.search(r"\btired\s+of\b", line[m.start() : m.end() + 4], re.I):
                continue
            found.append(WellbeingCue(kind, m.group(0), source))
            break
    for m in _ENERGY.finditer(line):
        value = int(m.group("a") or m.group("b"))
        if value <= 4:
            found.append(WellbeingCue("low_energy", m.group(0), source))
    return found


def _cadence(text: str) -> str | None:
    found = _cadence_match(text)
    return found[0] if found else None


_RHYTHM_FILLER = re.compile(
    r"\b(?:we|agreed?|agreement|decided|to|meet(?:ing|s)?|sessions?|calls?|catch[- ]?ups?|the|on|at|and|from|now|"
    r"wir|vereinbart|uns|treffen|alle|am|acordamos|vernos|reunirnos|quedamos|en|los|las|el|la|y)\b",
    re.I,
)


def _only_cadence(text: str) -> bool:
    """A 'decision' that only agrees the meeting rhythm ('agreed fortnightly, thursdays'): the cadence says it."""
    found = _cadence_match(f"meet {text}")
    if found is None:
        return False
    rest = text[: found[1].start() - 5] + " " + text[found[1].end() - 5 :] if found[1].start() >= 5 else text
    rest = _RECURRING_DAY.sub(" ", _ON_DAY.sub(" ", rest))
    rest = _RHYTHM_FILLER.sub(" ", rest)
    for day in _FULL_WEEKDAYS:
        rest = re.sub(rf"\b{re.escape(day)}s?\b", " ", rest, flags=re.I)
    return len(re.findall(r"[^\W\d_]{2,}", rest)) == 0


def _without_lead_conjunction(facts: Iterable[NoteFact]) -> list[NoteFact]:
    """'But froze in the dry run' -> 'Froze in the dry run': a note's link to the line before is not the fact."""
    out = []
    for fact in facts:
        text = re.sub(r"^(?:but|and|though|although|yet|aber|und|pero|y)\s+(?=\w)", "", fact.text, flags=re.I)
        out.append(NoteFact(_capitalise(text), fact.source) if text != fact.text else fact)
    return out


def _cadence_match(text: str) -> tuple[str, re.Match[str]] | None:
    """The first meeting rhythm a line agrees for these sessions, and where it says so."""
    if not _MEETING_WORDS.search(text) or _NOT_OUR_CADENCE.search(text):
        return None
    best: tuple[str, re.Match[str]] | None = None
    for name, pattern in _CADENCE_RE:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[1].start()):
            best = (name, m)
    return best


def _cadence_weekday(text: str) -> int | None:
    """The weekday the agreed rhythm names ('every other Tuesday' is 1, 'fortnightly on Thursdays' 3)."""
    found = _cadence_match(text)
    if found is None:
        return None
    day = next((g for g in found[1].groupdict().values() if g), None)
    if day is None:
        named = _ON_DAY.search(text) or _RECURRING_DAY.search(text)  # 'fortnightly, thursdays'
        day = next((g for g in named.groupdict().values() if g), None) if named else None
    return _FULL_WEEKDAYS.get(_fold(day)) if day else None


_ON_DAY = re.compile(rf"\b(?:on|am|los|el) {_day()}", re.I)
_RECURRING_DAY = re.compile(rf"\b(?P<recurring>{_words_re(_FULL_WEEKDAYS)})s\b", re.I)
"""A weekday in the plural ('thursdays', 'dienstags'): the day a rhythm repeats on."""
_SAME_TIME = re.compile(r"\bsame\s+time\s+next\s+(week|month)\b", re.I)


def _month_first(text: str) -> bool:
    """Whether the notes write slashed dates month first: they say so ('US format', 'MM/DD'), or a date like
    10/22 can only be read that way and none like 22/10 contradicts it."""
    if re.search(r"\b(?:US|U\.S\.|American)\s+(?:date\s+)?(?:format|dates?|style)\b|\bMM/DD\b", text, re.I):
        return True
    pairs = [(int(a), int(b)) for a, b in re.findall(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/\d{2,4})?(?![\d/])", text)]
    return any(a <= 12 < b <= 31 for a, b in pairs) and not any(b <= 12 < a <= 31 for a, b in pairs)


# --------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------
class _Analysis:
    def __init__(self, text: str, session_date: dt.date, mentee: str, mentor: str | None, language: str | None):
        self.text = text
        self.base = session_date
        self.people = _People(mentee, mentor)
        self.language = detect_language(text, language)
        self.items: list[NoteAction] = []
        self.decisions: list[NoteFact] = []
        self.done: list[NoteFact] = []
        self.next_time: list[NoteFact] = []
        self.wins: list[NoteFact] = []
        self.growth: list[NoteFact] = []
        self.cues: list[WellbeingCue] = []
        self.cadence: str | None = None
        self.meeting_weekday: int | None = None
        self.next_meeting: dt.date | None = None
        self.skipped = 0
        self.transcript = False
        self.voice: str | None = None
        """Who is speaking in the sentence being read: None for the mentor's own notes."""
        self.month_first = _month_first(text)
        self.previous_sentence = ""
        """The sentence before the one being read, in the same line: where 'lo'/'it' may point."""
        self._learn_people()
        self.writer = self._writer()
        """'mentee' when the mentee wrote these notes (a recap to the mentor: 'Hi Robert, … I'll …'), else None."""

    def _due(self, text: str, language: str, meeting: bool = True) -> tuple[dt.date, _DateHit] | None:
        return resolve_due(
            text, self.base, language, self.next_meeting if meeting else None, month_first=self.month_first
        )

    # -- setup ------------------------------------------------------------------------
    def _learn_people(self) -> None:
        """Third parties are the capitalised names used mid-sentence; the mentee's pronoun is the one used most."""
        for m in re.finditer(
            r"(?<=[a-z,(] )([A-ZÄÖÜÁÉÍÓÚ][a-zäöüßáéíóúñ]{2,})\b|\(([A-Z][a-z]{2,})\)|\b(?:cofounder|co-founder|manager|boss|colleague)\s+([A-Z][a-z]{2,})",
            self.text,
        ):
            name = next(g for g in m.groups() if g)
            before = self.text[: m.start()].split()[-1:] if m.start() else []
            if self.language == "de" and before and _fold(before[0]) in _DE_ARTICLES:
                continue
            if _fold(name) not in _NOT_NAMES and self.people.who(name) is None and _month_number(name) is None:
                self.people.third_party.add(_fold(name))
        # "Gemma to confirm the venue", "Marek will send …" at the start of a line or after a speaker: a person
        for m in re.finditer(
            r"(?:^|[:\-–—•*\]]\s*|[.!?]\s+)([A-ZÁÉÍÓÚÄÖÜ][a-zäöüßáéíóúñ]{2,})\s+(?:to\s+([a-z]+)|will\b|'ll\b|’ll\b)",
            self.text,
            re.M,
        ):
            name, verb = m.group(1), m.group(2)
            if (
                (verb is None or verb in _EN_TASK_VERBS)
                and _fold(name) not in _NOT_NAMES
                and _fold(name) not in _NOT_NAMES_AT_START
                and self.people.who(name) is None
                and _month_number(name) is None
                and _fold(name) not in _ALL_WEEKDAYS
            ):
                self.people.third_party.add(_fold(name))
        lowered = f" {self.text.lower()} "

        def count(pattern: str) -> int:
            return len(re.findall(pattern, lowered))

        # every language's forms, so that mixed notes count too
        she = count(r"\b(?:she|she'll|she's|she'd|her|hers|herself|ella)\b") + count(r"\bsie\s+\w+t\b")
        she += count(r"\b(?:ihr|ihre|ihren|ihrem)\b") + count(
            r"\b(?:contenta|cansada|agobiada|orgullosa|agotada|nerviosa)\b"
        )
        he = count(r"\b(?:he|he'll|he's|he'd|him|his|himself|er|ihm|ihn|sein|seine|seinen|seiner|él)\b")
        he += count(r"\b(?:contento|cansado|agobiado|orgulloso|agotado|nervioso)\b")
        they = count(r"\b(?:they|they'll|they're|their|them|themself)\b")
        you = count(
            r"\b(?:you|you'll|you've|you're|your|yourself|du|dir|dich|dein|deine|deinen|deinem|deiner|tú|ti|contigo|te|"
            r"tu|tus|tienes|vas|quieres)\b"
        )
        if they > max(she, he) * 2 and they >= 3:
            self.people.mentee_pronoun = "they"
            return
        if you > max(she, he, they) * 2 and you >= 3:
            self.people.mentee_pronoun = "you"  # a recap written to the mentee: 'she'/'he' are other people
            return
        self.people.mentee_pronoun = "he" if he > she else "she"

    def _writer(self) -> str | None:
        """A message that greets the mentor by name or is signed by the mentee was written by the mentee: its
        'I' is the mentee and its 'you' the mentor."""
        lines = [line.strip() for line in self.text.splitlines() if line.strip()]
        if not lines:
            return None
        greeting = re.match(
            r"^(?:hi|hello|hey|dear|hallo|liebe[rs]?|hola|querid[oa]|buenas)\s+(?P<name>[^\W\d][\w.-]*)", lines[0], re.I
        )
        signature = lines[-1] if len(lines[-1].split()) <= 3 else ""
        signed = re.sub(
            r"^(?:best|thanks|cheers|lg|vg|viele\s+grüße|un\s+abrazo|saludos|gracias|[^\w]+)[,!]?\s*",
            "",
            signature,
            flags=re.I,
        )
        greets = self.people.who(greeting.group("name")) if greeting else None
        signs = self.people.who(signed.split()[0].rstrip(".,!")) if signed.split() else None
        if greets == "mentor" and signs != "mentor":
            return "mentee"
        if signs == "mentee" and greets != "mentee":
            return "mentee"
        return None

    # -- lines --------------------------------------------------------------------------
    def lines(self) -> list[_Line]:
        raw_lines = _merge_field_blocks(self.text.splitlines())
        labelled = 0
        for raw in raw_lines:
            label = _LABEL.match(_BULLET.sub("", raw.strip()))
            if (
                label
                and self._speaker_of(label.group("label"))
                and re.search(r"\b(?:I|I'll|I'm|my|ich|yo)\b|\?\s*$", label.group("rest"))
            ):
                labelled += 1
        self.transcript = labelled >= 3
        found: list[_Line] = []
        section: str | None = None
        section_owner: str | None = None
        bulleted = False
        table: dict[str, int] = {}
        first_line = True
        for raw in raw_lines:
            line = raw.strip()
            if not line:
                section, section_owner, bulleted = None, None, False
                continue
            if first_line:
                first_line = False
                if self._is_title(line):
                    continue
            if _looks_like_instruction(line):
                self.skipped += 1
                continue
            bare_row = "|" in line and (bool(table) or _is_table_header(line))
            if _TABLE_ROW.match(line) or bare_row:
                row = self._table_row(line, table)
                if row is not None:
                    found.append(row)
                continue
            table.clear()
            fields = self._field_row(_BULLET.sub("", _CHECKBOX.sub("", line)), line)
            if fields is not None:
                found.append(fields)
                continue
            heading = self._heading(line)
            if heading is not None:
                section, section_owner = heading
                bulleted = False
                continue
            line = _TIMESTAMP.sub("", line) or line  # "[10:02] Anna: …", "12/03/27, 10:02 - Anna: …" (chat exports)
            is_bullet = bool(_BULLET.match(line) or _CHECKBOX.match(line))
            if section is not None and bulleted and not is_bullet:
                section, section_owner = None, None  # the list under the heading has ended
            bulleted = bulleted or is_bullet
            item = _Line(text=line, source=line, section=section, section_owner=section_owner)
            item.language = detect_language(line, self.language) if len(line.split()) >= 4 else self.language
            box = _CHECKBOX.match(line)
            if box:
                mark = box.group("mark")
                done = (mark is not None and mark.strip().lower() in ("x", "✓", "✔")) or box.group("box") in (
                    "☑",
                    "☒",
                    "✅",
                )
                item.checkbox = "done" if done else "open"
                line = line[box.end() :]
                if box.group("box") == "✅" and _FUTURE.search(line):
                    item.checkbox = None  # "✅ you'll redo the CV by Sun": a chat's bullet, not a done task
            else:
                bullet = _BULLET.match(line)
                if bullet:
                    item.arrow = bool(bullet.group("arrow"))
                    line = line[bullet.end() :]
            strike = _STRIKE.match(line.strip())
            if strike:
                line, item.checkbox = strike.group("text"), "done"
            tail = _DONE_TAIL.search(line)
            if tail and len(line) > tail.end() - tail.start() + 3:
                line, item.checkbox = line[: tail.start()], "done"
            marker = _MARKER.match(line)
            if marker and not re.search(r"[:\-–—]\s*$", marker.group(0)) and not _MARKER_WITHOUT_COLON.match(line):
                marker = None  # "Follow-up notes — Kenneth": a title, not a marker
            if marker:
                item.marked = True
                if re.match(r"homework|hw|hausaufgabe|deberes|tarea", marker.group("marker"), re.I):
                    item.label_owner = "mentee"
                line = line[marker.end() :]
                bracket = re.match(
                    r"^(?:\((?P<who>[^)]{1,30})\)|(?:for|f[uü]r|para)\s+(?P<who2>[^:]{1,30}?))\s*[:\-–]?\s+", line, re.I
                )
                who = bracket.group("who") or bracket.group("who2") if bracket else None
                if bracket and who and self._speaker_of(who):
                    item.label_owner = self._speaker_of(who)
                    line = line[bracket.end() :]
            aside = _OWNER_ASIDE.search(line)
            if aside and aside.start() > 0 and item.label_owner is None:
                who = self._speaker_of(aside.group("who"))
                unsure = bool(aside.group("hedge") or aside.group("after") or re.search(r"(?i)\bwho\b", aside.group(0)))
                if unsure:  # a plain "(S.)" is read where it stands, as before
                    item.label_owner = who
                    item.owner_hedged = True
                    line = line[: aside.start()]
            self._label(item, line.strip())
            if item.owner_hedged and item.label_owner and item.label_kind is None:
                item.label_kind = "owner"  # "- ask HR whether it counts (me probably)": a task with its owner named
            found.append(item)
        return found

    def _is_title(self, line: str) -> bool:
        """The notes' first line naming the session by its date ('Jonas – 2. Treffen (19.11.)', 'RM 3/2 (sess 3)',
        'Rosa 3/12 - call, 40 min'): a title, not a task due that day. Notes read before the next session were
        written on their title's date, so their 'by Fri' counts from that day, not from today."""
        if _BULLET.match(line) or _CHECKBOX.match(line) or len(line.split()) > 12 or _FUTURE.search(line):
            return False
        for hit in find_dates(line, self.language, month_first=self.month_first):
            if not re.search(r"\d", hit.text):
                continue
            date = hit.resolve(self.base, None)
            if date is not None and date > self.base and not re.search(r"\d{4}|'\d{2}\b", hit.text):
                try:  # a day and month without a year, read as due dates are (the next one), is last year's here
                    date = date.replace(year=date.year - 1)
                except ValueError:  # 29 February
                    date = None
            if date is not None and dt.timedelta(days=-TITLE_DAYS_BACK) <= date - self.base <= dt.timedelta(0):
                if date - self.base < dt.timedelta(days=-3):
                    self.base = date
                return True
        return False

    def _table_row(self, line: str, columns: dict[str, int]) -> _Line | None:
        """A Markdown table of actions ('| Action | Owner | Due |'): the header names the columns."""
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
            return None
        if not columns:
            for index, header in enumerate(cells):
                for name, pattern in _TABLE_COLUMNS.items():
                    if name not in columns and pattern.match(header):
                        columns[name] = index
            if "task" not in columns:
                columns["task"] = 0
            if len(columns) == 1:
                columns.clear()
            return None

        def value(name: str) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        task = value("task")
        box = _CHECKBOX.match(task)
        task = task[box.end() :].strip() if box else task
        if not task:
            return None
        owner_cell, due_cell, status = value("owner"), value("due"), value("status")
        if box and (box.group("mark") or "").strip().lower() in ("x", "✓", "✔"):
            status = status or "done"
        due_cell = due_cell if find_dates(due_cell, self.language) else ""  # "offen", "TBD", "—": no date
        item = _Line(text=f"{task} – {due_cell}" if due_cell else task, source=line, marked=True)
        item.language = detect_language(task, self.language) if len(task.split()) >= 4 else self.language
        item.label_owner = self._speaker_of(owner_cell) if owner_cell else None
        item.label = owner_cell or None
        if re.search(r"\b(?:done|yes|erledigt|hecho|completed?|closed)\b|[✓✔✅x]$", status, re.I):
            item.checkbox = "done"
        return item

    def _field_row(self, text: str, source: str) -> _Line | None:
        """One action written as fields ('Aufgabe: … — Verantwortlich: Emre — Termin: 19.03.', 'owner: Claire — intro
        to Marc', 'Acción: … | Responsable: Rocío | Fecha: …'): the same as a table row."""
        if ":" not in text:
            return self._dash_fields(text, source)
        segments = [s.strip() for s in _FIELD_SEPARATOR.split(text.strip()) if s.strip()]
        if len(segments) < 2:
            return None
        values: dict[str, str] = {}
        loose: list[str] = []
        for segment in segments:
            m = _FIELD.match(segment)
            column = _column_of(m.group("key")) if m else None
            if m and column and column not in values:
                values[column] = m.group("value").strip()
            else:
                loose.append(segment)
        if "owner" not in values and "due" not in values:
            return None
        if "task" not in values:
            if len(loose) != 1 or "owner" not in values:
                return None
            values["task"] = loose[0]
        elif loose:
            return None
        if len(values) < 2 or not values["task"]:
            return None
        task = values["task"]
        due_cell = values.get("due", "")
        due_cell = due_cell if find_dates(due_cell, self.language) else ""  # "offen", "TBD", "—": no date
        item = _Line(text=f"{task} – {due_cell}" if due_cell else task, source=source, marked=True)
        item.language = detect_language(task, self.language) if len(task.split()) >= 4 else self.language
        owner_cell = values.get("owner", "")
        item.label_owner = self._speaker_of(owner_cell) if owner_cell else None
        item.label = owner_cell or None
        if re.search(r"\b(?:done|yes|erledigt|hecho|completed?|closed)\b|[✓✔✅]$", values.get("status", ""), re.I):
            item.checkbox = "done"
        return item

    def _dash_fields(self, text: str, source: str) -> _Line | None:
        """'CV/LinkedIn refresh – BO – end of May', 'call the bank – me – Fri': a task, its owner and its date
        between dashes or pipes, without column names."""
        segments = [s.strip() for s in re.split(r"\s+[–—|-]\s+", text.strip()) if s.strip()]
        if not 2 <= len(segments) <= 3:
            return None
        owners = [s for s in segments if len(s.split()) <= 2 and self._speaker_of(s.rstrip("."))]
        dates = [
            s
            for s in segments
            if s not in owners
            and find_dates(s, self.language)
            and not re.sub(r"\W", "", _without_dates(s, self.language))
        ]
        tasks = [s for s in segments if s not in owners and s not in dates]
        if len(owners) != 1 or len(tasks) != 1 or len(segments) != 1 + len(tasks) + len(dates):
            return None
        task = tasks[0]
        item = _Line(text=f"{task} – {dates[0]}" if dates else task, source=source, marked=True)
        item.language = detect_language(task, self.language) if len(task.split()) >= 4 else self.language
        item.label_owner, item.label = self._speaker_of(owners[0].rstrip(".")), owners[0]
        return item

    def _speaker_of(self, word: str) -> str | None:
        folded = _fold(word).strip()
        if folded in _SELF_WORDS:
            return "mentor"
        if folded in _MENTEE_WORDS:
            return "mentee"
        pronoun = {"she": "she", "ella": "she", "sie": "she", "he": "he", "el": "he", "er": "he"}.get(folded)
        if pronoun is not None:  # "(ella)", "(he)": the mentee when the notes speak of them so
            return "mentee" if pronoun == self.people.mentee_pronoun else None
        who = self.people.who(word)
        return who if who in ("mentee", "mentor") else None

    def _heading(self, line: str) -> tuple[str | None, str | None] | None:
        md = _HEADING_MD.match(line)
        title = (md.group("title") if md else line).strip().rstrip(":").strip()
        is_heading = (
            bool(md)
            or (line.endswith(":") and len(title.split()) <= 5 and not _BULLET.match(line))
            or (
                len(title.split()) <= 3
                and not _BULLET.match(line)
                and not _CHECKBOX.match(line)
                and title[:1].isalpha()
                and not re.search(r"[.,;!?)]$", title)
                and (
                    _ACTION_TITLE.search(title)
                    or _DECISION_TITLE.match(title)
                    or _OWNER_TITLE.match(title)
                    or _TOPIC_ONLY_LABEL.match(title)
                    or _WIN_LABEL.match(title)  # 'WWW' / 'EBI' above their lists
                    or _GROWTH_LABEL.match(title)
                    or title.lower() in ("today", "heute", "hoy")
                    or _GOALS_TITLE.match(title)
                )
            )
        )
        if not is_heading:
            return None
        owner_title = _OWNER_TITLE.match(title)
        if owner_title:
            who = self._speaker_of(owner_title.group("who") or owner_title.group("who2") or "")
            if who:
                return "actions", who
        if _DECISION_TITLE.match(title):
            return "decisions", None
        if _ACTION_TITLE.search(title):
            return "actions", None
        if _GOALS_TITLE.match(title):
            return "goals", None
        if _NEXT_LABEL.match(title):
            return "next", None
        if _WIN_LABEL.match(title):
            return "wins", None
        if _GROWTH_LABEL.match(title):
            return "growth", None
        return "topic", None

    def _label(self, item: _Line, line: str) -> None:
        item.text = line
        mention = re.match(r"^@(?P<who>[\w.-]+)[:,]?\s+(?P<rest>\S.*)$", line)
        if mention and self._speaker_of(mention.group("who")):
            item.label, item.label_kind, item.text = mention.group("who"), "owner", mention.group("rest")
            item.label_owner = self._speaker_of(mention.group("who"))
            return
        m = _LABEL.match(line)
        if not m:
            return
        label, rest = m.group("label").strip(), m.group("rest").strip()
        assignee = re.match(r"^(?P<who>[^,;()]{1,20}?)\s*(?:[,;]\s*(?P<after>.*))?$", rest)
        if (
            m.group("sep").strip() in ("→", "->")
            and assignee
            and len(assignee.group("who").split()) <= 2  # "→ R, this wk", not "→ TB schaut drüber"
            and self._speaker_of(assignee.group("who"))
            and not self._speaker_of(label)
        ):
            # "book 1:1 w/ Priti → R, this wk", "Anschreiben gegenlesen → ich, Mo": the arrow names who does it
            item.label, item.label_kind = assignee.group("who"), "owner"
            item.label_owner = self._speaker_of(assignee.group("who"))
            item.text = f"{label} {assignee.group('after') or ''}".strip()
            return
        owned = re.match(
            r"^(?P<who>.+?)(?:'s|’s|s)?\s+(?:tasks?|to-?dos?|actions?|homework|aufgaben?|tareas?)$", label, re.I
        )
        if owned and self._speaker_of(owned.group("who")):
            item.label, item.label_kind, item.text, item.marked = label, "owner", rest, True
            item.label_owner = self._speaker_of(owned.group("who"))
            return
        if item.marked and _NEXT_LABEL.match(label):
            item.label, item.label_kind, item.text = label, "context", rest  # "Homework for next time: …"
            return
        if len(label.split()) > 5:
            return
        speaker = self._speaker_of(label)
        if speaker is not None and len(label.split()) <= 2:
            item.label, item.label_kind, item.label_owner, item.text = label, "owner", speaker, rest
            return
        folded = _fold(label)
        for kind, pattern in (
            ("decision", _DECISION_LABEL),
            ("win", _WIN_LABEL),
            ("growth", _GROWTH_LABEL),
            ("topic", _TOPIC_ONLY_LABEL),
        ):
            if pattern.match(label) or pattern.match(folded):
                item.label, item.label_kind, item.text = label, kind, rest
                return
        if _NEXT_LABEL.match(label):
            item.label, item.label_kind, item.text = label, "next", rest
            return
        if re.search(r"\bhomework\b|\bhausaufgabe|\bdeberes\b", label, re.I):
            item.label, item.label_kind, item.label_owner, item.marked, item.text = label, "owner", "mentee", True, rest
            return
        item.label, item.label_kind = label, "context"

    # -- clauses -----------------------------------------------------------------------
    def _commitment(
        self, text: str, language: str, speaker: str | None, at_start: bool, has_date: bool
    ) -> _Clause | None:
        text = _LEADING_SYMBOLS.sub("", text) or text  # "👍 also the form needs to be submitted"
        text = _ASIDE.sub(" ", text)  # "ziehen Sie, wie besprochen, zurück": an aside inside the clause
        clause = self._commitment_as_written(text, language, speaker, at_start, has_date)
        if clause is not None:
            return clause
        bare = text.strip()
        if bare[:1] in '"“”„«»' or _LEADING_FILLER.match(bare):
            bare = _LEADING_FILLER.sub("", bare.strip('"“”„«»')).strip()  # "Y preparo …", "Oh and pls …"
        if bare != text and bare:
            clause = self._commitment_as_written(bare, language, speaker, at_start, has_date)
        if clause is None and bare:
            # "Tomorrow I'll send …", "mañana le escribo a …": the date first, the clause after it
            first = next(iter(find_dates(bare, language)), None) if _starts_with_date_word(bare) else None
            remainder = bare[first.end :].lstrip(" ,:–—-") if first is not None and first.start == 0 else ""
            if first is not None and remainder and first.priority >= 0 and not _NEXT_MEETING.search(first.text):
                clause = self._commitment_as_written(f"{remainder} {first.text}", language, speaker, at_start, True)
        if clause is None and language == "es":
            reported = _ES_REPORTED.match(bare)
            if reported:  # "Ana me dijo que va a pedir el aumento": her plan, in her words
                clause = _spanish_clause(
                    f"{reported.group('subj')} {reported.group('rest')}", self.people, speaker, has_date, at_start
                )
        if clause is None and _REQUEST_START.match(bare or text):
            clause = _request(bare or text, language, speaker, self.people)
        if clause is None and language == "de" and at_start:
            clause = _german_imperative(bare or text, self.people, speaker, has_date)
        if clause is None and language == "es":
            clause = _spanish_imperative(bare or text, speaker, at_start)
        return clause

    def _commitment_as_written(
        self, text: str, language: str, speaker: str | None, at_start: bool, has_date: bool
    ) -> _Clause | None:
        order = [language] if language == "en" else [language, "en"]
        for lang in order:
            if lang == "en":
                if language == "de" and re.match(r"^\S+(?:\s+\S+)?\s+will\b", text.strip()):
                    continue  # German "Vermieter will Bürgschaft" wants something; it is no English "will"
                clause = _english_clause(text, self.people, speaker, at_start)
            elif lang == "de":
                clause = _german_clause(text, self.people, speaker, has_date)
            else:
                clause = _spanish_clause(text, self.people, speaker, has_date, at_start)
            if clause is not None:
                return clause
        return None

    def _shared_subject(
        self, previous: _Clause, text: str, language: str, speaker: str | None, has_date: bool
    ) -> _Clause | None:
        """'Ich leite dir den Link weiter und frage bei Sabine nach': the verb after 'und'/'y' shares the subject."""
        if previous.kind != "commitment" or not re.match(r"^[a-zäöüßáéíóúñ]", text):
            return None
        if language == "de" and previous.owner_word:
            clause = _german_clause(f"{previous.owner_word} {text}", self.people, speaker, has_date)
        elif language == "es":
            infinitive = re.match(
                r"^(?:a|de|en)\s+(?P<inf>[a-záéíóúñ]+(?:ar|er|ir)(?:le|les|lo|la|los|las|me|se|te|nos)?)\b(?P<tail>.*)$",
                text,
                re.S,
            )
            if infinitive:  # "se comprometió a terminar la carta … y a pedirle una recomendación …"
                return _Clause(
                    f"{infinitive.group('inf')}{infinitive.group('tail')}".strip(),
                    previous.owner,
                    "commitment",
                    previous.owner_word,
                    whole=text,
                    person_form=previous.person_form,
                )
            clause = _spanish_clause(text, self.people, speaker, has_date, True)
        else:
            return None
        if clause is None or clause.kind != "commitment" or clause.owner != previous.owner:
            return None
        return clause

    def clauses(self, sentence: str, language: str, speaker: str | None) -> tuple[str, list[_Clause]]:
        """The text before the first commitment, and each commitment with its own words."""
        starts: list[tuple[int, _Clause]] = []
        date_starts = [h.start for h in find_dates(sentence, language)] if language != "en" else []
        clause = self._commitment(sentence, language, speaker, True, bool(date_starts))
        if clause is not None:
            starts.append((0, clause))
        for m in _BOUNDARY.finditer(sentence):
            position = m.end()
            if position >= len(sentence) or any(position == s for s, _ in starts):
                continue
            has_later_date = any(d >= position for d in date_starts)
            clause = self._commitment(sentence[position:], language, speaker, False, has_later_date)
            if clause is None and language == "de" and re.search(r"[:→–—]", m.group(0)):
                # "Lebenslauf: schick ihn mir bis So": an imperative after a label
                clause = _german_imperative(sentence[position:], self.people, speaker, has_later_date)
            if (
                clause is None
                and language == "de"
                and re.search(r"\b(?:dann|danach|anschlie(?:ß|ss)end)\s+$", m.group(0))
            ):
                # ", dann schau ich drüber": the verb comes before the subject after "dann"
                clause = self._commitment(f"dann {sentence[position:]}", language, speaker, False, has_later_date)
            if (
                clause is None
                and starts
                and language in ("de", "es")
                and re.search(r"\b(?:und|dann|y|luego)\s+$", m.group(0))
            ):
                clause = self._shared_subject(starts[-1][1], sentence[position:], language, speaker, has_later_date)
            if clause is not None and clause.kind in ("commitment", "joint", "negated"):
                if clause.kind == "joint" and not re.match(r"^(?:we|wir|nosotros)\b", sentence[position:], re.I):
                    continue
                starts.append((position, clause))
        starts.sort(key=lambda s: s[0])
        result: list[_Clause] = []
        for index, (position, clause) in enumerate(starts):
            end = starts[index + 1][0] if index + 1 < len(starts) else len(sentence)
            if end < len(sentence):
                # read the clause again on its own words, up to where the next one starts
                segment = _TRAILING_BOUNDARY.sub("", sentence[position:end])
                has_date = any(position <= d < end for d in date_starts)
                again = self._commitment(segment, language, speaker, position == 0, has_date)
                if again is None and clause.person_form == "request" and language == "de":
                    again = _german_imperative(segment, self.people, speaker, has_date)
                if again is not None and again.kind == clause.kind:
                    clause = again
            result.append(clause)
        lead = sentence[: starts[0][0]] if starts else sentence
        return lead, result

    # -- main loop ------------------------------------------------------------------------
    def run(self) -> NotesFacts:
        lines = self.lines()
        self._meeting_facts(lines)
        for line in lines:
            self._analyse(line)
        return NotesFacts(
            language=self.language,
            action_items=tuple(_dedupe_items(self.items)),
            decisions=tuple(d for d in _dedupe(self.decisions) if not _only_cadence(d.text)),
            done=tuple(_dedupe(self.done)),
            next_time=tuple(_dedupe(self.next_time)),
            wins=tuple(_without_lead_conjunction(_dedupe(self.wins))),
            growth_areas=tuple(_without_lead_conjunction(_dedupe(self.growth))),
            wellbeing=tuple(self.cues),
            cadence=self.cadence,
            meeting_weekday=self.meeting_weekday,
            next_meeting=self.next_meeting,
            skipped_lines=self.skipped,
        )

    def _meeting_facts(self, lines: list[_Line]) -> None:
        for line in lines:
            body = line.source
            if self.cadence is None:
                self.cadence = _cadence(body)
                self.meeting_weekday = _cadence_weekday(body) if self.cadence else None
            names_meeting = self.next_meeting is None and (line.label_kind == "next" or _NEXT_MEETING.search(body))
            # prose says more than one thing in a line: the meeting's date is in the sentence that names it
            for part in (
                _sentences(body) if names_meeting and line.label_kind != "next" else [body] if names_meeting else []
            ):
                if self.next_meeting is None and (_NEXT_MEETING.search(part) or line.label_kind == "next"):
                    self._next_meeting_from(part, line.language)
            if names_meeting and self.next_meeting is None and _NEXT_MEETING.search(body):
                self._next_meeting_from(body, line.language)  # "la próxima: precios. ¿jueves 27?": the next sentence
            self.cues.extend(_cues(body, line.source))

    def _next_meeting_from(self, body: str, language: str) -> None:
        same_time = _SAME_TIME.search(body)
        if same_time:  # "same time next week/month": the session's own day, a week or a month on
            if self.base < dt.date(9999, 11, 1):
                unit = same_time.group(1).lower()
                self.next_meeting = self.base + dt.timedelta(days=7) if unit == "week" else add_months(self.base, 1)
            return
        for _, pattern in _CADENCE_RE:  # "nos vemos cada dos martes" names a rhythm, not the next date
            body = pattern.sub(" ", body)
        hits = find_dates(body, language, month_first=self.month_first)
        counts = [h for h in hits if re.match(r"(?i)(?:in|within|en|dentro)\b", h.text.strip())]
        days = [h for h in hits if h not in counts and re.search(r"\d", h.text)]
        specific = days or [h for h in hits if h not in counts and _WD_RE.search(h.text)] or counts
        for hit in specific or hits:
            date = hit.resolve(self.base, None)
            if date is not None and date > self.base:
                self.next_meeting = date
                return
        ordinal = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)\b", body)
        if ordinal and 1 <= int(ordinal.group(1)) <= 31:  # "next: 17th, same time": a meeting line's bare day
            date = _day_in_future(self.base, int(ordinal.group(1)))
            if date is not None and date > self.base:
                self.next_meeting = date

    def _analyse(self, line: _Line) -> None:
        text = line.text
        language = line.language
        kind = line.label_kind
        in_actions = line.section == "actions" or line.marked or line.checkbox is not None or line.arrow
        speaker = line.label_owner if (line.label_kind == "owner" or line.label_owner) else self.writer
        decision_section = (
            line.section == "decisions" and not line.checkbox and kind not in ("win", "growth", "next", "owner")
        )
        if (kind == "decision" or decision_section) and self._decision_line(line, text, language, speaker):
            return
        sentences = _sentences(text)
        made_item = False
        leftovers: list[str] = []
        for index, sentence in enumerate(sentences):
            self.previous_sentence = sentences[index - 1] if index else ""
            quoted = speaker is None and sentence.lstrip()[:1] in '"“„«'
            self.voice = "mentee" if quoted else speaker if self.transcript or self.writer else None
            lead, clauses = self.clauses(sentence, language, "mentee" if quoted else speaker)
            commitments = [c for c in clauses if c.kind == "commitment"]
            joint_or_negated = [c for c in clauses if c.kind in ("joint", "negated")]
            decision_prefix = _DECISION_WORDS.search(lead) and not _NOT_DECIDED.search(lead)
            if commitments:
                previous: NoteAction | None = None
                for clause in clauses:
                    if clause.kind != "commitment":
                        continue
                    if decision_prefix and clause is commitments[0] and not find_dates(clause.text, language):
                        self.decisions.append(NoteFact(_capitalise(_clean(sentence)), line.source))
                        continue
                    # "I'll try and do that this week" may follow the task it dates in another sentence of the line
                    earlier = previous or (
                        self.items[-1] if self.items and self.items[-1].source == line.source else None
                    )
                    new = self._item_from_clause(
                        line, clause, lead if clause is commitments[0] else "", sentence, earlier
                    )
                    if new is not None:
                        if new is earlier:
                            continue
                        self.items.append(new)
                        previous = new
                        made_item = True
                if kind == "next" or re.search(r"\bnext\s+(?:time|session)\b", lead, re.I):
                    self.next_time.append(NoteFact(_capitalise(_clean(lead)), line.source)) if _clean(lead) else None
                continue
            if joint_or_negated or decision_prefix:
                if _DECISION_WORDS.search(sentence) and not _NOT_DECIDED.search(sentence):
                    self.decisions.append(NoteFact(_capitalise(_clean(sentence)), line.source))
                    continue
                if kind == "next" or re.search(
                    r"\b(?:next\s+(?:time|session|call)|n[aä]chste\w*\s+mal|pr[oó]xima\s+vez)\b", sentence, re.I
                ):
                    self.next_time.append(NoteFact(_capitalise(_clean(sentence)), line.source))
                    continue
            if kind == "next":
                self.next_time.append(NoteFact(_capitalise(_clean(sentence)), line.source))
                continue
            if index == 0 and self._listed_item(line, sentence, language, in_actions, speaker):
                made_item = True
                continue
            if self._deadline_item(line, sentence, sentences[index - 1] if index else None, language, speaker):
                made_item = True
                continue
            if re.search(
                r"\b(?:next\s+(?:time|session)|revisit\s+next|n[aä]chste\w*\s+mal|la\s+pr[oó]xima\s+vez)\b",
                sentence,
                re.I,
            ):
                self.next_time.append(NoteFact(_capitalise(_clean(sentence)), line.source))
                continue
            if (
                _DECISION_WORDS.search(sentence)
                and not _NOT_DECIDED.search(sentence)
                and not sentence.rstrip().endswith("?")
            ):
                self.decisions.append(NoteFact(_capitalise(_clean(sentence)), line.source))
                continue
            leftovers.append(sentence)
        rest = " ".join(leftovers)
        if not rest or (made_item and not leftovers):
            return
        mixed = _mixed_verdict(rest) if kind not in ("win", "growth") else None
        if mixed is not None:  # 'rehearsal went well until the revenue slide: rushed' is a win and a growth area
            self.wins.append(NoteFact(_capitalise(_clean(mixed[0])), line.source))
            self.growth.append(NoteFact(_capitalise(_clean(mixed[1])), line.source))
        else:
            if kind == "win" or line.section == "wins" or (_WIN_WORDS.search(rest) and kind != "growth"):
                self.wins.append(NoteFact(_capitalise(_clean(rest)), line.source))
            if kind == "growth" or line.section == "growth" or _GROWTH_WORDS.search(rest):
                self.growth.append(NoteFact(_capitalise(_clean(rest)), line.source))
        negated = re.search(r"\b(?:not|nicht|no|noch nicht|yet)\b", rest, re.I)
        perfect = re.search(
            r"\b(?:has|have|'s|'ve|hat|habe|ha|han|already|bereits|schon|ya)\b|\b\w+ed\b|\w+[oó]\b", rest, re.I
        )
        if _DONE_WORDS.search(rest) and perfect and not negated:
            self.done.append(NoteFact(_capitalise(_clean(rest)), line.source))

    def _deadline_item(
        self, line: _Line, sentence: str, previous: str | None, language: str, speaker: str | None
    ) -> bool:
        """'Essay due Fri', 'It's due next Wednesday' (after 'They want a case study'), 'Hausarbeit ist am 3.5.
        fällig', 'la entrega es el viernes': a deliverable with a deadline, the mentee's unless it is 'my …'."""
        m = _DEADLINE_SENTENCE.match(sentence.strip())
        if not m or sentence.rstrip().endswith("?"):
            return False
        groups = m.groupdict()
        thing = next(groups[k] for k in ("thing", "thing_de", "thing_de2", "thing_es") if groups[k]).strip(" ,;–—-")
        when = next(groups[k] for k in ("when", "when_de", "when_de2", "when_es") if groups[k])
        due = self._due(when, language)
        if due is None or due[1].priority < 0 or due[0] < self.base:
            return False
        if re.search(r"\b(?:was|were|been|not|never|no\s+longer)\s*$", thing, re.I):
            return False  # "was due 1 Mar", "not needed by …": past or negated
        if _fold(thing) in _PRONOUN_THINGS:
            antecedent = re.search(
                r"\b(?:a|an|the|their|her|his|your|my|ein|eine|einen|den|die|das|un|una|el|la)\s+(?P<np>[^,.;:!?()]{3,50}?)\s*[.!]?$",
                previous or "",
                re.I,
            )
            if antecedent is None:
                return False
            thing = antecedent.group("np")
        if not re.search(r"[^\W\d]{3,}", thing) or _fold(thing.split()[0]) in _PERSON_WORDS:
            return False
        mine = _fold(thing.split()[0]) in ("my", "mein", "meine", "mi", "mis")
        owner: Owner = "mentor" if mine and speaker != "mentee" else "mentee"
        item = self._make_item(
            line,
            thing,
            owner,
            None,
            speaker is None and not mine,
            line.checkbox == "done",
            language,
            due=due,
            keep_text=True,
        )
        if item is None:
            return False
        self.items.append(item)
        return True

    def _decision_line(self, line: _Line, text: str, language: str, speaker: str | None) -> bool:
        """A decision, unless it hides an owned task with a date ('Agreed: A sends the deck by Fri')."""
        _, clauses = self.clauses(text, language, speaker)
        owned = [c for c in clauses if c.kind == "commitment"]
        if owned and (line.label_kind != "decision" or any(find_dates(c.text, language) for c in owned)):
            return False
        self.decisions.append(NoteFact(_capitalise(_clean(text)), line.source))
        return True

    def _listed_item(self, line: _Line, sentence: str, language: str, in_actions: bool, speaker: str | None) -> bool:
        """A task with no subject: a checkbox, a marked line, a line under 'Next steps', an owner label, or
        a verb-first line with a date or an owner tag ('check in on Weds (me)')."""
        body = sentence
        owner: str | None = line.label_owner or line.section_owner
        owner_word = line.label if line.label_kind == "owner" else None
        tag = None
        # an owner tag: at the end ("check in on Weds (me)", "- R", "@sam") or before a date ("send CV (P) Fri")
        tags = [
            re.search(
                r"\s*[(\[]\s*(?P<who>[^()\[\]]{1,60})\s*[)\]]\s*$|\s+[-–—]\s*(?P<who2>[A-Z]\w{0,15}\.?|me)\s*$|"
                r"\s+@(?P<who3>\w+)\s*$",
                body,
            ),
            *re.finditer(r"\s*[(\[]\s*(?P<who>[^()\[\]]{1,60})\s*[)\]]", body),
        ]
        for candidate in tags:
            if candidate is None:
                continue
            written = (
                candidate.group("who") or candidate.groupdict().get("who2") or candidate.groupdict().get("who3") or ""
            )
            parts = re.split(r"\s*[,;]\s*|\s+/\s+|(?<=[^\W\d])/(?=[^\W\d])", written)  # "15/12" stays whole
            # "(owner: Tariq, by 26 Mar)": the column's name written in the tag
            parts[0] = re.sub(_OWNER_KEY, "", parts[0])
            who = self._speaker_of(parts[0].rstrip("."))
            if who:
                tag = candidate
                owner, owner_word = who, parts[0]
                # "(me, Fri)", "(responsable: Laura, fecha: 15/12)": the owner and a date
                more = ", ".join(re.sub(_DUE_KEY, "", part) for part in parts[1:])
                body = f"{body[: tag.start()]} {more} {body[tag.end() :]}".strip()
                body = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(body.split()))
                break
        if line.section == "goals" and not (line.checkbox or line.marked):
            return False  # "Goals / Return to an HR role by January": what the mentoring is for, not a task
        if line.label_kind in ("win", "growth", "topic", "next", "decision") and not line.checkbox:
            return False
        verb_first = _starts_with_task_verb(_without_dates(body, language) if language == "de" else body, language)
        if not verb_first and language != "en":
            verb_first = _starts_with_task_verb(body, "en")  # notes that mix in English: "update del LinkedIn → D."
        has_date = bool(find_dates(body, language))
        context_label = line.label_kind == "context" and not (line.checkbox or line.marked)
        if context_label and not (verb_first and tag is not None and owner is not None):
            return False
        if self.transcript and line.label_kind == "owner" and not (line.checkbox or line.marked or has_date):
            return False
        if (
            line.checkbox
            or line.marked
            or (line.label_kind == "owner" and verb_first)
            or ((in_actions or line.arrow) and (verb_first or line.label_kind == "owner"))
            or (verb_first and (has_date or (tag is not None and owner is not None)))
        ):
            pass
        else:
            return False
        if body.rstrip().endswith("?") or _cadence(body):
            return False
        if owner is None and line.checkbox == "done":
            owner_final: Owner = "mentee"
            confirm = True
        elif owner is None:
            recipient = re.search(
                r"\b(?:send|give|show|email|forward|pass)\s+(?:it\s+|them\s+)?(?:to\s+)?me\b|\bmir\b|\bme\s+(?:lo|la|los|las)?\s*(?:manda|env[ií]a|pasa)\b",
                body,
                re.I,
            )
            owner_final, confirm = ("mentee", True) if recipient else ("unclear", True)
        else:
            owner_final, confirm = owner, False  # type: ignore[assignment]
        item = self._make_item(
            line,
            _strip_owner_prefix(body),
            owner_final,
            owner_word,
            confirm,
            line.checkbox == "done",
            language,
        )
        if item is None:
            return False
        self.items.append(item)
        return True

    def _item_from_clause(
        self, line: _Line, clause: _Clause, lead: str, sentence: str, previous: NoteAction | None
    ) -> NoteAction | None:
        owner: Owner = clause.owner or "unclear"
        body = clause.text
        if clause.person_form == "quoted":
            self.voice = owner
        elif line.label_owner and _fold(clause.owner_word or "") in ("i", "ich", "yo"):
            self.voice = line.label_owner  # "J: I'll send you my draft": J's own words
        undated = _remove_date(body, self._due(body, line.language)).strip()
        if previous is not None and previous.source == line.source and _SEND_PRO_FORM.match(undated):
            if not previous.due and (due := self._due(body, line.language)) is not None:
                self.items[self.items.index(previous)] = dataclasses.replace(
                    previous, due=due[0], due_as_written=due[1].text
                )
            return previous  # the caller sees the task it already has
        if _PRO_FORM.match(undated):
            if previous is not None and not previous.due:
                due = self._due(body, line.language)
                if due is not None:
                    replaced = NoteAction(
                        previous.text,
                        previous.owner,
                        due[0],
                        previous.done,
                        previous.to_confirm,
                        previous.source,
                        previous.owner_as_written,
                        due[1].text,
                    )
                    self.items[self.items.index(previous)] = replaced
                return previous
            context = _clean(_strip_subject_modal(lead, self.people))
            if context:
                date = self._due(body, line.language)
                pro_form = _rewrite(_clean(_remove_date(body, date)), owner, self.people, line.language, self.voice)
                base_text = context if line.language != "en" else f"{_capitalise(context)}: {pro_form}"
                return self._make_item(
                    line,
                    base_text,
                    owner,
                    clause.owner_word,
                    owner == "unclear",
                    line.checkbox == "done",
                    line.language,
                    due=date,
                    keep_text=True,
                )
        if line.language == "es":
            body = _spanish_antecedent(body, lead or self.previous_sentence)
        prefix = ""
        lead_due = self._due(lead, line.language) if lead.strip() else None
        lead_clean = _clean(_remove_date(lead, lead_due) if lead_due else lead)
        date_only_lead = lead_due is not None and not re.sub(r"\W", "", lead_clean)
        if date_only_lead:
            lead_clean = ""
        context_label = line.label if line.label_kind == "context" and line.label else None
        if lead_clean and (not _sentences_has_verbless_topic(lead_clean) or _DECISION_WORDS.search(lead_clean)):
            prefix = ""
        elif (
            lead_clean
            and len(lead_clean.split()) <= (10 if len(_without_dates(body, line.language).split()) <= 2 else 6)
            and not _NEXT_LABEL.match(lead_clean)
        ):
            prefix = lead_clean
        if (
            context_label
            and find_dates(context_label, line.language)
            and not re.sub(
                r"\W", "", _remove_date(context_label, self._due(context_label, line.language, meeting=False))
            )
        ):
            context_label = None
        if (
            context_label
            and not prefix
            # a long label only when the task says little on its own ("follow up con el recruiter: le escribe mañana")
            and len(context_label.split()) <= (10 if len(_without_dates(body, line.language).split()) <= 2 else 4)
            and not _NEXT_LABEL.match(context_label)
            and not _DECISION_WORDS.search(context_label)
            and not _LEADING_FILLER.match(f"{context_label} ")
        ):
            prefix = context_label
        if (
            owner == "unclear"
            and clause.owner_word
            and not prefix
            and _fold(clause.owner_word) not in _PERSON_WORDS | {"sie", "er", "ella", "el"}
        ):
            # who it waits on: "Dave to confirm the budget", "Der Chef: Feedback geben"
            if line.language == "en":
                body = f"{clause.owner_word} to {body}"
            else:
                prefix = clause.owner_word
        meeting_due = None
        if lead_due is not None and (lead_due[1].priority >= 1 or date_only_lead):
            meeting_due = lead_due[0]  # "By Friday, Priya will …", "Tue: she'll …"
        elif (
            _NEXT_MEETING.search(sentence if len(line.source) > 160 else line.source)
            or re.search(r"\bnext\s+(?:time|session|call)\b", lead, re.I)
            or line.label_kind == "next"
        ):
            meeting_due = self.next_meeting
        item = self._make_item(
            line,
            body,
            owner,
            clause.owner_word,
            owner == "unclear"
            or line.owner_hedged
            or clause.person_form in ("shorthand", "passive")
            or bool(_CONDITIONAL.search(lead))  # "if the offer comes, she'll …": only if it happens
            or (clause.person_form == "request" and self.people.mentee_pronoun != "you" and self.voice is None),
            line.checkbox == "done",
            line.language,
            prefix=prefix,
            fallback_due=meeting_due,
        )
        return item

    def _make_item(
        self,
        line: _Line,
        body: str,
        owner: Owner,
        owner_word: str | None,
        confirm: bool,
        done: bool,
        language: str,
        *,
        prefix: str = "",
        due: tuple[dt.date, _DateHit] | None = None,
        keep_text: bool = False,
        fallback_due: dt.date | None = None,
    ) -> NoteAction | None:
        closing = re.search(r"[\"”](?=\s|$)", body)
        if closing and body.count('"') + body.count("”") + body.count("“") == 1:
            body = body[: closing.start()]  # the end of a quoted commitment: '"I'll update it tonight" - her words'
        if due is None:
            due = self._due(body, language)
        text = body if keep_text else _remove_date(body, due)
        text = _rewrite(text, owner, self.people, language, self.voice)
        if prefix:
            text = f"{_capitalise(prefix)}: {text}"
        text = re.sub(r"\s*[–—-]?\s*\(?\b(?:TBC|TBD|tbc|tbd|n/a|N/A)\b\)?\s*$", "", text)  # "– TBC": no date yet
        text = _UNSURE_ASIDE.sub("", text)  # "(unclear)", "(who?)": the owner is open, which to_confirm says
        asked = _WHO_DOES.match(text.strip()) if owner == "unclear" else None
        if asked:  # "who books the room?": the task is booking the room
            text = f"{_base_verb(asked.group('verb'))} {asked.group('rest')}"
        if owner == "mentor" and language == "en":  # 'FG: intro to Tom Ade': the mentor introduces the mentee
            text = re.sub(r"^(intro(?:duce)?)\s+to\b", rf"\1 {self.people.mentee_first} to", text, flags=re.I)
        text = _capitalise(_clean(text))
        if text.endswith(".") and not text.endswith("..") and not _ABBREV_END.search(text):
            text = text[:-1]
        if len(re.sub(r"\W", "", text)) < 2:
            return None
        due_date = due[0] if due else fallback_due
        if done:
            due_date, due = None, None
        return NoteAction(
            text=text,
            owner=owner,
            due=due_date,
            done=done,
            to_confirm=confirm or owner == "unclear" or line.owner_hedged,
            source=line.source,
            owner_as_written=owner_word,
            due_as_written=due[1].text.strip() if due else None,
        )


_WD_RE = re.compile(_WD, re.I)
_UNSURE_ASIDE = re.compile(
    r"\s*\((?:unclear|not clear|owner\??|who\??|\?+|tbd|tbc|offen|unklar|wer\??|qui[eé]n\??)\)\s*", re.I
)
_WHO_DOES = re.compile(
    r"^who(?:'s| is)?\s+(?:going to\s+|will\s+|can\s+|does\s+)?(?P<verb>[a-z]+)\s+(?P<rest>[^?]{3,}?)\s*\?*$", re.I
)


def _base_verb(verb: str) -> str:
    """'books' -> 'Book', 'does' -> 'Do', 'sends' -> 'Send', 'fixes' -> 'Fix' (the task, not the question)."""
    word = verb.lower()
    irregular = {"does": "do", "has": "have", "goes": "go", "is": "be"}
    if word in irregular:
        word = irregular[word]
    elif re.search(r"(?:ss|sh|ch|x|z)es$", word):
        word = word[:-2]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word.capitalize()


_ASIDE = re.compile(
    r",\s*(?:wie\s+(?:besprochen|vereinbart|abgemacht|gesagt)|as\s+(?:agreed|discussed|promised)|"
    r"como\s+(?:quedamos|hablamos|acordamos))\s*,\s*",
    re.I,
)
_TIMESTAMP = re.compile(
    r"^\[?(?:\d{1,2}[./]\d{1,2}[./]\d{2,4},?\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?\]?\s*(?:[-–—]\s*)?(?=\S)",
    re.I,
)
_LEADING_SYMBOLS = re.compile(r"^[\s\u2600-\u27bf\U0001f300-\U0001faff\ufe0f\u200d]+")
_FUTURE = re.compile(
    r"(?:'ll|’ll)\b|\b(?:will|shall|going\s+to|gonna|(?:are|is|am|'re|'s|'m)\s+\w+ing|wird|werde|wirst|werden|"
    r"voy\s+a|vas\s+a|va\s+a|vamos\s+a|van\s+a)\b|\w+(?:ar|er|ir)(?:é|á|emos|án)\b|"
    r"\b(?:by|before|bis|vor|para|antes\s+del?)\s+(?:the\s+)?(?:next\s+)?\w+",
    re.I,
)
"""A sentence about the future: a modal, a progressive, a future tense or a deadline."""


_DEADLINE_SENTENCE = re.compile(
    r"^(?P<thing>[^,;()]{2,70}?)(?:\s*[,–—-]\s*|\s+|(?='))(?:(?:is|are|'s|’s)\s+)?(?:due\s+(?!to\b)|"
    r"(?:needed|required)\s+(?=(?:by|before|no\s+later\s+than)\b))(?P<when>.+)$|"
    r"^(?P<thing_de>[^,;]{2,70}?)\s+(?:ist|sind)\s+(?P<when_de>.+?)\s+f[aä]llig\W*$|"
    r"^(?P<thing_de2>[^,;]{2,70}?)(?:\s*[,–—-]\s*|\s+)(?:f[aä]llig|Abgabe(?:termin)?)\s*(?:ist\s+)?(?P<when_de2>(?:am|bis|zum)\s+.+)$|"
    r"^(?P<thing_es>[^,;]{2,70}?)\s+(?:vence|se\s+entrega|hay\s+que\s+entregarl[oa])\s+(?P<when_es>.+)$",
    re.I | re.S,
)
_PRONOUN_THINGS = _words("it this that they es das eso esto")
_CONDITIONAL = re.compile(
    r"\b(?:if|unless|in\s+case|provided|falls|wenn|sobald|sofern|si|en\s+caso\s+de\s+que|siempre\s+que)\b", re.I
)


def _merge_field_blocks(lines: list[str]) -> list[str]:
    """Minutes that give an action its own lines ('Action: draft the plan' / 'Owner: Priya' / 'Due: 8 Oct'):
    one line of fields, read like a table row."""
    merged: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        field = _FIELD.match(_BULLET.sub("", line.strip()))
        single = len(_FIELD_SEPARATOR.split(line.strip())) == 1
        if field and single and _column_of(field.group("key")) == "task":
            parts, seen, ahead = [line.strip()], {"task"}, index + 1
            while ahead < len(lines):
                following = _FIELD.match(_BULLET.sub("", lines[ahead].strip()))
                column = _column_of(following.group("key")) if following else None
                if column is None or column in seen or len(_FIELD_SEPARATOR.split(lines[ahead].strip())) > 1:
                    break
                parts.append(_BULLET.sub("", lines[ahead].strip()))
                seen.add(column)
                ahead += 1
            if len(parts) > 1:
                merged.append(" | ".join(parts))
                index = ahead
                continue
        merged.append(line)
        index += 1
    return merged


_DUE_KEY = re.compile(r"^(?:due|by|when|deadline|fecha|plazo|bis|termin|frist)\s*[:=]\s*", re.I)
_OWNER_KEY = re.compile(
    r"^(?:owners?|who|lead|assignee|responsables?|verantwortlich|zust[aä]ndig|wer|qui[eé]n)\s*[:=]\s*", re.I
)


def _is_table_header(line: str) -> bool:
    """'Action | Owner | Due' with or without the outer pipes: two or more cells that name columns."""
    cells = [c for c in line.strip().strip("|").split("|")]
    return len(cells) >= 2 and sum(_column_of(c) is not None for c in cells) >= 2


def _looks_like_instruction(line: str) -> bool:
    """The composer's own rule for lines that talk to an AI (imported late: that module pulls in retrieval)."""
    from companion.generation.tasks.common import looks_like_instruction

    return looks_like_instruction(line)


_ES_CLITIC_ARTICLES = {"lo": ("el", "un"), "la": ("la", "una"), "los": ("los", "unos"), "las": ("las", "unas")}


def _spanish_antecedent(body: str, before: str, certain: bool = False) -> str:
    """'Le recomendé el curso de Python; lo empieza el lunes' -> 'Empezar el curso de Python': an object pronoun
    on the infinitive stands for the last thing named before it."""
    m = re.match(r"^(?P<inf>[a-záéíóúñ]+(?:ar|er|ir))(?P<clitic>lo|la|los|las)\b(?P<tail>.*)$", body, re.I | re.S)
    if not m or (not certain and len(re.findall(r"[^\W\d]{3,}", m.group("tail"))) > 3):
        return body
    articles = _ES_CLITIC_ARTICLES[m.group("clitic").lower()]
    named = re.search(rf"\b(?:{'|'.join(articles)})\s+[^,.;:!?()]{{3,60}}", before, re.I)
    if not named:
        return body
    return f"{m.group('inf')} {named.group(0).strip()}{m.group('tail')}"


def _sentences_has_verbless_topic(text: str) -> bool:
    """A short lead like 'bus pass' or 'coffee w/ Anil (payments PM lead)', not a sentence of its own."""
    return not re.search(
        r"\b(?:is|are|was|were|has|have|had|will|would|can|could|should|ist|sind|hat|es|está|son)\b", text, re.I
    )


def _strip_subject_modal(text: str, people: _People) -> str:
    m = _EN_COMMIT.match(text.strip())
    if m:
        return m.group("rest")
    m = re.match(r"^(?:we|wir|nosotros)\s*(?:'ll|’ll|\s+will|\s+are\s+going\s+to)?\s+(?P<rest>.+)$", text.strip(), re.I)
    return m.group("rest") if m else text


def _without_dates(text: str, language: str) -> str:
    """The words without their date phrases ('Anschreiben gegenlesen Mo' -> 'Anschreiben gegenlesen')."""
    for hit in reversed(find_dates(text, language)):
        text = f"{text[: hit.start]} {text[hit.end :]}"
    return " ".join(re.sub(r"\s+([,.;:!?])", r"\1", text).split()).strip(" ,;–—-")


def _strip_owner_prefix(text: str) -> str:
    return re.sub(r"^(?:to|zu|para)\s+", "", text.strip(), flags=re.I)


def _remove_date(text: str, due: tuple[dt.date, _DateHit] | None) -> str:
    """Drop the date phrase when it reads as a deadline ('by Fri', '- tmrw', 'bis Freitag'); keep it mid-sentence."""
    if due is None:
        return text
    hit = due[1]
    before, after = text[: hit.start], text[hit.end :]
    tail = after.strip(" .,;:!)–—-")
    if hit.priority == 2 or not tail or re.match(r"^[\s,;.)!–—-]*$", after) or re.match(r"^\s*[,;(–—-]", after):
        if not after.strip(" .,;:!"):
            # "… for the week of the 10th": no dangling "for the week of" once the date has its own field
            before = re.sub(
                r"(?:\s+(?:for|the|week|of|on|at|w/c|commencing|starting|beginning))+\s*$", "", before, flags=re.I
            )
        joined = f"{before.rstrip(' ,;:–—-')}{'' if not after.strip() else ' ' + after.strip(' ,;')}"
        return joined
    return text


_GIVING_VERBS = (
    r"give|send|show|tell|email|e-mail|pass|forward|offer|lend|get|buy|bring|teach|text|message|pay|hand|write|ping|"
    r"remind|ask|introduce|intro|call|ring|invite|help|connect|lend|owe"
)
_OBJECT_FOLLOWERS = r"(?:the|a|an|my|this|that|these|those|some|any|two|three|\d|it|them|know|back|up|out|on|in|to|for|with|about|and|\.|,|$)"


def _rewrite(text: str, owner: Owner, people: _People, language: str, voice: str | None = None) -> str:
    """The task in the owner's voice: 'me' becomes the mentor's name in a mentee task, 'her' the mentee's in a mentor task."""
    if language != "en":
        if language == "de":
            text = re.sub(r"\bbitte\s+", "", text, flags=re.I)
            text = re.sub(r"^(?:mir|mich)\s+(?=\S+\s+\S)", "", text)  # "ich schaue mir X an" -> "X anschauen"
            text = re.sub(r"^(?:dich|dir)\b", "sich", text, flags=re.I)  # "du meldest dich an" -> "sich anmelden"
        if owner == "mentor" and language == "de":
            text = re.sub(
                r"\b(?:ihm|ihr|dir)\b(?=\s+(?:den|die|das|einen|eine|ein|meine[n]?)\b)", people.mentee_first, text
            )
        if language == "es" and voice != "mentee":
            # "mandarme el presupuesto" in the mentee's task is the mentor's; "pasarte el contacto" in the mentor's
            if owner == "mentee" and people.mentor_first:
                text = re.sub(r"^(\w+?(?:ar|er|ir))me(l[oa]s?)?\b", rf"\1\2 a {people.mentor_first}", text)
            if owner == "mentor":
                text = re.sub(r"^(\w+?(?:ar|er|ir))te(l[oa]s?)\b", rf"\1\2 a {people.mentee_first}", text)
                text = re.sub(r"^(\w+?(?:ar|er|ir))te\b", rf"\1le a {people.mentee_first}", text)
        if owner == "mentee" and people.mentor_first and language == "de":
            text = re.sub(r"\bmir\b", people.mentor_first, text)
            text = re.sub(r"\b(an|für|fuer)\s+mich\b", rf"\1 {people.mentor_first}", text)
        return text
    mentee, mentor = people.mentee_first, people.mentor_first
    pronoun = people.mentee_pronoun
    obj, poss = {"she": ("her", "her"), "he": ("him", "his"), "they": ("them", "their"), "you": ("you", "your")}[
        pronoun
    ]
    if owner == "mentor" and voice == "mentee":
        # the mentee's own words about the mentor's task ("you said you'd check your firm's …"): 'my' is theirs
        return re.sub(r"\bmy\b", f"{mentee}'s", text)
    if owner == "mentor":
        if pronoun == "she":
            text = re.sub(rf"\bher\b(?=\s+{_OBJECT_FOLLOWERS})", mentee, text)
            text = re.sub(
                rf"\b({_GIVING_VERBS})\s+her\b", rf"\1 {mentee}", text, flags=re.I
            )  # "give her written comments"
            text = re.sub(r"\bher\b", f"{mentee}'s", text)
        else:
            text = re.sub(rf"\b{obj}\b", mentee, text)
            text = re.sub(rf"\b{poss}\b", f"{mentee}'s", text)
        text = re.sub(r"\b(?:she|he)\b", mentee, text) if pronoun in ("she", "he") else text
        text = re.sub(r"\byou\b", mentee, text)
        text = re.sub(r"\byour\b", f"{mentee}'s", text)
    elif owner == "mentee" and voice == "mentee":
        # the mentee's own words ("J: I'll send you my draft", a quote): 'my' is theirs, 'you' the mentor
        text = re.sub(r"\bmy\b", "your", text)
        text = re.sub(r"\bmyself\b", "yourself", text)
        if mentor:
            text = re.sub(r"\byou\b", mentor, text)
    elif owner == "mentee":
        if mentor:
            text = re.sub(r"\bme\b", mentor, text)
            text = re.sub(r"\bmy\b", f"{mentor}'s", text)
        text = re.sub(r"\b(?:herself|himself|themself)\b", "yourself", text)
    return text


def _dedupe(facts: list[NoteFact]) -> list[NoteFact]:
    seen: set[str] = set()
    kept: list[NoteFact] = []
    for fact in facts:
        key = _fold(fact.text)
        if key and key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept


def _dedupe_items(items: list[NoteAction]) -> list[NoteAction]:
    seen: set[tuple[str, str]] = set()
    kept: list[NoteAction] = []
    for item in items:
        key = (_fold(item.text), item.owner)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def analyse_notes(
    text: str,
    *,
    session_date: dt.date,
    mentee_name: str,
    mentor_name: str | None,
    language: str | None = None,
) -> NotesFacts:
    """Read session notes into facts. Deterministic: the session date is the only clock it uses.

    `language` is a hint (the session's language); the notes' own language is detected and wins when
    the notes are clearly in another one.
    """
    return _Analysis(text or "", session_date, mentee_name, mentor_name, language).run()


__all__ = [
    "CADENCES",
    "LANGUAGES",
    "NoteAction",
    "NoteFact",
    "NotesFacts",
    "Owner",
    "WellbeingCue",
    "analyse_notes",
    "clear_date_cache",
    "detect_language",
    "find_dates",
    "resolve_due",
    "warm_up",
]

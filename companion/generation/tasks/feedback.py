"""Feedback summary from the analysed session notes.

`companion.generation.notes.analyse_notes` reads the notes into facts: who owes what by when,
what was decided, what is done, what is planned for next time, wins, growth areas, wellbeing
cues and the next meeting. This module writes those facts up as a summary the mentor can send
to the mentee as it is:

- addressed to the mentee ("You ..."), the mentor speaking as "I";
- the action items exactly as analysed (owner and due date from the facts); an item whose owner
  the notes leave unclear is listed under "to confirm", never dropped; what the mentor owes is
  listed on its own, and last session's open items are checked against what the notes say is done;
- decisions and next-time plans apart from the action items;
- SBI statements only for things the notes say the mentee did, with no third party named in them
  ("your manager", "a colleague") and an impact only when the observation concerns one of the
  mentee's goals;
- a gentle acknowledgement when the notes carry a wellbeing cue (never a diagnosis);
- a short follow-up message.

The offline composer writes English. Notes in another language are still analysed (the
analyser reads German and Spanish); their text is quoted as written, never spliced into an
English sentence, and the summary says so at the top.

The same facts check an LLM's answer (`check_answer`): an action item whose owner or due date
does not come from the notes is corrected from them or dropped, and counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.goal_history import changes as goal_changes
from companion.generation.notes import NoteAction, NoteFact, NotesFacts, analyse_notes, detect_language
from companion.generation.tasks.common import (
    Citations,
    MissingInput,
    bank_items,
    best_match,
    fill,
    first_name,
    generator_info,
    guide_section,
    is_english,
    is_setback,
    join_words,
    looks_like_instruction,
    mixes_languages,
    normalise,
    quoted,
    sentence,
    session_stage,
    unpaused_goals,
)
from companion.generation.tasks.dates import WEEKDAYS
from companion.retrieval.retriever import SearchResult
from companion.schemas import (
    EARLIEST_DATE,
    LATEST_DATE,
    ActionItem,
    FeedbackStatement,
    FeedbackSummary,
    MentoringContext,
)

COMPOSER_VERSION = "offline-feedback-7"
MAX_STATEMENTS_PER_KIND = 2
MAX_SELF_ASSESSMENT = 4
MAX_TOPIC_WORDS = 6
MAX_MESSAGE_ITEMS = 4
"""Items named on one line of the follow-up message; the rest are counted ('and 2 more')."""

LANGUAGE_NAMES = {"en": "English", "de": "German", "es": "Spanish", "fr": "French", "it": "Italian", "pt": "Portuguese"}
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _wordset(*parts: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(" ".join(parts).split())


def _plural(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


def _day(day: dt.date, reference: dt.date | None = None) -> str:
    """'Friday 27 November' (with the year when it is not the reference's); English whatever the locale."""
    text = f"{WEEKDAYS[day.weekday()].capitalize()} {day.day} {MONTH_NAMES[day.month - 1]}"
    return text if reference is not None and day.year == reference.year else f"{text} {day.year}"


def language_label(code: str) -> str:
    base = re.split(r"[-_]", code.lower())[0]
    return LANGUAGE_NAMES.get(base, code)


# --------------------------------------------------------------------------------------
# The facts
# --------------------------------------------------------------------------------------
def session_base(context: MentoringContext) -> dt.date:
    """Relative dates in the notes ('by Friday') count from the session they were written in."""
    return context.session.date or context.reference_date


def notes_facts(context: MentoringContext) -> NotesFacts:
    """The analysed notes of this context (empty facts without notes)."""
    return analyse_notes(
        context.notes or "",
        session_date=session_base(context),
        mentee_name=context.mentee.name,
        mentor_name=context.mentor.name,
        language=context.session.language,
    )


# --------------------------------------------------------------------------------------
# Writing to the mentee: people, pronouns and jottings
# --------------------------------------------------------------------------------------
_DAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday"}


def _day_in_full(match: re.Match[str]) -> str:
    """'last Thurs' -> 'last Thursday'."""
    return _DAYS.get(match.group(0)[:3].lower(), "Sunday")


_JOTTINGS: tuple[tuple[str, Any], ...] = (
    (r"\bw/o\b", "without"),
    (r"\bw/\s*", "with "),
    (r"\bb/c\b", "because"),
    (r"\besp\.\s*", "especially "),
    (r"!{2,}", "!"),
    (r"\?{2,}", "?"),
    (r"(?<=\b(?:last|this|next) )(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\b\.?", _day_in_full),
    (r"\bppl\b", "people"),
    (r"\bmtgs\b", "meetings"),
    (r"\bmtg\b", "meeting"),
    (r"\bconvos\b", "conversations"),
    (r"\bconvo\b", "conversation"),
    (r"\bmgr\b", "manager"),
    (r"\bthru\b", "through"),
    (r"\babt\b", "about"),
    (r"\bpls\b", "please"),
    (r"\bapprox\.?\s+", "about "),
    (r"~\s?(?=\d)", "about "),
    (r"\s+&\s+", " and "),
    (r"\s+\+\s+", " and "),
    (r"\s*(?:->|→|=>)\s*", "; "),
    (r"\s*\b(?:lol|haha|lmao)\b", ""),
    (r"\b(\d+)-mins?\b", r"\1-minute"),
    (
        r"\b(\d+)\s?mins?\b(?=\s+(?!of\b|for\b|with\b|and\b|to\b|in\b|on\b|at\b|late\b|early\b|over\b|each\b|"
        r"per\b|a\b|the\b|or\b|but\b|then\b|max\b|later\b|ago\b|before\b|after\b|long\b|now\b)[a-z])",
        r"\1-minute",
    ),
    (r"\b(\d+)\s?mins?\b", r"\1 minutes"),
    (r"\b(\d+)\s?(?:hrs?|h)\s+(?=weeks?\b|days?\b)", r"\1-hour "),
    (r"\b(\d+)\s?hrs?\b", r"\1 hours"),
)
_ADVERBS = _wordset(
    "still also often always never really just usually sometimes already now rarely actually clearly genuinely "
    "probably finally again only even honestly visibly noticeably definitely mostly generally constantly "
    "repeatedly quickly slowly much"
)
_AGREEMENT = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "doesn't": "don't",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
    "goes": "go",
    "am": "are",
}
_KNOWN_THIRD_SINGULAR = _wordset(
    "gets makes takes keeps needs wants tends seems feels looks struggles redoes avoids says talks speaks asks "
    "rambles freezes overthinks delegates interrupts apologises apologizes listens shows handles runs works does "
    "goes has is knows thinks loves hates likes finds gives leads owns writes reads rushes hesitates worries tries "
    "downplays undersells overcommits procrastinates hides defers micromanages jumps spends loses forgets misses "
    "comes sounds goes answers explains presents pitches prepares plans follows pushes waits stays lets"
)
_VERB_FOLLOWERS = _wordset(
    "to with her his their it them other others everything people him herself himself themselves up out back "
    "off too me my"
)
_IRREGULAR_PAST = _wordset(
    "froze took made gave ran spoke led kept held got went did told sent wrote built found came chose began "
    "brought taught thought felt left lost won sold bought met saw said stood sat drove flew knew grew threw "
    "understood forgot overcame became caught fought paid hit spent shared stayed used aced owned eyed"
)
_NOT_PAST = _wordset("need seed feed bed red shed speed weed indeed breed greed embed proceed mixed")
_STATE_WORDS = _wordset(
    "very really much more less quite so super pretty too noticeably visibly far calm clear clearer confident "
    "nervous defensive open quiet vague tense relaxed anxious focused prepared organised organized honest brave "
    "late early tighter sharper stronger better worse happy proud excited frustrated upset engaged curious "
    "composed direct concise crisp thoughtful candid humble positive negative hesitant unsure certain "
    "articulate specific structured animated energetic flat reserved quick slow great good strong"
)
_PREDICATES = _STATE_WORDS | _wordset(
    "ready back done here there free available able in on up out going keen sure not still also away off"
)
_NOT_BEHAVIOUR = _wordset("mixed mostly overall general generally")
_NOT_ACTS = _wordset(
    "felt feel feels thinks thought wants wanted hopes hoped wishes wished worries worried believes believed knows "
    "knew loves loved hates hated likes liked needs needed"
)
"""Feelings and wishes are not behaviour: no SBI statement is built on them."""
_OBJECT_FOLLOWERS = _wordset(
    "the a an my this that these those some any two three it them know back up out on in to for with about and "
    "but or when while because so if again too than as at from by into over nervous anxious uneasy feel think "
    "go do be afterwards afterward later today yesterday tomorrow directly personally first last next off down "
    "around"
)
_ROLE_NOUNS = (
    r"manager|boss|colleague|co-?founder|vp|ceo|cto|coo|cfo|investor|partner|wife|husband|mother|father|mum|mom|"
    r"dad|sister|brother|friend|daughter|son|client|customer|teacher|tutor|supervisor|director|recruiter|"
    r"interviewer|lead|report|teammate|peer|mentor|coach|landlord|doctor|therapist|professor|advisor|adviser"
)
_ROLE = re.compile(rf"\b(?:{_ROLE_NOUNS})s?\b", re.I)
_CLAUSE_WORDS = _wordset("and but that when while because so if since as though although")
_ATTRIBUTION = (
    r"(?:said|says|thinks|thought|noticed|mentioned|feels|felt|reckons|told me|observed|pointed out|agrees|agreed)"
)
_PERSON_VERBS = _wordset(
    "said says say told think thinks thought noticed notice mentioned asked felt feel feels is was will wants "
    "wanted agreed suggested "
    "offered reckons loved liked pushed gave sent reviewed called emailed"
)
_PLACE_WORDS = _wordset(
    "park primary school street st road college university hospital group ltd inc bank council trust academy "
    "centre center labs partners capital ventures studio studios agency"
)
_NOT_NAMES = _wordset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec i ok xmas christmas easter english german spanish french zoom slack teams "
    "google excel notion jira figma python java series mr ms mrs dr prof uni university the a an this that "
    "my our your his her their we you he she they it next last new first"
)
_CATEGORY_LABEL = re.compile(
    r"^(?:hard part|tricky|challenge|struggle|struggles|win|wins|good|great|strength|strengths|went well|"
    r"highlight|highlights|concern|concerns|note|notes|context|observation|feedback|growth|to work on|weaker|"
    r"weakness|positives?|negatives?|proud|proudest)\s*:\s*",
    re.I,
)
_TOPIC_LABEL = re.compile(r"^(?P<label>[A-Za-z0-9][\w .'/-]{0,24}?)\s*:\s+(?P<rest>\S.*)$")
_EVENT = re.compile(
    r"\b(?P<prep>in|at|during|on)\s+(?P<np>(?:the|a|an|your|our|this|last|yesterday's|today's|[A-Z][a-z]+['’]s)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:call|meeting|review|demo|pitch|interview|stand-?up|retro|presentation|talk|1:1|"
    r"one-to-one|all-hands|offsite|workshop|conversation|negotiation|incident|outage|debrief|exam|shift|"
    r"board meeting|planning|kick-?off|launch|sync)(?:\s+(?:call|meeting|review|sync|session|debrief|prep))?)\b"
)
_WHEN_EVENT = re.compile(
    r"\bwhen\s+(?:the|a|an|your|our)\s+[^,.;]{2,40}?\s+(?:hit|happened|came up|started|kicked off|went down|"
    r"blew up|broke|landed)\b"
)
_FOREIGN_CHECK = re.compile(r"[A-Za-zÄÖÜäöüßÁÉÍÓÚáéíóúñÑ]")


def tidy(text: str) -> str:
    """Notes shorthand written out ('w/' -> 'with', '6 min' -> '6 minutes', '70h weeks' -> '70-hour weeks')."""
    for pattern, replacement in _JOTTINGS:
        text = re.sub(pattern, replacement, text, flags=re.I)
    return " ".join(text.split()).strip(" -–—,;")


def _sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-Za-z\"'“(])|;\s+", text)
    merged: list[str] = []
    for piece in pieces:
        if merged and (
            re.search(r"\b(?:e\.g|i\.e|vs|etc|approx|mr|ms|mrs|dr|no)\.$", merged[-1], re.I)
            or re.search(r"(?:^|\s)[A-Z]\.$", merged[-1])
        ):
            merged[-1] = f"{merged[-1]} {piece}"
        elif piece.strip():
            merged.append(piece.strip())
    return merged


def _base_form(word: str) -> str:
    """'struggles' -> 'struggle', 'redoes' -> 'redo', 'is' -> 'are': the verb after 'you'."""
    low = word.lower()
    if low in _AGREEMENT:
        return _AGREEMENT[low]
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|zz|o)es$", low):
        return word[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _looks_third_singular(word: str, following: str | None) -> bool:
    low = word.lower()
    if low in _KNOWN_THIRD_SINGULAR:
        return True
    head, _, tail = low.rpartition("-")
    if head in ("over", "under", "re", "co", "self", "double", "second", "micro") and len(tail) >= 3:
        return tail.endswith("s") and not tail.endswith(("ss", "us", "is"))  # 'over-explains', 'second-guesses'
    return (
        len(low) >= 4
        and low.endswith("s")
        and not low.endswith(("ss", "us", "is"))
        and (following or "").lower() in _VERB_FOLLOWERS
    )


def _looks_past(word: str) -> bool:
    low = word.lower()
    if low in _NOT_PAST:
        return False
    return low in _IRREGULAR_PAST or (len(low) >= 5 and low.endswith("ed"))


_TOKEN = re.compile(r"\s+|[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*|\d[\w:./%-]*|.")


@dataclass
class Spoken:
    """A sentence turned to the mentee: who its subject is and whether it is in the present tense."""

    text: str
    subject: str | None
    """'you' when the mentee does what the sentence says, 'I' when the mentor does, else None."""
    present: bool = False


class Voice:
    """Who the notes talk about, and how to say the same thing to the mentee."""

    def __init__(self, context: MentoringContext, notes: str = "") -> None:
        self.mentee_first = first_name(context.mentee.name) or context.mentee.name
        self.mentor_first = first_name(context.mentor.name)
        self.mentee_names = self._forms(context.mentee.name)
        self.mentor_names = self._forms(context.mentor.name or "") - self.mentee_names
        # 'BO: ask HR …', 'FG: intro to …', 'BO / FG – 4 May': initials name the two people, not a topic
        self.initials = {
            "".join(part[0] for part in name.split() if part[:1].isalpha()).lower()
            for name in (context.mentee.name, context.mentor.name or "")
            if len(name.split()) >= 2
        }
        self.third_parties = self._names_in(notes)
        self.pronoun = self._pronoun(notes)

    @staticmethod
    def _forms(name: str) -> set[str]:
        parts = [p for p in re.split(r"[\s-]+", name.lower()) if p and p not in ("dr", "dr.", "prof", "prof.")]
        return {" ".join(parts), *parts} if parts else set()

    def _pronoun(self, notes: str) -> str | None:
        """'she' or 'he', the one the notes use most for someone before another person is named in the line."""
        kept = []
        for line in notes.splitlines():
            cut = len(line)
            role = _ROLE.search(line)
            if role:
                cut = role.start()
            for name in self.third_parties:
                found = re.search(rf"\b{re.escape(name)}\b", line)
                if found:
                    cut = min(cut, found.start())
            kept.append(line[:cut])
        lowered = f" {' '.join(kept).lower()} "
        she = len(re.findall(r"\b(?:she|she'll|she's|she'd|her|hers|herself)\b", lowered))
        he = len(re.findall(r"\b(?:he|he'll|he's|he'd|him|his|himself)\b", lowered))
        if not she and not he:
            return None
        return "he" if he > she else "she"

    def is_person(self, word: str) -> bool:
        """The mentee or the mentor, by name or a short form of the first name ('Deb' for Deborah)."""
        low = word.lower().strip(".")
        if low in self.mentee_names | self.mentor_names:
            return True
        if word.strip(".").isupper() and low in self.initials:
            return True
        firsts = [n.lower() for n in (self.mentee_first, self.mentor_first) if n]
        return len(low) >= 3 and any(first.startswith(low) for first in firsts)

    def _names_in(self, text: str) -> set[str]:
        """Capitalised words used mid-sentence as people's names: not the mentee, not the mentor, not a title."""
        found: set[str] = set()
        for sentence_text in _sentences(text.replace("\n", ". ")):
            found |= {name for name, _, _ in self._name_spans(sentence_text)}
        return found

    def _name_spans(self, text: str, known: set[str] | None = None) -> list[tuple[str, int, int]]:
        """Where other people are named: a capitalised word, or two ('Tom Berg'), used as a person's name.

        Not a name: the mentee or the mentor, weekdays and months, a title ('The Making of a Manager'), a
        thing ('her Rise course', 'the Tudors'), a place or company ('at Google', 'Ashworth Park Primary').
        """
        spans: list[tuple[str, int, int]] = []
        for match in re.finditer(r"(?<![\w'’-])[A-Z][a-z]{1,20}(?:\s[A-Z][a-z]{1,20})*(?=['’]s\b|(?![\w'’-]))", text):
            words = match.group(0).split()
            start = match.start()
            before = text[:start]
            at_start = not before.strip() or bool(re.search(r"[.:!?(\-–—•*]\s*$", before))
            if at_start and len(words) > 1 and words[0] not in (known or set()):
                start += len(words[0]) + 1  # 'Ask Ana ...': the first word only starts the sentence
                words = words[1:]
                before, at_start = text[:start], False
            if len(words) > 2 or any(w.lower() in _NOT_NAMES for w in words) or words[-1].lower() in _PLACE_WORDS:
                continue
            name = " ".join(words)
            if any(self.is_person(w) for w in words):
                continue
            previous = re.findall(r"[A-Za-z'’]+", before)
            if previous and not at_start:
                back = [w for w in previous[-3:] if w.lower() not in ("of", "a", "an", "the", "in", "on", "to", "for")]
                if back and back[-1][:1].isupper() and back[-1].lower() not in _NOT_NAMES and back[-1] != previous[-1]:
                    continue  # inside a title: 'The Making of a Manager'
                if previous[-1].lower() in ("the", "a", "an", "her", "his", "my", "your", "our", "their", "this"):
                    continue  # 'her Rise course', 'the Tudors': a thing, not a person
                if previous[-1].lower() in ("at", "in"):
                    continue  # 'at Google', 'in Berlin': a place or a company
            after = text[match.end() :].split()
            follows = after[0].lower().strip(",.;:") if after else ""
            if at_start and name.lower() not in {k.lower() for k in known or set()} and follows not in _PERSON_VERBS:
                continue
            spans.append((name, start, match.end()))
        return spans

    # -- third parties ---------------------------------------------------------------------
    def strip_third_parties(self, text: str) -> str:
        """Other people's names left out: 'her manager Tom' -> 'her manager', 'Tom said people ...' -> 'people ...'."""
        names = {name for name, _, _ in self._name_spans(text, self.third_parties)}
        if not names:
            return text
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        text = re.sub(rf"\s*\([^()]*\b(?:{alternation})\b[^()]*\)", "", text)
        text = re.sub(rf"\b(?:{alternation})\s+{_ATTRIBUTION}(?:\s+that)?\s+", "", text)
        text = re.sub(rf"\b({_ROLE_NOUNS})\s*,?\s+(?:{alternation})\b,?", r"\1", text, flags=re.I)
        text = re.sub(rf"\b(?:{alternation})['’]s\b", "a colleague's", text)
        text = re.sub(rf"\b(?:{alternation})\b", "a colleague", text)
        text = re.sub(r"\ba colleague and a colleague\b", "two colleagues", text)
        return " ".join(text.split())

    # -- second person ---------------------------------------------------------------------
    def to_you(self, text: str, speaker: str | None = None, *, task: bool = False) -> Spoken:
        """The sentence said to the mentee: 'she struggles to delegate' -> 'You struggle to delegate'.

        `speaker` is who wrote or said the line ('mentee' in a transcript line of theirs: then 'I' is
        the mentee). Pronouns after another person is mentioned ('the VP, when she asked') are left alone.
        A `task` (an action item's text) keeps its imperative start and gets no full stop.
        """
        initial = self.mentee_first[:1].upper()
        if initial and initial != (self.mentor_first or " ")[:1].upper():
            # "M. to call", and "M avoids asking him" too, unless the bare letter is a word ("I think", "A friend")
            dot = r"\." if initial in ("I", "A") else r"\.?"
            text = re.sub(rf"(?:(?<=^)|(?<=[\s(]))\b{initial}{dot}(?=\s+[a-z'’])", self.mentee_first, text)
        tokens = _TOKEN.findall(text)
        words = [i for i, t in enumerate(tokens) if t[:1].isalpha()]
        subject: str | None = None
        present = False
        guard = False
        expect_verb = False
        previous_word = ""
        pronoun = self.pronoun if speaker != "mentee" else None
        subjects = pronoun if pronoun in ("she", "he") else None
        for position, index in enumerate(words):
            token = tokens[index]
            low = token.lower().replace("’", "'")
            following = tokens[words[position + 1]] if position + 1 < len(words) else None
            between = "".join(tokens[words[position - 1] + 1 : index]) if position else ""
            clause_start = position == 0 or bool(re.search(r"[,;:—–-]", between)) or previous_word in _CLAUSE_WORDS
            replacement: str | None = None
            if expect_verb:
                if low in _ADVERBS:
                    previous_word = low
                    continue
                expect_verb = False
                third = low.endswith("s") and not low.endswith(("ss", "us", "is", "'s"))
                if low in _AGREEMENT or third:  # right after the subject: 'she struggles' -> 'you struggle'
                    replacement = _AGREEMENT.get(low) or _base_form(token)
                    present = present or low not in ("was", "wasn't")
                if replacement is not None:
                    tokens[index] = replacement
                    previous_word = low
                    continue
            if (_ROLE.fullmatch(token) or token in self.third_parties or token == "colleague") and (
                following or ""
            ).lower() not in _PERSON_VERBS:
                guard = True  # 'her manager said she ...' is still about the mentee
            base, _, contraction = low.partition("'")
            if speaker == "mentee":
                first_person = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself"}
                if base == "i":
                    replacement = "you" + (
                        {"m": "'re", "ve": "'ve", "ll": "'ll", "d": "'d"}.get(contraction, "") if contraction else ""
                    )
                    expect_verb = not contraction
                    subject = subject or ("you" if position == 0 else None)
                elif low in first_person:
                    replacement = first_person[low]
            elif subjects is not None and base == subjects and not guard:
                if contraction == "s":
                    nxt = (following or "").lower()
                    perfect = nxt in ("been", "got", "had", "done") or (_looks_past(nxt) and nxt not in _STATE_WORDS)
                    replacement = "you've" if perfect else "you're"
                    present = True
                elif contraction:
                    replacement = f"you'{contraction}"
                else:
                    replacement = "you"
                    expect_verb = True
                subject = subject or ("you" if position == 0 else None)
            elif pronoun == "she" and low == "her" and not guard:
                nxt = (following or "").lower()
                replacement = "you" if nxt in _OBJECT_FOLLOWERS or following is None or nxt in _STATE_WORDS else "your"
            elif pronoun == "he" and low in ("him", "his") and not guard:
                replacement = "you" if low == "him" else "your"
            elif low in ("herself", "himself") and not guard and pronoun is not None:
                replacement = "yourself"
            elif low in self.mentee_names or (low.endswith("'s") and low[:-2] in self.mentee_names):
                if low.endswith("'s"):
                    nxt = (following or "").lower()
                    replacement = (
                        "you've" if nxt == "been" else "you're" if nxt.endswith("ing") or nxt in _PREDICATES else "your"
                    )
                else:
                    replacement = "you"
                    if clause_start:
                        expect_verb = True
                        subject = subject or ("you" if position == 0 else None)
            elif low in self.mentor_names or (low.endswith("'s") and low[:-2] in self.mentor_names):
                replacement = "my" if low.endswith("'s") else ("I" if clause_start else "me")
            if replacement is None and position == 0 and not task:
                replacement, subject, present = self._subjectless(tokens, words)
                if replacement is not None:
                    tokens[index] = replacement
                    previous_word = low
                    continue
            if replacement is not None:
                if token[:1].isupper() and replacement[:1].islower() and position == 0:
                    replacement = replacement[:1].upper() + replacement[1:]
                tokens[index] = replacement
            previous_word = low
        result = "".join(tokens)
        if subject is None and re.match(r"^(?:You|you)\b", result):
            subject = "you"
        result = self._join_clauses(result) if subject == "you" and not task else result
        return Spoken(result if task else sentence(result), subject, present)

    def _subjectless(self, tokens: list[str], words: list[int]) -> tuple[str | None, str | None, bool]:
        """A line without a subject ('walked through it', 'still struggles to', 'very calm when') is about the mentee."""
        position = 0
        while position < len(words) and tokens[words[position]].lower() in _ADVERBS - {"much", "very", "really"}:
            position += 1
        if position >= len(words):
            return None, None, False
        index = words[position]
        word = tokens[index]
        low = word.lower()
        following = tokens[words[position + 1]] if position + 1 < len(words) else None
        first = words[0]
        lead = tokens[first]
        lowered_lead = lead[:1].lower() + lead[1:] if lead[1:2].islower() or len(lead) == 1 else lead
        if low in _NOT_BEHAVIOUR:
            return None, None, False
        if _looks_third_singular(word, following) and low not in _STATE_WORDS:
            tokens[index] = _base_form(word)
            if index != first:
                return f"You {lowered_lead}", "you", True
            return f"You {tokens[index][:1].lower()}{tokens[index][1:]}", "you", True
        if low in ("agreed", "decided", "settled", "committed") and index == first:
            return f"We {lowered_lead}", "we", False  # 'Agreed we'll ...': a joint decision
        if _looks_past(word) and low not in _STATE_WORDS:
            return f"You {lowered_lead}", "you", False
        if low in _STATE_WORDS or re.search(r"(?:ive|ous|ful)$", low):
            obj = {"she": "her", "he": "him"}.get(self.pronoun or "", "")
            if obj and re.search(rf"\b(?:of|for|with)\s+{obj}\b", "".join(tokens[first:])):
                return f"I was {lowered_lead}", "I", False  # 'proud of her': the mentor's feeling
            return f"You were {lowered_lead}", "you", False
        return None, None, False

    @staticmethod
    def _join_clauses(text: str) -> str:
        """'You struggled with X, went off into Y' -> 'You struggled with X and went off into Y'."""

        def join(match: re.Match[str]) -> str:
            word = match.group("word")
            if _looks_past(word) or word.lower() in _IRREGULAR_PAST:
                return f" and {word}"
            if _looks_third_singular(word, match.group("next")):
                return f" and {_base_form(word)}"
            if word.lower() in ("people", "everyone", "the", "they", "it", "others"):
                return f", and {word}"
            return match.group(0)

        return re.sub(r",\s+(?P<word>[a-z][a-z'-]+)(?=\s+(?P<next>[\w'-]+))", join, text, count=2)

    def strip_pronoun_names(self, text: str, owner: str) -> str:
        """An action item in the voice of the follow-up message: the mentor is 'me', the mentee 'you'."""
        if owner == "mentee":
            if self.mentor_first:
                text = re.sub(rf"\b{re.escape(self.mentor_first)}['’]s\b", "my", text)
                text = re.sub(rf"\b{re.escape(self.mentor_first)}\b", "me", text)
            if self.pronoun and not self._name_spans(text, self.third_parties):
                possessive = {"she": "her", "he": "his"}[self.pronoun]
                text = re.sub(rf"\b{possessive}\b", "your", text)
                text = re.sub(r"\b(?:herself|himself)\b", "yourself", text)
        else:  # the mentor's task or someone else's: the mentee is 'you'
            text = re.sub(
                rf"\b{re.escape(self.mentee_first)}['’]s(?=\s+(?P<next>[\w'-]+))",
                lambda m: "you're" if m.group("next").endswith("ing") or m.group("next") in _PREDICATES else "your",
                text,
            )
            text = re.sub(rf"\b{re.escape(self.mentee_first)}['’]s\b", "your", text)
            text = re.sub(
                rf"\b(?P<lead>before|after|when|if|once|until|so|because|that|whether)\s+{re.escape(self.mentee_first)}"
                r"\s+(?P<verb>[a-z]+s)\b",
                lambda m: f"{m.group('lead')} you {_base_form(m.group('verb'))}",
                text,
            )  # 'before Fatima submits' -> 'before you submit'
            text = re.sub(rf"\b{re.escape(self.mentee_first)}\b", "you", text)
            others = bool(self._name_spans(text, self.third_parties))
            if self.pronoun == "she" and not others:
                text = re.sub(r"\bher\b(?=\s+(?:to|with|about|on|know|back|up|out|through)\b|\s*$)", "you", text)
            elif self.pronoun == "he" and not others:
                text = re.sub(r"\bhim\b", "you", text)
                text = re.sub(r"\bhis\b", "your", text)
        return text


def is_foreign(text: str, notes_language: str) -> bool:
    """Text the offline composer must quote rather than rewrite: the notes' own language when it is not English."""
    if not _FOREIGN_CHECK.search(text):
        return False
    return detect_language(text, notes_language) != "en"


def speaker_of(source: str, voice: Voice) -> str | None:
    """'mentee' or 'mentor' for a transcript line ('Jonas: I ...', 'Me: ...'), else None."""
    match = re.match(r"^\s*(?:[-*•]\s*)?(?P<who>[A-Za-z][\w.]*(?:\s[A-Z][\w.]*)?)\s*:\s+\S", source)
    if not match:
        return None
    who = match.group("who").lower().rstrip(".")
    if who in voice.mentee_names or (len(who) == 1 and voice.mentee_first.lower().startswith(who)):
        return "mentee"
    if who in ("me", "mentor", "ich", "yo") or who in voice.mentor_names:
        return "mentor"
    return None


# --------------------------------------------------------------------------------------
# Topics (the headings of the notes) and where each line sits
# --------------------------------------------------------------------------------------
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+(?P<md>.+?)\s*#*|\*\*(?P<bold>[^*]+)\*\*:?)\s*$")
_LABEL_TOPIC = re.compile(r"^\s*(?:[-*•+]\s+)?(?P<label>[A-Z][\w /&'-]{1,30}?)\s*:\s+\S")
_TOPIC_PHRASE = re.compile(
    r"\b(?:talked about|discussed|covered|went through|spent (?:time|most of the time) on|worked on)\s+"
    r"(?:the\s+|a\s+|her\s+|his\s+|their\s+)?(?P<topic>[^,.;:()!?]+)",
    re.I,
)
_NOT_TOPICS = re.compile(
    r"^(?:(?:ap|ai|hw|homework|todo|to-?do|action|aufgabe|tarea)\b.*|stand|status|update|"
    r"st[aä]rken?|schw[aä]chen?|gut|erfolge?|lob|fortalezas?|logros?|a mejorar|dificultades|muy bien|bien|"
    r"action|actions|action items?|todo|to-?dos?|next steps?|follow[- ]?ups?|decided|decisions?|agreed|"
    r"next time|next session|next meeting|win|wins|strengths?|growth|went well|www|what went well|ebi|"
    r"even better if|targets?|hard part|notes?|me|mentor|mentee|"
    r"done|open|context|background|recap|topics?|entschieden|entscheidungs?|entscheidungen|vereinbart|beschlossen|"
    r"abgemacht|"
    # the fields of a minutes template name no topic ('Attendees:', 'Owner: Priya', 'Due: TBC')
    r"attendees?|present|apologies|participants?|date|time|place|location|venue|minutes|agenda|discussion|"
    r"owners?|due|due date|deadline|responsible|by whom|who|when|status|teilnehmer(?:innen)?|datum|ort|protokoll|"
    r"verantwortlich|frist|f[aä]llig|wer|wann|asistentes|fecha|lugar|acta|responsable|plazo|qui[eé]n|cu[aá]ndo|"
    r"aufgaben?|n[aä]chstes mal|n[aä]chste schritte|erledigt|decidimos|decidido|decisi[oó]n|acordamos|acordado|"
    r"acuerdos?|tareas?|pr[oó]xima vez|pendientes?|hecho)$",
    re.I,
)


@dataclass
class Sections:
    topics: list[str] = field(default_factory=list)
    by_line: dict[str, str] = field(default_factory=dict)
    """A note line (stripped) -> the topic heading it sits under."""


def _topic(text: str) -> str:
    text = " ".join(text.split()).strip(" :*#")
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def read_sections(context: MentoringContext, voice: Voice, language: str = "en") -> Sections:
    """The topics of the session (its focus, the notes' headings and 'talked about ...' phrases)."""
    found = Sections()
    keep_case = language != "en"  # German nouns are capitalised

    def add(topic: str) -> None:
        if not keep_case and topic:  # 'talked about Kev': a colleague is no topic, and their name stays out
            topic = voice.strip_third_parties(topic)
            if normalise(topic) in ("a colleague", "two colleagues"):
                return
        if topic and normalise(topic) not in {normalise(t) for t in found.topics}:
            found.topics.append(topic)

    for focus in context.session.focus:
        add(_topic(focus))
    current: str | None = None
    for raw in (context.notes or "").splitlines():
        line = raw.strip()
        if not line or looks_like_instruction(line):
            continue
        heading = _HEADING.match(line)
        words = line.split()
        bare = (
            len(words) <= 3
            and line[0].isupper()
            and line[-1] not in ".!?;,:)"
            and not re.match(r"^[-*•+\d]", line)
            and not re.search(r"\d", line)
            and ":" not in line  # 'Owner: Priya' is a field and its value, not a heading
        )
        if heading or bare:
            title = (heading.group("md") or heading.group("bold")) if heading else line
            if title and not _NOT_TOPICS.match(title.strip(" :")) and not voice.is_person(title.split()[0]):
                current = " ".join(title.split()).strip(" :*#") if keep_case else _topic(title)
                add(current)
            continue
        label = _LABEL_TOPIC.match(line)
        if label:
            name = label.group("label").strip()
            if (
                len(name.split()) <= 3
                and not _NOT_TOPICS.match(name)
                and not voice.is_person(name.split()[0])
                and not _CATEGORY_LABEL.match(f"{name}: ")
                and name.lower() not in ("me", "i")
                and speaker_of(line, voice) is None
            ):
                add(name if keep_case else _topic(name))
                found.by_line[line] = name if keep_case else _topic(name)
                continue
        for phrase in _TOPIC_PHRASE.finditer(line):
            add(" ".join(phrase.group("topic").split()[:MAX_TOPIC_WORDS]))
        if current:
            found.by_line[line] = current
    return found


# --------------------------------------------------------------------------------------
# The notes' parts, as the summary uses them (also the entry point tests and the bench use)
# --------------------------------------------------------------------------------------
@dataclass
class Observation:
    """A win or growth area in the notes' words, where it was said, and by whom."""

    text: str
    topic: str | None
    source: str
    speaker: str | None = None


@dataclass
class ParsedNotes:
    """What the summary takes from the notes (instruction-like lines already removed)."""

    facts: NotesFacts
    action_items: list[ActionItem] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    strengths: list[Observation] = field(default_factory=list)
    growth_areas: list[Observation] = field(default_factory=list)
    skipped_instructions: int = 0


def action_item(item: NoteAction) -> ActionItem:
    """A note action as the public ActionItem: an unclear owner stays empty, a done item has no due date."""
    owner = item.owner if item.owner in ("mentee", "mentor") else None
    return ActionItem(text=item.text[:500], owner=owner, due=bounded(item.due), done=item.done)


def read_notes(context: MentoringContext) -> ParsedNotes:
    """The notes of `context` analysed, in the shape the summary works with."""
    facts = notes_facts(context)
    voice = Voice(context, context.notes or "")
    sections = read_sections(context, voice, facts.language)

    def observation(fact: NoteFact) -> Observation:
        return Observation(
            fact.text, sections.by_line.get(fact.source.strip()), fact.source, speaker_of(fact.source, voice)
        )

    return ParsedNotes(
        facts=facts,
        action_items=[action_item(a) for a in facts.action_items],
        decisions=[sentence(d.text) for d in decided(facts)],
        topics=sections.topics,
        strengths=[observation(w) for w in facts.wins],
        growth_areas=[observation(g) for g in facts.growth_areas],
        skipped_instructions=facts.skipped_lines,
    )


# --------------------------------------------------------------------------------------
# Prose from facts
# --------------------------------------------------------------------------------------
@dataclass
class Writer:
    """Turns facts into English sentences to the mentee, or quotes them when they are in another language."""

    context: MentoringContext
    voice: Voice
    language: str

    def foreign(self, text: str) -> bool:
        return is_foreign(text, self.language) if self.language != "en" else False

    def prose(self, text: str, speaker: str | None = None, strip_names: bool = False) -> str:
        """The text as sentences to the mentee (third parties unnamed when asked); quoted when not English, or
        when English notes switch language mid-line ('…, zu viel auf einmal'): no rewrite then mixes two."""
        text = tidy(text)
        if self.foreign(text) or mixes_languages(text):
            return quoted(text)
        text = _CATEGORY_LABEL.sub("", text)
        if strip_names:
            text = self.voice.strip_third_parties(text)
        label = _TOPIC_LABEL.match(text)
        prefix = ""
        if label and len(label.group("label").split()) <= 3 and not self.voice.is_person(label.group("label")):
            prefix, text = f"{label.group('label')[:1].upper()}{label.group('label')[1:]}: ", label.group("rest")
        spoken = " ".join(s for s in (self.voice.to_you(s, speaker).text for s in _sentences(text)) if s)
        if prefix and re.match(r"^(?:You|I|We)\b", spoken):
            spoken = spoken[:1].lower() + spoken[1:] if not spoken.startswith("I ") else spoken
        return prefix + spoken

    def plan(self, text: str, speaker: str | None = None) -> str:
        """A next-time plan without its 'Next time' lead: 'Next time start with an energy check' -> 'Start with ...'."""
        text = re.sub(
            r"^(?:(?:idea\s+)?for\s+)?next\s+(?:time|session|call|meeting)\s*[:,-]?\s*(?:we'll\s+|we\s+will\s+)?",
            "",
            tidy(text),
            flags=re.I,
        )
        # '... next time?', '... in the next session.': the heading says when
        text = re.sub(r"\s*(?:in\s+the\s+)?next\s+(?:time|session|call|meeting)\s*[.?!]*$", "", text, flags=re.I)
        if not text:
            return ""
        return sentence(self.prose(text, speaker)) if not self.foreign(text) else quoted(text)


# --------------------------------------------------------------------------------------
# SBI statements
# --------------------------------------------------------------------------------------
STRENGTH_PATTERN = "fb-sbi-positive-specific"
GROWTH_PATTERN = "fb-sbi-with-question"
_CONCEPTS: dict[str, frozenset[str]] = {
    "fundraising": _wordset(
        "fundraising raise raising seed round investor investors angel angels vc pitch pitching deck funds",
        "funding series valuation",
    ),
    "hiring": _wordset("hire hiring hired recruit recruiting candidate candidates interview interviews job post"),
    "speaking": _wordset("talk talks conference speaker speaking speech presentation present slides keynote"),
    "delegation": _wordset("delegate delegating delegation hand handing"),
    "promotion": _wordset("promotion promoted calibration"),
}
_GENERIC = _wordset(
    "time last next much very still again good well session today also done make made thing things lot bit "
    "first role work new week weeks month months really more less need needs want wants"
)


# Past forms that share no stem with the present one: "froze" must meet "without freezing". Only verbs
# that carry a topic; "felt", "left" or "met" would tie any feeling or meeting to a goal.
_IRREGULAR = {
    "froze": "freeze", "frozen": "freeze", "spoke": "speak", "spoken": "speak", "wrote": "write",
    "written": "write", "led": "lead", "ran": "run", "sold": "sell", "taught": "teach", "won": "win",
    "chose": "choose", "chosen": "choose", "built": "build", "drew": "draw", "drawn": "draw", "broke": "break",
    "broken": "break", "began": "begin", "begun": "begin", "fought": "fight", "sought": "seek",
    "bought": "buy", "caught": "catch", "shook": "shake",
}  # fmt: skip


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    word = _IRREGULAR.get(word, word)
    for suffix in ("ations", "ation", "ings", "ing", "ions", "ion", "ments", "ment", "ers", "er", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


def _stems(text: str) -> set[str]:
    found = {_stem(w) for w in re.findall(r"[A-Za-z][A-Za-z'’]+", text) if len(w) > 2}
    stop = {_stem(w) for w in _GENERIC} | {_stem(w) for w in ("the", "and", "for", "with", "that", "this", "from")}
    return found - stop


_CONCEPT_STEMS = {name: {_stem(w) for w in words} for name, words in _CONCEPTS.items()}


def _concepts(stems: set[str]) -> set[str]:
    return stems | {f"#{name}" for name, group in _CONCEPT_STEMS.items() if stems & group}


def goal_for(text: str, goals: Sequence[str]) -> str | None:
    """The mentee's goal the text is about (shared words, or a shared theme such as fundraising); None when none is."""
    wanted = _concepts(_stems(text))
    best: tuple[int, int] | None = None
    for index, goal in enumerate(goals):
        score = len(_concepts(_stems(goal)) & wanted)
        if score and (best is None or score > best[0]):
            best = (score, index)
    return goals[best[1]] if best else None


@dataclass
class Behaviour:
    """What the mentee did, said so that 'you ...' continues it, and where it happened."""

    phrase: str
    situation: str | None
    """'In Friday's outage call', 'This month', or 'in session' for something done in the session; None when
    the notes do not say (something the mentee reported, or a habit)."""
    present: bool


_TIME = re.compile(
    r"\b(?:(?:this|last|over the last)\s+(?:week|month|quarter|term|year|sprint)|yesterday|recently|"
    r"(?:on|last)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)
_IN_SESSION = _wordset(
    "walk present pitch answer explain role rolepl practis practic frame describ talk open seem struggl froze "
    "freez rambl go went stay listen ask speak spoke admit name share came come arriv bring brought push handl "
    "gave give took take tell told laugh paus hesit dodg avoid defend argu list lit light sound look"
)
_IN_SESSION_STEMS = frozenset(_stem(w) for w in _IN_SESSION)
_LEADING_PLACE = re.compile(
    r"^(?P<where>(?i:in|during|at)\s+(?i:the|our|her|his|their|today's|this\s+week's|last\s+week's)\s+"
    r"[\w'’-]+(?:\s+[\w'’-]+)?),?\s+(?P<rest>(?:she|he|they|[A-Z][a-z]+|[A-Z]\.?)\s+\S.*)$"
)
_CONTRACTIONS = {"You're": "You are", "You've": "You have", "You'll": "You will", "You'd": "You would"}


def behaviour(text: str, voice: Voice, speaker: str | None = None) -> Behaviour | None:
    """The first sentence of an observation as something the mentee did, or None when it is not about what they did."""
    text = _CATEGORY_LABEL.sub("", tidy(text))
    text = re.sub(r"\s*\((?:[^()\s]+\s?){1,4}\)\s*$", "", text)  # the writer's aside: '(great win)', '(finally!)'
    label = _TOPIC_LABEL.match(text)
    topic_label = None
    if label and len(label.group("label").split()) <= 3:
        topic_label, text = label.group("label"), label.group("rest")
    sentences = _sentences(text)
    if not sentences:
        return None
    first = voice.strip_third_parties(sentences[0])
    place = None
    lead = _LEADING_PLACE.match(first)
    if lead:  # 'in the role-play she froze …': where it happened, then who did what
        place, first = lead.group("where"), lead.group("rest")
    spoken = voice.to_you(first.rstrip(".!?"), speaker)
    if spoken.subject != "you":
        return None
    said = spoken.text
    for short, long in _CONTRACTIONS.items():
        said = re.sub(rf"^{short}\b", long, said)
    phrase = re.sub(r"^You\s+", "", said).rstrip(".!?")
    if phrase.split()[0].lower() in _NOT_ACTS:
        return None
    if topic_label and re.search(r"\bit\b", phrase) and not voice.is_person(topic_label):
        phrase = re.sub(r"\bit\b", topic_label[:1].lower() + topic_label[1:], phrase, count=1)
    situation = None
    moment = _EVENT.search(phrase) or _WHEN_EVENT.search(phrase) or _TIME.search(phrase)
    if (
        moment is None
        and topic_label
        and not voice.is_person(topic_label.split()[0])
        and topic_label.lower() not in phrase.lower()  # 'Deck v4: walked through it' already names it
    ):
        # 'the revenue slide: rushed' says where it happened: 'When it came to the revenue slide, you rushed'
        label_text = topic_label[:1].lower() + topic_label[1:] if not topic_label[:2].isupper() else topic_label
        situation = f"When it came to {label_text}"
    elif moment is not None:
        situation = phrase[moment.start() : moment.end()]
        situation = situation[:1].upper() + situation[1:]
        phrase = " ".join(f"{phrase[: moment.start()]} {phrase[moment.end() :]}".split())
        phrase = re.sub(r"\s+,", ",", phrase).strip(" ,")
    else:
        verb = _stem(re.sub(r"^(?:were|was)\s+", "", phrase).split()[0])
        if phrase.startswith(("were ", "seemed ")) or (not spoken.present and verb in _IN_SESSION_STEMS):
            situation = "in session"  # how the mentee was, or what they did, in the session itself
    if place is not None and moment is None:
        situation = place[:1].upper() + place[1:]
    if len(phrase.split()) < 2:
        return None
    return Behaviour(phrase=phrase, situation=situation, present=spoken.present)


_PROUD = re.compile(
    r"^(?:are|were|feel|felt|seem(?:ed)?)\s+(?:really\s+|very\s+|so\s+|quietly\s+)?proud\s+of\s+(?P<what>\S.*)$", re.I
)


def _statement(
    observation: Observation,
    kind: str,
    pattern: SearchResult,
    context: MentoringContext,
    voice: Voice,
    citations: Citations,
) -> FeedbackStatement | None:
    """One SBI statement in the shape of the bank pattern for its kind; None when the note is not a behaviour.

    The situation is the moment the notes name, or the session for what the mentee did in it; for something
    the mentee reported or a habit, the statement says it came up in the session rather than invent a moment.
    """
    found = behaviour(observation.text, voice, observation.speaker)
    if found is None or _TOPIC_ONLY.match(found.phrase):
        return None  # "talked about Kev - M avoids asking him" reports a conversation, not a moment seen
    goal = goal_for(f"{observation.text} {observation.topic or ''}", context.mentee.goals)
    session = f"session {context.session.number}" + (f" ({observation.topic})" if observation.topic else "")
    moment = found.situation if found.situation != "in session" else None
    proud = _PROUD.match(found.phrase)
    if kind == "strength" and proud is not None:
        # pride is a feeling, not a behaviour to keep doing: name what they did, and that the pride is earned
        what = proud.group("what")
        impact = f"it brings you closer to {quoted(goal)}" if goal else ""
        closer = f"; {impact}" if impact else ""
        text = f"I want to point out something that worked: {what}{closer}. You are right to be proud of it."
        citations.cite(pattern)
        return FeedbackStatement(
            situation=f"In session {context.session.number}", behavior=what, impact=impact, text=sentence(text)
        )
    if kind == "strength":
        impact = f"you are closer to {quoted(goal)}" if goal else ""
        tail = (f", and because of that {impact}" if impact else "") + ". Keep doing it."
        if found.present:
            situation = f"In {session}"
            text = f"I want to point out something that works: you {found.phrase}{tail}"
        elif found.situation:
            situation = moment or f"During {session}"
            text = f"I want to point out something that worked. {situation}, you {found.phrase}{tail}"
        else:
            situation = f"In {session}"
            text = f"I want to point out something that worked: you {found.phrase}{tail}"
    else:
        impact = f"that matters for {quoted(goal)}" if goal else ""
        tail = f", and {impact}" if impact else ""
        situation = moment or f"In {session}"
        if found.present:
            text = f"In {session}, we talked about how you {found.phrase}{tail}. What makes it hard to change?"
        elif moment:
            text = f"{moment}, you {found.phrase}{tail}. What was going on for you in that moment?"
        elif found.situation and _SEEN_ELSEWHERE.search(found.phrase):
            # it happened elsewhere ('in the dry run with your boss'): the mentor only heard about it
            text = f"In {session}, you told me that you {found.phrase}{tail}. What was going on for you in that moment?"
        elif found.situation:
            text = f"In {session}, I saw that you {found.phrase}{tail}. What was going on for you in that moment?"
        else:
            text = f"In {session}, we talked about how you {found.phrase}{tail}. What was going on for you then?"
    citations.cite(pattern)
    return FeedbackStatement(situation=situation, behavior=found.phrase, impact=impact, text=sentence(text))


_SEEN_ELSEWHERE = re.compile(
    r"\b(?:with (?:your|her|his|their) (?:boss|manager|team|lead|director|client|customer|cfo|ceo|board|colleagues?)"
    r"|at work|on (?:the )?(?:ward|site|shift)|at (?:the|an|her|his|your) (?:interview|meeting|conference|offsite|all-hands)"
    r"|in (?:the|a|her|his|your) (?:dry run|meeting|interview|stand-?up|1:1|one-to-one|review|demo|call|exam)\b(?! with me)"
    r"|last (?:week|month)|yesterday)\b",
    re.I,
)
"""Words that place a behaviour outside the session, where the mentor did not see it."""
_TOPIC_ONLY = re.compile(r"(?i)^(?:we\s+)?(?:talked|spoke|chatted|discussed)\b")


FEEDBACK_GUIDE = "guides/feedback-and-self-assessment.md"


def _guide(retrieved: Retrieved, heading: str) -> list[SearchResult]:
    """The feedback guide's section whose idea a part of the summary follows (none when not retrieved)."""
    found = guide_section(retrieved, ("feedback_guide", "guides"), FEEDBACK_GUIDE, heading)
    return [found] if found is not None else []


def statements(
    parsed: ParsedNotes, context: MentoringContext, voice: Voice, retrieved: Retrieved, citations: Citations
) -> tuple[list[FeedbackStatement], int]:
    """SBI statements for wins and growth areas that describe what the mentee did; how many notes were not such."""
    patterns = {
        str(item["id"]): result
        for result, item in bank_items(retrieved.get("feedback_patterns"))
        if item.get("form") == "sbi"
    }
    cues = {cue.source for cue in parsed.facts.wellbeing}
    # the same words read as a win and a growth area are a growth area; a line split into both keeps both
    growth_read = {(o.source, o.text) for o in parsed.growth_areas}
    made: list[FeedbackStatement] = []
    skipped = 0
    for kind, observations, pattern_id in (
        (
            "strength",
            [o for o in parsed.strengths if not is_setback(o.text) and (o.source, o.text) not in growth_read],
            STRENGTH_PATTERN,
        ),
        ("growth", parsed.growth_areas, GROWTH_PATTERN),
    ):
        pattern = patterns.get(pattern_id)
        count = 0
        for observation in observations:
            if pattern is None or count >= MAX_STATEMENTS_PER_KIND:
                break
            if observation.source in cues or is_foreign(observation.text, parsed.facts.language):
                skipped += 1
                continue
            statement = _statement(observation, kind, pattern, context, voice, citations)
            if statement is None:
                skipped += 1
                continue
            made.append(statement)
            count += 1
    return made, skipped


# --------------------------------------------------------------------------------------
# Action items: this session's, the mentor's, the ones to confirm and last session's
# --------------------------------------------------------------------------------------
def _overlap(a: str, b: str) -> float:
    """How much two task texts share, 0..1 of the shorter one's words."""
    first, second = _stems(a), _stems(b)
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / min(len(first), len(second)) if shared >= min(2, len(first), len(second)) else 0.0


_PAST_OF = {
    "write": ("wrote", "written"), "do": ("did", "done"), "make": ("made",), "send": ("sent",), "find": ("found",),
    "draw": ("drew", "drawn"), "buy": ("bought",), "get": ("got",), "give": ("gave", "given"), "read": ("read",),
    "speak": ("spoke", "spoken"), "take": ("took", "taken"), "build": ("built",), "pay": ("paid",),
    "set": ("set",), "put": ("put",), "tell": ("told",), "meet": ("met",), "bring": ("brought",),
    "choose": ("chose", "chosen"), "begin": ("began", "begun"), "run": ("ran",), "sign": ("signed",),
}  # fmt: skip


def _past_forms(verb: str) -> set[str]:
    verb = verb.lower()
    forms = set(_PAST_OF.get(verb, ()))
    forms |= (
        {verb + "d"} if verb.endswith("e") else {verb + "ed", verb[:-1] + "ied" if verb.endswith("y") else verb + "ed"}
    )
    return forms


def _said_done(item: ActionItem, notes: str) -> bool:
    """The notes tell of the item in the past tense: "M wrote down the 3 jobs …" for "Write down the 3 jobs …"."""
    words = item.text.split()
    if not words or not notes:
        return False
    past = _past_forms(re.sub(r"\W", "", words[0]))
    for part in re.split(r"(?<=[.!?])\s+|\n", notes):
        said = {w.lower() for w in re.findall(r"[A-Za-z']+", part)}
        if past & said and _overlap(item.text, part) >= 0.6 and not _NEGATED_PAST.search(part):
            return True
    return False


_NEGATED_PAST = re.compile(r"(?i)\b(?:not|never|didn'?t|hasn'?t|haven'?t|wasn'?t)\b|\bno\s+time\b")


def check_previous(previous: Iterable[ActionItem], facts: NotesFacts, notes: str = "") -> tuple[list[ActionItem], int]:
    """Last session's open items, marked done when the notes say they are (a done line, a done task, or the
    item told in the past tense); how many were."""
    done_texts = [f.text for f in facts.done] + [a.text for a in facts.action_items if a.done]
    checked: list[ActionItem] = []
    closed = 0
    for item in previous:
        if item.done:
            continue
        done = any(_overlap(item.text, text) >= 0.6 for text in done_texts) or _said_done(item, notes)
        closed += done
        checked.append(item.model_copy(update={"done": done}))
    return checked, closed


@dataclass
class Items:
    all: list[ActionItem]
    to_confirm: list[ActionItem]
    mentee: list[ActionItem]
    mentor_owes: list[ActionItem]
    previous: list[ActionItem]
    previous_closed: int


def sort_items(facts: NotesFacts, items: list[ActionItem], context: MentoringContext) -> Items:
    """`items` (one per analysed note action, in order) sorted into the lists the summary shows."""
    confirm = [i for i, a in zip(items, facts.action_items, strict=True) if a.to_confirm and not a.done]
    previous, closed = check_previous(context.open_action_items, facts, context.notes or "")
    mentee = [i for i in items if i.owner == "mentee" and not i.done and i not in confirm]
    owes = [i for i in items if i.owner == "mentor" and not i.done and i not in confirm]
    owes += [p for p in previous if p.owner == "mentor" and not p.done]
    return Items(items, confirm, mentee, owes, previous, closed)


# --------------------------------------------------------------------------------------
# Summary, wellbeing, follow-up message, language
# --------------------------------------------------------------------------------------
_CUE_WORDS = {
    "exhaustion": "how tired you have been",
    "burnout": "feeling burnt out",
    "sleep": "your sleep",
    "overwhelm": "feeling overwhelmed",
    "stress": "the stress you are under",
    "low_energy": "your energy",
    "overwork": "the long hours",
    "health": "your health",
}


def wellbeing_note(facts: NotesFacts) -> str | None:
    """A gentle line when the notes say how the mentee is doing: what was said, no label put on it."""
    phrases: list[str] = []
    for cue in facts.wellbeing:
        phrase = _CUE_WORDS.get(cue.kind, "how you are doing")
        hours = re.search(r"(\d{2,3})\s*-?\s*(?:h|hrs?|hours?)\b", cue.phrase, re.I)
        if cue.kind == "overwork" and hours:
            phrase = f"the {hours.group(1)}-hour weeks"
        if phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        return None
    return (
        f"We talked about {join_words(phrases)}. Please look after yourself: the plan can bend around that, "
        "and I'd like to start next time by asking how you are doing."
    )


def summary_text(
    context: MentoringContext,
    topics: list[str],
    items: Items,
    decisions: int,
    strengths: int,
    growth: int,
    facts: NotesFacts,
) -> str:
    session = f"session {context.session.number}"
    if context.session.date is not None:
        session += f" ({_day(context.session.date, context.session.date)})"
    focus = {normalise(f) for f in context.session.focus}
    shown_topics = [quoted(t) if normalise(t) not in focus and is_foreign(t, facts.language) else t for t in topics[:5]]
    parts = [f"In {session} we covered {join_words(shown_topics)}." if topics else f"Here is a recap of {session}."]
    parts.append(_count_words(context, items))
    if decisions:
        parts.append(f"We took {_plural(decisions, 'decision')}.")
    shown = [_plural(strengths, "strength")] if strengths else []
    shown += [f"{_plural(growth, 'area')} to work on"] if growth else []
    if shown:
        parts.append(f"The notes show {join_words(shown)}.")
    if facts.next_meeting is not None:
        parts.append(f"We meet next on {_day(facts.next_meeting, session_base(context))}.")
    moved = goal_changes(context)
    if moved:
        shown_moves = [f"{quoted(goal.statement)} is {change}" for goal, change in moved[:2]]
        parts.append(f"Since last time, {join_words(shown_moves)}.")
    return " ".join(parts)


def _message_item(item: ActionItem, owner: str, writer: Writer, base: dt.date) -> str:
    text = item.text
    if writer.foreign(text):
        body = quoted(text)
    else:
        text = writer.voice.strip_pronoun_names(tidy(text), owner)
        if owner == "mentee":
            text = writer.voice.to_you(text, task=True).text
        elif owner != "mentor":
            text = writer.voice.strip_pronoun_names(text, "other")
        label = _TOPIC_LABEL.match(text)
        if label and len(label.group("label").split()) <= 3:
            text = f"{label.group('rest')} ({label.group('label').lower()})"
        first = text.split()[0] if text.split() else ""
        keep = writer.voice.is_person(first.strip("'’s")) or first in writer.voice.third_parties or first.isupper()
        body = text if keep or not first[1:2].islower() else text[:1].lower() + text[1:]
    if item.due is None or item.due < base or _names_weekday(item.text, item.due):
        return body  # a date already past is not promised again; 'on Weds' already says when
    return f"{body} by {_day(item.due, base)}"


def _names_weekday(text: str, day: dt.date) -> bool:
    name = WEEKDAYS[day.weekday()]
    return bool(re.search(rf"\b(?:{name}|{name[:3]}s?|{name[:4]})\b", text, re.I))


_TASK_VERBS = _wordset(
    "send ask book draft write read review share intro introduce email call check find prepare finish apply update "
    "set schedule confirm look talk speak meet try practise practice plan pick bring block run loop follow get make "
    "do take start reach contact research list think reflect publish submit register sign buy fill join post print "
    "order create build test fix move cancel organise organize arrange shadow watch listen record collect gather "
    "compile put give tell let dig grab pull push sort outline sketch map note jot rehearse reply respond chase ping "
    "text message invite attend visit go keep stop cut add drop open close pay save track log rewrite redo finalise "
    "finalize polish wrap hand forward flag raise pitch present explore decide choose rank compare estimate "
    "calculate work learn study revise"
)


def _verb_first(items: list[ActionItem], writer: Writer) -> bool:
    """Every item starts with a verb, so 'You'll ...' / 'I'll ...' can lead into them."""
    for item in items:
        words = item.text.split()
        if writer.foreign(item.text) or not words or re.search(r":\s", item.text):
            return False
        if words[0].lower() not in _TASK_VERBS:
            return False
    return True


def _listed(items: list[ActionItem], owner: str, writer: Writer, base: dt.date) -> str:
    shown = [_message_item(i, owner, writer, base) for i in items[:MAX_MESSAGE_ITEMS]]
    more = len(items) - len(shown)
    if more:
        shown.append(f"{_plural(more, 'more item')} in the summary")
    separator = "; " if any(";" in s or "," in s for s in shown) or writer.language != "en" else ", "
    if separator == ", ":
        return join_words(shown)
    return separator.join(shown[:-1]) + ("; and " if len(shown) > 1 else "") + shown[-1]


def follow_up_message(context: MentoringContext, items: Items, facts: NotesFacts, writer: Writer) -> str:
    """3 to 6 lines the mentor can send: greeting, thanks, who does what by when, the next meeting."""
    base = session_base(context)
    lines = [f"Hi {writer.voice.mentee_first},"]
    thanks = "Thank you for our session"
    thanks += f" on {_day(context.session.date, context.session.date)}." if context.session.date else " today."
    if facts.wellbeing:
        thanks += " Please go easy on yourself this week."
    lines.append(thanks)
    if items.mentee:
        listed = _listed(items.mentee, "mentee", writer, base)
        lines.append(f"You'll {listed}." if _verb_first(items.mentee, writer) else f"Your next steps: {listed}.")
    owed = items.mentor_owes
    if owed:
        listed = _listed(owed, "mentor", writer, base)
        lines.append(f"I'll {listed}." if _verb_first(owed, writer) else f"On my side: {listed}.")
    closing: list[str] = []
    if items.to_confirm:
        which = _listed(items.to_confirm, "unclear", writer, base)
        if len(items.to_confirm) == 1 and _verb_first(items.to_confirm, writer):
            closing.append(f"Could you confirm who will {which}?")
        else:
            closing.append(f"Could you confirm who takes {'this' if len(items.to_confirm) == 1 else 'these'}: {which}?")
    if facts.next_meeting is not None:
        closing.append(f"We meet next on {_day(facts.next_meeting, base)}.")
    else:
        plans = [p for p in (writer.plan(f.text) for f in facts.next_time) if p and not p.startswith("“")]
        if plans:
            closing.append(f"Next time: {plans[0][:1].lower()}{plans[0][1:]}")
    if closing:
        lines.append(" ".join(closing))
    lines.append(f"Best, {writer.voice.mentor_first}" if writer.voice.mentor_first else "Best wishes")
    return "\n".join(lines)


def language_note(context: MentoringContext, facts: NotesFacts) -> str | None:
    """Said at the top when the session or the notes are not in English."""
    parts: list[str] = []
    session = context.session.language
    if facts.language != "en" and (context.notes or "").strip():
        parts.append(
            f"The notes are in {language_label(facts.language)}; this summary is in English, "
            "and text taken from the notes is quoted as written."
        )
    if not is_english(session):
        same = language_label(session) == language_label(facts.language)
        parts.append(
            f"The session language is {'also ' if same and parts else ''}{language_label(session)}, but the offline "
            f"composer writes English: configure an LLM provider for a summary in {language_label(session)}."
        )
    return " ".join(parts) or None


_UNDECIDED = re.compile(
    r"^(?:nothing|no|not)\b.{0,20}\b(?:agreed|decided|decision)\b|\b(?:not|n't)\s+(?:yet\s+)?(?:agreed|decided)\b",
    re.I,
)


_EFFORT = re.compile(r"\beffort\b", re.I)


def decided(facts: NotesFacts) -> list[NoteFact]:
    """The decisions, without a note that nothing was decided ('Nothing agreed on the timeline yet')."""
    return [d for d in facts.decisions if not _UNDECIDED.search(d.text)]


def _is_meeting_date(fact: NoteFact) -> bool:
    """'Next session 8 Dec' is the next meeting, not a plan for it."""
    return (
        bool(
            re.match(
                r"^(?:next\s+(?:session|meeting|call)|n[aä]chste[rs]?\s+(?:termin|sitzung|treffen)|pr[oó]xima\s+sesi[oó]n)\b",
                fact.text,
                re.I,
            )
        )
        and len(fact.text.split()) <= 6
    )


# --------------------------------------------------------------------------------------
# The task
# --------------------------------------------------------------------------------------
TEMPLATED = [
    "Action items (owner, due date, done), decisions, next-time plans, wins, growth areas, wellbeing cues and "
    "the next meeting come from the notes analysis (companion.generation.notes); the items keep the notes' wording.",
    "Strengths, growth areas, decisions and plans are the notes' sentences turned to the mentee ('she struggles' "
    "becomes 'you struggle'); other people's names are left out of strengths, growth areas and feedback statements.",
    "Feedback statements follow the SBI patterns of the feedback-patterns bank, only for notes that say what the "
    "mentee did; the impact names the mentee's goal the note shares words or a theme with, or is left out.",
    "Self-assessment questions come from the reflection-prompts bank, with {goal} filled in.",
    "The summary, the wellbeing line and the follow-up message are fixed sentence templates.",
]


def compose(context: MentoringContext, retrieved: Retrieved) -> FeedbackSummary:
    """A summary the mentor can send after the session, built only from the analysed notes and the banks."""
    if not (context.notes or "").strip():
        raise MissingInput("the feedback task needs session notes: add `notes:` to the context or pass --notes FILE")
    parsed = read_notes(context)
    facts = parsed.facts
    voice = Voice(context, context.notes or "")
    writer = Writer(context, voice, facts.language)
    citations = Citations(retrieved)
    items = sort_items(facts, parsed.action_items, context)
    if parsed.action_items:  # owners and dates for each item: the guide's way of turning feedback into action
        citations.cite(*_guide(retrieved, "Turning feedback into action items"))
    made, not_behaviour = statements(parsed, context, voice, retrieved, citations)
    if made:
        citations.cite(*_guide(retrieved, "Giving feedback with SBI"))

    stage = session_stage(context.session)
    goal = best_match(unpaused_goals(context.mentee.goals, decided(facts)), " ".join(context.session.focus))
    questions: list[str] = []
    goal_asked = False
    for result, item in bank_items(retrieved.get("self_assessment")):
        if item.get("stage") not in (stage, "any") or len(questions) >= MAX_SELF_ASSESSMENT:
            continue
        template = str(item["text"])
        if facts.wellbeing and _EFFORT.search(template):
            continue  # someone burnt out is not asked to grade their own effort
        if "{goal}" in template and goal_asked:
            continue  # one question on the goal; the others ask about the person
        text = fill(template, {"goal": quoted(goal) if goal else None})
        if text and text not in questions:
            questions.append(text)
            goal_asked = goal_asked or "{goal}" in template
            citations.cite(result)

    speakers = {fact.source: speaker_of(fact.source, voice) for fact in (*facts.wins, *facts.growth_areas)}
    cues = {cue.source for cue in facts.wellbeing}
    # a note read as both a win and a growth area ('le cuesta hablar de sus logros') is a growth area only;
    # a line that praises and then qualifies was split into one of each, and keeps both
    growth_read = {(o.source, o.text) for o in parsed.growth_areas}
    wins = [
        o
        for o in parsed.strengths
        if o.source not in cues and (o.source, o.text) not in growth_read and not is_setback(o.text)
    ]
    strengths = [writer.prose(o.text, speakers.get(o.source), strip_names=True) for o in wins]
    growth = [
        writer.prose(o.text, speakers.get(o.source), strip_names=True)
        for o in parsed.growth_areas
        if o.source not in cues
    ]
    decisions = [writer.prose(d.text, speaker_of(d.source, voice)) for d in decided(facts)]
    plans = [
        p
        for p in (writer.plan(f.text, speaker_of(f.source, voice)) for f in facts.next_time if not _is_meeting_date(f))
        if p
    ]
    notes = [f"Relative dates in the notes are counted from the session date, {session_base(context).isoformat()}."]
    if facts.skipped_lines:
        notes.append(
            f"Skipped {_plural(facts.skipped_lines, 'line')} that read like instructions to an AI rather than session notes."
        )
    if items.to_confirm:
        notes.append(
            f"{_plural(len(items.to_confirm), 'action item')} {'has' if len(items.to_confirm) == 1 else 'have'} no "
            "clear owner in the notes; listed under 'to confirm'."
        )
    if items.previous_closed:
        notes.append(f"{_plural(items.previous_closed, 'open item')} from before marked done, as the notes say.")
    if facts.language != "en":
        notes.append(f"The notes are in {language_label(facts.language)}; their text is quoted, not translated.")
    if not_behaviour:
        notes.append(
            f"No feedback statement for {_plural(not_behaviour, 'note')} that {'does' if not_behaviour == 1 else 'do'} "
            "not say what the mentee did (or that concern wellbeing)."
        )
    return FeedbackSummary(
        summary=summary_text(context, parsed.topics, items, len(decisions), len(strengths), len(growth), facts),
        topics=parsed.topics,
        decisions=decisions,
        action_items=items.all,
        strengths=strengths,
        growth_areas=growth,
        feedback_statements=made,
        self_assessment_questions=questions,
        citations=citations.all,
        generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
        to_confirm=items.to_confirm,
        mentor_owes=items.mentor_owes,
        previous_items=items.previous,
        next_time=plans,
        wellbeing_note=wellbeing_note(facts),
        follow_up_message=follow_up_message(context, items, facts, writer),
        language_note=language_note(context, facts),
    )


# --------------------------------------------------------------------------------------
# The LLM path: the facts in the prompt, and the answer checked against them
# --------------------------------------------------------------------------------------
def prompt_facts(facts: NotesFacts, context: MentoringContext, scrub: Any = None) -> dict[str, Any]:
    """The analysed notes as the feedback prompt shows them (`scrub`, e.g. PII redaction, applies to text)."""
    clean = scrub or (lambda text: text)
    previous, _ = check_previous(context.open_action_items, facts, context.notes or "")
    return {
        "language": language_label(facts.language),
        "action_items": [
            {
                "text": clean(a.text),
                "owner": a.owner,
                "due": a.due.isoformat() if a.due else None,
                "done": a.done,
                "to_confirm": a.to_confirm,
            }
            for a in facts.action_items
        ],
        "decisions": [clean(d.text) for d in decided(facts)],
        "next_time": [clean(f.text) for f in facts.next_time if not _is_meeting_date(f)],
        "wins": [clean(f.text) for f in facts.wins],
        "growth_areas": [clean(f.text) for f in facts.growth_areas],
        "wellbeing": sorted({cue.kind.replace("_", " ") for cue in facts.wellbeing}),
        "next_meeting": facts.next_meeting.isoformat() if facts.next_meeting else None,
        "previous_items": [{"text": clean(p.text), "done": p.done} for p in previous],
    }


def _owner_word(owner: str | None, context: MentoringContext) -> str | None:
    """An LLM's owner ('Priya', 'the mentee', 'Dana Okafor') as 'mentee', 'mentor' or None."""
    if not owner:
        return None
    low = owner.lower().strip()
    voice_mentee = Voice._forms(context.mentee.name)
    voice_mentor = Voice._forms(context.mentor.name or "")
    if low in ("mentee", "the mentee", "you") or low in voice_mentee:
        return "mentee"
    if low in ("mentor", "the mentor", "me", "i") or low in voice_mentor:
        return "mentor"
    return owner


def _match(text: str, candidates: Sequence[str], used: set[int]) -> int | None:
    scored = [(_overlap(text, c), i) for i, c in enumerate(candidates) if i not in used]
    best = max(scored, default=(0.0, -1))
    return best[1] if best[0] >= 0.5 else None


def check_answer(output: FeedbackSummary, context: MentoringContext, facts: NotesFacts) -> FeedbackSummary:
    """An LLM's summary held to the notes: its action items and decisions corrected from the facts (or dropped and
    counted), the items it left out added back, and the lists only the facts can give filled in."""
    notes = output.generator.notes
    analysed = [action_item(a) for a in facts.action_items]
    texts = [a.text for a in facts.action_items]
    used: set[int] = set()
    kept: list[tuple[int, ActionItem]] = []
    invented = corrected = 0
    for item in output.action_items:
        index = _match(item.text, texts, used)
        if index is None:
            invented += 1
            continue
        used.add(index)
        fact = analysed[index]
        if (_owner_word(item.owner, context), item.due) != (fact.owner, fact.due):
            corrected += 1
        kept.append((index, ActionItem(text=item.text, owner=fact.owner, due=bounded(fact.due), done=fact.done)))
    missing = [(i, analysed[i]) for i in range(len(analysed)) if i not in used]
    pairs = sorted(kept + missing, key=lambda pair: pair[0])
    final = [item for _, item in pairs]
    if invented:
        notes.append(f"{_plural(invented, 'invented action item')} dropped")
    if corrected:
        notes.append(f"owner or due date of {_plural(corrected, 'action item')} corrected from the notes")
    if missing:
        notes.append(f"{_plural(len(missing), 'action item')} from the notes added back")

    known = [d.text for d in decided(facts)]
    taken: set[int] = set()
    decisions: list[tuple[int, str]] = []
    unfounded = 0
    for decision in output.decisions:
        index = _match(decision, known, taken)
        if index is None:
            unfounded += 1
            continue
        taken.add(index)
        decisions.append((index, decision))
    decisions += [(i, sentence(known[i])) for i in range(len(known)) if i not in taken]
    if unfounded:
        notes.append(f"{_plural(unfounded, 'decision')} not in the notes dropped")

    voice = Voice(context, context.notes or "")
    writer = Writer(context, voice, facts.language)
    matched = NotesFacts(
        language=facts.language, action_items=tuple(facts.action_items[i] for i, _ in pairs), done=facts.done
    )
    items = sort_items(matched, final, context)
    english = is_english(context.session.language)
    unnamed = voice.strip_third_parties if english else (lambda text: text)
    statements_checked = [
        s.model_copy(update={"text": unnamed(s.text), "behavior": unnamed(s.behavior)})
        for s in output.feedback_statements
    ]
    strengths = [unnamed(t) for t in output.strengths]
    growth = [unnamed(t) for t in output.growth_areas]
    renamed = sum(a.text != b.text for a, b in zip(statements_checked, output.feedback_statements, strict=True))
    renamed += sum(
        a != b for a, b in zip([*strengths, *growth], [*output.strengths, *output.growth_areas], strict=True)
    )
    if renamed:
        notes.append(f"other people's names left out of {_plural(renamed, 'feedback line')}")
    plans = [f for f in facts.next_time if not _is_meeting_date(f)]
    note = None
    notes_in, answer_in = language_label(facts.language), language_label(context.session.language)
    if notes_in != answer_in and (context.notes or "").strip():
        note = f"The notes are in {notes_in}; the summary is in {answer_in}."
    if not english:
        notes.append("the follow-up message and wellbeing line are written in English only, so they are left out")
    return output.model_copy(
        update={
            "action_items": final,
            "decisions": [d for _, d in sorted(decisions, key=lambda pair: pair[0])],
            "feedback_statements": statements_checked,
            "strengths": strengths,
            "growth_areas": growth,
            "to_confirm": items.to_confirm,
            "mentor_owes": items.mentor_owes,
            "previous_items": items.previous,
            "next_time": [writer.plan(f.text) if english else f.text for f in plans],
            "wellbeing_note": wellbeing_note(facts) if english else None,
            "follow_up_message": follow_up_message(context, items, facts, writer) if english else None,
            "language_note": note,
        }
    )


def bounded(day: dt.date | None) -> dt.date | None:
    """A due date read from notes only when an input date could hold it ("in 600000 weeks" is no date)."""
    if day is None or not EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return day


# --------------------------------------------------------------------------------------
# The summary as the mentor confirmed its action items
# --------------------------------------------------------------------------------------
_ITEM_LINE = ("You'll ", "Your next steps: ", "I'll ", "On my side: ")
_ASK_OWNER = re.compile(r"Could you confirm who[^?]*\?\s*")
_COUNT_SENTENCE = re.compile(
    r"(?:(?<=^)|(?<=[.!?]\s))(?:(?:You have|I have|I still owe you|We agreed no new action items)[^.]*"
    r"|\d+ items? still needs? an owner[^.]*)\.\s*"
)


def as_confirmed(
    summary: FeedbackSummary, context: MentoringContext, confirmed: Sequence[ActionItem]
) -> FeedbackSummary:
    """`summary` with the action items the mentor confirmed (kept, edited, given owners and due dates) in
    place of the ones proposed from the notes: an item the mentor left out is gone, every due date is
    the mentor's, nothing is left "to confirm", and the sentences that count or list the items (the
    summary's count sentence, the follow-up message's who-does-what lines) say the confirmed ones.

    `confirmed` owners are 'mentee' or 'mentor' where they name either party; the rest are kept as typed.
    """
    items = [item.model_copy() for item in confirmed]
    earlier = [a for a in summary.mentor_owes if a not in summary.action_items]
    mentee = [i for i in items if i.owner == "mentee" and not i.done]
    owes = [i for i in items if i.owner == "mentor" and not i.done] + earlier
    sorted_items = Items(items, [], mentee, owes, list(summary.previous_items), 0)
    update: dict[str, Any] = {"action_items": items, "to_confirm": [], "mentor_owes": owes}
    if _COUNT_SENTENCE.search(summary.summary):
        said = [_count_words(context, sorted_items) + " "]
        restated = _COUNT_SENTENCE.sub(lambda _: said.pop() if said else "", summary.summary)
        update["summary"] = " ".join(restated.split())
    if summary.follow_up_message:
        update["follow_up_message"] = _confirmed_message(summary.follow_up_message, context, sorted_items)
    return summary.model_copy(update=update)


def _count_words(context: MentoringContext, items: Items) -> str:
    """The summary's sentence on who has how many action items (and how many still need an owner)."""
    counts: list[str] = []
    if items.mentee:
        dated = sorted(i.due for i in items.mentee if i.due is not None)
        which = "the first due" if len(items.mentee) > 1 else "due"
        first_due = f" ({which} {_day(dated[0], session_base(context))})" if dated else ""
        counts.append(f"you have {_plural(len(items.mentee), 'action item')}{first_due}")
    owed_now = [i for i in items.mentor_owes if i in items.all]
    carried = len(items.mentor_owes) - len(owed_now)
    if owed_now:
        counts.append(f"I have {len(owed_now)}" + (f" (and {carried} still open from before)" if carried else ""))
    if items.to_confirm:
        counts.append(
            f"{_plural(len(items.to_confirm), 'item')} still {'needs' if len(items.to_confirm) == 1 else 'need'} an owner"
        )
    if counts:
        text = join_words(counts)
        return text[:1].upper() + text[1:] + "."
    return "We agreed no new action items." + (
        f" I still owe you {_plural(carried, 'item')} from before." if carried else ""
    )


def _confirmed_message(message: str, context: MentoringContext, items: Items) -> str:
    writer = Writer(context, Voice(context, context.notes or ""), "en")
    base = session_base(context)
    lines = [line for line in message.splitlines() if not line.startswith(_ITEM_LINE)]
    lines = [_ASK_OWNER.sub("", line).rstrip() for line in lines]
    lines = [line for line in lines if line]
    said: list[str] = []
    if items.mentee:
        listed = _listed(items.mentee, "mentee", writer, base)
        said.append(f"You'll {listed}." if _verb_first(items.mentee, writer) else f"Your next steps: {listed}.")
    if items.mentor_owes:
        listed = _listed(items.mentor_owes, "mentor", writer, base)
        said.append(f"I'll {listed}." if _verb_first(items.mentor_owes, writer) else f"On my side: {listed}.")
    return "\n".join([*lines[:2], *said, *lines[2:]])

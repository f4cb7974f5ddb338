"""How an action item reads on the mentee's own page, when the mentor owns it.

The stored text is in the mentor's voice, about the mentee ("Send her the fundraising chapter"). Shown
to the mentee under "Your mentor:", it is turned to them for display only: "send you the fundraising
chapter". Nothing stored is rewritten; the mentor's pages and every export keep the text as saved.

The mentee (her, him, his, she, he, their name) becomes "you" or "your" as the feedback composer turns
notes to the mentee; the mentor's own words (an opening "I'll" or "Dana to", my, me) are dropped or
become "their"/"them", and an opening verb is lowered to follow the label. A word it cannot place is
left as written.
"""

from __future__ import annotations

import re

from companion.generation.tasks.feedback import _TASK_VERBS as OPENING_VERBS
from companion.generation.tasks.feedback import Voice
from companion.memory.schemas import MentorshipPublic
from companion.schemas import MenteeProfile, MentoringContext, MentorProfile

VERB_AFTER_YOU = {"is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't", "wasn't": "weren't"}
MENTOR_OPENINGS = re.compile(
    r"^(?:(?:i|we)(?:'ll| will| am going to| shall| to)|mentor(?:'ll| will| to)|action:\s*(?:i|we)(?:'ll| will))\s+",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def is_mentor_item(owner: str | None, mentorship: MentorshipPublic) -> bool:
    """Is this item the mentor's to do? Owners are free text: 'mentor', the mentor's name or person id."""
    value = (owner or "").strip().casefold()
    names = {"mentor", mentorship.mentor.person_id.casefold()}
    if mentorship.mentor.name:
        names |= {mentorship.mentor.name.casefold(), mentorship.mentor.name.split()[0].casefold()}
    return bool(value) and value in names


def _names(full: str | None) -> set[str]:
    if not full or not full.strip():
        return set()
    return {full.strip().casefold(), full.split()[0].casefold()}


def for_mentee(text: str, mentorship: MentorshipPublic) -> str:
    """The mentor's item as the mentee reads it after "Your mentor:" (display only)."""
    body = text.strip()
    # "Dana to send ...", "I'll send ...": the label already says who
    for name in sorted(_names(mentorship.mentor.name), key=len, reverse=True):
        match = re.match(rf"^{re.escape(name)}(?:'ll| will| to| is going to)\s+", body, re.IGNORECASE)
        if match:
            body = body[match.end() :]
            break
    body = MENTOR_OPENINGS.sub("", body) or body
    # the mentee, named or as she/he/her/him, becomes "you": the feedback composer's own turn of phrase
    context = MentoringContext(
        mentor=MentorProfile(name=(mentorship.mentor.name or "")[:100] or None),
        mentee=MenteeProfile(name=mentorship.mentee.name[:100] or "mentee"),
    )
    body = Voice(context, body).to_you(body, task=True).text
    # the mentor's own words, seen from the mentee's side; and "you is" -> "you are"
    words = list(WORD.finditer(body))
    out: list[str] = []
    last = 0
    previous = ""
    for match in words:
        word = match.group(0)
        lower = word.casefold().replace("’", "'")
        replacement = None
        if lower == "my":
            replacement = "their"
        elif lower == "me":
            replacement = "them"
        elif lower in VERB_AFTER_YOU and previous == "you" and not body[last : match.start()].strip():
            replacement = VERB_AFTER_YOU[lower]
        out += [body[last : match.start()], replacement if replacement is not None else word]
        last, previous = match.end(), lower
    out.append(body[last:])
    return _lower_first("".join(out))


def _lower_first(text: str) -> str:
    """Lower the first letter so the text follows "Your mentor:", when it opens with a common verb (an
    opening name or abbreviation, "Sam" or "SQL", keeps its capital)."""
    first = WORD.match(text)
    if first and first.group(0).casefold() in OPENING_VERBS and first.group(0)[1:].islower():
        return text[:1].lower() + text[1:]
    return text

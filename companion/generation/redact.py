"""Privacy guard for the LLM path: emails and phone numbers never leave the machine unredacted.

Redaction applies only when the endpoint is not on loopback (a local model server sees
nothing that the machine did not already hold) and `settings.redact_pii` is on.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

EMAIL_PLACEHOLDER = "[email]"
PHONE_PLACEHOLDER = "[phone]"

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)

_PHONE_CANDIDATE = re.compile(
    r"""
    (?<![\w.+/@-])                      # not the tail of a word, number, path or address
    (?:\+|\b00)?                        # international prefix
    (?:\(\d{1,5}\)|\d)                  # first digit or a bracketed area code
    (?:[ ./-]?(?:\(\d{1,5}\)|\d)){5,20} # more digits, each group optionally separated once
    (?![\w:]|[.,/-]\d)                  # not followed by more of a word, a time or a number
    """,
    re.VERBOSE,
)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d ?[-/] ?(?:19|20)\d\d")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:[ .]\d{3})+")
_DECIMAL = re.compile(r"\d+\.\d+")


def _looks_like_phone(candidate: str) -> bool:
    """Separate phone numbers from dates, year ranges, amounts and decimals that share their characters."""
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 15:
        return False
    if candidate.startswith(("+", "00")):
        return True
    if _DATE.fullmatch(candidate) or _YEAR_RANGE.fullmatch(candidate):
        return False
    if _GROUPED_NUMBER.fullmatch(candidate) or _DECIMAL.fullmatch(candidate):
        return False
    if candidate.isdigit():
        return digits >= 9
    return True


def _replace_phone(match: re.Match[str]) -> str:
    return PHONE_PLACEHOLDER if _looks_like_phone(match.group(0)) else match.group(0)


def redact_pii(text: str) -> str:
    """Replace email addresses with '[email]' and phone numbers with '[phone]'."""
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    return _PHONE_CANDIDATE.sub(_replace_phone, text)


def is_loopback_url(url: str | None) -> bool:
    """True for http(s)://localhost, 127.0.0.0/8 and ::1; no URL means the public OpenAI API."""
    if not url:
        return False
    host = urlsplit(url).hostname
    if host is None:
        return False
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

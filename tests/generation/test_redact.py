"""PII redaction for remote LLM endpoints: phone numbers and emails go, dates and amounts stay."""

from __future__ import annotations

import pytest

from companion.generation.redact import is_loopback_url, redact_pii


@pytest.mark.parametrize(
    "text",
    [
        "+44 20 7946 0958",
        "+1-202-555-0143",
        "+49 (0)30 1234567",
        "0049 30 1234567",
        "+33 1 23 45 67 89",
        "+91-98765-43210",
        "(202) 555-0143",
        "202-555-0143",
        "202.555.0143",
        "020 7946 0958",
        "07700 900123",
        "030/1234567",
        "555-0143",
        "2025550143",
    ],
)
def test_phone_numbers_in_international_and_local_formats_are_redacted(text: str) -> None:
    assert redact_pii(f"call me on {text} tomorrow") == "call me on [phone] tomorrow"


@pytest.mark.parametrize(
    "text",
    [
        "due 2026-12-01 10:30",
        "on 01.12.2026",
        "by 12/01/2026",
        "from 2019-2023",
        "1 000 000 users",
        "1.000.000 EUR",
        "pi is 3.14159265",
        "raise $1,500,000",
        "70-hour weeks",
        "version 1.2.3",
        "chunk a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "1234567890abcdef",
    ],
)
def test_dates_amounts_and_ids_are_not_mistaken_for_phone_numbers(text: str) -> None:
    assert redact_pii(text) == text


def test_email_addresses_are_redacted() -> None:
    text = "Mail priya.raman+deck@example.co.uk or dana@acme.io, not @handles or a@b."
    assert redact_pii(text) == "Mail [email] or [email], not @handles or a@b."


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://127.5.6.7/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:8000/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://10.0.0.5:8000/v1", False),
        ("http://localhost.example.com/v1", False),
        (None, False),
    ],
)
def test_only_loopback_endpoints_count_as_local(url: str | None, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback

"""Date phrases in notes and goals resolve against the reference date, never the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from companion.generation.tasks.dates import find_due_date, goal_deadline

TUESDAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "due", "phrase"),
    [
        ("send the deck by Friday", dt.date(2026, 11, 27), "by Friday"),
        ("send the deck by next Friday", dt.date(2026, 12, 4), "by next Friday"),
        ("call on Tuesday", dt.date(2026, 12, 1), "on Tuesday"),
        ("draft the job post by Dec 3", dt.date(2026, 12, 3), "by Dec 3"),
        ("draft it by 3rd December", dt.date(2026, 12, 3), "by 3rd December"),
        ("renew by March 1", dt.date(2027, 3, 1), "by March 1"),
        ("investor list by 2026-12-01", dt.date(2026, 12, 1), "by 2026-12-01"),
        ("intro to Marco within two weeks", dt.date(2026, 12, 8), "within two weeks"),
        ("book it in 10 days", dt.date(2026, 12, 4), "in 10 days"),
        ("block two evenings off next week", dt.date(2026, 12, 4), "next week"),
        ("reply tomorrow", dt.date(2026, 11, 25), "tomorrow"),
        ("close the books by end of month", dt.date(2026, 11, 30), "by end of month"),
        ("pay by the 14th", dt.date(2026, 12, 14), "by the 14th"),
    ],
)
def test_due_phrases(text: str, due: dt.date, phrase: str) -> None:
    found = find_due_date(text, TUESDAY)
    assert found is not None
    assert found.date == due
    assert text[found.start : found.end] == phrase


@pytest.mark.parametrize("text", ["she has felt better since Monday", "no date here", "revenue up 14% in Q3"])
def test_text_without_a_due_date(text: str) -> None:
    assert find_due_date(text, TUESDAY) is None


@pytest.mark.parametrize(
    ("goal", "deadline"),
    [
        ("raise a seed round by June", dt.date(2027, 6, 30)),
        ("ship the beta by December", dt.date(2026, 12, 31)),
        ("get promoted by March 2028", dt.date(2028, 3, 31)),
        ("launch v2 by Q3", dt.date(2027, 9, 30)),
        ("run a half marathon within six months", dt.date(2027, 5, 24)),
        ("finish the course by the end of the year", dt.date(2026, 12, 31)),
        ("sign the lease by 2027-02-01", dt.date(2027, 2, 1)),
        ("hire a first engineer", None),
    ],
)
def test_goal_deadlines(goal: str, deadline: dt.date | None) -> None:
    assert goal_deadline(goal, TUESDAY) == deadline

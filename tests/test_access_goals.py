"""The goal rows of access.py's table: who manages goals and which side a check-in rates for."""

from __future__ import annotations

import pytest

from companion import access
from companion.access import Action, Caller, Parties

PAIR = Parties(mentor_person_id="dana", mentee_person_id="priya", mentee_name="Priya")
ADMIN = Caller("acme", "admin")
PLATFORM = Caller("acme", "platform")
MENTOR = Caller("acme", "mentor", "dana")
MENTEE = Caller("acme", "mentee", "priya")
MENTEE_WITH_MENTOR_KEY = Caller("acme", "mentor", "priya")
STRANGER = Caller("acme", "mentor", "eli")


@pytest.mark.parametrize(
    ("caller", "manages", "rater"),
    [
        (ADMIN, True, "mentor"),
        (PLATFORM, True, None),
        (MENTOR, True, "mentor"),
        (MENTEE, False, "mentee"),
        (MENTEE_WITH_MENTOR_KEY, False, "mentee"),
        (STRANGER, False, None),
    ],
)
def test_goals_are_managed_by_the_mentor_side_and_rated_by_each_side_for_itself(
    caller: Caller, manages: bool, rater: str | None
) -> None:
    assert access.allows(caller, PAIR, Action.MANAGE_GOALS) is manages
    assert access.allows(caller, PAIR, Action.READ) is (caller is not STRANGER)
    if rater is None:
        with pytest.raises(access.Forbidden):
            access.goal_rater(caller, PAIR)
    else:
        assert access.goal_rater(caller, PAIR) == rater

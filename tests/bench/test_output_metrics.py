"""The detectors of bench/outputs.py: each catches its known bad sentence and passes a clean one."""

from __future__ import annotations

from bench.outputs import (
    find_placeholders,
    find_truncations,
    mask,
    mixed_language,
    normalise,
    split_sentences,
)


def test_placeholders_are_caught() -> None:
    assert find_placeholders("What got you interested in {interest}?") == ["{interest}"]
    assert find_placeholders("Dear {{ mentee_name }}, thanks for today.") == ["{{ mentee_name }}"]
    assert find_placeholders("Hi <name>, here are your next steps.") == ["<name>"]
    assert find_placeholders("Next session: TBD.") == ["TBD"]
    assert find_placeholders("Your goal None is due soon.") == ["None"]
    assert find_placeholders("Send [insert date] to the panel.") == ["[insert date]"]


def test_clean_sentences_have_no_placeholders() -> None:
    assert find_placeholders("What got you interested in rock climbing?") == []
    assert find_placeholders("Nobody knows yet; ask at the next session.") == []
    assert find_placeholders("Which set {of} words?".replace("{of}", "of")) == []


def test_truncated_goal_and_name_are_caught() -> None:
    goal = "pass the Zwischenprüfung in spring"
    assert find_truncations("How far along is pass the Zwischenpr?", [goal])
    assert find_truncations("For your goal: pass the Zwischenprüfung…", [goal])
    assert find_truncations("Thanks, Dr., for today.", ["Dr. Miriam Vogel"])
    # quoted in part: the goal's first words only
    assert find_truncations("First step towards “raise a Series” taken.", ["raise a Series A in 2027"])


def test_whole_names_and_goals_are_not_truncations() -> None:
    goal = "pass the Zwischenprüfung in spring"
    assert find_truncations(f"For your goal: {goal}.", [goal]) == []
    assert find_truncations("Thanks, Dr. Vogel, for today.", ["Dr. Miriam Vogel"]) == []
    assert find_truncations("Hi Miriam, here is the summary.", ["Dr. Miriam Vogel"]) == []
    assert find_truncations("What does done look like for it?", [goal]) == []
    assert find_truncations("First step towards “raise a Series A in 2027” taken.", ["raise a Series A in 2027"]) == []
    # the goal without its deadline phrase, and the deadline phrase itself, are no cuts
    assert find_truncations("First step towards “move in-house” taken.", ["move in-house this year"]) == []
    assert find_truncations("It is due by 2027-06-21 (“bis zum Sommer”).", ["bis zum Sommer einen Job finden"]) == []
    # an ellipsis the input itself had is not a cut
    assert find_truncations("Your goal: learn Excel… properly.", ["learn Excel… properly"]) == []


def test_mixed_language_is_caught_and_quotes_are_fine() -> None:
    spliced = "What would help you with die Zwischenprüfung bestehen und den Führerschein machen?"
    assert mixed_language(spliced)
    spanish = "What is the first step for conseguir un puesto de enfermera en la UCI?"
    assert mixed_language(spanish)
    assert mixed_language("What would help you with “die Zwischenprüfung bestehen und den Führerschein machen”?") == []
    assert mixed_language('How far along is "conseguir un puesto de enfermera en la UCI"?') == []


def test_english_sentences_and_names_are_not_mixed() -> None:
    assert mixed_language("What would make this week feel like a success for you?") == []
    assert mixed_language("Thanks, José, for the update on the café project.", ["José Núñez"]) == []
    # a sentence wholly in another language is no splice
    assert mixed_language("Sich für den Mathe-Förderkurs der Berufsschule anmelden") == []


def test_sentences_skip_headings_labels_sources_and_footer() -> None:
    markdown = "\n".join(
        [
            "## Goal plan with Jonas",
            "",
            "### 1. Pass the exam",
            "",
            "- **Specific:** Pass the exam in May. Book it now.",
            "- Upside: You learn fast.",
            "1. **0:00–0:05 Check-in** (5 min)  ",
            "   Reconnect as people.",
            "Milestones:",
            "- [ ] Book the exam (by 2027-01-10)",
            "",
            "### Sources",
            "",
            "- Guide › Goals (`guides/goals.md`)",
            "",
            "_Written by the offline generator (grounded-composer, offline-goals-2)._",
        ]
    )
    assert split_sentences(markdown) == [
        "Pass the exam in May.",
        "Book it now.",
        "You learn fast.",
        "Reconnect as people.",
        "Book the exam",
    ]


def test_masking_makes_name_goal_and_date_sentences_equal() -> None:
    one = mask(
        "Kwame, when will you raise a Series A in 2027? Check in on Friday 4 December.",
        ["Kwame Mensah"],
        ["raise a Series A in 2027"],
    )
    two = mask("Lucía, when will you hire a nurse? Check in on Monday 7 December.", ["Lucía Pérez"], ["hire a nurse"])
    assert normalise(one) == normalise(two)


def test_a_quotation_is_one_sentence_and_year_groups_are_not_spanish() -> None:
    line = "- Owner not clear in the notes: “Ihnen den Kontakt zu Frau Dr. Weber schicken”: who is doing this?"
    [sentence] = split_sentences(line)
    assert mixed_language(sentence) == []
    assert mixed_language("Observe the Y9 lesson and plan the Y10 assessment by Monday.") == []


def test_pairwise_overlap_is_the_share_of_one_output_in_another() -> None:
    from bench.outputs import pairwise_overlap

    rows = {
        "a": [("", "one", ""), ("", "two", "")],
        "b": [("", "one", ""), ("", "three", ""), ("", "four", ""), ("", "five", "")],
    }
    assert pairwise_overlap(rows, 1) == [0.5, 0.25]

"""Offline decision framework: reversibility from cue words, options weighed against the mentee's own
criteria, a pre-mortem, a small experiment and the mentor's relevant experience."""

from __future__ import annotations

import datetime as dt

import pytest

from companion.generation.tasks.decision import assess_reversibility, check_in_date
from companion.schemas import DecisionFramework, DecisionInput
from companion.service import Companion
from tests.generation.support import MENTOR, compose, sample_context

REFERENCE = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("statement", "options", "level", "cue"),
    [
        (
            "Quit my job to work on the startup full time?",
            ["quit now", "six more months part-time"],
            "partly_reversible",
            "option “six more months part-time” (a trial, a pilot or a part-time step is built to be stopped",
        ),
        ("Sell the company to the bigger competitor?", [], "irreversible", "“sell”"),
        ("Give the new CTO 10% equity?", [], "irreversible", "“equity”"),
        ("Resign and relocate to Berlin for the new role?", [], "partly_reversible", "“relocate”"),
        ("Run a paid pilot with the clinic chain?", [], "reversible", "“pilot”"),
        ("Try a three-month trial as product manager?", [], "reversible", "“trial”"),
        ("Which conference should I speak at?", [], "partly_reversible", "No cue either way"),
    ],
)
def test_reversibility_names_the_cue(statement: str, options: list[str], level: str, cue: str) -> None:
    result = assess_reversibility(DecisionInput(statement=statement, options=options), options)
    assert result.level == level
    assert cue in result.reason


def test_check_in_is_two_weeks_out_or_halfway_to_a_close_deadline() -> None:
    assert check_in_date(REFERENCE, None) == dt.date(2026, 12, 8)
    assert check_in_date(REFERENCE, dt.date(2027, 1, 15)) == dt.date(2026, 12, 8)
    assert check_in_date(REFERENCE, dt.date(2026, 12, 4)) == dt.date(2026, 11, 29)
    assert check_in_date(REFERENCE, dt.date(2026, 11, 1)) == dt.date(2026, 12, 8)


def framework_for(companion: Companion, **changes: object) -> DecisionFramework:
    output, _ = compose(companion, "decision", sample_context(**changes))
    assert isinstance(output, DecisionFramework)
    return output


def test_the_sample_decision(knowledge_companion: Companion) -> None:
    output, retrieved = compose(knowledge_companion, "decision", sample_context())
    assert isinstance(output, DecisionFramework)
    assert output.decision == "Quit my job to work on the startup full time?"
    assert output.reversibility.level == "partly_reversible"
    assert [o.name for o in output.options] == ["quit now", "six more months part-time"]
    assert all(o.upside and o.downside and o.worst_case and o.mitigation for o in output.options)
    assert "six months of living costs" in output.options[0].mitigation
    assert any("Wellbeing" in c and "“70-hour weeks”" in c for c in output.criteria)
    assert "Progress on “raise a seed round by June”" in output.criteria
    assert "“quit now”" in output.premortem[0]
    assert "“six more months part-time”" in output.experiment
    assert output.check_in_date == dt.date(2026, 12, 8)
    assert any("2027-01-15" in step for step in output.next_steps)

    templates = {r.item["framework"]: r for r in retrieved.get("decision_templates") if r.item}
    # Two questions of each chosen template, word for word from the bank and in its order: the two that share
    # most words with this decision ('quit', 'job', 'startup'), so another decision gets other questions.
    reversibility, premortem = templates["reversibility"].item["questions"], templates["premortem"].item["questions"]
    asked = output.questions_for_mentor
    assert set(asked[:2]) <= set(reversibility) and set(asked[2:4]) <= set(premortem)
    assert asked[:2] == [q for q in reversibility if q in asked[:2]]
    assert asked[2:4] == [q for q in premortem if q in asked[2:4]]
    cited = {c.chunk_id for c in output.citations}
    assert {templates[name].chunk_id for name in ("reversibility", "premortem", "small_experiment")} <= cited

    by_id = retrieved.by_id()
    experience = [by_id[c.chunk_id] for c in output.relevant_experience]
    assert experience and experience[0].author == MENTOR
    assert all(r.visibility == "shared" and r.kind in ("note", "example") for r in experience)


def test_without_options_it_compares_going_ahead_with_waiting(knowledge_companion: Companion) -> None:
    output = framework_for(
        knowledge_companion,
        decision={"statement": "Sign the lease for a bigger office?", "options": [], "deadline": None},
    )
    assert [o.name for o in output.options] == ["go ahead", "wait"]
    assert output.reversibility.level == "partly_reversible" and "“sign”" in output.reversibility.reason
    assert output.check_in_date == dt.date(2026, 12, 8)
    assert "No options were given, so the framework compares 'go ahead' with 'wait'." in output.generator.notes


def test_risk_appetite_changes_the_criteria_and_the_floor(knowledge_companion: Companion) -> None:
    cautious = framework_for(knowledge_companion, decision={"risk_appetite": "low"})
    bold = framework_for(knowledge_companion, decision={"risk_appetite": "high"})
    assert any(c.startswith("Safety: a floor of at least twelve months") for c in cautious.criteria)
    assert any(c.startswith("Size of the upside") for c in bold.criteria)
    assert "twelve months of living costs" in cautious.options[0].mitigation
    assert "three months of living costs" in bold.options[0].mitigation


@pytest.mark.parametrize(
    ("option", "kind"),
    [
        ("move to the campus café, fewer hours and lower pay", "job"),  # another employer, not a city; not a cost cut
        ("move to Berlin", "move"),
        ("move to a cheaper office", "cut_costs"),
        ("apply for the university hardship fund and drop to 12 hours a week", None),  # honest questions
        ("drop to 3 days a week", None),
        ("drop out of university", "leave"),
        ("cut my own salary", "cut_costs"),
        ("ask the manager for weekend day shifts only", "negotiate"),
        # several moves: leaving for other work is taking that work; staying while asking is the ask
        ("sign up with the agency and leave the ward in January", "job"),
        ("stay and ask Sue for days only from February", "negotiate"),
        ("stay on the ward but do one or two agency shifts a month", "trial"),
        ("quit my job and start a company", "leave"),
        ("leave the ward", "leave"),
        ("stay and finish the degree", "stay"),
    ],
)
def test_an_option_is_read_from_its_move_not_from_a_word_in_passing(option: str, kind: str | None) -> None:
    from companion.generation.tasks.decision import option_kind

    found = option_kind(option)
    assert (found.name if found else None) == kind


def test_a_feeling_word_becomes_a_noun_and_a_clause_is_not_spliced() -> None:
    from companion.generation.tasks.decision import strain_phrase

    assert strain_phrase("scared") == "the fear you described"
    assert strain_phrase("Burnt out.") == "the burnout you described"
    assert strain_phrase("70-hour weeks") == "“70-hour weeks”"
    assert strain_phrase("he hasn't had a day off since September") == "the strain you described"


def test_a_working_student_is_not_written_to_as_an_apprentice(knowledge_companion: Companion) -> None:
    output = framework_for(
        knowledge_companion,
        mentee={
            "name": "Chloe Martin",
            "role": "first-year biology student and part-time barista, 19",
            "situation": "late closing shifts clash with 9am labs",
        },
        decision={
            "statement": "how to stop the closing shifts clashing with labs",
            "options": ["ask the manager for weekend day shifts only", "quit the café job"],
            "risk_appetite": "low",
        },
    )
    text = " ".join([*output.criteria, *(o.mitigation for o in output.options), *output.premortem])
    assert "training place" not in text and "training provider" not in text
    assert "twelve months of living costs" not in text
    assert any("your personal tutor and your manager" in c for c in output.criteria)


NURSE = {
    "mentee": {
        "name": "Efua Mensah",
        "role": "staff nurse (band 5) on a surgical ward, 24",
        "situation": "two years qualified; night shifts wrecking sleep",
        "goals": ["get a band 6 post within 18 months", "sleep properly again"],
    },
    "notes": "- agency rang again: £8/h more, she'd pick her shifts\n"
    "- but agency has no band 6 route, no CPD\n"
    "- ward manager might let her go to days only from Feb if she asks\n",
    "decision": {
        "statement": "whether to go agency or stay on the ward",
        "options": [
            "sign up with the agency and leave the ward in January",
            "stay and ask Sue for days only from February",
            "stay on the ward but do one or two agency shifts a month",
        ],
        "risk_appetite": "low",
    },
}


def test_a_goal_the_notes_rule_out_is_not_claimed_and_no_option_stops_income(knowledge_companion: Companion) -> None:
    output = framework_for(knowledge_companion, **NURSE)
    agency, ask, side = output.options
    assert (agency.kind, ask.kind, side.kind) == ("job", "negotiate", "trial")
    # the notes say agency work has no band 6 route: its upside must not promise that goal, nor another guessed one
    assert "band 6" not in agency.upside and "sleep properly" not in agency.upside
    # a 'sign' inside 'sign up' is not a second, separate commitment
    assert "signature" not in agency.reversibility.reason
    # no option leaves her without pay, so the adult twelve-month floor does not apply
    assert not any("twelve months" in c for c in output.criteria)
    assert any(c.startswith("Safety: an income you can count on") for c in output.criteria)
    # the side shifts are the cheap test of the agency move
    assert "one or two agency shifts" in output.experiment


def test_two_options_of_one_kind_do_not_share_their_ten_ten_ten_lines(knowledge_companion: Companion) -> None:
    output = framework_for(
        knowledge_companion,
        mentee=NURSE["mentee"],
        decision={"statement": "stay or go", "options": ["stay in my team", "stay and keep my current role"]},
    )
    feelings = [line.split(". Ten minutes: ", 1)[1] for line in output.ten_ten_ten if ". Ten minutes: " in line]
    assert len(feelings) == len(set(feelings)) == 1


@pytest.mark.parametrize(
    ("option", "kind"),
    [
        ("aceptar las prácticas en la agencia de Madrid", "job"),
        ("renunciar y montar mi propia agencia", "leave"),
        ("esperar a que termine el curso", "wait"),
        ("quedarme en la empresa y pedir media jornada", "trial"),
        ("das Angebot annehmen und nach Hamburg ziehen", "job"),
        ("in Köln bleiben und nach mehr Verantwortung fragen", "negotiate"),
        ("die Ausbildung abbrechen und ein Studium anfangen", "study"),
        ("noch ein halbes Jahr abwarten", "wait"),
        # no move in the words: still questions, never a guess
        ("Elternzeit verlängern", None),
    ],
)
def test_a_german_or_spanish_option_is_read_by_its_move(option: str, kind: str | None) -> None:
    from companion.generation.tasks.decision import option_kind

    found = option_kind(option)
    assert (found.name if found else None) == kind


def test_a_spanish_decision_gets_lines_per_option_with_the_options_quoted(knowledge_companion: Companion) -> None:
    output = framework_for(
        knowledge_companion,
        mentee={
            "name": "Lucía Fernández",
            "role": "recién graduada en Marketing, 23",
            "situation": "terminó el grado en febrero y busca su primer empleo; lleva 40 candidaturas",
            "goals": ["conseguir un primer empleo en marketing antes del verano"],
        },
        session={"language": "es"},
        decision={
            "statement": "aceptar unas prácticas en Madrid o seguir buscando en Valencia",
            "options": [
                "aceptar las prácticas en la agencia de Madrid",
                "seguir buscando en Valencia y hacer un curso de marketing digital",
            ],
            "risk_appetite": "medium",
        },
    )
    offer, search = output.options
    assert (offer.kind, search.kind) == ("job", "wait")
    # she has no job: keeping looking is not 'keeping your income', and nobody is left behind
    assert "income" not in search.upside and "search" in search.upside
    assert "your manager" not in " ".join(output.criteria)
    assert offer.upside != search.upside and offer.worst_case != search.worst_case
    # the Spanish option is quoted, never spliced into an English sentence
    assert "“seguir buscando en Valencia y hacer un curso de marketing digital”" in search.questions[0]
    assert "Easy to undo: option “seguir buscando" in output.reversibility.reason
    assert "waiting keeps every option open" in output.reversibility.reason


def test_a_school_student_choosing_where_to_study_is_not_written_to_as_an_apprentice(
    knowledge_companion: Companion,
) -> None:
    output = framework_for(
        knowledge_companion,
        mentee={
            "name": "Diego Ruiz",
            "role": "estudiante de 2º de Bachillerato, 17",
            "situation": "quiere estudiar Ingeniería Informática",
            "goals": ["elegir carrera y universidad antes de la preinscripción"],
        },
        decision={
            "statement": "estudiar en Madrid o quedarse en Zaragoza",
            "options": [
                "irse a Madrid a la Politécnica y vivir en una residencia",
                "quedarse en Zaragoza y vivir en casa",
            ],
            "risk_appetite": "low",
        },
    )
    away, home = output.options
    assert (away.kind, home.kind) == ("move", "stay")
    text = " ".join(
        [
            *output.next_steps,
            *(f"{o.upside} {o.downside} {o.mitigation} {o.reversibility.reason}" for o in output.options),
        ]
    )
    assert "training place" not in text and "trade" not in text and "your pay" not in text
    assert "rent before you buy" not in text
    assert "Madrid" in away.upside and "parents or guardians" in away.mitigation

"""Issue 12, items 4 and 5: a decision framework written per option from the context, and goal plans whose
milestones, deadlines and schedule come from the goal, the notes and the mentorship's end.

Each context below is one a programme lead used to score the old composer; the assertions check content
(what the lines say, which dates they name), not only the shape of the output."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest

from companion.generation.base import Retrieved
from companion.generation.tasks import decision as decision_task
from companion.generation.tasks import goals as goals_task
from companion.generation.tasks.common import scrub_placeholders, without_placeholders
from companion.generation.tasks.goals import read_deadline, read_goal
from companion.generation.taskspec import render_markdown
from companion.retrieval.retriever import SearchResult
from companion.schemas import DecisionFramework, GoalPlan, MentoringContext, Milestone, SmartGoal
from companion.service import Companion
from tests.generation.support import compose, search_result

PLACEHOLDER = re.compile(r"\{[^{}\n]*\}")
FOUNDER_WORDS = re.compile(r"co-?founder|runway|investor|living costs|savings|equity|mortgage|fundrais", re.I)


def context(data: dict[str, Any]) -> MentoringContext:
    return MentoringContext.model_validate(data)


def framework(companion: Companion, data: dict[str, Any]) -> tuple[DecisionFramework, str]:
    ctx = context(data)
    output, _ = compose(companion, "decision", ctx)
    assert isinstance(output, DecisionFramework)
    return output, render_markdown(output, ctx)


def plan(companion: Companion, data: dict[str, Any]) -> tuple[GoalPlan, str]:
    ctx = context(data)
    output, _ = compose(companion, "goals", ctx)
    assert isinstance(output, GoalPlan)
    return output, render_markdown(output, ctx)


def assert_options_differ(output: DecisionFramework) -> None:
    """No two options share an upside, a downside, a worst case or a mitigation."""
    for field in ("upside", "downside", "worst_case", "mitigation"):
        lines = [getattr(option, field) for option in output.options]
        assert len(set(lines)) == len(lines), (field, lines)


def by_name(output: DecisionFramework, name: str) -> Any:
    return next(option for option in output.options if option.name == name)


# -- decisions ------------------------------------------------------------------------------
PHD = {
    "mentor": {"name": "Ruth Adler"},
    "mentee": {
        "name": "Lena Vogt",
        "role": "PhD student in computational biology",
        "situation": "final year of a PhD; thesis due in April; partner works in Basel",
        "goals": ["submit the thesis by April", "decide on the next step after the PhD"],
        "challenges": ["impostor feelings in interviews"],
    },
    "session": {"number": 4, "date": "2027-01-19"},
    "notes": (
        "- Lena has the biotech offer in writing, answer due mid-Feb\n"
        "- postdoc PI wants an answer by end of Feb\n"
        "- she worries she'd never get back into academia after industry\n"
        "- Sam from the lab thinks the postdoc group is unstable\n"
    ),
    "decision": {
        "statement": "Industry job or a postdoc after the PhD?",
        "options": ["take the industry job at the biotech in Basel", "accept the two-year postdoc in Zurich"],
        "deadline": "2027-02-15",
    },
}

FOUNDER = {
    "mentor": {"name": "Dana Okafor"},
    "mentee": {
        "name": "Marcus Lee",
        "role": "founder and CEO",
        "situation": "seed-stage SaaS start-up with 9 employees and 5 months of runway; co-founder left in the summer",
        "goals": ["reach break-even by Q4"],
        "challenges": ["burnt out", "sleeping five hours a night"],
    },
    "session": {"number": 7, "date": "2027-01-19"},
    "notes": (
        "Marcus exhausted, says he hasn't had a weekend off since August.\n"
        "- revenue flat for 3 months\n"
        "- two investors said they'd consider a bridge if the numbers improve\n"
        "- we agreed to meet every week until this is settled\n"
    ),
    "decision": {
        "statement": "Lay off two people or raise a bridge round to extend the runway?",
        "options": [
            "lay off two people",
            "raise a bridge round from existing investors",
            "cut my own salary and wait three months",
        ],
        "deadline": "2027-02-10",
        "risk_appetite": "low",
    },
}

APPRENTICE = {
    "mentor": {"name": "Jo Baker"},
    "mentee": {
        "name": "Kai Novak",
        "role": "apprentice electrician",
        "situation": "17 years old, first year of a three-and-a-half-year apprenticeship; lives with his parents",
        "goals": ["pass the first-year exam"],
        "challenges": ["finds the theory lessons hard"],
    },
    "session": {"number": 3, "date": "2027-03-02"},
    "decision": {
        "statement": "Switch trade from electrician to carpenter?",
        "options": [
            "switch to a carpentry apprenticeship",
            "finish the electrician apprenticeship first",
            "ask for a trial week in a carpentry workshop",
        ],
        "risk_appetite": "low",
    },
}


def test_the_phd_choice_is_written_per_option_from_the_context(knowledge_companion: Companion) -> None:
    output, markdown = framework(knowledge_companion, PHD)
    assert_options_differ(output)
    industry = by_name(output, "take the industry job at the biotech in Basel")
    postdoc = by_name(output, "accept the two-year postdoc in Zurich")
    assert (industry.kind, postdoc.kind) == ("job", "study")
    assert "postdoc" in industry.upside and "publication" in postdoc.upside
    assert "two-year" in postdoc.downside and "Zurich" in postdoc.downside
    assert "“partner works in Basel”" in industry.upside, "the situation's tie to the place is named"
    assert any("biotech offer in writing" in line for line in industry.from_notes)
    assert any("academia after industry" in line for line in industry.from_notes)
    assert any("PI wants an answer" in line for line in postdoc.from_notes)
    assert "Sam" not in markdown, "a notes line naming a third party is not quoted"
    assert industry.reversibility is not None and "research" in industry.reversibility.reason
    assert "living costs" not in markdown and "co-founder" not in markdown
    assert "Tell your partner and your supervisor" in " ".join(output.next_steps)


def test_the_burnt_out_founder_gets_layoffs_as_one_way_and_no_push_to_bet(knowledge_companion: Companion) -> None:
    output, markdown = framework(knowledge_companion, FOUNDER)
    assert_options_differ(output)
    layoff = by_name(output, "lay off two people")
    bridge = by_name(output, "raise a bridge round from existing investors")
    salary = by_name(output, "cut my own salary and wait three months")
    assert (layoff.kind, bridge.kind, salary.kind) == ("layoff", "raise", "cut_costs")
    assert layoff.reversibility is not None and layoff.reversibility.level == "irreversible"
    assert "cannot be taken back" in layoff.reversibility.reason
    assert bridge.reversibility is not None and bridge.reversibility.level == "partly_reversible"
    assert salary.reversibility is not None and salary.reversibility.level == "reversible"
    assert "Two people lose their jobs" in layoff.downside and "5 months of runway" in layoff.upside
    assert "investors to say yes" in bridge.downside
    assert any("consider a bridge if the numbers improve" in line for line in bridge.from_notes)
    assert "three months" in salary.mitigation
    # the reason names each option, not 'no cue either way'
    assert "No cue either way" not in markdown
    reason = output.reversibility.reason
    assert reason.startswith("Hard to undo: option “lay off two people” (a layoff cannot be taken back")
    assert "Costly to undo: option “raise a bridge round from existing investors” (money can be spent slowly" in reason
    assert "Easy to undo: option “cut my own salary and wait three months”" in reason
    assert output.reversibility.level == "partly_reversible"  # one way through can be undone
    # an option is quoted whole, never followed by a fragment of itself
    assert "(“lay off”:" not in reason and "(“bridge round”:" not in reason
    # founder templates, but no personal living-costs floor for a decision about the company
    assert "living costs" not in markdown
    assert any("company survives the worst case" in c for c in output.criteria)
    assert any("“burnt out”" in c and "“exhausted”" in c for c in output.criteria), "the notes' cue is read too"
    assert any("worst week" in step for step in output.next_steps), "the one-way part waits for a rested day"
    assert "“lay off two people”" in output.premortem[0]


def test_the_seventeen_year_old_apprentice_gets_no_founder_or_money_advice(knowledge_companion: Companion) -> None:
    output, markdown = framework(knowledge_companion, APPRENTICE)
    assert_options_differ(output)
    assert not FOUNDER_WORDS.search(markdown), FOUNDER_WORDS.findall(markdown)
    assert "parents or guardians" in markdown and "training provider" in markdown
    assert any(c.startswith("Safety: you keep a training place") for c in output.criteria)
    switch = by_name(output, "switch to a carpentry apprenticeship")
    trial = by_name(output, "ask for a trial week in a carpentry workshop")
    assert switch.reversibility is not None and switch.reversibility.level == "partly_reversible"
    assert "training place" in switch.reversibility.reason
    assert trial.reversibility is not None and trial.reversibility.level == "reversible"
    assert "“ask for a trial week in a carpentry workshop”" in output.experiment
    assert output.reversibility.level == "partly_reversible"


def test_the_framework_sections_cite_the_guides_whose_steps_they_follow(knowledge_companion: Companion) -> None:
    output, markdown = framework(knowledge_companion, FOUNDER)
    assert {c.source for c in output.premortem_citations} >= {"frameworks/premortem.md"}
    assert {c.source for c in output.ten_ten_ten_citations} >= {"frameworks/ten-ten-ten.md"}
    assert {c.source for c in output.experiment_citations} >= {"frameworks/small-experiments.md"}
    cited = {c.chunk_id for c in output.citations}
    for part in (output.premortem_citations, output.ten_ten_ten_citations, output.experiment_citations):
        assert {c.chunk_id for c in part} <= cited
    assert len(output.ten_ten_ten) >= 3 and all("Ten minutes" in line for line in output.ten_ten_ten[:3])
    assert "### 10/10/10" in markdown and "_Following: The pre-mortem" in markdown


def test_a_visa_bound_job_and_a_public_commitment_are_hard_to_undo(knowledge_companion: Companion) -> None:
    output, _ = framework(
        knowledge_companion,
        {
            "mentee": {
                "name": "Ana Silva",
                "role": "data analyst",
                "situation": "in Berlin on a work visa tied to my employer",
            },
            "session": {"number": 5, "date": "2027-01-19"},
            "decision": {
                "statement": "Leave my job for a start-up?",
                "options": [
                    "quit my job and join the start-up",
                    "go part-time for three months",
                    "announce my side project publicly",
                ],
            },
        },
    )
    quit_job = by_name(output, "quit my job and join the start-up")
    part_time = by_name(output, "go part-time for three months")
    public = by_name(output, "announce my side project publicly")
    assert quit_job.reversibility is not None and quit_job.reversibility.level == "irreversible"
    assert "visa" in quit_job.reversibility.reason
    assert part_time.reversibility is not None and part_time.reversibility.level == "reversible"
    assert public.reversibility is not None and public.reversibility.level != "reversible"
    assert "public commitment" in public.reversibility.reason


def test_an_option_the_wording_does_not_explain_becomes_questions(knowledge_companion: Companion) -> None:
    output, _ = framework(
        knowledge_companion,
        {
            "mentee": {"name": "Sam Lee", "role": "designer"},
            "session": {"number": 4, "date": "2027-01-19"},
            "decision": {"statement": "Which of the two paths?", "options": ["path A with Jonas", "the Lisbon thing"]},
        },
    )
    for option in output.options:
        assert option.kind is None
        for line in (option.upside, option.downside, option.worst_case, option.mitigation):
            assert "?" in line and f"“{option.name}”" in line
    assert_options_differ(output)
    assert any("questions to ask rather than claims" in note for note in output.generator.notes)


def test_six_options_get_six_readings(knowledge_companion: Companion) -> None:
    options = [
        "lay off two people",
        "raise a bridge round",
        "stay the course",
        "hire a head of sales",
        "move to a cheaper office",
        "run a three-month pilot of a paid tier",
    ]
    output, markdown = framework(
        knowledge_companion,
        {
            "mentee": {
                "name": "Marcus Lee",
                "role": "founder and CEO",
                "situation": "seed-stage start-up, 9 employees",
            },
            "session": {"number": 7, "date": "2027-01-19"},
            "decision": {"statement": "How do we get to break-even?", "options": options},
        },
    )
    kinds = [option.kind for option in output.options]
    assert kinds == ["layoff", "raise", "stay", "hire", "cut_costs", "trial"]
    levels = {option.name: option.reversibility.level for option in output.options if option.reversibility}
    assert levels["lay off two people"] == "irreversible"
    assert levels["run a three-month pilot of a paid tier"] == levels["stay the course"] == "reversible"
    assert "lease" in (by_name(output, "move to a cheaper office").reversibility.reason or "")
    assert "customers" in by_name(output, "run a three-month pilot of a paid tier").upside
    assert_options_differ(output)
    assert "No cue either way" not in markdown


# -- goal plans -----------------------------------------------------------------------------
PRD = {
    "mentor": {"name": "Sam Ortiz"},
    "mentee": {
        "name": "Aisha Khan",
        "role": "account executive",
        "situation": "sales rep moving into product management at the same company",
        "goals": ["write the PRD for the onboarding revamp by end of Q1", "shadow two product managers in six weeks"],
    },
    "session": {"number": 2, "date": "2027-01-12"},
    "notes": "- Aisha will draft the problem statement by Friday\n- we agreed to meet every two weeks\n- next session on 26 Jan\n",
}


def test_the_prd_goal_gets_its_own_milestones_dated_back_from_q1(knowledge_companion: Companion) -> None:
    output, markdown = plan(knowledge_companion, PRD)
    prd, shadow = output.goals
    texts = [m.text for m in prd.milestones]
    assert all("PRD" in text for text in texts), texts
    assert texts[0].startswith("Outline") and "draft" in texts[1] and texts[-1].startswith("Final PRD")
    assert prd.milestones[-1].due == dt.date(2027, 3, 31)
    assert [m.due for m in prd.milestones] == sorted(m.due for m in prd.milestones if m.due)
    assert "2027-03-31" in prd.time_bound and "“end of Q1”" in prd.time_bound
    assert "Round closed" not in markdown and "values" not in markdown, "no other goal's worked example"
    assert all("product manager" in m.text for m in shadow.milestones)
    assert shadow.milestones[-1].due == dt.date(2027, 2, 23)
    assert not PLACEHOLDER.search(markdown)


def test_the_schedule_follows_the_cadence_and_next_meeting_the_notes_agreed(knowledge_companion: Companion) -> None:
    output, markdown = plan(knowledge_companion, PRD)
    cadence = output.cadence
    assert cadence.sessions[0] == dt.date(2027, 1, 26)
    assert all((b - a).days == 14 for a, b in zip(cadence.sessions, cadence.sessions[1:], strict=False))
    assert cadence.sessions[-1] <= dt.date(2027, 3, 31)
    assert "Every 2 weeks, as agreed in the notes." in cadence.basis
    assert "as agreed in the notes" in markdown


def test_the_schedule_meets_on_the_weekday_the_cadence_names(knowledge_companion: Companion) -> None:
    """Session on a Tuesday, "every other Thursday" agreed: Thursdays, two weeks apart, from the one after next."""
    output, markdown = plan(
        knowledge_companion,
        {
            "mentee": {"name": "Sam Okoro", "role": "network technician", "goals": ["Pass the CCNA exam by June 2027"]},
            "session": {"number": 3, "date": "2026-12-01"},
            "notes": "Good session. We'll meet every other Thursday from now on.\nSam to book the exam date by Fri.\n",
        },
    )
    sessions = output.cadence.sessions
    assert output.cadence.meeting_day == "Thursday" and sessions[0] == dt.date(2026, 12, 10)
    assert all(day.weekday() == 3 for day in sessions)
    assert all((b - a).days == 14 for a, b in itertools.pairwise(sessions))
    assert "On Thursdays, the day the notes agree." in output.cadence.basis and "Thursday" in markdown


def test_a_german_goal_bis_ende_q1(knowledge_companion: Companion) -> None:
    output, _ = plan(
        knowledge_companion,
        {
            "mentee": {
                "name": "Jonas Weber",
                "role": "Teamleiter",
                "goals": ["bis Ende Q1 das Team auf 5 Leute aufbauen"],
            },
            "session": {"number": 2, "date": "2027-01-12", "language": "de"},
            "notes": "- wir treffen uns monatlich\n",
        },
    )
    goal = output.goals[0]
    assert goal.milestones[-1].due == dt.date(2027, 3, 31)
    assert "2027-03-31" in goal.time_bound
    assert any("5" in m.text and "Team" in m.text for m in goal.milestones)
    assert output.cadence.frequency == "every month"
    assert all(day.weekday() == output.cadence.sessions[0].weekday() for day in output.cadence.sessions)
    assert max(output.cadence.sessions) <= dt.date(2027, 3, 31)


def test_late_three_times_in_november_is_a_baseline_not_a_deadline(knowledge_companion: Companion) -> None:
    data = {
        "mentee": {
            "name": "Kai Novak",
            "role": "apprentice electrician",
            "situation": "17 years old",
            "goals": ["be on time for every shift (late 3 times in November)", "pass the first-year exam by March"],
        },
        "session": {"number": 4, "date": "2026-12-01"},
        "notes": "- Kai was late 3 times in November; the foreman noticed\n- weekly catch-ups until the exam\n",
    }
    output, markdown = plan(knowledge_companion, data)
    on_time, exam = output.goals
    assert "names no date" in on_time.time_bound and "2027-11-30" not in markdown
    assert on_time.milestones[-1].due == dt.date(2026, 12, 1) + dt.timedelta(days=goals_task.DEFAULT_HORIZON_DAYS)
    assert "late 3 times in November" in on_time.milestones[0].text
    assert "shift" in on_time.milestones[-1].text
    assert exam.milestones[-1].due == dt.date(2027, 3, 31)
    assert all("exam" in m.text for m in exam.milestones)
    assert output.cadence.frequency == "every week"


def test_a_closing_session_plans_no_more_sessions(knowledge_companion: Companion) -> None:
    output, markdown = plan(
        knowledge_companion,
        {
            "mentee": {"name": "Priya Raman", "role": "first-time founder", "goals": ["raise a seed round by June"]},
            "session": {"number": 6, "date": "2027-01-12", "planned_sessions": 6},
            "notes": "- we agreed to meet every two weeks\n",
        },
    )
    assert output.cadence.sessions == []
    assert output.cadence.ends_on == dt.date(2027, 1, 12)
    assert "No further sessions are planned." in markdown
    assert "closing session" in output.cadence.basis[0]
    assert output.goals[0].milestones, "the goal still has its milestones to track alone"


def test_the_schedule_stops_at_the_planned_end(knowledge_companion: Companion) -> None:
    output, _ = plan(
        knowledge_companion,
        {
            "mentee": {"name": "Priya Raman", "role": "first-time founder", "goals": ["raise a seed round by June"]},
            "session": {"number": 4, "date": "2027-01-12", "planned_sessions": 6},
        },
    )
    assert len(output.cadence.sessions) == 2
    assert output.cadence.ends_on == output.cadence.sessions[-1]

    output, _ = plan(
        knowledge_companion,
        {
            "mentee": {"name": "Priya Raman", "role": "first-time founder", "goals": ["raise a seed round by June"]},
            "session": {"number": 3, "date": "2027-01-12"},
            "notes": "- reminder: the mentoring programme ends on 2027-03-15\n",
        },
    )
    assert output.cadence.sessions and max(output.cadence.sessions) <= dt.date(2027, 3, 15)
    assert output.cadence.ends_on == max(output.cadence.sessions)
    assert any("run past the end of the mentorship" in line for line in output.cadence.basis)


REFERENCE = dt.date(2027, 1, 12)


@pytest.mark.parametrize(
    ("goal", "language", "expected"),
    [
        ("write the PRD for the onboarding revamp by end of Q1", "en", dt.date(2027, 3, 31)),
        ("bis Ende Q1 das Team auf 5 Leute aufbauen", "de", dt.date(2027, 3, 31)),
        ("ship the beta by March", "en", dt.date(2027, 3, 31)),
        ("shadow two product managers in six weeks", "en", REFERENCE + dt.timedelta(weeks=6)),
        ("finish the course until June", "en", dt.date(2027, 6, 30)),
        ("give a first talk in March", "en", dt.date(2027, 3, 31)),
        ("aprobar el examen antes de junio", "es", dt.date(2027, 5, 31)),
        ("lanzar la web para finales de marzo", "es", dt.date(2027, 3, 31)),
        ("launch by 2027-03-01", "en", dt.date(2027, 3, 1)),
        ("run 3 half marathons in 2027", "en", dt.date(2027, 12, 31)),
        ("move into product management within a year", "en", dt.date(2028, 1, 12)),
        ("be on time for every shift (late 3 times in November)", "en", None),
        ("stop being late (late 3 times in November)", "en", None),
        ("cut late starts, late 3 times in November", "en", None),
        ("hire a first engineer", "en", None),
        ("ship v1 in 500000 weeks", "en", None),
    ],
)
def test_a_date_is_a_deadline_only_after_a_deadline_word_or_as_the_goals_end(
    goal: str, language: str, expected: dt.date | None
) -> None:
    found = read_deadline(goal, REFERENCE, language)
    assert (found.date if found else None) == expected


@pytest.mark.parametrize(
    ("goal", "kind"),
    [
        ("write the PRD for the onboarding revamp", "write"),
        ("hire a first engineer", "hire"),
        ("das Team auf 5 Leute aufbauen", "hire"),
        ("raise a seed round", "raise"),
        ("give a first conference talk", "talk"),
        ("pass the first-year exam", "exam"),
        ("die Zwischenprüfung Teil 1 bestehen", "exam"),
        ("be on time for every shift", "habit"),
        ("shadow two product managers", "count"),
        ("lead the platform team", "role"),
        ("ship the MVP", "ship"),
        ("get better at delegating", "learn"),
        ("decide on the next step after the PhD", "decide"),
        ("Write down the company values and use them in hiring", "write"),
    ],
)
def test_a_goal_is_read_by_its_verb_and_object(goal: str, kind: str) -> None:
    assert read_goal(goal, REFERENCE).kind == kind


def test_a_short_quote_does_not_stop_at_an_ordinal() -> None:
    from companion.generation.tasks.common import short_quote

    assert short_quote("1. Lehrjahr, Mathe schwierig") == "“1. Lehrjahr, Mathe schwierig”"
    assert short_quote("Runway 7 months. Series A stalled") == "“Runway 7 months”"
    long = (
        "Muy buena con redes sociales, gestionó la cuenta de Instagram de la asociación de estudiantes (de 800 a 6.000 "
        "seguidores en un solo curso)"
    )
    assert (
        short_quote(long)
        == "“Muy buena con redes sociales, gestionó la cuenta de Instagram de la asociación de estudiantes”"
    )


def test_a_line_a_few_words_over_the_limit_is_quoted_whole() -> None:
    from companion.generation.tasks.common import short_quote

    line = 'nights are killing her, "night shifts wrecking sleep", 4 weeks of nights in a row in Nov'
    assert short_quote(line) == f"“{line}”"  # 17 words: cutting 'in Nov' would leave 'in a row in…'
    longer = " ".join(["word"] * 25)
    assert short_quote(longer).endswith("…”")


@pytest.mark.parametrize(
    ("goal", "core"),
    [
        ("raise a Series A in 2027", "raise a Series A"),  # a capital 'A' is part of the name, not Spanish 'a'
        ("terminar la tesis a finales de mayo", "terminar la tesis"),
        ("pass the exam by June", "pass the exam"),
        ("conseguir un primer empleo en marketing antes del verano", "conseguir un primer empleo en marketing"),
    ],
)
def test_a_goals_deadline_is_cut_with_its_preposition_only(goal: str, core: str) -> None:
    assert read_goal(goal, REFERENCE).core == core


# -- no placeholder reaches an output -------------------------------------------------------
def _bank_result(chunk_id: str, bank: str, item: dict[str, Any]) -> SearchResult:
    return search_result(chunk_id, source=f"banks/{bank}.md", text=str(item), bank=bank, item=item)


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_bank_items_with_placeholders_never_reach_the_output() -> None:
    ctx = context(
        {
            "mentee": {"name": "Priya", "goals": ["hire {role} by March"], "interests": []},
            "session": {"number": 3, "date": "2027-01-12"},
            "decision": {"statement": "Hire now or wait?", "options": ["hire {who} now", "wait"]},
        }
    )
    retrieved = Retrieved()
    retrieved.add(
        "smart_goals:0",
        [
            _bank_result(
                "g1",
                "smart_goals",
                {
                    "id": "goal-x",
                    "goal": "Fill two open roles in {interest}.",
                    "specific": "Hire for {interest}. Use a scorecard.",
                    "measurable": "{unknown_slot}",
                    "achievable": "As {role}, book the time.",
                    "relevant": "It matters for {goal}.",
                    "time_bound": "By {deadline}.",
                    "milestones": ["{interest} shortlist"],
                },
            )
        ],
    )
    templates = [
        _bank_result(
            f"d{index}",
            "decision_templates",
            {
                "id": f"dec-{name}",
                "framework": name,
                "questions": ["What about {interest}?", "Is {goal} still right?", "Plain?"],
            },
        )
        for index, name in enumerate(["reversibility", "premortem", "small_experiment", "ten_ten_ten"])
    ]
    retrieved.add("decision_templates", templates)
    for output in (goals_task.compose(ctx, retrieved), decision_task.compose(ctx, retrieved)):
        markdown = render_markdown(output, ctx)
        assert not PLACEHOLDER.search(markdown), PLACEHOLDER.findall(markdown)
        texts = list(_strings(output.model_dump(mode="json")))
        assert not [t for t in texts if PLACEHOLDER.search(t)]
    framework_ = decision_task.compose(ctx, retrieved)
    assert "Plain?" in framework_.questions_for_mentor
    assert "Scorecard" not in framework_.model_dump_json()


def test_a_real_bank_placeholder_is_filled_or_its_sentence_dropped(knowledge_companion: Companion) -> None:
    base = {
        "mentee": {"name": "Noor", "role": "university student", "goals": ["land a summer internship in the field"]},
        "session": {"number": 2, "date": "2027-01-12"},
    }
    without, markdown = plan(knowledge_companion, base)
    assert not PLACEHOLDER.search(markdown)
    with_interest, markdown = plan(
        knowledge_companion, {**base, "mentee": {**base["mentee"], "interests": ["robotics"]}}
    )
    assert not PLACEHOLDER.search(markdown)
    if "internship" in without.goals[0].specific.lower():
        assert "robotics" in with_interest.goals[0].specific


def test_the_guard_helpers() -> None:
    assert without_placeholders("Match the interest in {interest}. Keep a list.", {}) == "Keep a list."
    assert (
        without_placeholders("Match the interest in {interest}.", {"interest": "chess"})
        == "Match the interest in chess."
    )
    assert without_placeholders("{interest}", {}) is None
    goal = SmartGoal(
        statement="Learn {python}.",
        specific="s {x}. t.",
        measurable="m",
        achievable="a",
        relevant="r",
        time_bound="t",
        milestones=[Milestone(text="{a} b")],
    )
    scrub_placeholders(goal)
    assert goal.statement == "Learn python." and goal.specific == "t." and goal.milestones[0].text == "a b"


def test_a_goal_without_a_date_works_back_from_the_event_the_context_names(knowledge_companion: Companion) -> None:
    """'Get the permanent post' names no date, but the situation says the interview is on 14 January: the plan
    ends there, not three months on; interview notes and a mock exam are no such event."""
    output, markdown = plan(
        knowledge_companion,
        {
            "mentee": {
                "name": "Marcus Bell",
                "role": "Senior porter, acting shift lead",
                "situation": "Acting up as night shift lead. Applied for the permanent role; interview on 14 Jan.",
                "goals": ["Get the permanent shift lead post", "Pass the manual handling instructor course"],
            },
            "session": {"number": 4, "date": "2026-12-03"},
            "notes": "-> I'll send my old interview notes over wkend\nmock course test on Friday\n",
        },
    )
    post, course = output.goals
    assert post.milestones[-1].due == dt.date(2027, 1, 14)
    assert "“interview on 14 Jan” (your situation) is the date it turns on: 2027-01-14" in post.time_bound
    assert all(m.due is not None and m.due <= dt.date(2027, 1, 14) for m in post.milestones)
    assert "names no date, so this plan uses" in course.time_bound, "a mock test is no deadline"
    assert not PLACEHOLDER.search(markdown)


@pytest.mark.parametrize(
    ("goal", "due"),
    [
        ("conseguir un primer empleo en marketing antes del verano", dt.date(REFERENCE.year, 6, 21)),
        ("die Prüfung vor dem Sommer bestehen", dt.date(REFERENCE.year, 6, 21)),
        ("ship the app this summer", dt.date(REFERENCE.year, 8, 31)),
    ],
)
def test_a_season_after_a_deadline_word_is_a_deadline(goal: str, due: dt.date) -> None:
    deadline = read_deadline(goal, REFERENCE)
    assert deadline is not None and deadline.date == due


def test_a_season_word_without_a_deadline_word_is_none() -> None:
    assert read_deadline("do not fall behind on coursework", REFERENCE) is None


def test_a_period_someone_signs_off_gets_its_own_milestones_and_a_question_for_its_date(
    knowledge_companion: Companion,
) -> None:
    """'Pass the second induction year' is no exam with a practice paper and no generic 'first step': its
    milestones follow the standards it is judged on, and its date is asked for, not guessed silently."""
    context = MentoringContext.model_validate(
        {
            "mentor": {"name": "Joanne Mills"},
            "mentee": {
                "name": "Callum Reid",
                "role": "early career teacher",
                "goals": ["pass the second induction year"],
            },
            "session": {"number": 3, "date": "2027-09-21"},
        }
    )
    output, _ = compose(knowledge_companion, "goals", context)
    assert isinstance(output, GoalPlan)
    goal = output.goals[0]
    milestones = [m.text for m in goal.milestones]
    assert milestones[0].startswith("Standards for the second induction year listed"), milestones
    assert milestones[-1] == "The second induction year signed off at the final assessment", milestones
    assert not any("practice paper" in m or "First concrete step" in m for m in milestones)
    assert goal.time_bound.startswith("When is the final assessment"), goal.time_bound

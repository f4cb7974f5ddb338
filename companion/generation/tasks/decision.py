"""Decision framework: reversibility read from the wording, options weighed against criteria
drawn from the mentee's own goals, challenges and risk appetite, and bank templates for the
questions to work through together."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    Citations,
    KnowledgeMissing,
    MissingInput,
    bank_items,
    first_name,
    generator_info,
    join_words,
    quoted,
    wellbeing_challenges,
)
from companion.retrieval.retriever import SearchResult
from companion.schemas import (
    DecisionFramework,
    DecisionInput,
    DecisionOption,
    MentoringContext,
    Reversibility,
)

COMPOSER_VERSION = "offline-decision-1"
CHECK_IN_DAYS = 14
DECIDE_BEFORE_DEADLINE_DAYS = 7
QUESTIONS_PER_TEMPLATE = 2
TEMPLATES_USED = 3
MAX_EXPERIENCE = 3
FALLBACK_OPTIONS = ("go ahead", "wait")


@dataclass(frozen=True)
class Cue:
    """A word that says something about how hard a choice is to undo, and why."""

    pattern: str
    level: str
    word: str
    why: str


CUES: tuple[Cue, ...] = (
    Cue(r"\bsell(s|ing)?\b|\bsale of\b", "irreversible", "sell", "a sale cannot be taken back"),
    Cue(r"\bequity\b|\bcap table\b", "irreversible", "equity", "equity given away is very hard to win back"),
    Cue(r"\bmortgage\b", "irreversible", "mortgage", "a mortgage ties money and place for years"),
    Cue(r"\bsign(s|ing|ed)?\b|\bterm sheet\b", "partly", "sign", "a signed agreement binds you to its terms"),
    Cue(r"\bquit(s|ting)?\b", "partly", "quit", "work can be found again, but rarely the same role, pay and standing"),
    Cue(r"\bresign(s|ing|ed|ation)?\b", "partly", "resign", "a resignation is hard to withdraw once accepted"),
    Cue(
        r"\brelocat\w*|\bemigrat\w*|\bmov(e|ing) (abroad|countries|country|cities|to another)\b",
        "partly",
        "relocate",
        "moving back costs money, time and relationships",
    ),
    Cue(
        r"\bleav(e|ing) (my|the|a|our) (job|role|company|position|employer)\b",
        "partly",
        "leave",
        "a role you leave is usually filled by someone else",
    ),
    Cue(r"\bfir(e|ing)\b|\blay(ing)? off\b", "partly", "fire", "a dismissal cannot be undone with the person"),
    Cue(r"\btrial\b", "reversible", "trial", "a trial is built to be stopped"),
    Cue(r"\bpilot\b", "reversible", "pilot", "a pilot can end without damage"),
    Cue(r"\bpart[- ]time\b", "reversible", "part-time", "it keeps the current income and a way back"),
    Cue(r"\bexperiment\w*\b", "reversible", "experiment", "an experiment is small and time-boxed"),
    Cue(r"\btest(s|ing)?\b", "reversible", "test", "a test can be stopped at any point"),
    Cue(r"\bsabbatical\b|\bunpaid leave\b", "reversible", "sabbatical", "the job waits for you"),
)
HARD_LEVELS = ("irreversible", "partly")
_WAIT = re.compile(r"\b(wait|stay|keep|don'?t|do not|not now|later|postpone|delay|decline)\b", re.I)
_CAREER_MOVE = re.compile(r"\b(quit|resign\w*|leav\w+|relocat\w*|start\w*|found\w*|join\w*|career|job|offer)\b", re.I)
_MONEY = re.compile(r"\b(money|salary|savings?|runway|income|debt|mortgage|equity|pay|price)\b", re.I)
_FEAR = re.compile(r"\b(fear\w*|afraid|anxi\w*|nervous|confiden\w*|impostor|guilt\w*|scared|worr\w*)\b", re.I)
FLOORS = {"low": "twelve months", "medium": "six months", "high": "three months"}

TEMPLATED = [
    "Reversibility is inferred from cue words in the statement and options (such as quit, sign, sell, part-time, "
    "trial) with fixed explanations.",
    "Criteria, option upsides and downsides, pre-mortem causes, the experiment and next steps are fixed sentence "
    "templates filled with the mentee's own goals, challenges, options and risk appetite.",
    "Questions come word for word from the decision-templates bank; the templates are chosen by rules (reversibility "
    "first, then pre-mortem, regret minimisation, expected value or 10/10/10 as the cues suggest, then a small "
    "experiment).",
    "Relevant experience lists mentors' shared notes that retrieval matched, this mentor's own first.",
]


def _cues(text: str) -> list[Cue]:
    return [cue for cue in CUES if re.search(cue.pattern, text, re.I)]


def assess_reversibility(decision: DecisionInput, options: list[str]) -> Reversibility:
    """Hard-to-undo cues against easy-to-undo ones, each named in the reason."""
    findings: list[tuple[str, Cue]] = [("the statement", cue) for cue in _cues(decision.statement)]
    for option in options:
        findings += [(f"option {quoted(option)}", cue) for cue in _cues(option)]
    hard = [(where, cue) for where, cue in findings if cue.level in HARD_LEVELS]
    easy = [(where, cue) for where, cue in findings if cue.level == "reversible"]

    def describe(found: list[tuple[str, Cue]]) -> str:
        places: dict[Cue, list[str]] = {}
        for where, cue in found:
            places.setdefault(cue, []).append(where)
        return join_words([f"{quoted(cue.word)} in {join_words(wheres)} ({cue.why})" for cue, wheres in places.items()])

    if hard and easy:
        return Reversibility(
            level="partly_reversible",
            reason=f"Hard to undo: {describe(hard)}. Easier to undo: {describe(easy)}.",
        )
    if hard:
        if any(cue.level == "irreversible" for _, cue in hard):
            return Reversibility(level="irreversible", reason=f"Hard to undo: {describe(hard)}.")
        return Reversibility(level="partly_reversible", reason=f"Hard to undo: {describe(hard)}.")
    if easy:
        return Reversibility(level="reversible", reason=f"Easy to undo: {describe(easy)}.")
    return Reversibility(
        level="partly_reversible",
        reason="No cue either way in the statement or the options; treat it as partly reversible until you have "
        "priced undoing each option in money, time and reputation.",
    )


def option_kind(option: str) -> str:
    """'gradual' (keeps a way back), 'wait', 'leap' (hard to undo) or 'neutral'."""
    found = _cues(option)
    if any(cue.level == "reversible" for cue in found):
        return "gradual"
    if _WAIT.search(option):
        return "wait"
    if any(cue.level in HARD_LEVELS for cue in found):
        return "leap"
    return "neutral"


def check_in_date(reference: dt.date, deadline: dt.date | None) -> dt.date:
    """Two weeks out, or halfway to a close deadline so there is still time to act on it."""
    default = reference + dt.timedelta(days=CHECK_IN_DAYS)
    if deadline is None or deadline <= reference:
        return default
    if (deadline - reference).days > CHECK_IN_DAYS + DECIDE_BEFORE_DEADLINE_DAYS:
        return default
    return reference + dt.timedelta(days=max(1, (deadline - reference).days // 2))


class _Composer:
    def __init__(self, context: MentoringContext, retrieved: Retrieved) -> None:
        if context.decision is None:
            raise MissingInput("the decide task needs a decision: add `decision: {statement: ...}` to the context")
        self.context = context
        self.decision = context.decision
        self.retrieved = retrieved
        self.citations = Citations(retrieved)
        self.options = list(self.decision.options) or list(FALLBACK_OPTIONS)
        self.kinds = {option: option_kind(option) for option in self.options}
        if not self.decision.options:
            self.kinds = {"go ahead": "leap", "wait": "wait"}
        self.wellbeing = wellbeing_challenges(context)
        self.fears = [c for c in context.mentee.challenges if _FEAR.search(c)]
        self.goal = context.mentee.goals[0] if context.mentee.goals else None
        self.check_in = check_in_date(context.reference_date, self.decision.deadline)
        self.templates = {
            str(item.get("framework")): (result, item)
            for result, item in bank_items(retrieved.get("decision_templates"))
        }
        if not self.templates:
            raise KnowledgeMissing(
                f"no decision templates were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
            )

    @property
    def leading(self) -> str:
        """The option that most needs stress-testing: the hardest to undo, else the first."""
        return next((o for o in self.options if self.kinds[o] == "leap"), self.options[0])

    def criteria(self) -> list[str]:
        appetite = self.decision.risk_appetite
        found = ["Reversibility: how cheaply you could change course if it goes wrong"]
        found.append(
            {
                "low": f"Safety: a floor of at least {FLOORS['low']} of living costs, whatever happens",
                "medium": "A survivable worst case: you could recover from it within about a year",
                "high": "Size of the upside: worth the risk only if the best case is big",
            }[appetite]
        )
        found += [f"Progress on {quoted(goal)}" for goal in self.context.mentee.goals[:3]]
        found += [
            f"Wellbeing: sustainable hours, sleep and relationships (you mentioned {quoted(c)})" for c in self.wellbeing
        ]
        found += [f"Courage over comfort: does it make you face {quoted(c)} or avoid it?" for c in self.fears]
        others = [c for c in self.context.mentee.challenges if c not in self.wellbeing and c not in self.fears]
        found += [f"Eases {quoted(c)} rather than adding to it" for c in others]
        found.append("Learning speed: how soon the option gives you real evidence")
        return found

    def option(self, name: str) -> DecisionOption:
        kind = self.kinds[name]
        goal = quoted(self.goal) if self.goal else "the outcome you want"
        strain = f" With {quoted(self.wellbeing[0])} already, the load may grow." if self.wellbeing else ""
        floor = FLOORS[self.decision.risk_appetite]
        if kind == "leap":
            return DecisionOption(
                name=name,
                upside=f"The fastest route to {goal}: all your time and attention go into it, and the commitment is visible to others.",
                downside=f"Hard to undo: income, position or money are committed before the evidence is in.{strain}",
                worst_case="It does not work out, the savings are spent, and you look for work again from a weaker position.",
                mitigation=f"Before committing, secure {floor} of living costs, write down which result by which date "
                "would make you stop, and leave on good terms so a way back stays open.",
            )
        if kind == "gradual":
            return DecisionOption(
                name=name,
                upside="Keeps income and options open while you collect evidence, and is easy to walk back.",
                downside="Slower, and split attention can stall both paths."
                + (f" On top of {quoted(self.wellbeing[0])} it risks burnout." if self.wellbeing else ""),
                worst_case="The in-between state drags on for months, neither path gets your best work, and the window closes.",
                mitigation=f"Give it an end date and a yes-or-no signal written down in advance, review it on "
                f"{self.check_in.isoformat()}, and protect fixed hours for each side.",
            )
        if kind == "wait":
            return DecisionOption(
                name=name,
                upside="Nothing is lost now, and you keep what works today.",
                downside="The opportunity may pass, and the open question keeps costing attention.",
                worst_case="Years later you regret never finding out.",
                mitigation="Name what would change your mind, and book the date you will look at it again.",
            )
        return DecisionOption(
            name=name,
            upside=f"Could move {goal} forward if it works.",
            downside="Its costs in money, time and reputation are not yet priced.",
            worst_case="It fails in a way that is costly to undo; the pre-mortem below names how.",
            mitigation="Price how you would undo it, and test its riskiest assumption first.",
        )

    def premortem(self) -> list[str]:
        lead = quoted(self.leading)
        year_on = self.context.reference_date + dt.timedelta(days=365)
        causes = [f"Imagine it is {year_on.isoformat()} and {lead} went badly. Which of these stories is most likely?"]
        if self.goal:
            causes.append(f"{quoted(self.goal)} took longer than planned, and the money or patience ran out first.")
        causes += [
            f"{quoted(c)} continued or grew, and health or relationships paid the price." for c in self.wellbeing[:1]
        ]
        causes += [f"{quoted(c)} kept the number of hard conversations too low to get results." for c in self.fears[:1]]
        if self.decision.risk_appetite == "low":
            causes.append(
                "The downside was bigger than you could carry, because the financial floor was never written down."
            )
        causes.append("The decision ran on enthusiasm, and the early warning signs were explained away.")
        causes.append(
            "The people affected (family, co-founders, employer) heard about it late, and their reaction changed the plan."
        )
        return causes

    def chosen_templates(self) -> list[tuple[SearchResult, dict[str, Any]]]:
        """Reversibility first, then the frameworks the cues call for, then retrieval order."""
        text = " ".join([self.decision.statement, *self.options])
        wanted = ["reversibility"]
        if any(kind == "leap" for kind in self.kinds.values()):
            wanted.append("premortem")
        if _CAREER_MOVE.search(text):
            wanted.append("regret_minimisation")
        if self.decision.risk_appetite == "low" or _MONEY.search(text):
            wanted.append("expected_value")
        if self.fears:
            wanted.append("ten_ten_ten")
        wanted += [name for name in self.templates if name not in wanted]
        return [self.templates[name] for name in wanted if name in self.templates][:TEMPLATES_USED]

    def experiment(self) -> str:
        template = self.templates.get("small_experiment")
        if template is not None:
            self.citations.cite(template[0])
        review = self.check_in.isoformat()
        gradual = next((o for o in self.options if self.kinds[o] == "gradual"), None)
        if gradual:
            return (
                f"Treat {quoted(gradual)} as a four-week test: agree now which result means go ahead and which means "
                f"stop, then review it together on {review}."
            )
        focus = f" (for example, two evenings a week on {quoted(self.goal)})" if self.goal else ""
        return (
            f"Before {quoted(self.leading)}, spend four weeks testing its riskiest assumption cheaply{focus}, with a "
            f"yes-or-no result agreed in advance and reviewed on {review}."
        )

    def next_steps(self) -> list[str]:
        steps = [
            "Write a decision-journal entry today: the decision, the options, what you expect and how sure you are.",
            "Price undoing each option in money, time and reputation, and mark the one-way parts.",
            f"Run the pre-mortem on {quoted(self.leading)} and pick the two likeliest causes to guard against.",
            f"Start the experiment this week and review it on {self.check_in.isoformat()}.",
        ]
        deadline = self.decision.deadline
        if deadline is not None and deadline > self.context.reference_date:
            steps.append(
                f"Decide by {deadline.isoformat()}; the check-in on {self.check_in.isoformat()} is the review before it."
            )
        steps.append("Tell the people affected what you are weighing before you decide, not after.")
        return steps

    def experience(self) -> list[SearchResult]:
        """Shared experience notes, this mentor's first, one per source."""
        notes: list[SearchResult] = []
        for result in self.retrieved.get("mentor_notes"):
            if result.visibility == "shared" and all(result.source != n.source for n in notes):
                notes.append(result)
        return notes[:MAX_EXPERIENCE]

    def compose(self) -> DecisionFramework:
        context = self.context
        reversibility = assess_reversibility(self.decision, list(self.decision.options))
        for guide in [r for r in self.retrieved.get("frameworks") if r.item is None][:2]:
            self.citations.cite(guide)
        questions: list[str] = []
        for result, item in self.chosen_templates():
            self.citations.cite(result)
            questions += [str(q) for q in (item.get("questions") or [])[:QUESTIONS_PER_TEMPLATE]]
        experiment = self.experiment()
        experience = self.citations.cite(*self.experience())
        notes = ["Reversibility is inferred from the wording; check it against the real costs of undoing each option."]
        if not self.decision.options:
            notes.append("No options were given, so the framework compares 'go ahead' with 'wait'.")
        deadline = self.decision.deadline
        if deadline is not None and deadline <= context.reference_date:
            notes.append(f"The deadline {deadline.isoformat()} has passed; the check-in is set two weeks out instead.")
        mentor = first_name(context.mentor.name)
        if mentor and not any(n.author in self.retrieved.mentor_authors for n in self.experience()):
            notes.append(f"No shareable experience notes by {mentor} matched this decision.")
        return DecisionFramework(
            decision=self.decision.statement,
            reversibility=reversibility,
            criteria=self.criteria(),
            options=[self.option(name) for name in self.options],
            premortem=self.premortem(),
            questions_for_mentor=questions,
            experiment=experiment,
            next_steps=self.next_steps(),
            check_in_date=self.check_in,
            relevant_experience=experience,
            citations=self.citations.all,
            generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
        )


def compose(context: MentoringContext, retrieved: Retrieved) -> DecisionFramework:
    """A framework for the mentee's decision, grounded in the decision-templates bank."""
    return _Composer(context, retrieved).compose()

"""Matching benchmark: a seeded synthetic pool with planted "right" mentors, through the real service.

    python bench/matching.py                    # 200 mentors, 500 mentees; 1,000 mentors for latency
    python bench/matching.py --seed 7 --repeats 5

Builds a throwaway data dir (SQLite, embedded Chroma, all-MiniLM-L6-v2), stores the people through
`companion.people` (which embeds each record once) and indexes one shared experience note per mentor.
Each mentee is written for one planted mentor: goals and challenges in the words of that mentor's
niche (never the mentor's own phrases), most of their interests, one of their languages and a time
zone in their region. Other mentors of the same niche compete for the same mentee, so the planted
one is findable but not trivially so.

Prints top-1 and top-5 accuracy of the planted mentor, the cohort's total fit against a greedy
baseline on the same scores, the latency of one mentee's suggestions against 1,000 mentors
(median and p95 over the mentees and repeats) and of a 500 x 200 cohort (median over repeats).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion import access, matching  # noqa: E402
from companion.config import Settings  # noqa: E402
from companion.memory.people import StoredVectors  # noqa: E402
from companion.memory.schemas import CohortRequest, MatchRequest, MenteeCreate, MentorCreate  # noqa: E402
from companion.service import Companion  # noqa: E402


@dataclass(frozen=True)
class Niche:
    expertise: tuple[str, ...]
    """What a mentor of this niche writes about themself."""
    goals: tuple[str, ...]
    """What a mentee who needs this niche writes (other words for the same thing)."""
    challenges: tuple[str, ...]
    story: str
    """The mentor's shared experience note."""


NICHES = (
    Niche(
        ("seed fundraising", "pitching to angel investors"),
        ("raise our first seed round", "find angel investors for my startup"),
        ("I freeze when investors ask hard questions", "our pitch deck is weak"),
        "I raised two seed rounds; the deck mattered less than rehearsing answers to investor questions.",
    ),
    Niche(
        ("B2B enterprise sales", "closing large contracts"),
        ("sell to enterprise customers", "close our first six-figure deal"),
        ("long procurement cycles stall our deals", "I don't know how to negotiate with purchasing"),
        "Selling to banks taught me to map every stakeholder before the first demo.",
    ),
    Niche(
        ("product discovery", "customer interviews"),
        ("learn what customers really need", "run better user interviews"),
        ("we build features nobody uses", "I lead interviews with leading questions"),
        "We stopped building for a quarter and interviewed forty customers; the roadmap changed completely.",
    ),
    Niche(
        ("engineering management", "growing software teams"),
        ("become a good engineering manager", "grow my team from five to twenty engineers"),
        ("my one-on-ones feel pointless", "senior engineers keep leaving"),
        "My first year managing engineers I kept coding; delegating the hard tickets was the real job.",
    ),
    Niche(
        ("machine learning in production", "MLOps"),
        ("deploy our machine learning models reliably", "move models from notebooks to production"),
        ("our models drift and nobody notices", "data pipelines break every week"),
        "We lost a month to silent model drift before we built monitoring on every feature.",
    ),
    Niche(
        ("UX design", "design systems"),
        ("build a consistent design system", "improve the usability of our app"),
        ("every screen looks different", "developers ignore the designs"),
        "A small shared component library did more for consistency than any style guide.",
    ),
    Niche(
        ("career change into tech", "breaking into software engineering"),
        ("switch careers into software development", "land my first developer job"),
        ("I have no computer science degree", "recruiters ignore my applications"),
        "I moved from teaching to programming at thirty-five; a portfolio of small real projects opened doors.",
    ),
    Niche(
        ("public speaking", "conference talks"),
        ("speak confidently at conferences", "give my first keynote"),
        ("stage fright before presentations", "my talks run over time"),
        "My first talk was a disaster; rehearsing with a timer in front of two colleagues fixed most of it.",
    ),
    Niche(
        ("nonprofit leadership", "grant writing"),
        ("secure grants for our charity", "lead a nonprofit organisation"),
        ("donors lose interest after one gift", "our board is disengaged"),
        "Turning one-off donors into monthly givers changed our charity's budget more than any grant.",
    ),
    Niche(
        ("marketing for startups", "growth and acquisition"),
        ("grow our user base cheaply", "find a marketing channel that works"),
        ("paid ads burn our budget", "nobody opens our newsletters"),
        "Our best channel was a partnership with a tool our users already loved, not ads.",
    ),
    Niche(
        ("financial planning for founders", "startup finance and runway"),
        ("manage our startup's cash runway", "build a financial model for the business"),
        ("we keep running out of money unexpectedly", "I can't read a balance sheet"),
        "A weekly thirteen-week cash forecast saved our company twice.",
    ),
    Niche(
        ("work-life balance", "avoiding burnout"),
        ("stop working every weekend", "recover from burnout"),
        ("I feel exhausted all the time", "I can't say no to extra work"),
        "I burned out in my second startup; boundaries on evenings came before any productivity trick.",
    ),
    Niche(
        ("cybersecurity", "security engineering"),
        ("secure our cloud infrastructure", "pass a security audit"),
        ("we had a data breach scare", "nobody owns security in the team"),
        "Our first penetration test found issues in an hour; threat modelling every new feature became routine.",
    ),
    Niche(
        ("data analytics", "business intelligence dashboards"),
        ("make decisions from our data", "set up useful business dashboards"),
        ("our metrics contradict each other", "nobody trusts the numbers"),
        "Agreeing on one definition of an active user ended months of arguments about dashboards.",
    ),
    Niche(
        ("hardware startups", "manufacturing and supply chain"),
        ("manufacture our first hardware product", "find a reliable factory"),
        ("production delays and defects", "component shortages stop our line"),
        "Visiting the factory floor in Shenzhen showed me problems no email ever mentioned.",
    ),
    Niche(
        ("negotiating salary", "career progression in large companies"),
        ("get promoted to senior level", "negotiate a better salary"),
        ("my manager never notices my work", "I accept the first offer every time"),
        "I doubled my salary over two job changes by always asking for the range first.",
    ),
    Niche(
        ("academic research careers", "publishing papers"),
        ("publish in a top journal", "get a tenure-track position"),
        ("my papers keep getting rejected", "I struggle to find research funding"),
        "After twelve rejections I learned to write the abstract first and the paper around it.",
    ),
    Niche(
        ("open source community building", "developer relations"),
        ("grow an open source community", "attract contributors to my project"),
        ("issues pile up with no help", "contributors leave after one pull request"),
        "Labelling good first issues and answering within a day tripled our contributors.",
    ),
    Niche(
        ("healthcare technology", "medical device regulation"),
        ("bring a digital health product to market", "navigate medical regulations"),
        ("regulatory approval takes forever", "hospitals won't pilot our product"),
        "Our CE marking took eighteen months; involving a regulatory consultant early would have halved it.",
    ),
    Niche(
        ("e-commerce operations", "online retail"),
        ("scale our online shop", "reduce returns in e-commerce"),
        ("shipping costs eat our margin", "customers abandon their carts"),
        "Free returns looked expensive until we saw the conversion rate double.",
    ),
)
INTERESTS = (
    "climbing", "jazz", "chess", "cycling", "photography", "cooking", "hiking", "running", "poetry", "gardening",
    "board games", "sailing", "painting", "yoga", "football", "piano", "birdwatching", "travel", "film", "baking",
)  # fmt: skip
REGIONS = (
    ("en", ("Europe/London", "Europe/Dublin", "Europe/Lisbon")),
    ("de", ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich")),
    ("es", ("Europe/Madrid", "America/Mexico_City", "America/Bogota")),
    ("pt", ("America/Sao_Paulo", "Europe/Lisbon")),
    ("ja", ("Asia/Tokyo",)),
    ("en", ("America/New_York", "America/Chicago", "America/Los_Angeles")),
    ("en", ("Asia/Singapore", "Australia/Sydney")),
)


def make_mentor(rng: random.Random, index: int, prefix: str) -> tuple[MentorCreate, int]:
    niche_index = rng.randrange(len(NICHES))
    niche = NICHES[niche_index]
    second = NICHES[rng.randrange(len(NICHES))]
    language, zones = rng.choice(REGIONS)
    languages = [language] if language == "en" else [language, "en"]
    mentor = MentorCreate(
        person_id=f"{prefix}mentor-{index:04d}",
        name=f"Mentor {index}",
        expertise=[*niche.expertise, second.expertise[0]],
        experience=f"{rng.randint(5, 25)} years of experience.",
        interests=rng.sample(INTERESTS, 3),
        languages=languages,
        time_zone=rng.choice(zones),
        capacity=rng.randint(1, 4),
    )
    return mentor, niche_index


def make_mentee(rng: random.Random, index: int, mentor: MentorCreate, niche: Niche) -> MenteeCreate:
    zones = next(z for lang, z in REGIONS if mentor.time_zone in z)
    interests = rng.sample(mentor.interests, 2) + rng.sample(INTERESTS, 1)
    return MenteeCreate(
        person_id=f"mentee-{index:04d}",
        name=f"Mentee {index}",
        goals=[rng.choice(niche.goals)],
        challenges=[rng.choice(niche.challenges)],
        interests=list(dict.fromkeys(interests)),
        languages=[mentor.languages[0]],
        time_zone=rng.choice(zones),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument("--latency-mentors", type=int, default=1000)
    parser.add_argument("--latency-mentees", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    data_dir = Path(tempfile.mkdtemp(prefix="companion-bench-matching-"))
    companion = Companion(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    companion.upgrade_database()
    pool, scale = access.operator("pool"), access.operator("scale")
    started = time.perf_counter()

    def build(caller: access.Caller, count: int, prefix: str) -> list[tuple[MentorCreate, int]]:
        made = [make_mentor(rng, i, prefix) for i in range(count)]
        bulk_create(caller, [mentor for mentor, _ in made])
        notes = "\n".join(
            json.dumps({"id": f"note-{m.person_id}", "title": "How I learned it", "text": NICHES[n].story,
                        "author": m.person_id, "tenant": caller.tenant})
            for m, n in made
        )  # fmt: skip
        report = companion.add_document(
            data=notes.encode(), name="notes.jsonl", source=f"{caller.tenant}-notes", tenant=caller.tenant
        )
        assert not report.failures, report.failures
        return made

    def bulk_create(caller: access.Caller, records: Sequence[MentorCreate | MenteeCreate]) -> None:
        """What `create_mentor` / `create_mentee` store, with every record's phrases embedded in one batch."""
        phrases = [
            matching.mentor_phrases(r) if isinstance(r, MentorCreate) else matching.mentee_needs(r.goals, r.challenges)
            for r in records
        ]
        vectors = companion.embedder.embed([text for group in phrases for _, text in group])
        start = 0
        for record, group in zip(records, phrases, strict=True):
            rows = vectors[start : start + len(group)]
            start += len(group)
            stored = StoredVectors(rows.astype("float32").tobytes(), companion.embedder.model_id)
            companion.people_store.create(caller.tenant, record, stored)

    mentors = build(pool, args.mentors, "")
    planted: dict[str, str] = {}
    pool_mentees = []
    for index in range(args.mentees):
        mentor, niche = mentors[rng.randrange(len(mentors))]
        pool_mentees.append(make_mentee(rng, index, mentor, NICHES[niche]))
        planted[pool_mentees[-1].person_id] = mentor.person_id
    bulk_create(pool, pool_mentees)
    scale_mentors = build(scale, args.latency_mentors, "s")
    scale_mentees = []
    for index in range(args.latency_mentees):
        mentor, niche = scale_mentors[rng.randrange(len(scale_mentors))]
        scale_mentees.append(make_mentee(rng, index, mentor, NICHES[niche]))
    bulk_create(scale, scale_mentees)
    setup = time.perf_counter() - started

    top1 = top5 = 0
    for mentee_id, right in planted.items():
        found = [m.mentor_id for m in companion.people.suggest_mentors(pool, MatchRequest(mentee_id=mentee_id)).matches]
        top1 += found[:1] == [right]
        top5 += right in found[:5]

    latencies = []
    for _ in range(args.repeats):
        for mentee_id in (m.person_id for m in scale_mentees):
            began = time.perf_counter()
            companion.people.suggest_mentors(scale, MatchRequest(mentee_id=mentee_id, k=5))
            latencies.append((time.perf_counter() - began) * 1000)

    request = CohortRequest(mentee_ids=sorted(planted), mentor_ids=[m.person_id for m, _ in mentors])
    cohort_seconds = []
    for _ in range(args.repeats):
        began = time.perf_counter()
        cohort = companion.people.match_cohort(pool, request)
        cohort_seconds.append(time.perf_counter() - began)
    table = companion.people.cohort_scores(pool, request)
    greedy = matching.assign_greedy(table.scores, table.places)
    optimal = matching.assign_cohort(table.scores, table.places)
    planted_in_cohort = sum(planted[p.mentee_id] == p.mentor_id for p in cohort.pairs)

    rows = [
        ("pool", f"{args.mentors} mentors, {args.mentees} mentees (seed {args.seed}); setup {setup:.0f} s"),
        ("top-1 accuracy of the planted mentor", f"{top1 / len(planted):.1%}"),
        ("top-5 accuracy of the planted mentor", f"{top5 / len(planted):.1%}"),
        (
            "cohort total fit (assignment / greedy)",
            f"{optimal.total:.2f} / {greedy.total:.2f} ({(optimal.total / greedy.total - 1):+.2%}), "
            f"{len(optimal.pairs)} / {len(greedy.pairs)} matched of {args.mentees}, {sum(table.places)} places",
        ),
        ("cohort pairs with the planted mentor", f"{planted_in_cohort} of {len(cohort.pairs)}"),
        (
            f"one mentee vs {args.latency_mentors} mentors (ms)",
            f"median {statistics.median(latencies):.1f}, p95 {percentile(latencies, 0.95):.1f} "
            f"({len(latencies)} runs; target p95 <= 200)",
        ),
        (
            f"cohort {args.mentees} x {args.mentors} (s)",
            f"median {statistics.median(cohort_seconds):.2f}, max {max(cohort_seconds):.2f} "
            f"({args.repeats} runs; target <= 10)",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure':<{width}} | value |\n| {'-' * width} | --- |")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()

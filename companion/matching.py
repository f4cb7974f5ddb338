"""Fit between mentees and mentors: a score in [0, 1] made of parts, each with its reason and evidence.

The parts:

- **expertise**: how well the mentor's expertise phrases, experience sentences and *shared* notes cover
  the mentee's goals and challenges. Every need is compared with every phrase and note by cosine
  similarity of their embeddings; a need counts as covered in proportion to its best match
  (SIMILARITY_FLOOR or less counts nothing, SIMILARITY_FULL and above count fully), and the part is the mean
  over the needs. The notes come from the retriever under the same filters as a search that may not
  read private notes, so a private note can neither be cited nor move a score.
- **interests**: the share of the mentee's interests (up to three) the mentor shares.
- **language**: 1 when the mentor speaks the mentee's first language, 0.6 for another shared one.
- **time_zone**: the overlap of their working hours (09:00-18:00 local), in January and in July.
- **capacity**: the share of the mentor's places still free.

A part that cannot be judged (no language or time zone given) scores 0.5, so it moves no mentor
ahead of another. The total is the weighted mean of the parts, with the weights from the settings.

Everything here is arithmetic on records and vectors given to it; `companion.people` loads them for
a caller under the access policy. Scores of many mentees against many mentors are one matrix
product (`score_matrix`), and a cohort is assigned with the Hungarian algorithm over columns
repeated once per free place (`assign_cohort`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from scipy.optimize import linear_sum_assignment

from companion.memory.schemas import MatchEvidence, MatchPart, MentorFields, MentorMatch, MentorPublic
from companion.retrieval.catalog import ChunkRecord
from companion.schemas import Citation

SIMILARITY_FLOOR = 0.20
"""Cosine similarity (all-MiniLM-L6-v2) at or below which a need is not covered at all: unrelated phrases."""
SIMILARITY_FULL = 0.60
"""Cosine similarity from which a need counts as fully covered: the same topic in other words."""
WELL_COVERED = 0.5
"""A need whose best match covers at least this much is called well covered in the reason."""
WORK_HOURS = 9.0
"""Length of the working day (09:00-18:00 local) whose overlap the time-zone part measures."""
REFERENCE_INSTANTS = (
    dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC),
    dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC),
)
"""UTC offsets are read in January and July, so daylight saving on either side is counted, and the
score of a pair does not change with the day it is asked."""
NEUTRAL = 0.5
"""The score of a part that cannot be judged: it moves no mentor ahead of another."""
INTEREST_TARGET = 3
"""Sharing this many of the mentee's interests (or all, if they named fewer) scores 1."""
OTHER_LANGUAGE = 0.6
"""A shared language that is not the mentee's first choice."""
MENTEE_BLOCK = 256
"""Mentees scored per matrix product, which bounds memory for large cohorts."""
FORBIDDEN = -1e6
"""The assignment's value of a pair that may not be made (a person with themself)."""
PARTS = ("expertise", "interests", "language", "time_zone", "capacity")


# --------------------------------------------------------------------------------------
# The two sides
# --------------------------------------------------------------------------------------
def sentences(text: str | None, limit: int = 10) -> list[str]:
    """A summary as sentences, each one a phrase that evidence can quote."""
    return list(_sentences(text or "", limit))


@lru_cache(maxsize=16384)
def _sentences(text: str, limit: int) -> tuple[str, ...]:
    found = [s.strip() for s in re.split(r"(?<=[.!?;])\s+|\n+", text) if len(s.strip()) > 2]
    return tuple(found[:limit])


def mentor_phrases(record: MentorFields) -> list[tuple[str, str]]:
    """(kind, text) of what a mentor record offers: each expertise phrase, each experience sentence."""
    return [("expertise", e) for e in record.expertise] + [("experience", s) for s in sentences(record.experience)]


def mentee_needs(goals: Sequence[str], challenges: Sequence[str]) -> list[tuple[str, str]]:
    return [("goal", g) for g in goals] + [("challenge", c) for c in challenges]


@dataclass
class MentorSide:
    record: MentorPublic
    phrases: list[tuple[str, str]]
    vectors: np.ndarray
    notes: list[ChunkRecord] = field(default_factory=list)
    note_vectors: np.ndarray | None = None

    @property
    def person_id(self) -> str:
        return self.record.person_id

    def columns(self, dimension: int) -> np.ndarray:
        """Phrase and note vectors as rows, phrases first."""
        parts = [self.vectors.reshape(-1, dimension)]
        if self.note_vectors is not None and len(self.notes):
            parts.append(self.note_vectors.reshape(-1, dimension))
        return np.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]

    def column_label(self, index: int) -> tuple[str, str, Citation | None]:
        if index < len(self.phrases):
            kind, text = self.phrases[index]
            return kind, text, None
        note = self.notes[index - len(self.phrases)]
        citation = Citation(chunk_id=note.chunk_id, source=note.source, title=note.title, heading=note.heading)
        label = f"{note.title} — {note.heading}" if note.heading and note.heading != note.title else note.title
        return "note", label, citation


@dataclass
class MenteeSide:
    person_id: str | None
    name: str
    needs: list[tuple[str, str]]
    vectors: np.ndarray
    interests: list[str]
    languages: list[str]
    time_zone: str | None


# --------------------------------------------------------------------------------------
# Parts other than expertise
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


@lru_cache(maxsize=65536)
def _keys(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_norm(v) for v in values)


def shared_interests(mentee: MenteeSide, mentor: MentorPublic) -> list[str]:
    offered = _keys(tuple(mentor.interests))
    return [i for i in mentee.interests if _norm(i) in offered]


def interests_score(mentee: MenteeSide, mentor: MentorPublic) -> float:
    if not mentee.interests:
        return 0.0
    return min(1.0, len(shared_interests(mentee, mentor)) / min(INTEREST_TARGET, len(mentee.interests)))


def interests_part(mentee: MenteeSide, mentor: MentorPublic) -> tuple[float, str, list[MatchEvidence]]:
    shared = shared_interests(mentee, mentor)
    if not mentee.interests:
        return 0.0, "the mentee named no interests", []
    score = interests_score(mentee, mentor)
    evidence = [MatchEvidence(need=i, matched=i, kind="interest") for i in shared]
    if not shared:
        return 0.0, "no interests in common", []
    return score, f"shares {len(shared)} of the mentee's interests: {', '.join(shared)}", evidence


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0]


@lru_cache(maxsize=65536)
def _spoken(tags: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_primary(tag) for tag in tags)


def language_score(mentee: MenteeSide, mentor: MentorPublic) -> float:
    if not mentee.languages or not mentor.languages:
        return NEUTRAL
    spoken = _spoken(tuple(mentor.languages))
    if _primary(mentee.languages[0]) in spoken:
        return 1.0
    return OTHER_LANGUAGE if any(_primary(tag) in spoken for tag in mentee.languages[1:]) else 0.0


def language_part(mentee: MenteeSide, mentor: MentorPublic) -> tuple[float, str, list[MatchEvidence]]:
    if not mentee.languages or not mentor.languages:
        return NEUTRAL, "languages unknown for " + ("the mentee" if not mentee.languages else "the mentor"), []
    spoken = {_primary(tag) for tag in mentor.languages}
    first = mentee.languages[0]
    if _primary(first) in spoken:
        return (
            1.0,
            f"both speak {first}, the mentee's first language",
            [MatchEvidence(need=first, matched=first, kind="language")],
        )
    shared = [tag for tag in mentee.languages[1:] if _primary(tag) in spoken]
    if shared:
        return (
            OTHER_LANGUAGE,
            f"both speak {shared[0]} (the mentee prefers {first})",
            [MatchEvidence(need=shared[0], matched=shared[0], kind="language")],
        )
    return (
        0.0,
        f"no language in common (mentee: {', '.join(mentee.languages)}; mentor: {', '.join(mentor.languages)})",
        [],
    )


@lru_cache(maxsize=1024)
def utc_offsets(time_zone: str) -> tuple[float, ...]:
    zone = ZoneInfo(time_zone)
    return tuple(
        (instant.astimezone(zone).utcoffset() or dt.timedelta()).total_seconds() / 3600
        for instant in REFERENCE_INSTANTS
    )


@lru_cache(maxsize=65536)
def working_hours_overlap(a: str, b: str) -> float:
    """Hours of 09:00-18:00 the two share on a working day, averaged over January and July."""
    hours = []
    for offset_a, offset_b in zip(utc_offsets(a), utc_offsets(b), strict=True):
        gap = abs(offset_a - offset_b) % 24
        gap = min(gap, 24 - gap)
        hours.append(max(0.0, WORK_HOURS - gap))
    return sum(hours) / len(hours)


def time_zone_score(mentee: MenteeSide, mentor: MentorPublic) -> float:
    if mentee.time_zone is None or mentor.time_zone is None:
        return NEUTRAL
    return working_hours_overlap(mentee.time_zone, mentor.time_zone) / WORK_HOURS


def time_zone_part(mentee: MenteeSide, mentor: MentorPublic) -> tuple[float, str, list[MatchEvidence]]:
    if mentee.time_zone is None or mentor.time_zone is None:
        return NEUTRAL, "time zone unknown for " + ("the mentee" if mentee.time_zone is None else "the mentor"), []
    hours = working_hours_overlap(mentee.time_zone, mentor.time_zone)
    evidence = [MatchEvidence(need=mentee.time_zone, matched=mentor.time_zone, kind="time_zone")]
    return (
        hours / WORK_HOURS,
        f"{hours:g} of 9 working hours overlap ({mentee.time_zone} and {mentor.time_zone})",
        evidence,
    )


def capacity_score(mentor: MentorPublic) -> float:
    return mentor.remaining_capacity / mentor.capacity if mentor.capacity else 0.0


def capacity_part(mentor: MentorPublic) -> tuple[float, str, list[MatchEvidence]]:
    left = mentor.remaining_capacity
    reason = f"{left} of {mentor.capacity} places free ({mentor.active_mentees} active mentorships)"
    return (
        capacity_score(mentor),
        reason,
        [MatchEvidence(need="a free place", matched=f"{left} of {mentor.capacity}", kind="capacity")],
    )


# --------------------------------------------------------------------------------------
# Expertise: one matrix product for many mentees and mentors
# --------------------------------------------------------------------------------------
def coverage(similarity: np.ndarray) -> np.ndarray:
    """How much of a need a match covers, from its cosine similarity."""
    return np.clip((similarity - SIMILARITY_FLOOR) / (SIMILARITY_FULL - SIMILARITY_FLOOR), 0.0, 1.0)


def expertise_matrix(mentees: Sequence[MenteeSide], mentors: Sequence[MentorSide], dimension: int) -> np.ndarray:
    """(mentees x mentors) expertise part: per need the best covering phrase or note of each mentor, then
    the mean over the mentee's needs (NEUTRAL for a mentee with none)."""
    result = np.full((len(mentees), len(mentors)), NEUTRAL, dtype=np.float64)
    columns = [m.columns(dimension) for m in mentors]
    counts = np.array([len(c) for c in columns])
    has_columns = counts > 0
    if not has_columns.any():
        result[:, :] = 0.0
        for i, mentee in enumerate(mentees):
            if not mentee.needs:
                result[i, :] = NEUTRAL
        return result
    matrix = np.concatenate([c for c in columns if len(c)], axis=0).astype(np.float32)
    starts = np.concatenate([[0], np.cumsum(counts[has_columns])[:-1]])
    for block in range(0, len(mentees), MENTEE_BLOCK):
        group = [(i, m) for i, m in enumerate(mentees[block : block + MENTEE_BLOCK], start=block) if m.needs]
        if not group:
            continue
        queries = np.concatenate([m.vectors.reshape(-1, dimension) for _, m in group], axis=0).astype(np.float32)
        best = np.maximum.reduceat(coverage(queries @ matrix.T), starts, axis=1)  # needs x mentors with columns
        per_need = np.zeros((len(queries), len(mentors)), dtype=np.float64)
        per_need[:, has_columns] = best
        need_counts = np.array([len(m.needs) for _, m in group])
        row_starts = np.concatenate([[0], np.cumsum(need_counts)[:-1]])
        means = np.add.reduceat(per_need, row_starts, axis=0) / need_counts[:, None]
        result[[i for i, _ in group], :] = means
    return result


def expertise_part(mentee: MenteeSide, mentor: MentorSide, dimension: int) -> tuple[float, str, list[MatchEvidence]]:
    """The same part as `expertise_matrix` gives for one pair, with the match behind each need."""
    if not mentee.needs:
        return NEUTRAL, "the mentee named no goals or challenges to compare", []
    columns = mentor.columns(dimension)
    if not len(columns):
        return 0.0, "the mentor lists no expertise, experience or shared notes", []
    similarity = mentee.vectors.reshape(-1, dimension).astype(np.float32) @ columns.astype(np.float32).T
    fits = coverage(similarity)
    evidence: list[MatchEvidence] = []
    uncovered: list[str] = []
    for row, (_, need) in enumerate(mentee.needs):
        column = int(np.argmax(fits[row] if fits[row].max() > 0 else similarity[row]))
        if fits[row, column] <= 0:
            uncovered.append(need)
            continue
        kind, matched, citation = mentor.column_label(column)
        evidence.append(
            MatchEvidence(
                need=need,
                matched=matched,
                kind=kind,  # type: ignore[arg-type]
                similarity=round(float(similarity[row, column]), 4),
                citation=citation,
            )
        )
    score = float(fits.max(axis=1).mean())
    well = int((fits.max(axis=1) >= WELL_COVERED).sum())
    partly = len(mentee.needs) - len(uncovered) - well
    reason = f"covers {well} of {len(mentee.needs)} goals and challenges well" + (
        f", {partly} partly" if partly else ""
    )
    if evidence:
        top = max(evidence, key=lambda e: e.similarity or 0.0)
        reason += f"; closest: {top.need!r} and {top.kind} {top.matched!r}"
    if uncovered:
        reason += f"; not covered: {', '.join(repr(u) for u in uncovered)}"
    return score, reason, evidence


# --------------------------------------------------------------------------------------
# Totals, explanations, rankings, cohorts
# --------------------------------------------------------------------------------------
def _weights(weights: dict[str, float]) -> tuple[np.ndarray, float]:
    vector = np.array([weights[p] for p in PARTS], dtype=np.float64)
    return vector, float(vector.sum())


def score_matrix(
    mentees: Sequence[MenteeSide], mentors: Sequence[MentorSide], weights: dict[str, float], dimension: int
) -> np.ndarray:
    """(mentees x mentors) total fit in [0, 1], rounded to 6 places (so ties are ties); a person is never
    matched with themself (-1)."""
    w, total = _weights(weights)
    expertise = expertise_matrix(mentees, mentors, dimension)
    capacity = np.array([capacity_score(m.record) for m in mentors])
    scores = w[0] * expertise + w[4] * capacity[None, :]
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            scores[i, j] += (
                w[1] * interests_score(mentee, mentor.record)
                + w[2] * language_score(mentee, mentor.record)
                + w[3] * time_zone_score(mentee, mentor.record)
            )
    scores = np.round(scores / total, 6)
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            if mentee.person_id is not None and mentee.person_id == mentor.person_id:
                scores[i, j] = -1.0
    return scores


def explain(mentee: MenteeSide, mentor: MentorSide, weights: dict[str, float], dimension: int) -> MentorMatch:
    """One pair's score with every part, its reason and its evidence."""
    found = {
        "expertise": expertise_part(mentee, mentor, dimension),
        "interests": interests_part(mentee, mentor.record),
        "language": language_part(mentee, mentor.record),
        "time_zone": time_zone_part(mentee, mentor.record),
        "capacity": capacity_part(mentor.record),
    }
    parts = [
        MatchPart(name=name, score=round(score, 4), weight=weights[name], reason=reason, evidence=evidence)  # type: ignore[arg-type]
        for name, (score, reason, evidence) in found.items()
    ]
    total = sum(weights[name] * found[name][0] for name in PARTS) / sum(weights.values())
    return MentorMatch(
        mentor_id=mentor.person_id,
        name=mentor.record.name,
        score=round(total, 4),
        remaining_capacity=mentor.record.remaining_capacity,
        parts=parts,
    )


def rank(scores: np.ndarray, mentors: Sequence[MentorSide], k: int) -> list[int]:
    """Indexes of the k best mentors: highest score first, equal scores by person id."""
    order = sorted((j for j in range(len(mentors)) if scores[j] >= 0), key=lambda j: (-scores[j], mentors[j].person_id))
    return order[:k]


@dataclass(frozen=True)
class Assignment:
    pairs: list[tuple[int, int]]
    """(mentee index, mentor index), in mentee order."""
    unmatched: list[int]
    total: float


def assign_cohort(scores: np.ndarray, places: Sequence[int]) -> Assignment:
    """The pairs of highest total fit that give no mentor more mentees than their free places.

    Each mentor's column is repeated once per free place (at most once per mentee), and
    `linear_sum_assignment` picks the best one-to-one assignment of mentees to places. The input order
    decides between equally good assignments, so the same input gives the same pairs."""
    rows = scores.shape[0]
    columns = [j for j, free in enumerate(places) for _ in range(min(int(free), rows))]
    if not columns or rows == 0:
        return Assignment([], list(range(rows)), 0.0)
    expanded = scores[:, columns]
    value = np.where(expanded < 0, FORBIDDEN, expanded)
    mentee_rows, place_columns = linear_sum_assignment(value, maximize=True)
    pairs = [(int(i), columns[int(c)]) for i, c in zip(mentee_rows, place_columns, strict=True) if expanded[i, c] >= 0]
    matched = {i for i, _ in pairs}
    total = float(sum(scores[i, j] for i, j in pairs))
    return Assignment(sorted(pairs), [i for i in range(rows) if i not in matched], total)


def assign_greedy(scores: np.ndarray, places: Sequence[int]) -> Assignment:
    """The baseline: each mentee in turn takes the best mentor who still has a place."""
    free = [int(p) for p in places]
    pairs = []
    for i in range(scores.shape[0]):
        options = [j for j in range(scores.shape[1]) if free[j] > 0 and scores[i, j] >= 0]
        if options:
            best = max(options, key=lambda j: (scores[i, j], -j))
            free[best] -= 1
            pairs.append((i, best))
    matched = {i for i, _ in pairs}
    return Assignment(
        pairs, [i for i in range(scores.shape[0]) if i not in matched], float(sum(scores[i, j] for i, j in pairs))
    )

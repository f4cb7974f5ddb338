"""The people use cases behind the service: mentor and mentee records, suggested mentors and cohorts,
each run for a `Caller` under the access policy (`companion.access`).

Routers and the CLI are thin adapters over this module. A record the caller may not read answers
NotFound exactly like a missing one; a key that may never do something gets Forbidden first, before
any id is looked up, so its answer says nothing about which ids exist.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from companion import access, matching
from companion.access import Caller
from companion.matching import MenteeSide, MentorSide
from companion.memory.errors import InvalidMemoryRequest, NotFound
from companion.memory.people import MenteeRow, MentorRow, PeopleRepository, StoredVectors
from companion.memory.schemas import (
    CohortPair,
    CohortRequest,
    CohortResponse,
    CohortUnmatched,
    MatchRequest,
    MatchResponse,
    MenteeCreate,
    MenteeFields,
    MenteePublic,
    MenteeUpdate,
    MentorCreate,
    MentorPublic,
    MentorRequestCreate,
    MentorRequestPublic,
    MentorshipCreate,
    MentorUpdate,
)
from companion.retrieval.retriever import SearchFilters

if TYPE_CHECKING:
    from companion.service import Companion

DIRECTORY_CACHE_TENANTS = 32
"""Tenants whose mentor directory (records, phrase and note vectors) is kept in memory between matches."""
NOTE_LIMIT = 50_000
"""Most shared note chunks of the chosen mentors that one match reads (a refusal beyond it, never a cut)."""


@dataclass(frozen=True)
class CohortScores:
    mentees: list[MenteeSide]
    mentors: list[MentorSide]
    scores: np.ndarray
    places: list[int]


class People:
    def __init__(self, companion: Companion) -> None:
        self.companion = companion
        self._directories: dict[str, tuple[tuple[object, ...], list[MentorSide]]] = {}
        self._lock = threading.Lock()

    @property
    def store(self) -> PeopleRepository:
        return self.companion.people_store

    # -- records ---------------------------------------------------------------------------
    def create_mentor(self, caller: Caller, data: MentorCreate) -> MentorPublic:
        access.require_people_manager(caller, "create mentor records")
        record = self.store.create(caller.tenant, data, self._embed(matching.mentor_phrases(data)))
        assert isinstance(record, MentorPublic)
        return record

    def create_mentee(self, caller: Caller, data: MenteeCreate) -> MenteePublic:
        access.require_people_manager(caller, "create mentee records")
        record = self.store.create(caller.tenant, data, self._embed(_needs_of(data)))
        assert isinstance(record, MenteePublic)
        return record

    def update_mentor(self, caller: Caller, person_id: str, change: MentorUpdate) -> MentorPublic:
        access.require_people_manager(caller, "change mentor records")
        current = self.store.get_mentor(caller.tenant, person_id).record
        changed = current.model_copy(update=change.model_dump(exclude_unset=True))
        phrases_changed = matching.mentor_phrases(changed) != matching.mentor_phrases(current)
        vectors = self._embed(matching.mentor_phrases(changed)) if phrases_changed else None
        record = self.store.update(caller.tenant, "mentor", person_id, change, vectors)
        assert isinstance(record, MentorPublic)
        return record

    def update_mentee(self, caller: Caller, person_id: str, change: MenteeUpdate) -> MenteePublic:
        access.require_people_manager(caller, "change mentee records")
        current = self.store.get_mentee(caller.tenant, person_id).record
        changed = current.model_copy(update=change.model_dump(exclude_unset=True))
        vectors = self._embed(_needs_of(changed)) if _needs_of(changed) != _needs_of(current) else None
        record = self.store.update(caller.tenant, "mentee", person_id, change, vectors)
        assert isinstance(record, MenteePublic)
        return record

    def list_mentors(self, caller: Caller) -> list[MentorPublic]:
        return [
            row.record
            for row in self.store.mentors(caller.tenant)
            if access.may_read_mentor_record(caller, row.record.person_id)
        ]

    def list_mentees(self, caller: Caller) -> list[MenteePublic]:
        """Every mentee record for managers; a person's own record for anyone else."""
        if caller.role in access.PEOPLE_MANAGERS:
            rows = self.store.mentees(caller.tenant)
        else:
            rows = self.store.mentees(caller.tenant, [caller.person_id] if caller.person_id else [])
        return [row.record for row in rows if access.may_read_mentee_record(caller, row.record.person_id)]

    def get_mentor(self, caller: Caller, person_id: str) -> MentorPublic:
        if not access.may_read_mentor_record(caller, person_id):
            raise NotFound("mentor", person_id)
        return self.store.get_mentor(caller.tenant, person_id).record

    def get_mentee(self, caller: Caller, person_id: str) -> MenteePublic:
        if not access.may_read_mentee_record(caller, person_id):
            raise NotFound("mentee", person_id)
        return self.store.get_mentee(caller.tenant, person_id).record

    def mentorship_with_profiles(self, caller: Caller, data: MentorshipCreate) -> MentorshipCreate:
        """A mentorship to start with `mentor_id` / `mentee_id` replaced by the stored records' profiles.
        A record the caller may not read is unknown to them, like a missing one."""
        if data.mentor_id is None and data.mentee_id is None:
            return data
        mentor, mentee = data.mentor, data.mentee
        try:
            if data.mentor_id is not None:
                mentor = self.get_mentor(caller, data.mentor_id).profile()
        except NotFound:
            raise InvalidMemoryRequest(
                f"mentor_id: no mentor record {data.mentor_id!r} in this tenant (create it with POST /v1/mentors)"
            ) from None
        try:
            if data.mentee_id is not None:
                mentee = self.get_mentee(caller, data.mentee_id).profile()
        except NotFound:
            raise InvalidMemoryRequest(
                f"mentee_id: no mentee record {data.mentee_id!r} in this tenant (create it with POST /v1/mentees)"
            ) from None
        assert mentor is not None and mentee is not None
        return MentorshipCreate.model_validate(
            {"mentor": mentor.model_dump(), "mentee": mentee.model_dump(), "goals": data.goals}
        )

    # -- matching --------------------------------------------------------------------------
    def suggest_mentors(self, caller: Caller, request: MatchRequest) -> MatchResponse:
        """The k mentors of the tenant that fit a mentee best, with a place left, each with its reasons."""
        if not access.may_suggest_mentors_for(caller, request.mentee_id):
            raise NotFound("mentee", str(request.mentee_id))
        if request.mentee_id is not None:
            mentee = self._mentee_sides(caller.tenant, [self.store.get_mentee(caller.tenant, request.mentee_id)])[0]
        else:
            assert request.mentee is not None
            mentee = self._profile_side(request.mentee)
        directory = [side for side in self._directory(caller.tenant) if side.person_id != request.mentee_id]
        mentors = [side for side in directory if side.record.remaining_capacity > 0]
        weights, dimension = self.companion.settings.match_weights, self.companion.embedder.dimension
        scores = matching.score_matrix([mentee], mentors, weights, dimension)[0]
        explained = [
            matching.explain(mentee, mentors[j], weights, dimension) for j in matching.rank(scores, mentors, request.k)
        ]
        explained.sort(key=lambda match: (-match.score, match.mentor_id))
        return MatchResponse(
            mentee_id=request.mentee_id,
            mentors_considered=len(mentors),
            mentors_full=len(directory) - len(mentors),
            matches=explained,
        )

    def cohort_scores(self, caller: Caller, request: CohortRequest) -> CohortScores:
        """The (mentees x mentors) fit of a cohort, both in person id order, and each mentor's free places."""
        access.require_people_manager(caller, "match a cohort")
        mentee_rows = self.store.mentees(caller.tenant, request.mentee_ids)
        _all_found("mentee", request.mentee_ids, [row.record.person_id for row in mentee_rows])
        mentor_rows = self.store.mentors(caller.tenant, request.mentor_ids)
        _all_found("mentor", request.mentor_ids, [row.record.person_id for row in mentor_rows])
        mentees = self._mentee_sides(caller.tenant, mentee_rows)
        mentors = self._mentor_sides(caller.tenant, mentor_rows)
        weights, dimension = self.companion.settings.match_weights, self.companion.embedder.dimension
        scores = matching.score_matrix(mentees, mentors, weights, dimension)
        return CohortScores(mentees, mentors, scores, [m.record.remaining_capacity for m in mentors])

    def match_cohort(self, caller: Caller, request: CohortRequest) -> CohortResponse:
        """Assign an intake at once: the pairs of highest total fit within every mentor's free places."""
        table = self.cohort_scores(caller, request)
        mentees, mentors, places = table.mentees, table.mentors, table.places
        weights, dimension = self.companion.settings.match_weights, self.companion.embedder.dimension
        assignment = matching.assign_cohort(table.scores, places)
        pairs = [
            CohortPair(
                mentee_id=mentees[i].person_id or "",
                **matching.explain(mentees[i], mentors[j], weights, dimension).model_dump(),
            )
            for i, j in assignment.pairs
        ]
        total_places = sum(places)
        unmatched = [
            CohortUnmatched(mentee_id=mentees[i].person_id or "", reason=_unmatched_reason(total_places, len(mentees)))
            for i in assignment.unmatched
        ]
        return CohortResponse(
            pairs=pairs,
            unmatched=unmatched,
            total_fit=round(sum(p.score for p in pairs), 4),
            places=total_places,
        )

    # -- mentor requests ------------------------------------------------------------------------
    def ask_for_mentor(self, caller: Caller, request: MentorRequestCreate) -> MentorRequestPublic:
        """A mentee asks for one mentor of the tenant; it needs their own mentee record and the mentor's."""
        mentee_id = access.require_mentor_request_asker(caller)
        self.get_mentee(caller, mentee_id)
        self.get_mentor(caller, request.mentor_id)
        if request.mentor_id == mentee_id:
            raise InvalidMemoryRequest("mentor_id: you cannot ask to be your own mentor")
        return self.store.ask_for_mentor(caller.tenant, mentee_id, request.mentor_id, request.message)

    def mentor_requests(self, caller: Caller) -> list[MentorRequestPublic]:
        """Every request of the tenant for its managers; a mentee's own for a mentee."""
        return self.store.mentor_requests(caller.tenant, access.mentor_request_scope(caller))

    # -- the two sides, with their vectors ------------------------------------------------------
    def _embed(self, phrases: Sequence[tuple[str, str]]) -> StoredVectors:
        embedder = self.companion.embedder
        vectors = embedder.embed([text for _, text in phrases]) if phrases else np.zeros((0, embedder.dimension))
        return StoredVectors(np.asarray(vectors, dtype=np.float32).tobytes(), embedder.model_id)

    def _decoded(self, stored: StoredVectors | None, rows: int) -> np.ndarray | None:
        """The stored vectors if this embedder made them for these phrases; None means embed again."""
        embedder = self.companion.embedder
        if stored is None or stored.model != embedder.model_id or len(stored.data) != rows * embedder.dimension * 4:
            return None
        return np.frombuffer(stored.data, dtype=np.float32).reshape(rows, embedder.dimension)

    def _vectors(
        self, tenant: str, role: str, items: list[tuple[str, list[tuple[str, str]], StoredVectors | None]]
    ) -> list[np.ndarray]:
        """Each item's vectors: stored ones where valid, the rest embedded in one call and stored back."""
        found = [self._decoded(stored, len(phrases)) for _, phrases, stored in items]
        stale = [i for i, vectors in enumerate(found) if vectors is None]
        if stale:
            texts = [text for i in stale for _, text in items[i][1]]
            embedded = np.asarray(self.companion.embedder.embed(texts), dtype=np.float32) if texts else None
            start, fresh = 0, {}
            for i in stale:
                count = len(items[i][1])
                rows = (
                    embedded[start : start + count]
                    if embedded is not None
                    else np.zeros((0, self.companion.embedder.dimension), dtype=np.float32)
                )
                start += count
                found[i] = rows
                fresh[items[i][0]] = StoredVectors(rows.tobytes(), self.companion.embedder.model_id)
            self.store.store_vectors(tenant, role, fresh)  # type: ignore[arg-type]
        return [vectors for vectors in found if vectors is not None]

    def _mentee_sides(self, tenant: str, rows: Sequence[MenteeRow]) -> list[MenteeSide]:
        needs = [_needs_of(row.record) for row in rows]
        vectors = self._vectors(
            tenant, "mentee", [(row.record.person_id, n, row.vectors) for row, n in zip(rows, needs, strict=True)]
        )
        return [_side(row.record, row.record.person_id, n, v) for row, n, v in zip(rows, needs, vectors, strict=True)]

    def _profile_side(self, profile: MenteeFields) -> MenteeSide:
        needs = _needs_of(profile)
        vectors = (
            self.companion.embedder.embed([text for _, text in needs])
            if needs
            else np.zeros((0, self.companion.embedder.dimension))
        )
        return _side(profile, None, needs, np.asarray(vectors, dtype=np.float32))

    def _directory(self, tenant: str) -> list[MentorSide]:
        """Every mentor of the tenant, ready to score, kept between requests until a record, an active
        mentorship, a note or the embedding model changes (asked of the database and the catalog each time)."""
        key = (
            self.store.directory_version(tenant),
            self.companion.catalog.generation(),
            self.companion.embedder.model_id,
        )
        with self._lock:
            cached = self._directories.get(tenant)
        if cached is not None and cached[0] == key:
            return cached[1]
        sides = self._mentor_sides(tenant, self.store.mentors(tenant))
        with self._lock:
            self._directories[tenant] = (key, sides)
            while len(self._directories) > DIRECTORY_CACHE_TENANTS:
                self._directories.pop(next(iter(self._directories)))
        return sides

    def _mentor_sides(self, tenant: str, rows: Sequence[MentorRow]) -> list[MentorSide]:
        """The mentors with their phrase vectors and their shared notes: only chunks they wrote, in this
        tenant, that a search without private access returns (never a mentor_private note)."""
        phrases = [matching.mentor_phrases(row.record) for row in rows]
        vectors = self._vectors(
            tenant, "mentor", [(row.record.person_id, p, row.vectors) for row, p in zip(rows, phrases, strict=True)]
        )
        sides = [MentorSide(row.record, p, v) for row, p, v in zip(rows, phrases, vectors, strict=True)]
        if not sides:
            return sides  # an empty `authors` filter would mean every author
        shared = access.matching_filters_author_only()
        filters = SearchFilters(
            tenant=tenant,
            authors=tuple(side.person_id for side in sides),
            allow_private=shared.allow_private,
            private_author=shared.private_author,
            include_global=False,
        )
        records, matrix = self.companion.retriever.visible_chunks(filters, NOTE_LIMIT)
        by_author: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            by_author.setdefault(str(record.meta.get("author") or ""), []).append(index)
        for side in sides:
            indexes = by_author.get(side.person_id, [])
            if indexes:
                side.notes = [records[i] for i in indexes]
                side.note_vectors = matrix[indexes]
        return sides


def _needs_of(profile: MenteeFields | MenteePublic) -> list[tuple[str, str]]:
    return matching.mentee_needs(profile.goals, profile.challenges)


def _side(
    profile: MenteeFields, person_id: str | None, needs: list[tuple[str, str]], vectors: np.ndarray
) -> MenteeSide:
    return MenteeSide(
        person_id=person_id,
        name=profile.name,
        needs=needs,
        vectors=vectors,
        interests=list(profile.interests),
        languages=list(profile.languages),
        time_zone=profile.time_zone,
    )


def _all_found(kind: str, wanted: Sequence[str], found: Sequence[str]) -> None:
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise NotFound(kind, missing[0])


def _unmatched_reason(places: int, mentees: int) -> str:
    if places == 0:
        return "none of the chosen mentors has a free place (all at capacity)"
    if mentees > places:
        return (
            f"the chosen mentors have {places} free places for {mentees} mentees; each went to a mentee "
            "whose fit made the cohort's total higher"
        )
    return "the only free places left are with this person as their own mentor"

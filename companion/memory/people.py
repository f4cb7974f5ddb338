"""Tenant-scoped reads and writes of mentor and mentee records.

Like the mentorship repository, every method takes the tenant first and filters by it in SQL, so a
person id of another tenant is NotFound exactly like one that was never stored. Who may call which
method is decided by `companion.access` in `companion.people`, not here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from companion.memory.db import Database
from companion.memory.errors import AlreadyExists, NotFound
from companion.memory.models import MentorRequest, Mentorship, Person
from companion.memory.repository import Clock, check_tenant, new_id, utc_now
from companion.memory.schemas import (
    MenteeCreate,
    MenteePublic,
    MenteeUpdate,
    MentorCreate,
    MentorPublic,
    MentorRequestPublic,
    MentorUpdate,
    record_fields,
)

log = logging.getLogger("companion.memory")

PersonRole = Literal["mentor", "mentee"]


@dataclass(frozen=True)
class StoredVectors:
    """The cached embedding of a record's matching phrases (float32 rows) and the model that made it."""

    data: bytes
    model: str


@dataclass(frozen=True)
class MentorRow:
    record: MentorPublic
    vectors: StoredVectors | None


@dataclass(frozen=True)
class MenteeRow:
    record: MenteePublic
    vectors: StoredVectors | None


class PeopleRepository:
    def __init__(self, database: Database, *, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    # -- writes ----------------------------------------------------------------------------
    def create(
        self, tenant: str, data: MentorCreate | MenteeCreate, vectors: StoredVectors | None
    ) -> MentorPublic | MenteePublic:
        check_tenant(tenant)
        role: PersonRole = "mentor" if isinstance(data, MentorCreate) else "mentee"
        now = self.clock()
        row = Person(
            id=new_id(),
            tenant=tenant,
            role=role,
            person_id=data.person_id,
            name=data.name,
            profile=record_fields(data),
            capacity=data.capacity if isinstance(data, MentorCreate) else None,
            vectors=vectors.data if vectors else None,
            vector_model=vectors.model if vectors else None,
            created_at=now,
            updated_at=now,
        )
        try:
            with self.database.write() as session:
                if session.scalar(_query(tenant, role, data.person_id)) is not None:
                    raise AlreadyExists(
                        f"a {role} record for person {data.person_id!r} exists already; change it with PATCH"
                    )
                session.add(row)
        except IntegrityError:  # a concurrent create won the race
            raise AlreadyExists(
                f"a {role} record for person {data.person_id!r} exists already; change it with PATCH"
            ) from None
        log.info("person created", extra={"tenant": tenant, "role": role})
        return self._public(row, 0)

    def update(
        self,
        tenant: str,
        role: PersonRole,
        person_id: str,
        change: MentorUpdate | MenteeUpdate,
        vectors: StoredVectors | None,
    ) -> MentorPublic | MenteePublic:
        """Apply the fields sent; `vectors` replaces the cached embedding when the phrases changed."""
        with self.database.write() as session:
            row = session.scalar(_query(tenant, role, person_id))
            if row is None:
                raise NotFound(role, person_id)
            profile = {**row.profile, **record_fields(change)}
            row.profile = profile
            row.name = profile["name"]
            if role == "mentor":
                row.capacity = int(profile["capacity"])
            if vectors is not None:
                row.vectors, row.vector_model = vectors.data, vectors.model
            row.updated_at = self.clock()
            active = _active_mentees(session, tenant, [person_id]).get(person_id, 0) if role == "mentor" else 0
        return self._public(row, active)

    def store_vectors(self, tenant: str, role: PersonRole, vectors: dict[str, StoredVectors]) -> None:
        """Keep embeddings made on read (a record written under another model), so the next read need not."""
        if not vectors:
            return
        with self.database.write() as session:
            rows = session.scalars(
                select(Person).where(Person.tenant == tenant, Person.role == role, Person.person_id.in_(vectors))
            ).all()
            for row in rows:
                row.vectors, row.vector_model = vectors[row.person_id].data, vectors[row.person_id].model

    # -- reads -----------------------------------------------------------------------------
    def directory_version(self, tenant: str) -> tuple[object, ...]:
        """Changes whenever the tenant's mentor records or its active mentorships change: a cache key for the
        mentor directory that every process can read (records are never deleted, only created and changed)."""
        with self.database.read() as session:
            count, latest = session.execute(
                select(func.count(), func.max(Person.updated_at)).where(
                    Person.tenant == tenant, Person.role == "mentor"
                )
            ).one()
            active = _active_mentees(session, tenant, None)
        return (int(count), latest, tuple(sorted(active.items())))

    # -- reads (records) --------------------------------------------------------------------------
    def get_mentor(self, tenant: str, person_id: str) -> MentorRow:
        rows = self.mentors(tenant, [person_id])
        if not rows:
            raise NotFound("mentor", person_id)
        return rows[0]

    def get_mentee(self, tenant: str, person_id: str) -> MenteeRow:
        rows = self.mentees(tenant, [person_id])
        if not rows:
            raise NotFound("mentee", person_id)
        return rows[0]

    def mentors(self, tenant: str, person_ids: Sequence[str] | None = None) -> list[MentorRow]:
        """The tenant's mentor records (all, or these), ordered by person id, each with its active mentees."""
        rows = self._rows(tenant, "mentor", person_ids)
        with self.database.read() as session:
            active = _active_mentees(session, tenant, [row.person_id for row in rows] if person_ids else None)
        found = []
        for row in rows:
            record = self._public(row, active.get(row.person_id, 0))
            assert isinstance(record, MentorPublic)
            found.append(MentorRow(record, _vectors(row)))
        return found

    def mentees(self, tenant: str, person_ids: Sequence[str] | None = None) -> list[MenteeRow]:
        """The tenant's mentee records (all, or these), ordered by person id."""
        found = []
        for row in self._rows(tenant, "mentee", person_ids):
            record = self._public(row, 0)
            assert isinstance(record, MenteePublic)
            found.append(MenteeRow(record, _vectors(row)))
        return found

    def _rows(self, tenant: str, role: PersonRole, person_ids: Sequence[str] | None) -> list[Any]:
        """Plain rows, not ORM objects: matching reads a whole directory per request."""
        query = select(*ROW_COLUMNS).where(Person.tenant == tenant, Person.role == role)
        if person_ids is not None:
            if not person_ids:
                return []
            query = query.where(Person.person_id.in_(sorted(set(person_ids))))
        with self.database.read() as session:
            return list(session.execute(query.order_by(Person.person_id)).all())

    @staticmethod
    def _public(row: Any, active: int) -> MentorPublic | MenteePublic:
        """A stored record as it was validated on write (constructed, not validated again: a directory of a
        thousand mentors is read per match)."""
        common: dict[str, Any] = {
            **row.profile,
            "person_id": row.person_id,
            "tenant": row.tenant,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
        if row.role == "mentor":
            return MentorPublic.model_construct(**common, active_mentees=active)
        return MenteePublic.model_construct(**common)

    # -- mentor requests ----------------------------------------------------------------------
    def ask_for_mentor(
        self, tenant: str, mentee_person_id: str, mentor_person_id: str, message: str | None
    ) -> MentorRequestPublic:
        """The mentee's request for this mentor: stored once; asking again updates the message."""
        check_tenant(tenant)
        for attempt in range(2):
            try:
                with self.database.write() as session:
                    row = session.scalar(_request_query(tenant, mentee_person_id, mentor_person_id))
                    now = self.clock()
                    if row is None:
                        row = MentorRequest(
                            id=new_id(),
                            tenant=tenant,
                            mentee_person_id=mentee_person_id,
                            mentor_person_id=mentor_person_id,
                            message=message,
                            status="open",
                            mentorship_id=None,
                            created_at=now,
                            updated_at=now,
                        )
                        session.add(row)
                    else:
                        row.message, row.updated_at = message, now
                    session.flush()
                    return _request_public(row)
            except IntegrityError:  # the same request, sent twice at once: the second updates the first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def mentor_requests(self, tenant: str, mentee_person_id: str | None = None) -> list[MentorRequestPublic]:
        """The tenant's requests (or one mentee's), open ones first, oldest first."""
        query = select(MentorRequest).where(MentorRequest.tenant == tenant)
        if mentee_person_id is not None:
            query = query.where(MentorRequest.mentee_person_id == mentee_person_id)
        with self.database.read() as session:
            rows = session.scalars(query.order_by(MentorRequest.created_at, MentorRequest.id)).all()
            found = [_request_public(row) for row in rows]
        return sorted(found, key=lambda r: r.status != "open")

    def mark_request_accepted(
        self, tenant: str, mentee_person_id: str, mentor_person_id: str, mentorship_id: str
    ) -> None:
        """The pair was accepted: a request for it (if the mentee made one) points at the mentorship."""
        with self.database.write() as session:
            row = session.scalar(_request_query(tenant, mentee_person_id, mentor_person_id))
            if row is not None:
                row.status, row.mentorship_id, row.updated_at = "accepted", mentorship_id, self.clock()


def _query(tenant: str, role: str, person_id: str) -> Any:
    return select(Person).where(Person.tenant == tenant, Person.role == role, Person.person_id == person_id)


def _request_query(tenant: str, mentee_person_id: str, mentor_person_id: str) -> Any:
    return select(MentorRequest).where(
        MentorRequest.tenant == tenant,
        MentorRequest.mentee_person_id == mentee_person_id,
        MentorRequest.mentor_person_id == mentor_person_id,
    )


def _request_public(row: MentorRequest) -> MentorRequestPublic:
    return MentorRequestPublic(
        id=row.id,
        mentee_id=row.mentee_person_id,
        mentor_id=row.mentor_person_id,
        message=row.message,
        status=row.status,  # type: ignore[arg-type]
        mentorship_id=row.mentorship_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


ROW_COLUMNS = (
    Person.role,
    Person.tenant,
    Person.person_id,
    Person.profile,
    Person.vectors,
    Person.vector_model,
    Person.created_at,
    Person.updated_at,
)


def _vectors(row: Any) -> StoredVectors | None:
    if row.vectors is None or row.vector_model is None:
        return None
    return StoredVectors(bytes(row.vectors), row.vector_model)


def _active_mentees(session: Any, tenant: str, person_ids: Sequence[str] | None) -> dict[str, int]:
    """Active mentorships per mentor person id: what a mentor's capacity is measured against."""
    query = (
        select(Mentorship.mentor_person_id, func.count())
        .where(Mentorship.tenant == tenant, Mentorship.status == "active")
        .group_by(Mentorship.mentor_person_id)
    )
    if person_ids is not None:
        query = query.where(Mentorship.mentor_person_id.in_(list(person_ids)))
    return {person: int(count) for person, count in session.execute(query).all()}


__all__ = ["MenteeRow", "MentorRow", "PeopleRepository", "PersonRole", "StoredVectors"]

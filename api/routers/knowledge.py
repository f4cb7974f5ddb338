"""Mentor notes and knowledge files sent over HTTP, listed and deleted per tenant."""

from __future__ import annotations

import json
import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CallerDep, CompanionDep
from api.errors import ApiError
from api.lanes import LanedRoute, bulk_lane, bulk_work, in_lane
from companion import access
from companion import vocabulary as vocab
from companion.access import Caller
from companion.retrieval.indexer import SourceConflict
from companion.service import Companion

router = APIRouter(route_class=LanedRoute, prefix="/knowledge", tags=["knowledge"])
SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$"


class NoteIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "priya-session-3",
                    "title": "Session 3 with Priya",
                    "themes": ["feedback_and_self_assessment"],
                    "visibility": "mentor_private",
                    "text": "Priya rushed the revenue slide; rehearse with two founders by Friday.",
                }
            ]
        },
    )

    id: str | None = Field(
        default=None, pattern=SOURCE_PATTERN, description="Becomes the note's source; generated when absent."
    )
    title: str | None = Field(default=None, max_length=200)
    text: str = Field(min_length=1, max_length=50_000)
    kind: Literal["note", "example"] = "note"
    themes: list[vocab.Theme] = Field(default_factory=list, max_length=8)
    stage: vocab.Stage = "any"
    audience: vocab.Audience = "mentor"
    visibility: vocab.Visibility = "shared"
    author: str | None = Field(
        default=None,
        max_length=100,
        description="Admins and platforms may set it; a mentor is always the author. A source belongs to its "
        "author: writing another author's note id answers 409.",
    )


class NotesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: list[NoteIn] = Field(min_length=1, max_length=100)


class Indexed(BaseModel):
    source: str
    chunks: int
    unchanged: bool


class SourceOut(BaseModel):
    source: str
    title: str
    kind: str
    chunks: int
    visibility: Literal["shared", "mentor_private", "mixed"]
    updated_at: float


def _index(companion: Companion, caller: Caller, *, data: bytes, name: str, source: str, author: str | None) -> Indexed:
    try:
        report = companion.write_knowledge(caller, data=data, name=name, source=source, requested_author=author)
    except SourceConflict as exc:
        raise ApiError(409, "Conflict", str(exc)) from None
    return Indexed(
        source=source, chunks=report.chunks_added + report.chunks_unchanged, unchanged=bool(report.files_unchanged)
    )


@router.post(
    "/notes", operation_id="create_notes", summary="Store mentor notes", status_code=201, response_model=list[Indexed]
)
@bulk_work
def create_notes(body: NotesIn, companion: CompanionDep, caller: CallerDep) -> list[Indexed]:
    results = []
    for note in body.notes:
        source = note.id or f"note-{uuid.uuid4().hex[:12]}"
        payload = note.model_dump(exclude={"id", "author"}, exclude_none=True)
        payload.update(id=source, tenant=caller.tenant)
        author = access.knowledge_author(caller, note.author)
        if note.visibility == "mentor_private" and not author:
            raise ApiError(422, "Invalid request", f"note {source}: a mentor_private note needs an author")
        results.append(
            _index(companion, caller, data=json.dumps(payload).encode(), name="note.json", source=source, author=author)
        )
    return results


@router.post(
    "/files",
    operation_id="upload_knowledge_file",
    summary="Upload a Markdown or text file",
    status_code=201,
    response_model=Indexed,
)
@bulk_lane
async def upload_file(
    companion: CompanionDep,
    caller: CallerDep,
    file: Annotated[
        UploadFile, File(description="A .md, .mdx or .txt file; stored as a note unless an admin sends it.")
    ],
) -> Indexed:
    access.require_role(caller, *access.KNOWLEDGE_WRITERS, what="write knowledge")
    name = (file.filename or "").rsplit("/", 1)[-1]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,150}\.(md|mdx|markdown|txt)", name, re.I):
        raise ApiError(422, "Invalid request", "file must be named like notes.md, .mdx, .markdown or .txt")
    data = await file.read()
    # embedding the file is sync work: on the bulk lane's thread, never on the event loop
    return await in_lane(_index, companion, caller, data=data, name=name, source=name.replace(" ", "-"), author=None)


@router.get("", operation_id="list_knowledge", summary="List the tenant's sources", response_model=list[SourceOut])
def list_knowledge(companion: CompanionDep, caller: CallerDep) -> list[SourceOut]:
    return [
        SourceOut.model_validate(
            {
                "source": record.source,
                "title": record.title,
                "kind": record.kind,
                "chunks": record.chunk_count,
                "visibility": visibility,
                "updated_at": record.updated_at,
            }
        )
        for record, visibility in companion.list_knowledge(caller)
    ]


@router.delete(
    "/{source:path}",
    operation_id="delete_knowledge",
    summary="Delete one source",
    status_code=204,
    response_class=Response,
)
@bulk_work
def delete_knowledge(
    companion: CompanionDep, caller: CallerDep, source: Annotated[str, Path(max_length=300)]
) -> Response:
    companion.delete_knowledge(caller, source)
    return Response(status_code=204)

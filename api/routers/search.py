"""Hybrid search over the caller's tenant and the shared library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import CallerDep, CompanionDep
from companion import access
from companion import vocabulary as vocab

router = APIRouter(tags=["knowledge"])


class SearchHit(BaseModel):
    chunk_id: str
    source: str
    title: str
    heading: str
    score: float
    text: str


class SearchOut(BaseModel):
    query: str
    results: list[SearchHit]


@router.get("/search", operation_id="search_knowledge", summary="Search knowledge and notes", response_model=SearchOut)
def search(
    companion: CompanionDep,
    caller: CallerDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="What to look for.")],
    k: Annotated[int, Query(ge=1, le=50, description="Number of results.")] = 5,
    kind: Annotated[list[vocab.Kind] | None, Query(description="Only these kinds.")] = None,
    theme: Annotated[list[vocab.Theme] | None, Query(description="Only chunks with any of these themes.")] = None,
    stage: Annotated[list[vocab.Stage] | None, Query(description="Only these stages.")] = None,
) -> SearchOut:
    rule = access.search_access(caller)
    response = companion.search(
        q,
        tenant=caller.tenant,
        k=k,
        kinds=tuple(kind or ()),
        themes=tuple(theme or ()),
        stages=tuple(stage or ()),
        allow_private=rule.allow_private,
        private_author=rule.private_author,
    )
    return SearchOut.model_validate(response.public())

"""GET /api/knowledge/search: the retrieval contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from knowledge.directory import Directory
from knowledge.location import Kind, LocationResolver
from knowledge.needs import need_category
from knowledge.retrieval import SearchResult
from knowledge.service import KnowledgeService

router = APIRouter(tags=["knowledge"])


class PassageOut(BaseModel):
    """One passage in the search contract."""

    doc_id: str
    title: str
    text: str
    score: float
    source_url: str
    last_reviewed: str


class SearchOut(BaseModel):
    """Search results, best first."""

    passages: list[PassageOut]


def search_payload(result: SearchResult) -> SearchOut:
    """Shape a search result as the contract (shared by the CLI)."""
    return SearchOut(
        passages=[
            PassageOut(
                doc_id=p.doc_id,
                title=p.title,
                text=p.text,
                score=p.score,
                source_url=p.source_url,
                last_reviewed=p.last_reviewed,
            )
            for p in result.passages
        ]
    )


@router.get("/api/knowledge/search")
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=20)] = 5,
    audience: Annotated[str | None, Query(pattern=r"^(13-15|16-17|18-24|25\+)$")] = None,
    region: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{2,40}$")] = None,
) -> SearchOut:
    """Hybrid search over the vetted corpus, optionally for an age band or council area."""
    knowledge: KnowledgeService = request.app.state.knowledge
    return search_payload(await knowledge.search(q, k, audience=audience, region=region))


class ServiceOut(BaseModel):
    """One service in the signposting contract."""

    name: str
    categories: list[str]
    phone: str
    url: str
    address: str
    opening_times: str
    last_checked: str


class ServicesOut(BaseModel):
    """Services near a place, for a need."""

    council_area: str | None
    status: str
    candidates: list[str]
    message: str
    services: list[ServiceOut]


@router.get("/api/services")
async def services(
    request: Request,
    near: Annotated[str, Query(min_length=1, max_length=100)],
    need: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> ServicesOut:
    """Local services for a postcode, town or council area (national ones after them)."""
    return find_services(
        request.app.state.resolver, request.app.state.directory, near=near, need=need, limit=limit
    )


def find_services(
    resolver: LocationResolver, directory: Directory, *, near: str, need: str | None, limit: int
) -> ServicesOut:
    """Resolve the place, then search the directory (shared by the CLI)."""
    resolution = resolver.resolve(near)
    category = need_category(need)
    area = resolution.council_area
    messages = {
        Kind.AMBIGUOUS: "More than one place has that name: which council area is it in?",
        Kind.OUTSIDE: "That place is outside Scotland; these national services can help anywhere.",
        Kind.UNKNOWN: "That place could not be found; these national services can help anywhere.",
    }
    found = directory.find(council_area=area, need=category, limit=limit)
    return ServicesOut(
        council_area=area,
        status=resolution.kind.value,
        candidates=list(resolution.candidates),
        message=messages.get(resolution.kind, ""),
        services=[
            ServiceOut(
                name=s.name,
                categories=s.categories,
                phone=s.phone,
                url=str(s.url),
                address=s.address,
                opening_times=s.opening_times,
                last_checked=s.last_checked.isoformat(),
            )
            for s in found
        ],
    )

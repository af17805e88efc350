"""GET /api/knowledge/search: the retrieval contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

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

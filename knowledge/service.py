"""Knowledge as the rest of the service sees it: search and grounded answers."""

from __future__ import annotations

from anyio import to_thread

from knowledge.answer import Answer, compose
from knowledge.retrieval import Retriever, SearchResult


class KnowledgeService:
    """Runs retrieval off the event loop and composes answers."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    async def search(self, query: str, k: int = 5) -> SearchResult:
        """Hybrid search in a worker thread (embedding is CPU work)."""
        return await to_thread.run_sync(lambda: self.retriever.search(query, k))

    async def answer(self, question: str) -> Answer:
        """Answer from vetted passages, or say honestly that we can't."""
        return compose(await self.search(question, 5))

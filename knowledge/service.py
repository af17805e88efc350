"""Knowledge as the rest of the service sees it: search and grounded answers."""

from __future__ import annotations

from anyio import to_thread

from knowledge.answer import Answer, compose
from knowledge.embedding import Vectors
from knowledge.rephrase import Rephraser
from knowledge.retrieval import Retriever, SearchResult


class KnowledgeService:
    """Runs retrieval off the event loop and composes answers."""

    def __init__(self, retriever: Retriever, rephraser: Rephraser | None = None) -> None:
        self.retriever = retriever
        self._rephraser = rephraser

    async def search(
        self,
        query: str,
        k: int = 5,
        *,
        audience: str | None = None,
        region: str | None = None,
        vector: Vectors | None = None,
    ) -> SearchResult:
        """Hybrid search in a worker thread (embedding is CPU work)."""
        return await to_thread.run_sync(
            lambda: self.retriever.search(query, k, audience=audience, region=region, vector=vector)
        )

    async def answer(self, question: str, vector: Vectors | None = None) -> Answer:
        """Answer from vetted passages, or say honestly that we can't."""
        result = await self.search(question, 5, vector=vector)
        answer = compose(result)
        if self._rephraser is not None:
            evidence = "\n".join(p.text for p in result.passages)
            answer = await self._rephraser.rephrase(question, answer, evidence)
        return answer

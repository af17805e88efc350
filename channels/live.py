"""Live messages between a young person and an adviser: in-process, or Redis across replicas."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import StreamingResponse


class LiveHub(Protocol):
    """Publish to a topic; subscribers receive what is published after they subscribed."""

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Send to every subscriber of `topic`, on any replica."""
        ...

    def subscribe(self, topic: str) -> Any:
        """An async context manager yielding an async iterator of messages."""
        ...


class LocalHub:
    """One process (the embedded default)."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Put the message on every subscriber's queue."""
        for queue in list(self._queues.get(topic, ())):
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Receive this topic's messages until the block exits."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queues.setdefault(topic, set()).add(queue)

        async def messages() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._queues[topic].discard(queue)


class RedisHub:
    """Redis pub/sub, so an adviser on one replica reaches a young person on another."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Publish JSON on the topic's channel."""
        await self._redis.publish(f"cairn:{topic}", json.dumps(message))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Receive this topic's messages until the block exits."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(f"cairn:{topic}")

        async def messages() -> AsyncIterator[dict[str, Any]]:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    yield json.loads(item["data"])

        try:
            yield messages()
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def event_stream(request: Request, topic: str) -> StreamingResponse:
    """A server-sent events response relaying one hub topic."""
    return StreamingResponse(
        _sse(request, topic), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


async def _sse(request: Request, topic: str) -> AsyncIterator[str]:
    """Relay a hub topic as server-sent events, with a heartbeat."""
    async with request.app.state.hub.subscribe(topic) as messages:
        yield ": connected\n\n"
        iterator = messages.__aiter__()
        while not await request.is_disconnected():
            try:
                message = await asyncio.wait_for(iterator.__anext__(), timeout=15)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            except StopAsyncIteration:
                return
            yield f"data: {json.dumps(message)}\n\n"

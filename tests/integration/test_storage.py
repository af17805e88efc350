"""The stores on real servers: PostgreSQL for both databases, Redis for health."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from anyio import to_thread
from redis.asyncio import Redis
from sqlalchemy import func, inspect, select

from cairn.app import _redis_ok
from cairn.db import Database
from cairn.migrations import upgrade
from channels.live import LocalHub
from channels.models import Message
from channels.rasa_client import RasaClient
from channels.router import Router
from channels.schemas import Inbound
from insight.models import InsightEvent
from insight.relay import InsightRelay
from knowledge.location import LocationResolver
from tests.conftest import SECRET
from tests.servers import free_port, postgres_server, redis_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="module")
def databases(postgres: str) -> tuple[Database, Database]:
    main, insight = postgres, postgres.rsplit("/", 1)[0] + "/insight"
    upgrade("main", main)
    upgrade("insight", insight)
    return Database(main), Database(insight)


def test_migrations_create_each_store_in_its_own_database(
    databases: tuple[Database, Database],
) -> None:
    main, insight = databases
    assert {"conversations", "messages"} <= set(inspect(main.engine).get_table_names())
    assert "insight_events" not in inspect(main.engine).get_table_names()
    assert "insight_events" in inspect(insight.engine).get_table_names()
    assert main.ping() and insight.ping()


async def test_concurrent_redeliveries_are_processed_once_on_postgres(
    databases: tuple[Database, Database],
) -> None:
    main, insight = databases
    rasa = RasaClient(f"http://127.0.0.1:{free_port()}", timeout_s=1)
    router = Router(
        db=main,
        rasa=rasa,
        resolver=LocationResolver(),
        hub=LocalHub(),
        secret=SECRET,
    )
    message = Inbound(channel="sms", address="+447700900999", text="kill myself", provider_id="X")
    turns = await asyncio.gather(*(router.handle(message) for _ in range(5)))
    assert sum(not t.duplicate for t in turns) == 1
    with main.session() as session:
        count = session.scalar(
            select(func.count()).select_from(Message).where(Message.dedupe_key == "sms:X")
        )
    assert count == 1
    # Two replicas relay the queued insight events at once: each event is written once.
    relays = [
        InsightRelay(db=main, insight_db=insight, theme=None, min_conversations=10)
        for _ in range(2)
    ]
    await asyncio.gather(*(to_thread.run_sync(r.relay_all) for r in relays))
    with insight.session() as session:
        assert session.scalar(select(func.count()).select_from(InsightEvent)) == 1


async def test_redis_health_follows_the_server() -> None:
    with redis_server() as (url, process):
        client = Redis.from_url(url)
        assert await _redis_ok(client)
        process.terminate()
        process.wait(timeout=10)
        assert not await _redis_ok(client)
        await client.aclose()


async def test_live_messages_cross_replicas_through_redis() -> None:
    from channels.live import RedisHub

    with redis_server() as (url, _process):
        replica_a, replica_b = Redis.from_url(url), Redis.from_url(url)
        async with RedisHub(replica_b).subscribe("conv:abc") as messages:
            await asyncio.sleep(0.1)
            await RedisHub(replica_a).publish("conv:abc", {"author": "adviser", "text": "hi"})
            received = await asyncio.wait_for(messages.__anext__(), timeout=5)
        assert received == {"author": "adviser", "text": "hi"}
        await replica_a.aclose()
        await replica_b.aclose()

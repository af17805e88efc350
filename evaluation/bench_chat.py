"""Load on the running stack through the web contract, and the same load on Rasa directly.

Rasa's REST channel is the floor: Rasa's own turn and its actions, without the service's path
(channel adapter, triage, storage, insight). Loopback only.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from channels.router import RASA_TROUBLE
from evaluation.retrieval import load_questions

SMALL_TALK = [
    "hello", "are you a real person", "what do you do with my data", "thanks", "what can you do",
    "bye", "hiya", "cheers pal",
]  # fmt: skip
SIGNPOSTING = ["where can i get careers help near me", "Paisley"]
HANDOFF = "can i talk to a real person"
CONVERSATION_TURNS = 8


def messages(mix: str, seed: int = 1) -> Callable[[int], str]:
    """A message picker: 'smalltalk' (no knowledge search) or 'realistic'."""
    rng = random.Random(seed)
    questions = [q.text for q in load_questions() if q.relevant]

    def realistic(turn: int) -> str:
        roll = rng.random()
        if roll < 0.02:
            return HANDOFF
        if roll < 0.12:
            return SIGNPOSTING[turn % 2]
        if roll < 0.30:
            return rng.choice(SMALL_TALK)
        return rng.choice(questions)

    def smalltalk(_turn: int) -> str:
        return rng.choice(SMALL_TALK)

    return smalltalk if mix == "smalltalk" else realistic


def _failed(body: Any) -> bool:
    """A 200 that is still a failure: no reply at all, or the service's "having trouble"."""
    replies = body.get("replies") if isinstance(body, dict) else body
    if not replies:
        return True
    return any(str(r.get("text", "")).startswith(RASA_TROUBLE[:30]) for r in replies)


def _server_timing(header: str) -> dict[str, float]:
    """`rasa;dur=12.3, total;dur=20.1` -> {"rasa": 12.3, "total": 20.1}."""
    out = {}
    for part in header.split(","):
        name, _, rest = part.strip().partition(";dur=")
        if rest:
            out[name] = float(rest)
    return out


async def _drive(
    send: Callable[[httpx.AsyncClient, str, str], Any],
    *,
    users: int,
    seconds: float,
    pick: Callable[[int], str],
    rate: float = 0.0,
) -> dict[str, float]:
    """Closed loop (each user sends as soon as it has a reply) or, with `rate`, open loop:
    one message every 1/rate seconds whatever the replies, as real demand arrives."""
    latencies: list[float] = []
    # The service's own time: everything but Rasa's turn with its actions (retrieval) and the
    # one embedding the service computes for them.
    own: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=max(users, 50), max_keepalive_connections=users)
    sessions = ["bench-" + uuid.uuid4().hex[:16] for _ in range(users)]
    turns = [0] * users

    async def one(client: httpx.AsyncClient, who: int) -> None:
        nonlocal errors
        turn = turns[who]
        turns[who] += 1
        if turn and turn % CONVERSATION_TURNS == 0:  # a young person's chat is a few turns long
            sessions[who] = "bench-" + uuid.uuid4().hex[:16]
        started = time.perf_counter()
        try:
            response = await send(client, sessions[who], pick(turn))
            response.raise_for_status()
            if _failed(response.json()):
                errors += 1
                return
            latencies.append((time.perf_counter() - started) * 1000)
            timing = _server_timing(response.headers.get("server-timing", ""))
            if "total" in timing:
                own.append(timing["total"] - timing.get("rasa", 0.0) - timing.get("embed", 0.0))
        except httpx.HTTPError:
            errors += 1

    async def user(client: httpx.AsyncClient, who: int) -> None:
        while time.monotonic() < deadline:
            await one(client, who)

    async def paced(client: httpx.AsyncClient) -> None:
        tasks = []
        for n in itertools.count():
            due = started + n / rate
            if due >= deadline:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(one(client, n % users)))
        await asyncio.gather(*tasks)

    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        if rate:
            await paced(client)
        else:
            await asyncio.gather(*(user(client, who) for who in range(users)))
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]
    report = {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1),
        "msgs_per_s": round(len(latencies) / elapsed, 1),
        "errors": errors,
        "messages": len(latencies),
    }
    if own:
        report["own_p50_ms"] = round(statistics.median(own), 1)
        report["own_share_of_p50"] = round(statistics.median(own) / max(report["p50_ms"], 0.1), 3)
    return report


def run(
    *, api_url: str, rasa_url: str, users: int, seconds: float, mix: str, rate: float = 0.0
) -> dict[str, Any]:
    """Drive the web contract, then Rasa's REST channel, with the same users and messages."""

    def web(client: httpx.AsyncClient, session: str, text: str) -> Any:
        return client.post(f"{api_url}/api/web/messages", json={"session": session, "text": text})

    def floor(client: httpx.AsyncClient, session: str, text: str) -> Any:
        return client.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": session, "message": text}
        )

    service = asyncio.run(_drive(web, users=users, seconds=seconds, pick=messages(mix), rate=rate))
    direct = asyncio.run(_drive(floor, users=users, seconds=seconds, pick=messages(mix), rate=rate))
    return {
        "users": users,
        "seconds": seconds,
        "mix": mix,
        "rate": rate or "closed loop",
        **service,
        "floor_p50_ms": direct["p50_ms"],
        "floor_p95_ms": direct["p95_ms"],
        "floor_msgs_per_s": direct["msgs_per_s"],
        "floor_errors": direct["errors"],
        "p50_ratio": round(service["p50_ms"] / max(direct["p50_ms"], 0.1), 2),
        "throughput_ratio": round(service["msgs_per_s"] / max(direct["msgs_per_s"], 0.1), 2),
    }

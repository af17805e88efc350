"""End-to-end answer quality: questions sent through the web contract, the reply text checked.

The sets (`evaluation/datasets/answers/`) were written blind, by writers who never saw the
articles: each line is a conversation (`turns`), the facts any right reply states (`facts`, any
one of them will do) and the words of its subject (`topic`). The test sets are frozen. `test9`
holds the figures; `test` to `test8`, each reported before, are tuning data now, like `dev`.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from channels.render import ANSWER_SMS_SEGMENTS, render_sms_messages, sms_segments
from channels.schemas import Button, Reply, Source
from escalation.replies import SAFETY_BUTTONS
from knowledge.text import fold

DATA = Path(__file__).parent / "datasets" / "answers"
SETS = ("dev", "test", "test2", "test3", "test4", "test5", "test6", "test7", "test8", "test9")
ANSWERABLE = ("single", "pair", "followup")
SAFETY_PAYLOADS = {b.payload for b in SAFETY_BUTTONS} - {"/request_human"}


@dataclass(frozen=True)
class Item:
    """One conversation of the set and what its last reply must say."""

    id: str
    kind: str
    style: str
    channel: str
    turns: list[str]
    facts: list[str]
    topic: list[str]
    pair: str | None = None


@dataclass
class Outcome:
    """What the stack said to an item's last message, and how it scores."""

    item: Item
    text: str
    titles: list[str]
    sourced: bool
    sms_segments: list[int] = field(default_factory=list)
    safety: bool = False  # triage read the message as risk: the support reply, not (only) careers

    @property
    def fact(self) -> bool:
        """Whether the reply states one of the facts (a fact the question already holds, such
        as "bursary" in "is there a bursary", proves nothing and is not counted, unless every
        fact is in the question)."""
        question = fold(" ".join(self.item.turns))
        telling = [f for f in self.item.facts if not _holds(question, f)] or self.item.facts
        return any(_holds(fold(self.text), f) for f in telling)

    @property
    def on_topic(self) -> bool:
        """Whether the reply or its sources name the subject."""
        said = fold(" ".join([self.text, *self.titles]))
        return any(stem.lower() in said for stem in self.item.topic)


def _holds(text: str, fact: str) -> bool:
    """`fact` in `text`, case-folded; a number only as a whole number ("18" is not in "2018")."""
    wanted = fold(fact)
    if not wanted:
        return False
    edge_left = r"(?<![\d.,])" if wanted[0].isdigit() else ""
    edge_right = r"(?![\d])" if wanted[-1].isdigit() else ""
    return re.search(edge_left + re.escape(wanted) + edge_right, text) is not None


def load(name: str) -> list[Item]:
    """One set, by name."""
    if name not in SETS:
        raise ValueError(f"unknown set {name!r}; use one of {SETS}")
    path = DATA / f"{name}.jsonl"
    return [_item(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def _item(row: dict[str, Any]) -> Item:
    return Item(
        id=row["id"],
        kind=row["kind"],
        style=row.get("style", "standard"),
        channel=row.get("channel", "web"),
        turns=list(row["turns"]),
        facts=list(row.get("facts") or []),
        topic=list(row.get("topic") or []),
        pair=row.get("pair"),
    )


async def converse(client: httpx.AsyncClient, api_url: str, item: Item) -> Outcome:
    """Send an item's turns in a fresh session; keep the replies to the last one."""
    session = uuid.uuid4().hex
    body: dict[str, Any] = {}
    for text in item.turns:
        for attempt in range(5):
            response = await client.post(
                f"{api_url}/api/web/messages", json={"session": session, "text": text[:2000]}
            )
            if response.status_code not in (429, 503):
                break
            await asyncio.sleep(float(response.headers.get("Retry-After", 1)) * (attempt + 1))
        response.raise_for_status()
        body = response.json()
    replies = body.get("replies", [])
    sourced = [r for r in replies if r.get("sources")]
    payloads = {b.get("payload") for r in replies for b in r.get("buttons", [])}
    return Outcome(
        item=item,
        text="\n".join(r.get("text", "") for r in replies),
        titles=[s["title"] for r in sourced for s in r["sources"]],
        sourced=bool(sourced),
        sms_segments=[_sms(r) for r in sourced],
        safety=body.get("handoff") != "none" or bool(payloads & SAFETY_PAYLOADS),
    )


def _sms(reply: dict[str, Any]) -> int:
    """Segments of the longest SMS the same reply would be sent as."""
    rendered = Reply(
        text=reply["text"],
        sources=[Source(s["title"], s["url"], s["last_reviewed"]) for s in reply["sources"]],
        buttons=[Button(b["title"], b["payload"]) for b in reply.get("buttons", [])],
    )
    return max(sms_segments(m) for m in render_sms_messages(rendered))


async def _run(api_url: str, items: list[Item], concurrency: int) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(item: Item) -> Outcome:
            async with gate:
                return await converse(client, api_url, item)

        return list(await asyncio.gather(*(one(i) for i in items)))


def evaluate(api_url: str, name: str, *, concurrency: int = 4) -> dict[str, Any]:
    """Run one set through the running stack; the figures and the misses."""
    outcomes = asyncio.run(_run(api_url, load(name), concurrency))
    return score(outcomes, name)


def score(outcomes: list[Outcome], name: str = "") -> dict[str, Any]:
    """The figures the issue asks for, from outcomes."""
    single = [o for o in outcomes if o.item.kind in ("single", "pair")]
    follow = [o for o in outcomes if o.item.kind == "followup"]
    unanswerable = [o for o in outcomes if o.item.kind == "unanswerable"]
    answerable = single + follow
    by_style = {
        style: _rate([o.fact for o in outcomes if o.item.kind == "pair" and o.item.style == style])
        for style in ("standard", "informal")
    }
    segments = [s for o in outcomes for s in o.sms_segments]
    return {
        "set": name,
        "conversations": len(outcomes),
        "single_turn": len(single),
        "fact_in_reply": _rate([o.fact for o in single]),
        "fact_in_reply_all_answerable": _rate([o.fact for o in answerable]),
        "wrong_topic": _rate([o.sourced and not o.on_topic for o in answerable]),
        "dont_know_answerable": _rate([not o.sourced for o in answerable]),
        "safety_reply": _rate([o.safety for o in outcomes]),
        "unanswerable_no_sourced_answer": _rate([not o.sourced for o in unanswerable]),
        "follow_ups": len(follow),
        "follow_up_in_context": _rate([o.fact for o in follow]),
        "pairs": sum(1 for o in outcomes if o.item.kind == "pair") // 2,
        "pair_standard": by_style["standard"],
        "pair_informal": by_style["informal"],
        "informal_gap_points": round(100 * (by_style["standard"] - by_style["informal"]), 1),
        "by_style": {
            style: _rate([o.fact for o in single if o.item.style == style])
            for style in ("standard", "informal")
        },
        "by_channel": {
            channel: _rate([o.fact for o in single if o.item.channel == channel])
            for channel in sorted({o.item.channel for o in single})
        },
        "sms_answers": len(segments),
        "sms_within_two_segments": _rate([s <= ANSWER_SMS_SEGMENTS for s in segments]),
        "sms_segments": dict(sorted(Counter(segments).items())),
        "misses": {
            "no_fact": [o.item.id for o in answerable if o.sourced and not o.fact],
            "dont_know": [o.item.id for o in answerable if not o.sourced and not o.safety],
            "safety_reply": [o.item.id for o in outcomes if o.safety],
            "wrong_topic": [o.item.id for o in answerable if o.sourced and not o.on_topic],
            "answered_unanswerable": [o.item.id for o in unanswerable if o.sourced],
        },
    }


def _rate(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0

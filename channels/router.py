"""The conversation router: dedupe -> triage -> bot -> replies -> insight.

It does not know which channel it serves; adapters verify, normalise and render.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from anyio import to_thread

from cairn.db import Database
from channels import service
from channels.identity import conversation_id
from channels.rasa_client import RasaClient, RasaTurn, RasaUnavailable
from channels.schemas import Button, Handoff, Inbound, Reply, Source, Turn
from escalation.replies import crisis_text
from escalation.triage import Level, Triage, triage
from insight import service as insight
from insight.service import TurnFacts
from knowledge.location import LocationResolver, council_name

log = logging.getLogger(__name__)

RASA_TROUBLE = (
    "Sorry, I'm having trouble answering right now. Please try again in a few minutes. "
    "To talk to a careers adviser, call the My World of Work helpline on 0800 917 8000."
)


class Router:
    """Turns one inbound message into replies, whatever the channel."""

    def __init__(
        self,
        *,
        db: Database,
        insight_db: Database,
        rasa: RasaClient,
        resolver: LocationResolver,
        secret: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._insight_db = insight_db
        self._rasa = rasa
        self._resolver = resolver
        self._secret = secret
        self._clock = clock

    async def handle(self, inbound: Inbound) -> Turn:
        """Process one message exactly once and return what to send back."""
        conv_id = conversation_id(
            secret=self._secret, channel=inbound.channel, address=inbound.address
        )
        decision = triage(inbound.text)
        inbound = replace(inbound, text=self._drop_postcode(inbound.text))
        dedupe_key = f"{inbound.channel}:{inbound.provider_id}" if inbound.provider_id else None
        is_new, handoff = await to_thread.run_sync(self._intake, conv_id, inbound, dedupe_key)
        if not is_new:
            return Turn(conversation_id=conv_id, replies=[], handoff=handoff, duplicate=True)

        rasa_turn: RasaTurn | None = None
        if decision.level is Level.CRISIS:
            replies = [Reply(text=crisis_text(decision), meta={"handoff": "waiting"})]
        else:
            try:
                rasa_turn = await self._rasa.turn(
                    sender=conv_id, text=inbound.text, metadata={"channel": inbound.channel}
                )
                replies = [_to_reply(m) for m in rasa_turn.messages] or [Reply(text=RASA_TROUBLE)]
            except RasaUnavailable as exc:
                log.warning("rasa unavailable: %s", exc)
                replies = [Reply(text=RASA_TROUBLE)]

        wanted: Handoff | None = None
        if any(r.meta.get("handoff") == "waiting" for r in replies):
            wanted = "waiting"
        facts = _facts(inbound.channel, decision, rasa_turn, replies)
        handoff = await to_thread.run_sync(self._finish, conv_id, replies, wanted, facts)
        return Turn(conversation_id=conv_id, replies=replies, handoff=handoff)

    async def history(self, channel: str, address: str) -> tuple[str, list[tuple[str, str]]]:
        """The handoff state and (author, text) of a conversation's latest messages."""

        def load() -> tuple[str, list[tuple[str, str]]]:
            conv_id = conversation_id(secret=self._secret, channel=channel, address=address)
            with self._db.session() as session:
                handoff, rows = service.history(session=session, conversation_id=conv_id)
                return handoff, [(m.author, m.text) for m in rows]

        return await to_thread.run_sync(load)

    def _drop_postcode(self, text: str) -> str:
        """Replace a postcode with its council area: neither Rasa nor the transcript keeps it."""
        found = self._resolver.postcode(text)
        if found is None:
            return text
        matched, resolution = found
        area = council_name(resolution.council_area) if resolution.council_area else None
        replacement = area or "outside Scotland"
        return re.sub(re.escape(matched), replacement, text, count=1, flags=re.IGNORECASE)

    def _intake(self, conv_id: str, inbound: Inbound, dedupe_key: str | None) -> tuple[bool, Any]:
        with self._db.session() as session:
            conversation, is_new = service.intake(
                session=session,
                conversation_id=conv_id,
                channel=inbound.channel,
                text=inbound.text,
                dedupe_key=dedupe_key,
                at=self._clock(),
            )
            return is_new, conversation.handoff

    def _finish(
        self, conv_id: str, replies: list[Reply], wanted: Handoff | None, facts: TurnFacts
    ) -> Handoff:
        now = self._clock()
        with self._db.session() as session:
            handoff = service.record_replies(
                session=session, conversation_id=conv_id, replies=replies, handoff=wanted, at=now
            )
        with self._insight_db.session() as session:
            insight.record(session=session, facts=facts, at=now)
        return handoff


def _to_reply(message: dict[str, Any]) -> Reply:
    """Convert one Rasa output message (plain response or an action's custom JSON)."""
    custom = message.get("custom")
    body = custom if isinstance(custom, dict) and "text" in custom else message
    return Reply(
        text=str(body.get("text") or ""),
        sources=[
            Source(title=s["title"], url=s["url"], last_reviewed=s["last_reviewed"])
            for s in body.get("sources") or []
        ],
        buttons=[Button(title=b["title"], payload=b["payload"]) for b in body.get("buttons") or []],
        meta=dict(body.get("meta") or {}),
    )


def _facts(
    channel: str, decision: Triage, rasa_turn: RasaTurn | None, replies: list[Reply]
) -> TurnFacts:
    meta: dict[str, Any] = {}
    for reply in replies:
        meta.update(reply.meta)
    topics = list(meta.get("topics") or [])
    reason = decision.reasons[0].split(":", 1)[1] if decision.reasons else meta.get("reason")
    return TurnFacts(
        channel=channel,
        intent=rasa_turn.intent if rasa_turn else None,
        topic=topics[0] if topics else None,
        article_ids=tuple(meta.get("article_ids") or ()),
        answered=meta.get("answered"),
        triage_level=decision.level.value,
        escalation_reason=reason,
    )

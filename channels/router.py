"""The conversation router: dedupe -> triage -> bot -> replies -> insight.

It does not know which channel it serves; adapters verify, normalise and render.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine, or_, select, update

from cairn.db import Database
from channels import outbox, service
from channels.identity import conversation_id
from channels.live import LiveHub
from channels.models import Conversation, Message
from channels.rasa_client import RasaClient, RasaTurn, RasaUnavailable
from channels.render import outbound_bodies
from channels.retention import DELETED, delete_conversations, forget_in_rasa, is_delete_request
from channels.schemas import Button, Handoff, Inbound, Reply, Source, Turn
from escalation import service as cases
from escalation.replies import crisis_sms, crisis_text
from escalation.triage import Level, SemanticLayer, Triage, triage
from insight import service as insight
from insight.service import TurnFacts, age_band
from knowledge.embedding import Embedder, RecentVectors, Vectors
from knowledge.location import LocationResolver, council_name
from knowledge.text import plain

log = logging.getLogger(__name__)

RASA_TROUBLE = (
    "Sorry, I'm having trouble answering right now. Please try again in a few minutes. "
    "To talk to a careers adviser, call the My World of Work helpline on 0800 917 8000."
)


@dataclass(frozen=True)
class _Intake:
    duplicate: bool
    message_id: int | None
    handoff: Handoff
    case_status: str | None


class Router:
    """Turns one inbound message into replies, whatever the channel."""

    def __init__(
        self,
        *,
        db: Database,
        rasa: RasaClient,
        resolver: LocationResolver,
        hub: LiveHub,
        secret: str,
        semantic: SemanticLayer | None = None,
        waiting: Callable[[datetime], str] | None = None,
        tracker_engine: Engine | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        embedder: Embedder | None = None,
        vectors: RecentVectors | None = None,
        on_outbox: Callable[[], None] | None = None,
        claim_lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self._db = db
        self._rasa = rasa
        self._resolver = resolver
        self._hub = hub
        self._semantic = semantic
        self._waiting = waiting
        self._tracker_engine = tracker_engine
        self._secret = secret
        self._clock = clock
        self._embedder = embedder
        self._vectors = vectors or RecentVectors()
        self._on_outbox = on_outbox
        # A claimed message still unanswered after this is taken again (its claimer died).
        self._lease = claim_lease

    async def handle(self, inbound: Inbound) -> Turn:
        """Store one message, answer it and return the replies (the web chat's request)."""
        conv_id, original, inbound, postcode_area, dedupe_key = self._prepare(inbound)
        text = inbound.text
        # Storing the message (and the duplicate check) and understanding it (the embedding,
        # triage) are independent: run them side by side.
        (decision, vector, embed_ms), intake = await asyncio.gather(
            to_thread.run_sync(self._understand, original, text),
            to_thread.run_sync(self._intake, conv_id, inbound, dedupe_key, False),
        )
        if intake.duplicate:
            return Turn(conversation_id=conv_id, replies=[], handoff=intake.handoff, duplicate=True)
        turn = await self._respond(
            conv_id, inbound, intake, decision, vector, postcode_area, push=False
        )
        return replace(turn, embed_ms=embed_ms)

    async def receive(self, inbound: Inbound) -> int | None:
        """Durable intake for push channels (SMS, Telegram): commit the message, nothing more.

        The webhook answers 2xx once this returns; `process` answers the message, now or, after
        a crash, when `pending` finds it. Returns the message id, or None for a duplicate.
        """
        conv_id, _, inbound, _, dedupe_key = self._prepare(inbound)
        intake = await to_thread.run_sync(self._intake, conv_id, inbound, dedupe_key, True)
        return intake.message_id

    async def process(self, message_id: int) -> bool:
        """Answer one received message exactly once; False if it was done (or taken) already."""
        claimed = await to_thread.run_sync(self._claim, message_id)
        if claimed is None:
            return False
        conv_id, inbound, intake = claimed
        decision, vector, _ = await to_thread.run_sync(self._understand, inbound.text, inbound.text)
        await self._respond(conv_id, inbound, intake, decision, vector, None, push=True)
        if self._on_outbox is not None:
            self._on_outbox()
        return True

    async def pending(self, older_than: timedelta) -> list[int]:
        """Received messages nobody has answered (a crash, a restart), oldest first."""

        def load() -> list[int]:
            cutoff = self._clock() - older_than
            with self._db.session() as session:
                return list(
                    session.scalars(
                        select(Message.id)
                        .where(Message.processed_at.is_(None), Message.reply_to.is_not(None))
                        .where(Message.created_at < cutoff)
                        .order_by(Message.id)
                        .limit(100)
                    )
                )

        return await to_thread.run_sync(load)

    async def _respond(
        self,
        conv_id: str,
        inbound: Inbound,
        intake: _Intake,
        decision: Triage,
        vector: Vectors | None,
        postcode_area: str | None,
        *,
        push: bool,
    ) -> Turn:
        """Everything after intake: the reply, stored (and queued for a push channel)."""
        if decision.level is not Level.CRISIS and is_delete_request(inbound.text):
            await to_thread.run_sync(self._forget, conv_id, inbound if push else None)
            return Turn(conversation_id=conv_id, replies=[Reply(text=DELETED)], handoff="none")

        rasa_turn: RasaTurn | None = None
        rasa_ms = 0.0
        if decision.level is Level.CRISIS:
            replies = [
                Reply(
                    text=crisis_text(decision),
                    meta={"handoff": "waiting", "sms_text": crisis_sms(decision)},
                )
            ]
        elif intake.case_status in ("assigned", "live"):
            replies = []  # a person has the conversation: it goes to them, not to Rasa
        else:
            metadata: dict[str, Any] = {"channel": inbound.channel}
            if vector is not None:  # embedded once: Rasa's classifier and retrieval share it
                self._vectors.put(conv_id, inbound.text, vector)
                metadata["cairn_embedding"] = base64.b64encode(
                    vector.astype("<f4").tobytes()
                ).decode()
            asked = time.perf_counter()
            try:
                rasa_turn = await self._rasa.turn(
                    sender=conv_id, text=inbound.text, metadata=metadata
                )
                replies = [_to_reply(m) for m in rasa_turn.messages] or [Reply(text=RASA_TROUBLE)]
            except RasaUnavailable as exc:
                log.warning("rasa unavailable: %s", exc)
                replies = [Reply(text=RASA_TROUBLE)]
            rasa_ms = (time.perf_counter() - asked) * 1000

        meta = _merged_meta(replies)
        wants_person = decision.level is Level.CRISIS or meta.get("handoff") == "waiting"
        if self._waiting is not None and intake.case_status is None and wants_person:
            try:
                replies.append(Reply(text=self._waiting(self._clock())))
            except Exception:  # never let an extra line cost a young person the support lines
                log.exception("waiting message failed")
        facts = _facts(inbound, decision, rasa_turn, meta, postcode_area)
        handoff, case_id, opened = await to_thread.run_sync(
            self._finish, conv_id, inbound, decision, intake.message_id, replies, meta, facts, push
        )
        if case_id is not None:
            await self._hub.publish(f"case:{case_id}", {"author": "user", "text": inbound.text})
            if opened or decision.level is Level.CRISIS:
                await self._hub.publish("queue", {"case_id": case_id})
        return Turn(conversation_id=conv_id, replies=replies, handoff=handoff, rasa_ms=rasa_ms)

    def _prepare(self, inbound: Inbound) -> tuple[str, str, Inbound, str | None, str | None]:
        """Conversation id, the text as written (printable), the inbound with its postcode
        replaced by the council area, that area, and the provider's dedupe key."""
        original = printable(inbound.text)
        conv_id = conversation_id(
            secret=self._secret, channel=inbound.channel, address=inbound.address
        )
        text, postcode_area = self._drop_postcode(original)
        dedupe_key = f"{inbound.channel}:{inbound.provider_id}" if inbound.provider_id else None
        return conv_id, original, replace(inbound, text=text), postcode_area, dedupe_key

    def _understand(self, original: str, text: str) -> tuple[Triage, Vectors | None, float]:
        """Embed the message once and triage it (one thread hop).

        The vector (of `plain(text)`, what Rasa will see) serves the semantic triage layer,
        Rasa's intent classifier and dense retrieval. Triage reads the message as written;
        it reuses the vector only when that is the same text (no postcode was replaced).
        """
        if self._embedder is None:
            return triage(original, self._semantic), None, 0.0
        started = time.perf_counter()
        vector = self._embedder.embed_one(plain(text))
        embed_ms = (time.perf_counter() - started) * 1000
        decision = triage(original, self._semantic, vector if text == original else None)
        return decision, vector, embed_ms

    async def history(self, channel: str, address: str) -> tuple[str, list[tuple[str, str]]]:
        """The handoff state and (author, text) of a conversation's latest messages."""

        def load() -> tuple[str, list[tuple[str, str]]]:
            conv_id = conversation_id(secret=self._secret, channel=channel, address=address)
            with self._db.session() as session:
                handoff, rows = service.history(session=session, conversation_id=conv_id)
                return handoff, [(m.author, m.text) for m in rows]

        return await to_thread.run_sync(load)

    def _forget(self, conv_id: str, push_to: Inbound | None = None) -> None:
        """'Delete my data': the conversation goes from our store and from Rasa's, at once."""
        with self._db.session() as session:
            delete_conversations(session=session, conversation_ids=[conv_id])
            if push_to is not None:  # the confirmation, queued in the same transaction
                for body in outbound_bodies(push_to.channel, Reply(text=DELETED)):
                    outbox.enqueue(
                        session=session,
                        channel=push_to.channel,
                        conversation_id="-",
                        address=push_to.address,
                        body=body,
                    )
        if self._tracker_engine is not None:
            forget_in_rasa(self._tracker_engine, [conv_id])

    def _drop_postcode(self, text: str) -> tuple[str, str | None]:
        """Replace a postcode with its council area: neither Rasa nor the transcript keeps it.

        Returns the text and the council area's slug, if a Scottish postcode was found.
        """
        found = self._resolver.postcode(text)
        if found is None:
            return text, None
        matched, resolution = found
        area = council_name(resolution.council_area) if resolution.council_area else None
        replacement = area or "outside Scotland"
        text = re.sub(re.escape(matched), replacement, text, count=1, flags=re.IGNORECASE)
        return text, resolution.council_area

    def _intake(
        self, conv_id: str, inbound: Inbound, dedupe_key: str | None, deferred: bool
    ) -> _Intake:
        with self._db.session() as session:
            conversation, message_id = service.intake(
                session=session,
                conversation_id=conv_id,
                channel=inbound.channel,
                text=inbound.text,
                dedupe_key=dedupe_key,
                at=self._clock(),
                reply_to=inbound.address if deferred else None,
            )
            case = cases.active_case(session=session, conversation_id=conv_id)
            return _Intake(
                duplicate=message_id is None,
                message_id=message_id,
                handoff=conversation.handoff,  # type: ignore[arg-type]
                case_status=case.status if case else None,
            )

    def _claim(self, message_id: int) -> tuple[str, Inbound, _Intake] | None:
        """Take a received message for answering (a lease, so replicas never both answer it)."""
        now = self._clock()
        with self._db.session() as session:
            won = session.execute(
                update(Message)
                .where(Message.id == message_id, Message.processed_at.is_(None))
                .where(Message.reply_to.is_not(None))
                .where(or_(Message.claimed_at.is_(None), Message.claimed_at < now - self._lease))
                .values(claimed_at=now)
            )
            if not getattr(won, "rowcount", 0):
                return None
            message = session.get_one(Message, message_id)
            conversation = session.get_one(Conversation, message.conversation_id)
            case = cases.active_case(session=session, conversation_id=conversation.id)
            inbound = Inbound(
                channel=conversation.channel, address=str(message.reply_to), text=message.text
            )
            intake = _Intake(
                duplicate=False,
                message_id=message_id,
                handoff=conversation.handoff,  # type: ignore[arg-type]
                case_status=case.status if case else None,
            )
            return conversation.id, inbound, intake

    def _finish(
        self,
        conv_id: str,
        inbound: Inbound,
        decision: Triage,
        message_id: int | None,
        replies: list[Reply],
        meta: dict[str, Any],
        facts: TurnFacts,
        push: bool = False,
    ) -> tuple[Handoff, int | None, bool]:
        """Store replies, open or update a case, queue the replies (push channels) and the
        insight event, and mark the message answered: one transaction."""
        now = self._clock()
        with self._db.session() as session:
            if message_id is not None:
                session.execute(
                    update(Message)
                    .where(Message.id == message_id)
                    .values(processed_at=now, reply_to=None)
                )
            if push:
                for reply in replies:
                    for body in outbound_bodies(inbound.channel, reply):
                        outbox.enqueue(
                            session=session,
                            channel=inbound.channel,
                            conversation_id=conv_id,
                            address=inbound.address,
                            body=body,
                        )
            conversation = session.get_one(Conversation, conv_id)
            conversation.council_area = facts.council_area or conversation.council_area
            conversation.age_band = facts.age_band or conversation.age_band
            facts = replace(
                facts, council_area=conversation.council_area, age_band=conversation.age_band
            )
            service.record_replies(
                session=session, conversation_id=conv_id, replies=replies, at=now
            )
            case = cases.active_case(session=session, conversation_id=conv_id)
            opened = False
            if decision.level is Level.CRISIS or meta.get("handoff") == "waiting":
                opened = case is None
                case = cases.open_case(
                    session=session,
                    conversation_id=conv_id,
                    channel=inbound.channel,
                    reason=facts.escalation_reason or "asked_for_person",
                    urgent=decision.level is Level.CRISIS,
                    triage_reasons=decision.reasons,
                    share_consent=True if decision.level is Level.CRISIS else None,
                    from_message_id=message_id,
                )
            if case is not None:
                cases.remember_address(
                    session=session,
                    conversation_id=conv_id,
                    channel=inbound.channel,
                    address=inbound.address,
                )
            details = meta.get("handoff_details")
            if isinstance(details, dict) and "share_consent" in details:
                cases.set_consent(
                    session=session, conversation_id=conv_id, consent=bool(details["share_consent"])
                )
            handoff = conversation.handoff
            case_id = case.id if case is not None else None
            insight.enqueue(
                session=session,
                facts=facts,
                at=now,
                unanswered_question=inbound.text if facts.answered is False else None,
                conversation_id=conv_id,
            )
        return handoff, case_id, opened  # type: ignore[return-value]


def printable(text: str) -> str:
    """The text without control characters (NUL, BEL, ...) or lone surrogates; newlines and
    tabs stay. PostgreSQL refuses NUL in text, and nobody means to send one."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


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


def _merged_meta(replies: list[Reply]) -> dict[str, Any]:
    """What the turn's actions reported (answered, article ids, handoff ...), in one dict."""
    meta: dict[str, Any] = {}
    for reply in replies:
        meta.update(reply.meta)
    return meta


def _facts(
    inbound: Inbound,
    decision: Triage,
    rasa_turn: RasaTurn | None,
    meta: dict[str, Any],
    postcode_area: str | None,
) -> TurnFacts:
    """The anonymised facts of a turn: categories only, never the text."""
    topics = list(meta.get("topics") or [])
    reason = decision.reasons[0].split(":", 1)[1] if decision.reasons else meta.get("reason")
    slots = rasa_turn.slots if rasa_turn else {}
    area = postcode_area or slots.get("council_area")
    feedback = meta.get("feedback")
    return TurnFacts(
        channel=inbound.channel,
        council_area=area if isinstance(area, str) and area != "outside-scotland" else None,
        age_band=age_band(inbound.text),
        feedback=feedback if feedback in ("positive", "negative") else None,
        intent=rasa_turn.intent if rasa_turn else None,
        topic=topics[0] if topics else None,
        article_ids=tuple(meta.get("article_ids") or ()),
        answered=meta.get("answered"),
        triage_level=decision.level.value,
        escalation_reason=reason,
    )

"""The conversation router: dedupe -> triage -> bot -> replies -> insight.

It does not know which channel it serves; adapters verify, normalise and render.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine

from cairn.db import Database, as_utc
from channels import outbox, service
from channels.identity import conversation_id
from channels.live import LiveHub
from channels.rasa_client import RasaClient, RasaTurn, RasaUnavailable
from channels.render import outbound_bodies
from channels.retention import DELETED, delete_conversations, forget_in_rasa, is_delete_request
from channels.schemas import Inbound, Reply, Turn
from channels.turn_store import Intake, TurnOutcome, TurnStore
from channels.turns import merged_meta, printable, to_reply, turn_facts
from escalation import safety_check
from escalation.replies import (
    GLAD_SAFE,
    NOT_SAFE,
    SAFE,
    SAFETY_BUTTONS,
    concern_sms,
    concern_text,
    crisis_sms,
    crisis_text,
)
from escalation.triage import Level, RiskReader, Thresholds, Triage, triage
from followup import service as followup
from followup.service import Answer
from knowledge.embedding import Embedder, RecentVectors, Vectors
from knowledge.location import LocationResolver, council_name
from knowledge.text import plain

log = logging.getLogger(__name__)

URGENT_ALERT = "Risk signals in the young person's last message: check they are safe now."
ANSWER_WORDS = 5  # "yes im safe thanks": an answer; anything longer may hold a question too
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
        rasa: RasaClient,
        resolver: LocationResolver,
        hub: LiveHub,
        secret: str,
        risk: RiskReader | None = None,
        thresholds: Thresholds = Thresholds(),  # noqa: B008 (frozen)
        waiting: Callable[[datetime], str] | None = None,
        tracker_engine: Engine | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        embedder: Embedder | None = None,
        vectors: RecentVectors | None = None,
        on_outbox: Callable[[], None] | None = None,
        claim_lease: timedelta = timedelta(seconds=60),
        rasa_grace: timedelta = timedelta(seconds=120),
    ) -> None:
        self._db = db
        self._rasa = rasa
        self._resolver = resolver
        self._hub = hub
        self._risk = risk
        self._thresholds = thresholds
        self._waiting = waiting
        self._tracker_engine = tracker_engine
        self._secret = secret
        self._clock = clock
        self._embedder = embedder
        self._vectors = vectors or RecentVectors()
        self._on_outbox = on_outbox
        self._store = TurnStore(db=db, clock=clock, claim_lease=claim_lease)
        # A stored SMS or Telegram message waits this long for a Rasa that is starting up
        # (nothing listening) before it gets the "having trouble" answer instead.
        self._rasa_grace = rasa_grace

    async def handle(self, inbound: Inbound) -> Turn:
        """Store one message, answer it and return the replies (the web chat's request)."""
        conv_id, inbound, postcode_area, dedupe_key = self._prepare(inbound)
        text = inbound.text
        # Storing the message (and the duplicate check) and embedding it are independent:
        # run them side by side. Triage then reads the message with what intake found (the
        # messages before it, an open safety check).
        (vector, embed_ms), intake = await asyncio.gather(
            to_thread.run_sync(self._embed, text),
            to_thread.run_sync(self._store.intake, conv_id, inbound, dedupe_key, False),
        )
        if intake.duplicate:
            return Turn(conversation_id=conv_id, replies=[], handoff=intake.handoff, duplicate=True)
        # The text with its postcode replaced, as its vector (and as SMS and Telegram read it):
        # the thresholds are set for the span and meaning readers together.
        decision = await to_thread.run_sync(self._triage, text, vector, intake)
        turn = await self._respond(
            conv_id, inbound, intake, decision, vector, postcode_area, push=False
        )
        return replace(turn, embed_ms=embed_ms)

    async def receive(self, inbound: Inbound) -> int | None:
        """Durable intake for push channels (SMS, Telegram): commit the message, nothing more.

        The webhook answers 2xx once this returns; `process` answers the message, now or, after
        a crash, when `pending` finds it. Returns the message id, or None for a duplicate.
        """
        conv_id, inbound, _, dedupe_key = self._prepare(inbound)
        intake = await to_thread.run_sync(self._store.intake, conv_id, inbound, dedupe_key, True)
        return intake.message_id

    async def process(self, message_id: int) -> bool:
        """Answer one received message exactly once; False if it was done (or taken) already."""
        claimed = await to_thread.run_sync(self._store.claim, message_id)
        if claimed is None:
            return False
        conv_id, inbound, intake, received_at = claimed
        decision, vector = await to_thread.run_sync(self._understand, inbound.text, intake)
        wait = as_utc(received_at) > self._clock() - self._rasa_grace
        try:
            await self._respond(
                conv_id, inbound, intake, decision, vector, None, push=True, wait_for_rasa=wait
            )
        except _RasaStarting:
            await to_thread.run_sync(self._store.release, message_id)  # the resume pass retries it
            return False
        if self._on_outbox is not None:
            self._on_outbox()
        return True

    async def pending(self, older_than: timedelta) -> list[int]:
        """Received messages nobody has answered (a crash, a restart), oldest first."""
        return await to_thread.run_sync(self._store.pending, older_than)

    async def _respond(
        self,
        conv_id: str,
        inbound: Inbound,
        intake: Intake,
        decision: Triage,
        vector: Vectors | None,
        postcode_area: str | None,
        *,
        push: bool,
        wait_for_rasa: bool = False,
    ) -> Turn:
        """Everything after intake: the reply, stored (and queued for a push channel)."""
        if not decision.risky and is_delete_request(inbound.text):
            await to_thread.run_sync(self._forget, conv_id, inbound if push else None)
            return Turn(conversation_id=conv_id, replies=[Reply(text=DELETED)], handoff="none")

        rasa_turn: RasaTurn | None = None
        rasa_ms = 0.0
        said = _safety_answer(intake, decision, inbound.text)
        if said is safety_check.Answer.NOT_SAFE:
            decision = Triage(Level.CRISIS, ["crisis:not_safe"])
        answer = None if said is not None else _follow_up_answer(intake, decision, inbound.text)
        answered = followup.reply_for(answer) if answer is not None else None
        check: bool | None = False if said is safety_check.Answer.SAFE else None
        if decision.level is Level.CRISIS:
            replies = [
                Reply(
                    text=crisis_text(decision),
                    meta={"handoff": "waiting", "sms_text": crisis_sms(decision)},
                )
            ]
        elif intake.case_status in ("assigned", "live"):
            replies = []  # a person has the conversation: it goes to them, not to Rasa
        elif answered is not None:
            replies = [answered]  # the answer to a follow-up's question, not one for Rasa
        elif said is safety_check.Answer.SAFE and _only_an_answer(inbound.text):
            replies = [Reply(text=GLAD_SAFE)]
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
                replies = [to_reply(m) for m in rasa_turn.messages] or [Reply(text=RASA_TROUBLE)]
            except RasaUnavailable as exc:
                if exc.refused and wait_for_rasa and decision.level is not Level.CONCERN:
                    raise _RasaStarting from exc
                log.warning("rasa unavailable: %s", exc)
                replies = [Reply(text=RASA_TROUBLE)]
            rasa_ms = (time.perf_counter() - asked) * 1000
            if decision.level is Level.CONCERN:
                # Support and the question first; a careers answer only if there was a question.
                check = True
                replies = [_concern_reply(), *[r for r in replies if _helps(r)]]
            elif said is safety_check.Answer.SAFE:
                replies = [Reply(text=GLAD_SAFE), *replies]

        meta = merged_meta(replies)
        wants_person = decision.level is Level.CRISIS or meta.get("handoff") == "waiting"
        if self._waiting is not None and intake.case_status is None and wants_person:
            try:
                replies.append(Reply(text=self._waiting(self._clock())))
            except Exception:  # never let an extra line cost a young person the support lines
                log.exception("waiting message failed")
        facts = turn_facts(inbound, decision, rasa_turn, meta, postcode_area)
        handoff, case_id, opened, replies = await to_thread.run_sync(
            self._store.finish,
            conv_id,
            inbound,
            decision,
            intake,
            TurnOutcome(
                replies, meta, facts, answer, rasa_turn.intent if rasa_turn else None, check
            ),
            push,
        )
        if case_id is not None:
            await self._hub.publish(f"case:{case_id}", {"author": "user", "text": inbound.text})
            if decision.level is Level.CRISIS and intake.case_status is not None:
                # Whoever has the case (or will) must see this now, not on their next look.
                await self._hub.publish(
                    f"case:{case_id}", {"author": "system", "alert": "urgent", "text": URGENT_ALERT}
                )
            if opened or decision.level is Level.CRISIS:
                await self._hub.publish("queue", {"case_id": case_id})
        return Turn(conversation_id=conv_id, replies=replies, handoff=handoff, rasa_ms=rasa_ms)

    def _prepare(self, inbound: Inbound) -> tuple[str, Inbound, str | None, str | None]:
        """Conversation id, the inbound (printable) with its postcode replaced by the council
        area, that area, and the provider's dedupe key."""
        original = printable(inbound.text)
        conv_id = conversation_id(
            secret=self._secret, channel=inbound.channel, address=inbound.address
        )
        text, postcode_area = self._drop_postcode(original)
        dedupe_key = f"{inbound.channel}:{inbound.provider_id}" if inbound.provider_id else None
        return conv_id, replace(inbound, text=text), postcode_area, dedupe_key

    def _embed(self, text: str) -> tuple[Vectors | None, float]:
        """The message's one embedding (of `plain(text)`, what Rasa will see) and its cost.

        Triage's meaning readers, Rasa's intent classifier and dense retrieval share it.
        """
        if self._embedder is None:
            return None, 0.0
        started = time.perf_counter()
        vector = self._embedder.embed_one(plain(text))
        return vector, (time.perf_counter() - started) * 1000

    def _triage(self, text: str, vector: Vectors | None, intake: Intake) -> Triage:
        """Triage a message (its postcode replaced), after the messages before it.

        Once a case is open a person has the conversation: each message is still read on its
        own, but not joined to the one before ("still there?" after a disclosure already seen).
        """
        return triage(
            text,
            self._risk,
            vector,
            context=intake.recent if intake.case_status is None else (),
            checking=intake.safety_check,
            thresholds=self._thresholds,
        )

    def assess(self, text: str) -> Triage:
        """Triage one message on its own (the rate limiter asks before refusing one)."""
        vector, _ = self._embed(text)
        return triage(text, self._risk, vector, thresholds=self._thresholds)

    def _understand(self, text: str, intake: Intake) -> tuple[Triage, Vectors | None]:
        """Embed and triage a stored message (one thread hop)."""
        vector, _ = self._embed(text)
        return self._triage(text, vector, intake), vector

    async def history(
        self, channel: str, address: str
    ) -> tuple[str, list[tuple[str, str]], Reply | None]:
        """The handoff state, (author, text) of a conversation's latest messages and, on the
        web, a check-in that is due (shown on this visit, with its quick answers)."""

        def load() -> tuple[str, list[tuple[str, str]], Reply | None]:
            conv_id = conversation_id(secret=self._secret, channel=channel, address=address)
            with self._db.session() as session:
                check_in = None
                if channel == "web":
                    check_in = followup.show_on_visit(
                        session=session, conversation_id=conv_id, now=self._clock()
                    )
                handoff, rows = service.history(session=session, conversation_id=conv_id)
                return handoff, [(m.author, m.text) for m in rows], check_in

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


class _RasaStarting(Exception):
    """Rasa is not listening yet: a stored message waits for it rather than get an apology."""


def _safety_answer(intake: Intake, decision: Triage, text: str) -> safety_check.Answer | None:
    """A reply to "are you safe right now?" (a crisis or a person in the chat comes first)."""
    if decision.level is Level.CRISIS or intake.case_status in ("assigned", "live"):
        return None
    if not intake.safety_check and text.strip() not in (SAFE, NOT_SAFE):
        return None
    return safety_check.answer(text)


def _only_an_answer(text: str) -> bool:
    """Whether a reply to the safety check says nothing else (no question to answer)."""
    return text.strip() in (SAFE, NOT_SAFE) or len(plain(text).split()) <= ANSWER_WORDS


def _concern_reply() -> Reply:
    return Reply(
        text=concern_text(), buttons=list(SAFETY_BUTTONS), meta={"sms_text": concern_sms()}
    )


def _helps(reply: Reply) -> bool:
    """A careers answer, a service or a way to a person, not small talk or a fallback."""
    return bool(reply.sources) or any(
        reply.meta.get(key) for key in ("answered", "signposted", "handoff")
    )


def _follow_up_answer(intake: Intake, decision: Triage, text: str) -> Answer | None:
    """A message read as the answer to an open follow-up; triage and advisers come first."""
    if intake.follow_up is None or decision.risky:
        return None
    if intake.case_status in ("assigned", "live"):
        return None
    return followup.understand(intake.follow_up[1], text)

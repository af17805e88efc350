"""The pieces of one turn: Rasa's output as replies, their metadata, the anonymised facts."""

from __future__ import annotations

import unicodedata
from typing import Any

from channels.models import Conversation
from channels.rasa_client import RasaTurn
from channels.schemas import Button, Inbound, Reply, Source
from escalation.triage import Triage
from insight.service import TurnFacts, age_band


def note_first_help(
    conversation: Conversation, facts: TurnFacts, meta: dict[str, Any], opened: bool
) -> None:
    """Remember the first help a conversation got: a check-in's outcome counts against it."""
    if conversation.first_help is not None:
        return
    signposted = meta.get("signposted")
    if facts.answered and facts.topic:
        conversation.first_help, conversation.help_topic = "article", facts.topic
    elif isinstance(signposted, str) and signposted:
        conversation.first_help, conversation.help_topic = "service", signposted[:64]
    elif opened:
        conversation.first_help = "case"


def printable(text: str) -> str:
    """The text without control characters (NUL, BEL, ...) or lone surrogates; newlines and
    tabs stay. PostgreSQL refuses NUL in text, and nobody means to send one."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def to_reply(message: dict[str, Any]) -> Reply:
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


def merged_meta(replies: list[Reply]) -> dict[str, Any]:
    """What the turn's actions reported (answered, article ids, handoff ...), in one dict."""
    meta: dict[str, Any] = {}
    for reply in replies:
        meta.update(reply.meta)
    return meta


def turn_facts(
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

"""Conversation persistence: intake with dedupe, transcript, handoff state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.models import Conversation, Message
from channels.schemas import Handoff, Reply


def intake(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    text: str,
    dedupe_key: str | None,
    at: datetime,
) -> tuple[Conversation, bool]:
    """Store an inbound message; return the conversation and False if it was a duplicate."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, channel=channel, created_at=at)
        session.add(conversation)
    conversation.last_seen_at = at
    if dedupe_key is not None:
        seen = session.scalar(select(Message.id).where(Message.dedupe_key == dedupe_key))
        if seen is not None:
            return conversation, False
    message = Message(
        conversation_id=conversation_id,
        direction="in",
        author="user",
        text=text,
        dedupe_key=dedupe_key,
        created_at=at,
    )
    session.add(message)
    try:
        session.flush()
    except IntegrityError:  # a concurrent delivery of the same provider message won the race
        session.rollback()
        return conversation, False
    return conversation, True


def record_replies(
    *,
    session: Session,
    conversation_id: str,
    replies: list[Reply],
    handoff: Handoff | None,
    at: datetime,
) -> Handoff:
    """Store the bot's replies and any handoff change; return the conversation's state."""
    conversation = session.get_one(Conversation, conversation_id)
    for reply in replies:
        session.add(
            Message(
                conversation_id=conversation_id,
                direction="out",
                author="bot",
                text=reply.text,
                created_at=at,
            )
        )
    if handoff is not None and conversation.handoff == "none":
        conversation.handoff = handoff
    return conversation.handoff  # type: ignore[return-value]

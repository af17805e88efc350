"""Conversation persistence: intake with dedupe, transcript, handoff state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cairn.db import Base, Database
from channels.models import Conversation, Message, OutboxMessage
from channels.schemas import Reply


def intake(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    text: str,
    dedupe_key: str | None,
    at: datetime,
    reply_to: str | None = None,
) -> tuple[Conversation, int | None]:
    """Store an inbound message; return the conversation and the message id (None: duplicate).

    Both inserts ignore conflicts, so concurrent deliveries of the same provider message (or
    the first two messages of a new conversation) cannot fail each other, on any replica.
    """
    _insert_ignoring_conflicts(
        session,
        Conversation,
        {"id": conversation_id, "channel": channel, "created_at": at, "last_seen_at": at},
        ["id"],
    )
    message_id = _insert_ignoring_conflicts(
        session,
        Message,
        {
            "conversation_id": conversation_id,
            "direction": "in",
            "author": "user",
            "text": text,
            "dedupe_key": dedupe_key,
            "created_at": at,
            "reply_to": reply_to,
        },
        ["dedupe_key"],
        returning=Message.id,
    )
    conversation = session.get_one(Conversation, conversation_id)
    conversation.last_seen_at = at
    return conversation, message_id


def _insert_ignoring_conflicts(
    session: Session,
    model: type[Base],
    values: dict[str, object],
    keys: list[str],
    returning: Any = None,
) -> Any:
    """Insert unless a row with the same keys exists; return `returning` (None if skipped)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    column = returning if returning is not None else getattr(model, keys[0])
    statement = (
        insert(model).values(**values).on_conflict_do_nothing(index_elements=keys).returning(column)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0] if returning is not None else True)


def record_replies(
    *, session: Session, conversation_id: str, replies: list[Reply], at: datetime
) -> None:
    """Store the bot's replies in the transcript."""
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


def history(
    *, session: Session, conversation_id: str, limit: int = 50
) -> tuple[str, list[Message]]:
    """The conversation's handoff state and its latest messages, oldest first."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return "none", []
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    return conversation.handoff, list(reversed(rows))


# Twilio's message lifecycle. Status callbacks can arrive out of order (`delivered` before
# `sent`), so a status only replaces one of the same or a lower rank; unknown ones rank lowest.
_DELIVERY_RANK = {
    "accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2,
    "delivered": 3, "undelivered": 3, "failed": 3, "canceled": 3, "read": 4,
}  # fmt: skip


def record_delivery(db: Database, provider_id: str, status: str) -> None:
    """Store a provider's delivery status on the message it describes, never going back."""
    status = status[:32]
    with db.session() as session:
        row = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.provider_id == provider_id)
            .with_for_update()  # two callbacks on two replicas: the second sees the first
        ).first()
        if row is not None and _rank(status) >= _rank(row.delivery_status):
            row.delivery_status = status


def _rank(status: str | None) -> int:
    return -1 if status is None else _DELIVERY_RANK.get(status, 0)

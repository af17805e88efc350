"""Store the least, delete on schedule: transcripts go after the retention period, or at once
when a young person asks. Insight events (anonymous by construction) are kept."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, delete, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from channels.models import Conversation, OutboxMessage
from insight.models import InsightOutbox, PhraseSighting

_DELETE_REQUEST = re.compile(
    r"^\W*(?:please\s+)?(?:delete|erase|remove|wipe)\s+(?:all\s+)?(?:my|this)\s+"
    r"(?:data|chat|conversation|messages|history)\W*(?:please)?\W*$",
    re.IGNORECASE,
)
DELETED = (
    "Done: I've deleted this conversation and everything in it. If you write again, "
    "we'll start afresh."
)


def is_delete_request(message: str) -> bool:
    """Whether the whole message asks to delete the young person's data."""
    return bool(_DELETE_REQUEST.match(message.strip()))


def delete_conversations(*, session: Session, conversation_ids: list[str]) -> int:
    """Delete conversations with their messages, cases, notes, addresses and queued replies."""
    if not conversation_ids:
        return 0
    session.execute(
        delete(OutboxMessage).where(OutboxMessage.conversation_id.in_(conversation_ids))
    )
    session.execute(
        delete(PhraseSighting).where(PhraseSighting.conversation_id.in_(conversation_ids))
    )
    # A queued insight event stays (it is anonymous); its question and conversation id do not.
    session.execute(
        update(InsightOutbox)
        .where(InsightOutbox.conversation_id.in_(conversation_ids))
        .values(question=None, conversation_id=None)
    )
    result = session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def expired(*, session: Session, now: datetime, retention_days: int) -> list[str]:
    """Conversations nobody has written in for longer than the retention period."""
    cutoff = now - timedelta(days=retention_days)
    return list(session.scalars(select(Conversation.id).where(Conversation.last_seen_at < cutoff)))


def forget_in_rasa(tracker_engine: Engine, conversation_ids: list[str]) -> int:
    """Delete the same conversations from Rasa's SQL tracker store (it holds the text too)."""
    if not conversation_ids:
        return 0
    try:
        statement = text("DELETE FROM events WHERE sender_id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        with tracker_engine.begin() as connection:
            result = connection.execute(statement, {"ids": list(conversation_ids)})
    except DatabaseError:  # no events table yet: nothing stored
        return 0
    return int(result.rowcount or 0)


def purge(
    *, session: Session, tracker_engine: Engine | None, now: datetime, retention_days: int
) -> int:
    """Delete every conversation past the retention period, here and in Rasa's store."""
    ids = expired(session=session, now=now, retention_days=retention_days)
    deleted = delete_conversations(session=session, conversation_ids=ids)
    cutoff = now - timedelta(days=retention_days)
    session.execute(delete(PhraseSighting).where(PhraseSighting.seen_at < cutoff))
    if tracker_engine is not None:
        forget_in_rasa(tracker_engine, ids)
    return deleted

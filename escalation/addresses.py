"""Where to reach a young person on SMS or Telegram: kept only while something still needs it.

An open case needs the number or chat id for the adviser's replies; a consented follow-up needs
it until its check-in is sent. Once neither does, it goes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from escalation.models import Case, ChannelAddress
from followup.models import NEEDS_ADDRESS, FollowUp

OPEN_CASE = ("waiting", "assigned", "live")


def remember(*, session: Session, conversation_id: str, channel: str, address: str) -> None:
    """Keep the number or chat id (the web needs none)."""
    if channel != "web":
        session.merge(
            ChannelAddress(conversation_id=conversation_id, channel=channel, address=address)
        )


def address_of(*, session: Session, conversation_id: str) -> str | None:
    """The number or chat id kept for the conversation, if any."""
    row = session.get(ChannelAddress, conversation_id)
    return row.address if row is not None else None


def forget_unless_needed(*, session: Session, conversation_id: str) -> None:
    """Drop the address unless an open case or a follow-up still waiting to send needs it."""
    case = select(Case.id).where(
        Case.conversation_id == conversation_id, Case.status.in_(OPEN_CASE)
    )
    follow_up = select(FollowUp.id).where(
        FollowUp.conversation_id == conversation_id, FollowUp.status.in_(NEEDS_ADDRESS)
    )
    if session.scalars(case).first() is None and session.scalars(follow_up).first() is None:
        row = session.get(ChannelAddress, conversation_id)
        if row is not None:
            session.delete(row)

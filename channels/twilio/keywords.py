"""Twilio's standard opt-out keywords (its Advanced Opt-Out list)."""

from __future__ import annotations

STOP = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke"})
START = frozenset({"start", "unstop", "yes"})
HELP = frozenset({"help", "info"})

HELP_TEXT = (
    "Cairn: free careers help for young people in Scotland. Ask a question about jobs, courses "
    "or money, or say PERSON to reach an adviser. Reply STOP to stop messages. In danger? Call 999."
)
START_TEXT = "You're back on Cairn. Ask me anything about jobs, courses or money for studying."


def keyword(text: str) -> str | None:
    """ "stop", "start" or "help" when the whole message is one of those keywords."""
    word = text.strip().lower().strip(".!")
    if word in STOP:
        return "stop"
    if word in START:
        return "start"
    if word in HELP:
        return "help"
    return None

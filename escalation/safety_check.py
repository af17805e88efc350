"""The answer to "are you safe right now?", asked after a `concern`.

A clear yes ends the check and the conversation carries on. A no is a crisis. Anything else
leaves the check open: the next sign of risk is then a crisis (escalation/triage.py).
"""

from __future__ import annotations

import re
from enum import StrEnum

from escalation.replies import NOT_SAFE, SAFE
from knowledge.text import plain


class Answer(StrEnum):
    """What a reply to the check says."""

    SAFE = "safe"
    NOT_SAFE = "not_safe"


_NOT_SAFE = re.compile(
    r"^(?:no|nope|nah|not really|not safe|im not|i am not|i am not safe|not sure|dont think so|"
    r"i dont know|no i am not|no not really|not at all|no im not)\b"
)
_SAFE = re.compile(
    r"^(?:yes|yeah|yep|yup|ya|yh|aye|ok|okay|safe|i am safe|im safe|i am ok|i am okay|im ok|"
    r"i am fine|im fine|i am alright|im alright|all good|fine|i am good|im good)\b"
    r"(?! but)(?!.*\b(?:not safe|no safe|dont feel safe|not really)\b)"
)


def answer(text: str) -> Answer | None:
    """SAFE, NOT_SAFE, or None when the message does not answer the question."""
    stripped = text.strip()
    if stripped == NOT_SAFE:
        return Answer.NOT_SAFE
    if stripped == SAFE:
        return Answer.SAFE
    words = plain(text)
    if _NOT_SAFE.search(words):
        return Answer.NOT_SAFE
    if _SAFE.search(words):
        return Answer.SAFE
    return None

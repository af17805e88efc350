"""Optional rewording by an LLM: it may only reword the retrieved passages, never add facts.

Off by default. An operator turns it on with LLM_REPHRASE=true and LLM_MODEL set to any chat
model LangChain's `init_chat_model` knows ("provider:model"). Every rewording is checked: a
number, a URL or a name that is not in the passages rejects it, and the extractive answer
is sent instead.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from knowledge.answer import Answer

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:scot|uk|com|org|net|gov)\b")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z'\u2019-]+")
_ALWAYS_ALLOWED = {"I", "You", "Your", "If", "The", "This", "It", "For", "To", "A", "An"}

INSTRUCTIONS = (
    "You reword careers information for a young person in Scotland aged 14 to 24. Rewrite the "
    "PASSAGES as a short, warm, plain-English answer to the QUESTION. Use only facts in the "
    "PASSAGES. Do not add any number, date, amount, name, organisation, phone number or web "
    "address that is not in the PASSAGES. If the PASSAGES do not answer the QUESTION, repeat "
    "them unchanged."
)


def ungrounded(candidate: str, evidence: str) -> list[str]:
    """Numbers, web addresses and names in `candidate` that `evidence` never mentions."""
    found = []
    digits_in_evidence = {n.replace(",", "") for n in _NUMBER.findall(evidence)}
    for number in _NUMBER.findall(candidate):
        if number.replace(",", "") not in digits_in_evidence:
            found.append(number)
    lowered = evidence.lower()
    for url in _URL.findall(candidate):
        if url.rstrip(".,)").lower() not in lowered:
            found.append(url)
    for name in _NAME.findall(candidate):
        if name not in _ALWAYS_ALLOWED and name not in evidence:
            found.append(name)
    return found


class Rephraser:
    """Rewords an extractive answer with a chat model, keeping it only if it is grounded."""

    def __init__(self, model: BaseChatModel, *, timeout_s: float = 4.0) -> None:
        self._model = model
        self._timeout_s = timeout_s

    async def rephrase(self, question: str, answer: Answer, evidence: str) -> Answer:
        """Return the reworded answer, or the original if the model fails or adds facts."""
        if not answer.answered:
            return answer
        messages = [
            SystemMessage(INSTRUCTIONS),
            HumanMessage(f"QUESTION:\n{question}\n\nPASSAGES:\n{answer.text}"),
        ]
        try:
            response = await asyncio.wait_for(self._model.ainvoke(messages), self._timeout_s)
        except Exception:  # any provider failure falls back to the vetted text
            log.warning("rephrase failed; sending the extractive answer", exc_info=True)
            return answer
        text = str(response.text).strip()
        problems = ungrounded(text, evidence)
        if not text or problems:
            log.info("rephrase rejected: %d ungrounded item(s)", len(problems))
            return answer
        return replace(answer, text=text)


def load_model(spec: str) -> BaseChatModel:
    """Build the operator's chat model, e.g. "openai:gpt-4o-mini" or "ollama:llama3"."""
    from langchain.chat_models import init_chat_model

    return init_chat_model(spec)

"""Answer a question from the vetted knowledge index."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.reply import TALK_TO_PERSON, send
from knowledge.answer import Answer
from knowledge.embedding import RecentVectors, Vectors

OFFER = "would you like to talk to a careers adviser?"


class Answerer(Protocol):
    """Anything that turns a question into a grounded answer."""

    async def answer(self, question: str, vector: Vectors | None = None) -> Answer:
        """Answer `question` (`vector`: its embedding, if the turn already computed it)."""
        ...


class ActionAnswerQuestion(Action):
    """Reply with the most relevant vetted passages and their sources, or say we don't know."""

    def __init__(self, answerer: Answerer, vectors: RecentVectors | None = None) -> None:
        self._answerer = answerer
        self._vectors = vectors

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Search, compose and utter the answer; count answers that missed."""
        question = str(tracker.latest_message.get("text") or "").strip()
        if not question:  # e.g. straight after "start again" wiped the conversation
            return []
        vector = self._vectors.get(tracker.sender_id, question) if self._vectors else None
        answer = await self._answerer.answer(question, vector)
        misses = 0.0 if answer.answered else float(tracker.get_slot("failed_answers") or 0) + 1
        text = answer.text
        if misses >= 2:
            text += " I've not been able to help with the last couple of questions: " + OFFER
        send(
            dispatcher,
            text,
            sources=[asdict(s) for s in answer.sources],
            buttons=[] if answer.answered else [TALK_TO_PERSON],
            answered=answer.answered,
            article_ids=answer.article_ids,
            topics=answer.topics,
            failed_turns=int(misses),
        )
        return [SlotSet("failed_answers", misses)]

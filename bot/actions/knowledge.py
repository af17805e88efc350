"""Answer a question from the vetted knowledge index; expand an answer; knowledge first."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.reply import TALK_TO_PERSON, send
from knowledge.answer import Answer
from knowledge.embedding import RecentVectors, Vectors
from knowledge.service import refers_back
from knowledge.text import normalise_query

OFFER = "would you like to talk to a careers adviser?"
TELL_ME_MORE = {"title": "Tell me more", "payload": "/tell_me_more"}
FIND_HELP = {"title": "Find help near me", "payload": "/find_service"}
NOTHING_MORE = "That's all I have on that. Ask me something else, or ask to talk to a person."
ASK_FIRST = "Ask me a question about jobs, courses or money for studying, and I'll tell you more."
# A message that asks for somewhere to go, not for information.
_NEAR = r"near|nearby|nearest|closest|local|locally|in my area|around here|round here|in my town"
_NEARBY = re.compile(rf"\b({_NEAR})\b")
_LOCAL = re.compile(
    rf"\b({_NEAR}|where can i (go|find|get)|where do i go|where is|drop in|postcode|centres?|"
    r"offices?)\b"
)
# Places that name the whole country: "where can I find apprenticeships in Scotland?"
_COUNTRY = ("scotland", "the uk", "uk")
_NATIONWIDE = re.compile(rf"\b(in|across|anywhere in|all over|around) ({'|'.join(_COUNTRY)})\b")
# A question about something, from someone who says where they are ("i stay in oban, how do
# i become a chef"): the place is context, not the ask, unless the question asks where.
_ASKS_ABOUT = re.compile(r"\b(what|which|how|why|does|(can|do|should|will) (i|a))\b")
_ASKS_WHERE = re.compile(r"\bwhere\b")
# Intents whose own reply is right unless the message is a follow-up to the last answer.
_FOLLOW_UP_ONLY = frozenset({"privacy_question", "feedback_positive", "thank", "help"})


class Answerer(Protocol):
    """Anything that turns a question into a grounded answer."""

    async def answer(
        self,
        question: str,
        vector: Vectors | None = None,
        *,
        context: str | None = None,
        earlier: str | None = None,
    ) -> Answer:
        """Answer `question` (`vector`: its embedding, if the turn already computed it;
        `context`: the article of the last answer, and `earlier`: the message before this
        one, for follow-ups)."""
        ...

    async def more(self, key: str) -> Answer | None:
        """The fuller passage behind the answer `key` names."""
        ...


def asks_for_local_help(tracker: Tracker) -> bool:
    """Whether the message asks where to go (a place, "near me") or is the button's payload.

    "Where can I find apprenticeships in Scotland?" asks where to look across the country,
    which an article answers; only a nearer place, or "near me", asks for local services.
    """
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return True
    query = normalise_query(text)
    if names_a_place(tracker):
        asks_about = _ASKS_ABOUT.search(query) and not _ASKS_WHERE.search(query)
        return not asks_about or bool(_LOCAL.search(query))
    if _NATIONWIDE.search(query) and not _NEARBY.search(query):
        return False
    return bool(_LOCAL.search(query))


def names_a_place(tracker: Tracker) -> bool:
    """Whether the message names a place or postcode smaller than the whole country."""
    entities = tracker.latest_message.get("entities") or []
    return any(
        str(e.get("value") or "").lower() not in _COUNTRY
        for e in entities
        if e.get("entity") in ("place", "postcode")
    )


class ActionAnswerQuestion(Action):
    """Reply with the most relevant vetted answer and its sources, or say we don't know."""

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
        answer = await _answer(self._answerer, self._vectors, tracker)
        if answer is None:  # e.g. straight after "start again" wiped the conversation
            return []
        return _utter(dispatcher, tracker, answer)


class ActionKnowledgeFirst(Action):
    """Answer a message the classifier took for signposting, small talk or out of scope, if
    knowledge can; or, when it follows an answer, one it took for thanks, help or a privacy
    question.

    Sets `knowledge_first`: the rules go on to the services form (or "not something I can help
    with") only when it is false.
    """

    def __init__(self, answerer: Answerer, vectors: RecentVectors | None = None) -> None:
        self._answerer = answerer
        self._vectors = vectors

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_knowledge_first"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter a confident answer (with "find help near me"), or say nothing."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "find_service" and asks_for_local_help(tracker):
            return [SlotSet("knowledge_first", False)]
        text = str(tracker.latest_message.get("text") or "")
        if intent in _FOLLOW_UP_ONLY and not (
            tracker.get_slot("last_article") and refers_back(text)
        ):
            return [SlotSet("knowledge_first", False)]
        answer = await _answer(self._answerer, self._vectors, tracker)
        if answer is None or not answer.answered:
            return [SlotSet("knowledge_first", False)]
        if not answer.quick and (intent != "find_service" or names_a_place(tracker)):
            # Small talk and "not for me" guesses take only a vetted quick answer: "how are
            # you" shares a few words with many passages, but asks none of them. So does a
            # question that names a place: unless a quick answer fits, the services there do.
            return [SlotSet("knowledge_first", False)]
        extra = [FIND_HELP] if intent == "find_service" else []
        return [*_utter(dispatcher, tracker, answer, extra=extra), SlotSet("knowledge_first", True)]


class ActionTellMeMore(Action):
    """Expand the last knowledge answer, or show more services if services came last."""

    def __init__(self, answerer: Answerer, more_services: Action) -> None:
        self._answerer = answerer
        self._more_services = more_services

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_tell_me_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The fuller passage, once; then "that's all"."""
        key = tracker.get_slot("last_answer")
        if not key:
            if tracker.get_slot("location"):
                return list(await self._more_services.run(dispatcher, tracker, domain))
            send(dispatcher, ASK_FIRST)
            return []
        answer = await self._answerer.more(str(key))
        if answer is None:
            send(dispatcher, NOTHING_MORE, buttons=[TALK_TO_PERSON])
            return [SlotSet("last_answer", None)]
        send(
            dispatcher,
            answer.text,
            sources=[asdict(s) for s in answer.sources],
            buttons=[TALK_TO_PERSON],
            answered=True,
            article_ids=answer.article_ids,
            topics=answer.topics,
            expanded=True,
        )
        return [SlotSet("last_answer", None)]


async def _answer(
    answerer: Answerer, vectors: RecentVectors | None, tracker: Tracker
) -> Answer | None:
    """The answer to the latest message, read against the last answer's article."""
    question = str(tracker.latest_message.get("text") or "").strip()
    if not question or question.startswith("/"):
        return None
    vector = vectors.get(tracker.sender_id, question) if vectors else None
    context = tracker.get_slot("last_article")
    if not context:
        return await answerer.answer(question, vector)
    earlier = earlier_message(tracker)
    return await answerer.answer(question, vector, context=str(context), earlier=earlier)


def earlier_message(tracker: Tracker) -> str | None:
    """The young person's message before the latest, in this session, if they typed it.

    Read from the tracker Rasa keeps anyway: no free text goes into a slot.
    """
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            return None
        if event.get("event") == "user":
            users += 1
            if users == 2:
                text = str(event.get("text") or "").strip()
                return None if not text or text.startswith("/") else text
    return None


def _utter(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    answer: Answer,
    *,
    extra: list[dict[str, str]] | None = None,
) -> list[EventType]:
    """Send an answer (or the honest "I don't know"); remember its article and key."""
    misses = 0.0 if answer.answered else float(tracker.get_slot("failed_answers") or 0) + 1
    text = answer.text
    if misses >= 2:
        text += " I've not been able to help with the last couple of questions: " + OFFER
    more = [TELL_ME_MORE] if answer.more else []
    send(
        dispatcher,
        text,
        sources=[asdict(s) for s in answer.sources],
        buttons=[*more, *(extra or [])] if answer.answered else [TALK_TO_PERSON],
        answered=answer.answered,
        article_ids=answer.article_ids,
        topics=answer.topics,
        failed_turns=int(misses),
    )
    events: list[EventType] = [SlotSet("failed_answers", misses)]
    if answer.answered:
        events += [
            SlotSet("last_article", answer.article_ids[0]),
            SlotSet("last_answer", answer.more),
        ]
    return events

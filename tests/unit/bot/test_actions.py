from __future__ import annotations

from typing import Any

import numpy as np
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import ActionRequestHuman
from bot.actions.knowledge import ActionAnswerQuestion
from knowledge.answer import NO_ANSWER, Answer, Source
from knowledge.embedding import RecentVectors, Vectors
from tests.unit.bot.trackers import make_tracker


class StubAnswerer:
    """Records the question and returns a fixed answer."""

    def __init__(self, answer: Answer) -> None:
        self.answer_to_give = answer
        self.questions: list[str] = []
        self.vectors: list[Vectors | None] = []

    async def answer(self, question: str, vector: Vectors | None = None) -> Answer:
        self.questions.append(question)
        self.vectors.append(vector)
        return self.answer_to_give


async def test_answer_question_utters_text_sources_and_meta() -> None:
    answer = Answer(
        text="EMA is paid every two weeks.",
        sources=[Source("EMA", "https://www.mygov.scot/ema", "2026-11-24")],
        article_ids=["ema"],
        topics=["money-and-funding"],
        answered=True,
    )
    answerer = StubAnswerer(answer)
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerQuestion(answerer).run(dispatcher, make_tracker("wot is ema"), {})
    assert events == [{"event": "slot", "timestamp": None, "name": "failed_answers", "value": 0.0}]
    assert answerer.questions == ["wot is ema"]
    [message] = dispatcher.messages
    custom: dict[str, Any] = message["custom"]
    assert custom["text"] == "EMA is paid every two weeks."
    assert custom["sources"] == [
        {"title": "EMA", "url": "https://www.mygov.scot/ema", "last_reviewed": "2026-11-24"}
    ]
    assert custom["buttons"] == []
    assert custom["meta"]["article_ids"] == ["ema"]


async def test_no_good_answer_offers_a_person() -> None:
    answer = Answer(text=NO_ANSWER, sources=[], article_ids=[], topics=[], answered=False)
    dispatcher = CollectingDispatcher()
    await ActionAnswerQuestion(StubAnswerer(answer)).run(dispatcher, make_tracker("rocket"), {})
    custom = dispatcher.messages[0]["custom"]
    assert custom["meta"]["answered"] is False
    assert custom["buttons"] == [{"title": "Talk to a person", "payload": "/request_human"}]


async def test_request_human_asks_the_service_for_a_handoff() -> None:
    dispatcher = CollectingDispatcher()
    await ActionRequestHuman().run(dispatcher, make_tracker("human pls", "request_human"), {})
    assert dispatcher.messages[0]["custom"]["meta"]["handoff"] == "waiting"


async def test_two_missed_answers_in_a_row_offer_a_person() -> None:
    answer = Answer(text=NO_ANSWER, sources=[], article_ids=[], topics=[], answered=False)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("rocket", slots={"failed_answers": 1.0})
    events = await ActionAnswerQuestion(StubAnswerer(answer)).run(dispatcher, tracker, {})
    assert events == [{"event": "slot", "timestamp": None, "name": "failed_answers", "value": 2.0}]
    assert "talk to a careers adviser" in dispatcher.messages[0]["custom"]["text"]


async def test_an_empty_message_gets_no_answer() -> None:
    answerer = StubAnswerer(Answer(text="x", sources=[], article_ids=[], topics=[], answered=True))
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerQuestion(answerer).run(dispatcher, make_tracker(""), {}) == []
    assert dispatcher.messages == [] and answerer.questions == []


async def test_the_turns_embedding_is_reused_only_for_the_same_text() -> None:
    answer = Answer(text=NO_ANSWER, sources=[], article_ids=[], topics=[], answered=False)
    answerer = StubAnswerer(answer)
    vectors = RecentVectors()
    tracker = make_tracker("wot is ema")
    vectors.put(tracker.sender_id, "wot is ema", np.ones(384, dtype=np.float32))
    action = ActionAnswerQuestion(answerer, vectors)
    await action.run(CollectingDispatcher(), tracker, {})
    vectors.put(tracker.sender_id, "something else", np.ones(384, dtype=np.float32))
    await action.run(CollectingDispatcher(), tracker, {})
    assert answerer.vectors[0] is not None and answerer.vectors[1] is None

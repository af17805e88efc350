from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import ActionRequestHuman
from bot.actions.knowledge import ActionAnswerQuestion, ActionKnowledgeFirst, ActionTellMeMore
from bot.actions.services import ActionMoreServices
from knowledge.answer import NO_ANSWER, Answer, Source
from knowledge.directory import Directory
from knowledge.embedding import RecentVectors, Vectors
from tests.unit.bot.trackers import make_tracker


class StubAnswerer:
    """Records the question and returns a fixed answer."""

    def __init__(self, answer: Answer) -> None:
        self.answer_to_give = answer
        self.questions: list[str] = []
        self.vectors: list[Vectors | None] = []

        self.contexts: list[str | None] = []
        self.earlier: list[str | None] = []

    async def answer(
        self,
        question: str,
        vector: Vectors | None = None,
        *,
        context: str | None = None,
        earlier: str | None = None,
    ) -> Answer:
        self.questions.append(question)
        self.vectors.append(vector)
        self.contexts.append(context)
        self.earlier.append(earlier)
        return self.answer_to_give

    async def more(self, key: str) -> Answer | None:
        self.questions.append(f"more:{key}")
        return None if key == "gone" else self.answer_to_give


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


async def test_answer_question_utters_text_sources_and_meta() -> None:
    answer = Answer(
        text="EMA is paid every two weeks.",
        sources=[Source("EMA", "https://www.mygov.scot/ema", "2026-11-24")],
        article_ids=["ema"],
        topics=["money-and-funding"],
        answered=True,
        more="ema#0",
        quick=True,
    )
    answerer = StubAnswerer(answer)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "how long is it paid for",
        slots={"last_article": "job-nurse"},
        earlier=["/start", "i want to be a nurse"],
    )
    events = await ActionAnswerQuestion(answerer).run(dispatcher, tracker, {})
    assert events == [
        slot("failed_answers", 0.0),
        slot("last_article", "ema"),
        slot("last_answer", "ema#0"),
    ]
    assert answerer.questions == ["how long is it paid for"]
    assert answerer.contexts == ["job-nurse"]  # read against the last answer's article
    assert answerer.earlier == ["i want to be a nurse"]  # and the message before this one
    [message] = dispatcher.messages
    custom: dict[str, Any] = message["custom"]
    assert custom["text"] == "EMA is paid every two weeks."
    assert custom["sources"] == [
        {"title": "EMA", "url": "https://www.mygov.scot/ema", "last_reviewed": "2026-11-24"}
    ]
    assert custom["buttons"] == [{"title": "Tell me more", "payload": "/tell_me_more"}]
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
    assert events == [slot("failed_answers", 2.0)]
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


QUICK = Answer(
    text="EMA is 30 pounds a week.",
    sources=[Source("EMA", "https://www.mygov.scot/ema", "2026-11-24")],
    article_ids=["ema"],
    topics=["money-and-funding"],
    answered=True,
    more="ema#0",
    quick=True,
)
UNKNOWN = Answer(text=NO_ANSWER, sources=[], article_ids=[], topics=[], answered=False)


async def test_knowledge_first_answers_a_signposting_guess_and_offers_local_help() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("i have a disability can i get help at work", "find_service")
    events = await ActionKnowledgeFirst(StubAnswerer(QUICK)).run(dispatcher, tracker, {})
    assert events[-1] == slot("knowledge_first", True)
    assert {"title": "Find help near me", "payload": "/find_service"} in (
        dispatcher.messages[0]["custom"]["buttons"]
    )


async def test_knowledge_first_leaves_local_help_and_unknowns_to_the_form() -> None:
    for text, entities, answer in [
        ("any careers help near me", [], QUICK),
        ("careers advice in", [{"entity": "place", "value": "Dundee"}], QUICK),
        ("/find_service", [], QUICK),
        ("need a hand", [], UNKNOWN),
        ("where can i get careers advice in scotland near me", [], QUICK),
    ]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(text, "find_service", entities=entities)
        events = await ActionKnowledgeFirst(StubAnswerer(answer)).run(dispatcher, tracker, {})
        assert events == [slot("knowledge_first", False)], text
        assert dispatcher.messages == []


async def test_a_question_about_all_of_scotland_is_answered_not_located() -> None:
    for text, entities in [
        ("where can i find apprenticeships in scotland", []),
        ("where do i get free advice across scotland", [{"entity": "place", "value": "Scotland"}]),
    ]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(text, "find_service", entities=entities)
        events = await ActionKnowledgeFirst(StubAnswerer(QUICK)).run(dispatcher, tracker, {})
        assert events[-1] == slot("knowledge_first", True), text


async def test_a_question_that_names_a_place_takes_a_quick_answer_or_the_services() -> None:
    oban = [{"entity": "place", "value": "Oban"}]
    composed = replace(QUICK, quick=False, more="ema")
    for text, answer, taken in [
        ("i stay in oban, how do i become a chef", QUICK, True),
        ("i stay in oban, how do i become a chef", composed, False),
        ("careers help in oban", QUICK, False),
        ("i stay in oban, where can i get careers advice", QUICK, False),
        ("where could i train as a chef, i stay in oban", QUICK, False),
    ]:
        tracker = make_tracker(text, "find_service", entities=oban)
        events = await ActionKnowledgeFirst(StubAnswerer(answer)).run(
            CollectingDispatcher(), tracker, {}
        )
        assert events[-1] == slot("knowledge_first", taken), (text, answer.quick)


async def test_tell_me_more_expands_the_last_answer_once() -> None:
    dispatcher = CollectingDispatcher()
    answerer = StubAnswerer(QUICK)
    action = ActionTellMeMore(answerer, ActionMoreServices(Directory([])))
    tracker = make_tracker("more", "tell_me_more", slots={"last_answer": "ema#0"})
    assert await action.run(dispatcher, tracker, {}) == [slot("last_answer", None)]
    assert answerer.questions == ["more:ema#0"]
    assert dispatcher.messages[0]["custom"]["meta"]["expanded"] is True

    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, make_tracker("more", "tell_me_more"), {})
    assert "Ask me a question" in dispatcher.messages[0]["custom"]["text"]

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("more", "tell_me_more", slots={"last_answer": "gone"})
    await action.run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["text"].startswith("That's all I have")


async def test_small_talk_takes_only_a_vetted_quick_answer() -> None:
    composed = Answer(
        text="Some sentences.",
        sources=QUICK.sources,
        article_ids=["ema"],
        topics=[],
        answered=True,
        more="ema",
    )
    for answer, taken in [(composed, False), (QUICK, True)]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("how long", "chitchat", slots={"last_article": "ema"})
        events = await ActionKnowledgeFirst(StubAnswerer(answer)).run(dispatcher, tracker, {})
        assert events[-1] == slot("knowledge_first", taken)
        assert bool(dispatcher.messages) is taken


async def test_thanks_and_privacy_are_read_as_follow_ups_only_after_an_answer() -> None:
    cases = [
        ("and advanced higher?", "feedback_positive", {"last_article": "ema"}, True),
        ("who can i report it to", "privacy_question", {"last_article": "ema"}, True),
        ("who can i report it to", "privacy_question", {}, False),
        ("thanks so much", "feedback_positive", {"last_article": "ema"}, False),
        ("what do you do with my data", "privacy_question", {"last_article": "ema"}, False),
    ]
    for text, intent, slots, taken in cases:
        dispatcher = CollectingDispatcher()
        answerer = StubAnswerer(QUICK)
        tracker = make_tracker(text, intent, slots=slots)
        events = await ActionKnowledgeFirst(answerer).run(dispatcher, tracker, {})
        assert events[-1] == slot("knowledge_first", taken), text
        assert bool(answerer.questions) is taken, text

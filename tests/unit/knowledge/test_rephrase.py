"""The optional LLM step, with LangChain's fake chat model standing in for a provider."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from knowledge.answer import Answer, Source
from knowledge.rephrase import Rephraser, ungrounded

EVIDENCE = (
    "EMA is 30 pounds a week for students aged 16 to 19. Apply through your school. "
    "See https://www.mygov.scot/ema for details."
)
ORIGINAL = Answer(
    text="EMA is 30 pounds a week for students aged 16 to 19.",
    sources=[Source("EMA", "https://www.mygov.scot/ema", "2026-11-24")],
    article_ids=["ema"],
    topics=["money-and-funding"],
    answered=True,
)


async def _rephrase(reply: str, answer: Answer = ORIGINAL) -> Answer:
    model = FakeListChatModel(responses=[reply])
    return await Rephraser(model).rephrase("how much is ema", answer, EVIDENCE)


async def test_a_faithful_rewording_is_used_with_the_same_sources() -> None:
    got = await _rephrase("If you are 16 to 19, EMA gives you 30 pounds a week.")
    assert got.text == "If you are 16 to 19, EMA gives you 30 pounds a week."
    assert got.sources == ORIGINAL.sources


async def test_an_invented_number_is_rejected() -> None:
    assert (await _rephrase("EMA is 40 pounds a week.")).text == ORIGINAL.text


async def test_an_invented_link_or_name_is_rejected() -> None:
    assert (await _rephrase("Apply at www.ema-grants.com today.")).text == ORIGINAL.text
    assert (await _rephrase("EMA is paid by Barclays every week.")).text == ORIGINAL.text


async def test_no_answer_is_never_sent_to_the_model() -> None:
    no_answer = Answer(text="I don't know.", sources=[], article_ids=[], topics=[], answered=False)
    assert await _rephrase("Something made up 99.", no_answer) is no_answer


def test_ungrounded_lists_each_new_fact() -> None:
    assert ungrounded("Call 0800 123 456 or see www.fake.org", EVIDENCE) == [
        "0800",
        "123",
        "456",
        "www.fake.org",
    ]
    assert ungrounded("See https://www.mygov.scot/ema for 30 pounds.", EVIDENCE) == []

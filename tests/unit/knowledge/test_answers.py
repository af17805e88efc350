"""Quick answers, answers composed by meaning, follow-ups and "tell me more", on a small corpus."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from knowledge.answer import compose
from knowledge.embedding import Embedder
from knowledge.ingest import LAYERS, QUICK_ANSWERS, SENTENCES, build_index
from knowledge.retrieval import Passage, QuickMatch, Retriever, SearchResult
from knowledge.schema import load_corpus, parse_article
from knowledge.scope import BeyondExamples
from knowledge.service import KnowledgeService, refers_back
from knowledge.store import VectorStore
from knowledge.text import sentences
from tests.conftest import make_article

EMA = (
    """## What EMA is
Education Maintenance Allowance (EMA) helps students aged 16 to 19 who stay on at school or go
to college. EMA is 30 pounds a week, paid every two weeks into your bank account.

## How to apply for EMA
You apply for EMA through your school or college. You need:
- a form from your school or college
- proof of your household income
- your bank details
"""
    + "More words about applying for the allowance and what you need to bring. " * 12
)

EMA_QUICK = """quick_answers:
  - ask: ["how much is EMA", "hw much do u get on ema"]
    answer: "EMA is 30 pounds a week, paid every two weeks into your own bank account."
  - ask: ["how do I apply for EMA", "where do i get an ema form"]
    answer: "You apply for EMA through your school or college, with proof of household income."
"""

NURSE = (
    """## What nurses do
Nurses care for patients in hospitals, in the community and in care homes.

## Getting into nursing
A nursing degree at university takes three years in Scotland. You usually need Highers,
including English and a science, or an access course at college.
"""
    + "More words about caring for people and the routes into the job. " * 12
)

NURSE_QUICK = """quick_answers:
  - ask: ["how do I become a nurse", "am wantin tae be a nurse"]
    answer: "To become a nurse you take a nursing degree at university, which takes three years."
  - ask: ["what highers do I need for nursing", "can I do nursing without highers"]
    answer: "Nursing degrees ask for Highers including English and a science, or an access course."
"""


@pytest.fixture
def knowledge(tmp_path: Path, embedder: Embedder) -> KnowledgeService:
    directory = tmp_path / "articles"
    directory.mkdir()
    make_article(directory, "ema", EMA, title="Education Maintenance Allowance", extra=EMA_QUICK)
    make_article(directory, "job-nurse", NURSE, title="Becoming a nurse", extra=NURSE_QUICK)
    articles, problems = load_corpus(directory, date.today())
    assert problems == []
    stores = {
        layer: VectorStore.open(path=str(tmp_path / "chroma"), url="", name=layer.collection)
        for layer in LAYERS
    }
    for layer, store in stores.items():
        build_index(articles=articles, store=store, embedder=embedder, layer=layer)
    retriever = Retriever(
        store=stores[LAYERS[0]],
        embedder=embedder,
        min_score=0.3,
        quick=stores[QUICK_ANSWERS],
        sentences=stores[SENTENCES],
    )
    return KnowledgeService(retriever)


def test_a_close_question_gets_the_vetted_quick_answer(knowledge: KnowledgeService) -> None:
    _, answer = knowledge.respond("hw much is ema a week")
    assert answer.quick and answer.more == "ema#0"
    quick = "EMA is 30 pounds a week, paid every two weeks into your own bank account."
    assert answer.text.startswith(quick)  # first, as written; a closer sentence may follow
    assert answer.sources[0].url == "https://example.org/ema"


def test_composed_sentences_are_chosen_by_meaning_and_lists_kept() -> None:
    passage = Passage(
        doc_id="ema", chunk_id="ema::1", title="EMA", section="How to apply", text=EMA,
        score=1.0, similarity=0.6, source_url="https://example.org/ema", source_org="Test",
        last_reviewed="2026-11-24", topics=("money-and-funding",),
    )  # fmt: skip
    result = SearchResult("what do i bring", [passage], confident=True, best_similarity=0.6)
    closeness = {"- proof of your household income": 0.9, "- your bank details": 0.8}
    answer = compose(result, lambda p: [(s, closeness.get(s, 0.1)) for s in sentences(p.text)])
    assert answer.more == "ema" and not answer.quick
    lines = answer.text.splitlines()
    assert "- proof of your household income" in lines and "- your bank details" in lines
    assert "income your bank" not in answer.text  # never glued into prose


def test_a_follow_up_is_read_against_the_last_answers_article(
    knowledge: KnowledgeService,
) -> None:
    assert refers_back("do i need highers for that")
    assert not refers_back("I would like to know how to become a nurse in Scotland please")
    _, answer = knowledge.respond("do i need highers for that", None, "job-nurse")
    assert answer.article_ids == ["job-nurse"]
    assert "Highers" in answer.text


def test_a_new_topic_is_not_forced_into_the_last_one(knowledge: KnowledgeService) -> None:
    _, answer = knowledge.respond("how much is ema", None, "job-nurse")
    assert answer.article_ids == ["ema"]


async def test_tell_me_more_gives_the_passage_behind_the_quick_answer(
    knowledge: KnowledgeService,
) -> None:
    more = await knowledge.more("ema#1")
    assert more is not None and more.text.startswith("You apply for EMA")
    assert "\n- your bank details" in more.text
    assert await knowledge.more("gone#0") is None


def test_a_quick_answer_may_only_restate_the_article(tmp_path: Path) -> None:
    bad = """quick_answers:
  - ask: ["how much is EMA"]
    answer: "EMA is 45 pounds a week. It is paid fortnightly. You keep it. Nobody pays it back."
"""
    path = make_article(tmp_path, "ema", EMA, title="The allowance", extra=bad)
    _, problems = parse_article(path, date.today())
    messages = " ".join(p.message for p in problems)
    assert "one to three sentences" in messages
    bad_number = bad.replace(
        " It is paid fortnightly. You keep it. Nobody pays it back.", " Yes, really."
    )
    path = make_article(tmp_path, "ema", EMA, title="The allowance", extra=bad_number)
    _, problems = parse_article(path, date.today())
    assert [p.field for p in problems] == ["quick_answers.0"]
    assert "['45'] not in the body" in problems[0].message


def _quick_match(similarity: float) -> QuickMatch:
    return QuickMatch(
        doc_id="ema", number=0, answer="EMA is 30 pounds a week.", ask="how much is ema",
        similarity=similarity, title="EMA", source_url="https://example.org/ema",
        last_reviewed="2026-11-24", topics=("money-and-funding",),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("quick", "passages", "quick_wins"),
    [(0.75, 0.7, True), (0.65, 0.4, True), (0.65, 0.5, False), (0.55, 0.2, False)],
)
def test_a_quick_answer_under_the_bar_wins_only_far_ahead_of_the_passages(
    knowledge: KnowledgeService, quick: float, passages: float, quick_wins: bool
) -> None:
    passage = Passage(
        doc_id="job-nurse", chunk_id="job-nurse::0", title="Becoming a nurse", section="",
        text=NURSE, score=1.0, similarity=passages, source_url="https://example.org/nurse",
        source_org="Test", last_reviewed="2026-11-24", topics=("health",),
    )  # fmt: skip
    result = SearchResult(
        "what do ye get", [passage], confident=True, best_similarity=passages,
        quick=(_quick_match(quick),),
    )  # fmt: skip
    answer = knowledge._reply(result)
    assert answer.quick is quick_wins
    assert answer.article_ids == (["ema"] if quick_wins else ["job-nurse"])


def test_a_follow_up_takes_its_topic_from_the_message_before_too(
    knowledge: KnowledgeService,
) -> None:
    # The last answer was about nursing; the young person had asked about EMA.
    _, alone = knowledge.respond("and how do i apply for it", None, "job-nurse")
    _, read = knowledge.respond(
        "and how do i apply for it", None, "job-nurse", "hw much do u get on ema"
    )
    assert alone.article_ids == ["job-nurse"]
    assert read.article_ids == ["ema"] and "school or college" in read.text


def _beyond(
    knowledge: KnowledgeService, embedder: Embedder, path: Path, example: str
) -> KnowledgeService:
    """The same knowledge, with one example of a question beyond the corpus."""
    examples = path / "beyond.txt"
    examples.write_text(example + "\n")
    return KnowledgeService(knowledge.retriever, beyond=BeyondExamples(embedder, examples))


def test_a_question_like_the_examples_beyond_the_corpus_is_not_answered(
    knowledge: KnowledgeService, embedder: Embedder, tmp_path: Path
) -> None:
    example = "will my wee sister get her ema paid on thursday this week"
    beyond = _beyond(knowledge, embedder, tmp_path, example)
    question = "is my sister's ema getting paid this thursday"
    assert knowledge.respond(question)[1].answered  # close to the EMA quick answer
    assert not beyond.respond(question)[1].answered
    assert beyond.respond("hw much is ema a week")[1].answered


def test_a_follow_up_is_judged_in_the_topic_it_points_back_to(
    knowledge: KnowledgeService, embedder: Embedder, tmp_path: Path
) -> None:
    beyond = _beyond(knowledge, embedder, tmp_path, "is there any money for it")
    assert not beyond.respond("is there any money for it")[1].answered  # alone: about what?
    _, answer = beyond.respond("is there any money for it", None, "job-nurse")
    assert answer.answered and answer.article_ids == ["job-nurse"]


def test_the_examples_are_embedded_once_then_read_from_their_cache(
    embedder: Embedder, tmp_path: Path
) -> None:
    examples = tmp_path / "beyond.txt"
    examples.write_text("will my wee sister get her ema paid on thursday this week\n")
    cache = tmp_path / "models" / "beyond-vectors.npz"
    first = BeyondExamples(embedder, examples, cache=cache)
    assert cache.exists()

    class Refuses(Embedder):
        def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:  # noqa: ARG002
            raise AssertionError("embedded again")

    again = BeyondExamples(Refuses(tmp_path), examples, cache=cache)
    vector = embedder.embed_one("is my sisters ema getting paid this thursday")
    assert again.likeness(vector) == pytest.approx(first.likeness(vector))

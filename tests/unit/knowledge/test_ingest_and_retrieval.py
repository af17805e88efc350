from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.answer import NO_ANSWER, compose
from knowledge.embedding import Embedder
from knowledge.ingest import build_index
from knowledge.retrieval import Retriever
from knowledge.schema import load_corpus
from knowledge.store import VectorStore
from knowledge.text import plain
from tests.conftest import make_article

EMA = (
    """## What EMA is
Education Maintenance Allowance (EMA) is a payment of 30 pounds a week for students aged 16 to
19 who stay on at school or go to college. EMA is paid every two weeks into your bank account.

## How to apply for EMA
You apply for EMA through your school or college. EMA depends on your household income.
"""
    + "More words about applying for the allowance and what you need to bring. " * 12
)

APPRENTICE = (
    """## Apprentice pay
Modern Apprentices are paid a wage by their employer while they train for a job. The apprentice
rate of the minimum wage applies to apprentices under 19 and in their first year.

## Finding an apprenticeship
Apprenticeship vacancies are listed on apprenticeships.scot and employers recruit all year.
"""
    + "More words about working and learning on the job at the same time. " * 12
)

NURSE = (
    """## What nurses do
Nurses care for patients in hospitals, in the community and in care homes. Nursing students
study at university for a degree and do placements on hospital wards.

## Getting into nursing
You need Highers or an access course to get into a nursing degree at university.
"""
    + "More words about caring for people and the routes into the job. " * 12
)


def _index(directory: Path, store: VectorStore, embedder: Embedder) -> tuple[int, int, int]:
    articles, problems = load_corpus(directory, date.today())
    report = build_index(articles=articles, store=store, embedder=embedder, refused=len(problems))
    return len(report.added), len(report.updated), report.chunks_embedded


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "articles"
    directory.mkdir()
    make_article(directory, "ema", EMA, title="Education Maintenance Allowance")
    make_article(directory, "apprentice-pay", APPRENTICE, title="Apprentice pay")
    make_article(directory, "job-nurse", NURSE, title="Nurse", topic="occupations")
    return directory


@pytest.fixture
def store(tmp_path: Path) -> VectorStore:
    return VectorStore.open(path=str(tmp_path / "chroma"), url="")


def test_index_is_incremental(corpus: Path, store: VectorStore, embedder: Embedder) -> None:
    assert _index(corpus, store, embedder)[0] == 3
    assert _index(corpus, store, embedder) == (0, 0, 0)  # unchanged: nothing embedded

    (corpus / "job-nurse.md").write_text((corpus / "job-nurse.md").read_text() + "\nNew line.\n")
    (corpus / "ema.md").unlink()
    articles, _ = load_corpus(corpus, date.today())
    report = build_index(articles=articles, store=store, embedder=embedder)
    assert (report.added, report.updated, report.removed) == ([], ["job-nurse"], ["ema"])
    assert set(store.manifest()) == {"apprentice-pay", "job-nurse"}


def test_hybrid_search_finds_the_right_article_in_young_peoples_words(
    corpus: Path, store: VectorStore, embedder: Embedder
) -> None:
    _index(corpus, store, embedder)
    retriever = Retriever(store=store, embedder=embedder, min_score=0.3)
    assert retriever.search("can i get paid 4 staying on at school").passages[0].doc_id == "ema"
    assert retriever.search("hw much do aprentices get").passages[0].doc_id == "apprentice-pay"
    assert retriever.search("wanna work in a hospital lookin after ppl").passages[0].doc_id == (
        "job-nurse"
    )


def test_at_most_two_chunks_per_article(
    corpus: Path, store: VectorStore, embedder: Embedder
) -> None:
    _index(corpus, store, embedder)
    result = Retriever(store=store, embedder=embedder, min_score=0.3).search("ema", k=10)
    ids = [p.doc_id for p in result.passages]
    assert max(ids.count(i) for i in set(ids)) <= 2


def test_answer_quotes_the_corpus_and_cites_it(
    corpus: Path, store: VectorStore, embedder: Embedder
) -> None:
    _index(corpus, store, embedder)
    result = Retriever(store=store, embedder=embedder, min_score=0.3).search(
        "how do i apply for ema"
    )
    answer = compose(result)
    assert answer.answered
    assert answer.sources[0].url == "https://example.org/ema"
    corpus_text = " ".join(p.read_text() for p in corpus.glob("*.md"))
    for sentence in answer.text.split(". "):
        assert sentence.rstrip(".") in corpus_text  # extractive: nothing invented


def test_unrelated_question_gets_the_honest_no_answer(
    corpus: Path, store: VectorStore, embedder: Embedder
) -> None:
    _index(corpus, store, embedder)
    result = Retriever(store=store, embedder=embedder, min_score=0.3).search(
        "who won the football last night"
    )
    answer = compose(result)
    assert not answer.answered
    assert answer.text == NO_ANSWER
    assert answer.sources == []


def test_overdue_chunks_are_filtered_at_query_time(
    corpus: Path, store: VectorStore, embedder: Embedder
) -> None:
    _index(corpus, store, embedder)
    later = date(2999, 1, 1)
    retriever = Retriever(store=store, embedder=embedder, min_score=0.3, today=lambda: later)
    assert retriever.search("ema").passages == []


def test_a_malformed_article_is_refused_and_the_rest_still_index(
    corpus: Path, store: VectorStore, embedder: Embedder
) -> None:
    (corpus / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    make_article(corpus, "overdue", EMA, title="Old article", due=date(2020, 1, 1))
    articles, problems = load_corpus(corpus, date.today())
    report = build_index(articles=articles, store=store, embedder=embedder, refused=2)
    assert sorted(report.added) == ["apprentice-pay", "ema", "job-nurse"]
    assert {p.path.name for p in problems} == {"broken.md", "overdue.md"}
    assert "overdue" not in store.manifest()


def test_the_turns_shared_vector_gives_the_same_ranking(
    corpus: Path, store: VectorStore, embedder: Embedder
) -> None:
    _index(corpus, store, embedder)
    retriever = Retriever(store=store, embedder=embedder, min_score=0.3)
    for query in ("can i get paid 4 staying on at school?", "wanna work in a hospital"):
        shared = embedder.embed_one(plain(query))
        with_vector = retriever.search(query, vector=shared)
        assert with_vector.passages == retriever.search(query).passages
    # A query that needed respelling is embedded as corrected, not with the shared vector.
    wrong = embedder.embed_one("nurse hospital")
    respelt = retriever.search("hw much do aprentices get", vector=wrong)
    assert respelt.passages[0].doc_id == "apprentice-pay"

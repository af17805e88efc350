from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import Conversation, Message
from escalation.assist import (
    CaseContext,
    NoSuchCase,
    PastOutcome,
    infer_need,
    read_context,
    suggest,
)
from escalation.models import Case
from followup.models import FollowUp
from knowledge.directory import Directory, Service
from knowledge.retrieval import Passage, SearchResult

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CONV = "conv-0123456789abcdef"


class FakeSearcher:
    """Records each query and answers with fixed passages."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.queries: list[tuple[str, int, int]] = []

    def search(self, query: str, k: int = 5, *, per_article: int = 2) -> SearchResult:
        self.queries.append((query, k, per_article))
        return SearchResult(query, self.passages[:k], confident=True, best_similarity=0.6)


def make_passage(doc_id: str, topics: tuple[str, ...]) -> Passage:
    return Passage(
        doc_id=doc_id, chunk_id=f"{doc_id}#0", title=doc_id.replace("-", " ").title(),
        section="", text="...", score=0.03, similarity=0.6,
        source_url=f"https://example.org/{doc_id}", source_org="Org",
        last_reviewed="2026-10-01", topics=topics,
    )  # fmt: skip


def make_service(sid: str, areas: list[str], categories: list[str], phone: str = "") -> Service:
    return Service(
        id=sid, name=sid.replace("-", " ").title(), organisation="Org", categories=categories,
        areas=areas, phone=phone, url=f"https://example.org/{sid}", address="", opening_times="",
        ages="16-24", source_url="https://example.org/src", last_checked=date(2026, 9, 1),
        review_due=date(2030, 1, 1),
    )  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'main.db'}"
    upgrade("main", url)
    return Database(url)


def make_case(
    session: Session, *, conv: str = CONV, consent: bool | None = None, from_id: int | None = None,
    status: str = "live", outcome: str | None = None, closed: datetime | None = None,
) -> int:  # fmt: skip
    case = Case(
        conversation_id=conv, channel="web", reason="asked_for_person", status=status,
        council_area="fife", share_consent=consent, shared_from_message_id=from_id,
        outcome=outcome, closed_at=closed, created_at=NOW,
    )  # fmt: skip
    session.add(case)
    session.flush()
    return case.id


def say(session: Session, text: str, author: str = "user", conv: str = CONV) -> int:
    message = Message(
        conversation_id=conv, direction="in" if author == "user" else "out", author=author,
        text=text, created_at=NOW,
    )  # fmt: skip
    session.add(message)
    session.flush()
    return message.id


def make_conversation(session: Session, conv: str = CONV) -> None:
    session.add(Conversation(id=conv, channel="web", council_area="fife"))
    session.flush()


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        (False, ["b", "c", "d"]),  # only since the handoff, and never the adviser's own words
        (True, ["y secret before the handoff", "z also before", "a talk to a person"]),
    ],
)
def test_the_query_is_the_last_user_messages_the_adviser_may_see(
    db: Database, consent: bool, expected: list[str]
) -> None:
    with db.session() as session:
        make_conversation(session)
        say(session, "y secret before the handoff")
        say(session, "z also before")
        handoff = say(session, "a talk to a person")
        if consent:
            case_id = make_case(session, consent=True, from_id=handoff)
        else:
            for text in ("b", "c"):
                say(session, text)
            say(session, "hello, I'm an adviser", author="adviser")
            say(session, "d")
            case_id = make_case(session, consent=False, from_id=handoff)
        context = read_context(session=session, case_id=case_id)
    assert context.texts == expected
    searcher = FakeSearcher([make_passage("apprenticeships", ("apprenticeships",))])
    suggest(context=context, searcher=searcher, directory=Directory([]))
    assert searcher.queries == [(" ".join(context.texts), 3, 1)]


def test_articles_and_services_for_the_area_and_the_need_the_topics_point_to() -> None:
    searcher = FakeSearcher(
        [
            make_passage("how-to-find-an-apprenticeship", ("occupations", "apprenticeships")),
            make_passage("job-electrician", ("occupations", "apprenticeships")),
            make_passage("cv-writing", ("finding-work",)),
        ]
    )
    training = ["apprenticeships-and-training"]
    directory = Directory(
        [
            make_service("fife-careers", ["fife"], ["careers-advice"]),
            make_service("fife-apprenticeships", ["fife"], training, phone="01592 000000"),
            make_service("national-apprenticeships", ["national"], training),
            make_service("glasgow-apprenticeships", ["glasgow-city"], training),
        ]
    )
    context = CaseContext(texts=["how do i get an apprenticeship"], council_area="fife")
    found = suggest(context=context, searcher=searcher, directory=directory)
    assert found.need == "apprenticeships-and-training"
    assert found.council_name == "Fife"
    assert [a.title for a in found.articles] == [
        "How To Find An Apprenticeship", "Job Electrician", "Cv Writing",
    ]  # fmt: skip
    assert found.articles[0].insert == (
        "How To Find An Apprenticeship: https://example.org/how-to-find-an-apprenticeship "
        "(reviewed 2026-10-01)"
    )
    assert [s.name for s in found.services] == ["Fife Apprenticeships", "National Apprenticeships"]
    assert found.services[0].insert == (
        "Fife Apprenticeships, 01592 000000, https://example.org/fife-apprenticeships"
    )
    assert found.services[1].insert == (  # no phone: no empty part
        "National Apprenticeships, https://example.org/national-apprenticeships"
    )


def test_without_a_need_or_a_match_services_are_not_filtered() -> None:
    directory = Directory([make_service("fife-careers", ["fife"], ["careers-advice"])])
    searcher = FakeSearcher([make_passage("job-nurse", ("occupations", "university"))])
    context = CaseContext(texts=["nursing?"], council_area="fife")
    found = suggest(context=context, searcher=searcher, directory=directory)
    assert found.need is None
    assert [s.name for s in found.services] == ["Fife Careers"]

    searcher = FakeSearcher([make_passage("ema", ("money-and-funding",))])
    found = suggest(context=context, searcher=searcher, directory=directory)
    assert found.need == "money-and-benefits"  # no such service here: fall back to any need
    assert [s.name for s in found.services] == ["Fife Careers"]


def test_nothing_said_yet_means_no_search() -> None:
    searcher = FakeSearcher([make_passage("ema", ("money-and-funding",))])
    found = suggest(
        context=CaseContext(texts=[], council_area=None), searcher=searcher, directory=Directory([])
    )
    assert searcher.queries == []
    assert (found.articles, found.services, found.council_name) == ([], [], None)


def test_past_outcomes_are_only_consented_ones_as_codes_and_dates(db: Database) -> None:
    day = timedelta(days=1)
    with db.session() as session:
        make_conversation(session)
        make_conversation(session, "someone-else")
        make_case(
            session, consent=True, status="closed", outcome="advice_given", closed=NOW - 9 * day
        )
        make_case(session, consent=False, status="closed", outcome="other", closed=NOW - 8 * day)
        make_case(session, conv="someone-else", consent=True, status="closed",
                  outcome="referred_locally", closed=NOW - 7 * day)  # fmt: skip
        session.add_all(
            [
                FollowUp(conversation_id=CONV, channel="web", status="answered",
                         outcome="started_course", answered_at=NOW - 3 * day),
                FollowUp(conversation_id=CONV, channel="web", status="sent", outcome=None),
                FollowUp(conversation_id="someone-else", channel="web", status="answered",
                         outcome="still_looking", answered_at=NOW - 2 * day),
            ]
        )  # fmt: skip
        current = make_case(session, consent=True, status="live")
        context = read_context(session=session, case_id=current)
    assert context.past == [
        PastOutcome(kind="follow-up", outcome="started_course", date="2026-11-17"),
        PastOutcome(kind="case", outcome="advice_given", date="2026-11-11"),
    ]
    found = suggest(context=context, searcher=FakeSearcher([]), directory=Directory([]))
    shown = json.dumps(asdict(found))
    assert CONV not in shown and "someone-else" not in shown


def test_an_unknown_case_is_refused(db: Database) -> None:
    with db.session() as session, pytest.raises(NoSuchCase):
        read_context(session=session, case_id=404)


@pytest.mark.parametrize(
    ("topics", "need"),
    [
        ([("occupations", "university")], None),
        ([("college",), *[("apprenticeships",)] * 3], "apprenticeships-and-training"),
        ([("college",), ("apprenticeships",)], "college"),
        ([], None),
    ],
)
def test_the_need_follows_the_best_ranked_topics(
    topics: list[tuple[str, ...]], need: str | None
) -> None:
    assert infer_need(topics) == need

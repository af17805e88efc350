"""Adviser assist: articles, local services and past outcomes beside a live case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import Conversation
from escalation.models import Case
from escalation.service import transcript
from followup.models import FollowUp
from knowledge.directory import Directory
from knowledge.location import council_name
from knowledge.retrieval import SearchResult

RECENT_MESSAGES = 3
# Article topics that name a services need; broad topics (occupations, university...) do not.
TOPIC_NEEDS = {
    "apprenticeships": "apprenticeships-and-training",
    "college": "college",
    "finding-work": "employability",
    "self-employment": "employability",
    "rights-at-work": "employability",
    "money-and-funding": "money-and-benefits",
    "volunteering-and-experience": "volunteering",
    "changing-career": "careers-advice",
}


class Searcher(Protocol):
    """The bot's retrieval (knowledge.retrieval.Retriever)."""

    def search(self, query: str, k: int = 5, *, per_article: int = 2) -> SearchResult:
        """Passages best first, at most `per_article` per article."""
        ...


class NoSuchCase(Exception):
    """The case does not exist."""


@dataclass(frozen=True)
class ArticleSuggestion:
    """A vetted article to cite, and the line an adviser can insert."""

    title: str
    url: str
    last_reviewed: str
    insert: str


@dataclass(frozen=True)
class ServiceSuggestion:
    """A service to signpost, and the line an adviser can insert."""

    name: str
    url: str
    phone: str
    last_checked: str
    insert: str


@dataclass(frozen=True)
class PastOutcome:
    """An earlier outcome the young person agreed to share: a code and a date, nothing else."""

    kind: str  # "case" | "follow-up"
    outcome: str
    date: str


@dataclass(frozen=True)
class CaseContext:
    """What suggestions are computed from, read in one short database session."""

    texts: list[str]
    council_area: str | None
    past: list[PastOutcome] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestions:
    """Everything the assist panel shows."""

    council_area: str | None
    council_name: str | None
    need: str | None
    articles: list[ArticleSuggestion]
    services: list[ServiceSuggestion]
    past: list[PastOutcome]


def read_context(*, session: Session, case_id: int, recent: int = RECENT_MESSAGES) -> CaseContext:
    """The young person's last messages the adviser may see, their area and shared outcomes."""
    case = session.get(Case, case_id)
    if case is None:
        raise NoSuchCase(case_id)
    said = [m.text for m in transcript(session=session, case=case) if m.author == "user"]
    conversation = session.get(Conversation, case.conversation_id)
    area = case.council_area or (conversation.council_area if conversation else None)
    return CaseContext(
        texts=said[-recent:] if recent > 0 else [],
        council_area=area,
        past=past_outcomes(session=session, case=case),
    )


def past_outcomes(*, session: Session, case: Case) -> list[PastOutcome]:
    """Closed earlier cases shared with consent, and answered check-ins; newest first."""
    cases = session.scalars(
        select(Case).where(
            Case.conversation_id == case.conversation_id,
            Case.id != case.id,
            Case.status == "closed",
            Case.share_consent.is_(True),
            Case.outcome.is_not(None),
        )
    )
    checks = session.scalars(
        select(FollowUp).where(
            FollowUp.conversation_id == case.conversation_id,
            FollowUp.status == "answered",
            FollowUp.outcome.is_not(None),
        )
    )
    found = [("case", c.outcome, c.closed_at) for c in cases] + [
        ("follow-up", f.outcome, f.answered_at) for f in checks
    ]
    found.sort(key=lambda row: _iso(row[2]), reverse=True)
    return [PastOutcome(kind=k, outcome=str(o), date=_iso(at)[:10]) for k, o, at in found]


def suggest(
    *,
    context: CaseContext,
    searcher: Searcher,
    directory: Directory,
    articles: int = 3,
    services: int = 3,
) -> Suggestions:
    """Search what the young person said; find services for their area and the topic's need."""
    query = " ".join(context.texts).strip()
    result = searcher.search(query, articles, per_article=1) if query else None
    found = result.passages if result is not None else []
    need = infer_need([p.topics for p in found])
    picked = directory.find(council_area=context.council_area, need=need, limit=services)
    if not picked and need is not None:
        picked = directory.find(council_area=context.council_area, need=None, limit=services)
    return Suggestions(
        council_area=context.council_area,
        council_name=council_name(context.council_area) if context.council_area else None,
        need=need,
        articles=[
            ArticleSuggestion(
                title=p.title,
                url=p.source_url,
                last_reviewed=p.last_reviewed,
                insert=f"{p.title}: {p.source_url} (reviewed {p.last_reviewed})",
            )
            for p in found
        ],
        services=[
            ServiceSuggestion(
                name=s.name,
                url=str(s.url),
                phone=s.phone,
                last_checked=s.last_checked.isoformat(),
                insert=", ".join(part for part in (s.name, s.phone, str(s.url)) if part),
            )
            for s in picked
        ],
        past=context.past,
    )


def infer_need(topics_by_rank: list[tuple[str, ...]]) -> str | None:
    """The services need the best-ranked passages point to, or None."""
    votes: dict[str, float] = {}
    for rank, topics in enumerate(topics_by_rank):
        for topic in topics:
            need = TOPIC_NEEDS.get(topic)
            if need is not None:
                votes[need] = votes.get(need, 0.0) + 1.0 / (rank + 1)
    return max(votes, key=votes.__getitem__) if votes else None


def _iso(at: datetime | None) -> str:
    return at.isoformat() if at is not None else ""

"""Shared helpers: settings for a throwaway data directory, and the real embedder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from cairn.settings import Settings
from escalation.risk import RiskModel
from escalation.risk_training import ensure_model
from knowledge.embedding import Embedder

# Property tests explore the same examples on every run: CI is repeatable, never flaky.
hypothesis_settings.register_profile("cairn", derandomize=True, deadline=None, database=None)
hypothesis_settings.load_profile("cairn")

REPO = Path(__file__).resolve().parent.parent
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings isolated from the developer's .env and var/."""
    values: dict[str, Any] = {"data_dir": tmp_path, "secret_key": SECRET}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


ARTICLE = """---
id: {id}
title: {title}
summary: {summary}
topics: [{topic}]
audience: ["16-17", "18-24"]
region: scotland
source_org: Test Body
source_url: https://example.org/{id}
last_reviewed: {reviewed}
review_due: {due}
status: {status}
reviewed_by: Test team{extra}
---

{body}
"""


def make_article(
    directory: Path,
    article_id: str,
    body: str,
    *,
    title: str | None = None,
    topic: str = "money-and-funding",
    status: str = "approved",
    due: date | None = None,
    extra: str = "",
) -> Path:
    """Write one article file and return its path (`extra`: more front matter lines)."""
    path = directory / f"{article_id}.md"
    path.write_text(
        ARTICLE.format(
            id=article_id,
            title=title or article_id.replace("-", " ").title(),
            summary=f"About {article_id}.",
            topic=topic,
            reviewed=date.today() - timedelta(days=1),
            due=due or date.today() + timedelta(days=180),
            status=status,
            body=body,
            extra=f"\n{extra.strip()}" if extra else "",
        )
    )
    return path


@pytest.fixture(scope="session")
def embedder() -> Iterator[Embedder]:
    """The real all-MiniLM-L6-v2, loaded once for the session."""
    yield Embedder(REPO / "var" / "models")


@pytest.fixture(scope="session")
def risk_model(embedder: Embedder) -> RiskModel:
    """Triage's trained risk model (`make test` trains it first; trained here if stale)."""
    return ensure_model(REPO / "var" / "models", embedder)

"""The article contract: YAML front matter validated by pydantic (docs/content-guide.md)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
)

from knowledge.sources import source_problem

TOPICS = frozenset(
    {
        "money-and-funding",
        "school-and-qualifications",
        "college",
        "university",
        "apprenticeships",
        "finding-work",
        "rights-at-work",
        "support-services",
        "volunteering-and-experience",
        "self-employment",
        "equality-and-inclusion",
        "occupations",
        "changing-career",
    }
)
AGE_BANDS = frozenset({"13-15", "16-17", "18-24", "25+"})
MIN_WORDS, MAX_WORDS = 150, 600
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)


class Status(StrEnum):
    """Editorial state: only approved articles are ever served."""

    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


Slug = Annotated[str, Field(pattern=_SLUG.pattern, max_length=80)]


def one_of(allowed: frozenset[str], what: str) -> AfterValidator:
    """A validator for lists whose items must come from a fixed vocabulary."""

    def check(value: list[str]) -> list[str]:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"unknown {what}(s) {unknown}; use one of {sorted(allowed)}")
        return value

    return AfterValidator(check)


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
QUICK_ANSWER_CHARS = 260


class QuickAnswer(BaseModel):
    """A question young people ask about the article, answered in one to three sentences."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ask: list[Annotated[str, Field(min_length=6, max_length=140)]] = Field(
        min_length=1, max_length=8
    )
    answer: str = Field(min_length=30, max_length=QUICK_ANSWER_CHARS)

    @field_validator("answer")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(re.findall(r"[.!?](?:\s|$)", value.strip())) > 3:
            raise ValueError("a quick answer is one to three sentences")
        return value


class ArticleMeta(BaseModel):
    """Front matter of one article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: str = Field(min_length=5, max_length=80)
    summary: str = Field(min_length=10, max_length=200)
    topics: Annotated[list[str], Field(min_length=1), one_of(TOPICS, "topic")]
    audience: Annotated[list[str], Field(min_length=1), one_of(AGE_BANDS, "age band")]
    region: Slug
    source_org: str = Field(min_length=2)
    source_url: HttpUrl
    last_reviewed: date
    review_due: date
    status: Status
    reviewed_by: str = Field(min_length=2)
    quick_answers: list[QuickAnswer] = Field(default_factory=list, max_length=12)

    @field_validator("source_url")
    @classmethod
    def _https(cls, value: HttpUrl) -> HttpUrl:
        if value.scheme != "https":
            raise ValueError("source_url must be https")
        if problem := source_problem(value):
            raise ValueError(problem)
        return value


class Article(BaseModel):
    """A parsed article: its metadata, body and where it came from."""

    model_config = ConfigDict(frozen=True)

    meta: ArticleMeta
    body: str
    path: Path

    @property
    def word_count(self) -> int:
        """Words in the body."""
        return len(self.body.split())

    def servable(self, today: date) -> bool:
        """Whether this article may reach an answer today."""
        return self.meta.status is Status.APPROVED and self.meta.review_due >= today


class Problem(BaseModel):
    """One thing wrong with an article file."""

    path: Path
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.field}: {self.message}"


def parse_article(path: Path, today: date) -> tuple[Article | None, list[Problem]]:
    """Parse one file; return the article (if valid) and every problem found."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path=path, field="file", message=str(exc))]
    match = _FRONT_MATTER.match(raw)
    if not match:
        return None, [Problem(path=path, field="front matter", message="missing --- block")]
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        return None, [Problem(path=path, field="front matter", message=f"bad YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(path=path, field="front matter", message="not a mapping")]
    try:
        meta = ArticleMeta.model_validate(data)
    except ValidationError as exc:
        return None, [
            Problem(
                path=path, field=".".join(str(p) for p in err["loc"]) or "?", message=err["msg"]
            )
            for err in exc.errors()
        ]
    article = Article(meta=meta, body=match.group(2).strip(), path=path)
    return article, _editorial_problems(article, today)


def _editorial_problems(article: Article, today: date) -> list[Problem]:
    meta, path = article.meta, article.path
    found = []
    if meta.id != path.stem:
        found.append(Problem(path=path, field="id", message=f"must equal file name {path.stem!r}"))
    if meta.review_due < meta.last_reviewed:
        found.append(Problem(path=path, field="review_due", message="before last_reviewed"))
    if meta.status is Status.APPROVED and meta.review_due < today:
        found.append(
            Problem(path=path, field="review_due", message=f"overdue since {meta.review_due}")
        )
    in_body = set(_NUMBER.findall(article.body))
    for index, quick in enumerate(meta.quick_answers):
        if unsourced := sorted(set(_NUMBER.findall(quick.answer)) - in_body):
            found.append(
                Problem(
                    path=path,
                    field=f"quick_answers.{index}",
                    message=f"{unsourced} not in the body: a quick answer restates the article",
                )
            )
    if not MIN_WORDS <= article.word_count <= MAX_WORDS:
        found.append(
            Problem(
                path=path,
                field="body",
                message=f"{article.word_count} words; need {MIN_WORDS}-{MAX_WORDS}",
            )
        )
    return found


def load_corpus(directory: Path, today: date) -> tuple[list[Article], list[Problem]]:
    """Parse every article; return the servable ones and every problem."""
    servable: list[Article] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.md")):
        article, found = parse_article(path, today)
        problems.extend(found)
        if article is None:
            continue
        if article.meta.id in seen:
            problems.append(
                Problem(path=path, field="id", message=f"duplicate of {seen[article.meta.id].name}")
            )
            continue
        seen[article.meta.id] = path
        if not found and article.servable(today):
            servable.append(article)
    return servable, problems

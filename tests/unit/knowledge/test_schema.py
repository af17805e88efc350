from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from knowledge.schema import load_corpus, parse_article
from tests.conftest import make_article

BODY = "## What it is\n\n" + "Plain words about money for students. " * 30


def test_valid_article_is_servable(tmp_path: Path) -> None:
    make_article(tmp_path, "ema", BODY, title="Education Maintenance Allowance")
    servable, problems = load_corpus(tmp_path, date.today())
    assert [a.meta.id for a in servable] == ["ema"]
    assert problems == []


def test_drafts_retired_and_overdue_are_never_served(tmp_path: Path) -> None:
    make_article(tmp_path, "draft-one", BODY, status="draft")
    make_article(tmp_path, "retired-one", BODY, status="retired")
    make_article(tmp_path, "overdue-one", BODY, due=date.today() - timedelta(days=1))
    make_article(tmp_path, "fine-one", BODY)
    servable, problems = load_corpus(tmp_path, date.today())
    assert [a.meta.id for a in servable] == ["fine-one"]
    assert [(p.path.name, p.field) for p in problems] == [("overdue-one.md", "review_due")]


def test_bad_yaml_is_reported_with_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    _, problems = parse_article(tmp_path / "broken.md", date.today())
    assert problems[0].field == "front matter"
    assert "bad YAML" in problems[0].message


def test_missing_source_and_unknown_topic_are_each_reported(tmp_path: Path) -> None:
    path = make_article(tmp_path, "no-source", BODY, topic="astrology")
    path.write_text(path.read_text().replace("source_url: https://example.org/no-source\n", ""))
    _, problems = parse_article(path, date.today())
    fields = {p.field for p in problems}
    assert {"source_url", "topics"} <= fields


def test_a_wikipedia_source_is_refused(tmp_path: Path) -> None:
    path = make_article(tmp_path, "college", BODY)
    path.write_text(
        path.read_text().replace(
            "https://example.org/college", "https://en.wikipedia.org/wiki/Edinburgh_College"
        )
    )
    article, problems = parse_article(path, date.today())
    assert article is None
    assert [p.field for p in problems] == ["source_url"]


def test_id_must_match_file_name_and_length_is_checked(tmp_path: Path) -> None:
    path = make_article(tmp_path, "right-name", "## Short\n\nToo short.")
    path.rename(tmp_path / "wrong-name.md")
    _, problems = parse_article(tmp_path / "wrong-name.md", date.today())
    assert {p.field for p in problems} == {"id", "body"}


def test_the_real_corpus_passes_its_own_check() -> None:
    directory = Path(__file__).resolve().parents[3] / "knowledge" / "articles"
    servable, problems = load_corpus(directory, date.today())
    assert problems == []
    assert len(servable) >= 90

"""A source or a service link is the organisation's own public page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import HttpUrl

from knowledge.directory import load_directory
from knowledge.sources import source_problem
from tests.unit.knowledge.test_directory import RECORD


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/Edinburgh_College",
        "https://issuu.com./someone/docs/annual-report",
        "https://edva-v1.squarespace.com/",
        "https://staging.example.org.uk/",
        "https://www.cne-siar.gov.uk:8000/schools-and-learning/",
        "https://localhost/careers",
        "https://10.0.0.1/careers",
    ],
)
def test_hosted_copies_encyclopaedias_and_odd_ports_are_refused(url: str) -> None:
    assert source_problem(HttpUrl(url)) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.scotland.police.uk/recruitment/",
        "https://www.edinburghcollege.ac.uk/",
        "https://www.myworldofwork.co.uk:443/",
        "https://devonshire-trust.org.uk/",  # a word that starts "dev" is not a label
    ],
)
def test_an_organisations_own_page_is_accepted(url: str) -> None:
    assert source_problem(HttpUrl(url)) is None


def test_a_service_record_citing_wikipedia_is_reported(tmp_path: Path) -> None:
    (tmp_path / "fife.yml").write_text(
        RECORD.format(due="2030-01-01").replace(
            "https://example.org/contact", "https://en.wikipedia.org/wiki/Fife"
        )
    )
    services, problems = load_directory(tmp_path, date.today())
    assert services == []
    assert [(p.record, p.field) for p in problems] == [("fife-test", "source_url")]

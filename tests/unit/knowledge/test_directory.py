from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from knowledge.directory import SERVICES_DIR, Directory, load_directory
from knowledge.location import COUNCILS
from knowledge.needs import need_category

RECORD = """- id: fife-test
  name: Test service
  organisation: Test org
  categories: [careers-advice]
  areas: [fife]
  phone: ""
  url: https://example.org/
  address: ""
  opening_times: ""
  ages: "all ages"
  source_url: https://example.org/contact
  last_checked: 2026-11-24
  review_due: {due}
"""


def test_the_real_directory_is_valid_and_covers_every_council_area() -> None:
    services, problems = load_directory(SERVICES_DIR, date.today())
    assert problems == []
    directory = Directory(services)
    for area in COUNCILS:
        assert len(directory.find(council_area=area, need="careers-advice", limit=50)) >= 4, area


def test_broken_and_overdue_records_are_reported(tmp_path: Path) -> None:
    (tmp_path / "fife.yml").write_text(
        RECORD.format(due=date.today() - timedelta(days=1))
        + RECORD.replace("fife-test", "fife-two")
        .replace("[careers-advice]", "[astrology]")
        .format(due="2030-01-01")
    )
    services, problems = load_directory(tmp_path, date.today())
    assert services == []
    assert {(p.record, p.field) for p in problems} == {
        ("fife-test", "review_due"),
        ("fife-two", "categories"),
    }


def test_local_services_come_before_national_ones() -> None:
    directory = Directory(load_directory(SERVICES_DIR, date.today())[0])
    found = directory.find(council_area="renfrewshire", need="careers-advice", limit=20)
    local = [not s.national for s in found]
    assert local == sorted(local, reverse=True)
    assert any("Paisley" in s.name for s in found)


def test_needs_map_to_categories() -> None:
    assert need_category("where can i get careers help near me") == "careers-advice"
    assert need_category("im a young carer") == "young-carers"
    assert need_category("help finding a job") == "employability"
    assert need_category(None) == "careers-advice"

"""The outcomes view in a real browser, its CSVs and the CLI: suppression holds everywhere."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cairn.db import Database
from evaluation.insight_data import synthetic_follow_ups
from insight.outcomes import TABLE_IDS
from tests.e2e.browser import chromium
from tests.e2e.conftest import Stack
from tests.e2e.test_handoff import PASSWORD, add_user, signed_in
from tests.e2e.test_insight import REPO, cli, small

pytestmark = pytest.mark.e2e
MONTH = datetime.now(UTC).strftime("%Y-%m")


@pytest.fixture(scope="module")
def analyst(stack: Stack) -> Iterator[str]:
    email = f"analyst-{uuid.uuid4().hex[:6]}@cairn.test"
    add_user(stack, email, "analyst")
    yield email


@pytest.fixture(scope="module")
def follow_ups(stack: Stack) -> None:
    insight = Database(f"sqlite:///{stack.data_dir / 'insight.db'}")
    with insight.session() as session:
        session.add_all(synthetic_follow_ups(2500, days=28, seed=12))
    insight.dispose()


def ink(page: Page, table_id: str) -> int:
    """How many pixels of a chart's canvas were painted."""
    return int(
        page.evaluate(
            """(id) => {
            const c = document.getElementById('chart-' + id);
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; }
            return n; }""",
            table_id,
        )
    )


def test_outcome_charts_draw_with_suppression_in_a_browser(
    stack: Stack, analyst: str, follow_ups: None, tmp_path: Path
) -> None:
    with signed_in(stack, analyst) as client:
        api = client.get("/insight/api/tables").json()
    published = {t["id"]: t for t in api["tables"]}
    headline = {item["label"]: item["value"] for item in api["outcome_headline"]}

    with chromium() as browser:
        page = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        ).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # A CSP refusal only shows on the console (a missing favicon is not the page's fault).
        page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
        page.goto(stack.api_url + "/insight")
        page.get_by_label("Email").fill(analyst)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Outcomes", exact=True).click()
        expect(page.get_by_role("heading", name="Outcomes of follow-up check-ins")).to_be_visible()
        for table_id in TABLE_IDS:
            expect(page.locator(f"#chart-{table_id}[data-drawn=true]")).to_have_count(1)
        page.wait_for_load_state("load")
        assert not errors, errors
        assert ink(page, "checkins") > 1000, "the check-ins chart drew nothing"
        assert ink(page, "time_to_outcome") > 1000, "the time-to-outcome chart drew nothing"
        labels = page.evaluate(
            "() => window.cairnCharts.outcomes_by_help.data.datasets.map(d => d.label)"
        )
        assert labels == [
            "Applied",
            "Course",
            "Apprenticeship",
            "Job",
            "Still looking",
            "Asked to talk",
        ]
        # A chart holds shown numbers only: hidden cells are gaps, never a small count.
        for table_id in TABLE_IDS:
            data = page.evaluate(
                "(id) => window.cairnCharts[id].data.datasets.flatMap(d => d.data)", table_id
            )
            assert not [v for v in data if v is not None and 0 < v < 10], table_id
            assert data == [v for d in published[table_id]["datasets"] for v in d["data"]]

        share = page.locator("#outcome-headline div", has_text="Share of check-ins answered")
        shown_share = share.locator("dd").inner_text()
        assert shown_share == headline["Share of check-ins answered"]
        assert re.fullmatch(r"\d{1,3}%", shown_share), shown_share
        total = published["checkins"]["records"][-1]
        assert shown_share == f"{round(100 * int(total[1]) / int(total[3]))}%"
        cells = page.locator("#panel-outcomes_by_area td, #outcome-headline dd").all_text_contents()
        assert "<10" in cells and not small(cells)
        if os.environ.get("CAIRN_SCREENSHOT"):
            page.locator("#outcomes").scroll_into_view_if_needed()
            page.screenshot(path=str(REPO / "docs/images/insight-outcomes.png"))

        with page.expect_download() as download:
            page.locator("#panel-outcomes_by_help").get_by_role("link", name="Download CSV").click()
        path = tmp_path / "by-help.csv"
        download.value.save_as(path)
        rows = list(csv.reader(io.StringIO(path.read_text())))
        assert rows[0][0] == "First help" and rows[-1][0] == "Total"
        assert not small([cell for row in rows[1:] for cell in row[1:]])
        assert "<10" in {cell for row in rows for cell in row}

        before = page.evaluate("() => window.cairnCharts.checkins.data.datasets[0].data")
        page.get_by_label("Channel", exact=True).select_option("telegram")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**channel=telegram*")
        expect(page.locator("#chart-checkins[data-drawn=true]")).to_have_count(1)
        after = page.evaluate("() => window.cairnCharts.checkins.data.datasets[0].data")
        assert after != before
        expect(page.locator("#outcome-headline")).to_contain_text("Check-ins sent")
        assert not small(page.locator("#outcome-headline dd").all_inner_texts())
        assert not errors, errors


def test_the_cli_publishes_the_outcome_tables_suppressed(
    stack: Stack, follow_ups: None, tmp_path: Path
) -> None:
    printed = cli(stack, "insight", "export", "--csv")
    assert printed.returncode == 0, printed.stderr
    rows = list(csv.reader(io.StringIO(printed.stdout)))[1:]
    outcome_rows = [r for r in rows if r[0] in TABLE_IDS]
    assert {r[0] for r in outcome_rows} == set(TABLE_IDS)
    assert not small([r[3] for r in rows])
    as_json = cli(stack, "insight", "export", "--json")
    assert {t["id"] for t in json.loads(as_json.stdout)["tables"]} >= set(TABLE_IDS)

    report = cli(stack, "insight", "report", "--month", MONTH, "--out", str(tmp_path / "r.html"))
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "r.html").read_text()
    outcomes = page.split("<h2 id='outcomes'>", 1)[1]
    assert "Check-ins sent" in outcomes and "Share of check-ins answered" in outcomes
    figures = re.findall(r"<td>([^<]+)</td>", outcomes)
    assert figures and not small(figures)

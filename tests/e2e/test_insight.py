"""Insight end to end: no personal data reaches it on any channel; the dashboard in a browser."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from cairn.db import Database
from evaluation.insight_data import synthetic_events
from tests.e2e.browser import chromium
from tests.e2e.conftest import Stack
from tests.e2e.test_handoff import PASSWORD, add_user, signed_in
from tests.e2e.test_sms import post_sms, wait_for
from tests.e2e.test_telegram import post_update
from tests.fakes.server import LoopbackServer
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]

# Everything a young person might tell us about themselves, in one conversation per channel.
PERSONAL = {
    "name": "Ailsa Campbell",
    "first name": "Ailsa",
    "surname": "Campbell",
    "phone": "07700 900461",
    "phone digits": "900461",
    "email": "ailsa.campbell@example.com",
    "street": "Kelvinhaugh Street",
    "postcode": "G3 8NU",
    "date of birth": "14/02/2009",
    "NI number": "QQ 12 34 56 C",
    "NI compact": "QQ123456C",
    "candidate number": "158273946",
    "school": "Hillhead High",
}
MESSAGES = [
    "hi my name is Ailsa Campbell, my number is 07700 900461",
    "i live at 27 Kelvinhaugh Street G3 8NU and my email is ailsa.campbell@example.com",
    "i was born 14/02/2009, my NI number is QQ 12 34 56 C (QQ123456C)",
    "my SQA candidate number is 158273946, how do I get my results?",
    "I go to Hillhead High School, can I get an apprenticeship?",
    "Ailsa Campbell here, how do I become a dolphin trainer on the moon?",
    "I'm Ailsa Campbell from 27 Kelvinhaugh Street and I want to kill myself",
]
TELEGRAM_PROFILE = {"first_name": "Eilidh", "last_name": "Drummond", "username": "eilidh_d_2009"}


def outbox_empty(stack: Stack) -> bool:
    with sqlite3.connect(stack.data_dir / "cairn.db") as db:
        return db.execute("SELECT count(*) FROM insight_outbox").fetchone()[0] == 0


def insight_bytes(stack: Stack) -> bytes:
    """The whole insight database as stored: the file and any write-ahead log beside it."""
    return b"".join(p.read_bytes() for p in sorted(stack.data_dir.glob("insight.db*")))


def cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cairn.cli", *args],
        capture_output=True,
        text=True,
        cwd=stack.data_dir,
        check=False,
        env={**os.environ, "CAIRN_DATA_DIR": str(stack.data_dir), "SECRET_KEY": "x" * 40},
    )


@pytest.fixture(scope="module")
def analyst(stack: Stack) -> Iterator[str]:
    email = f"analyst-{uuid.uuid4().hex[:6]}@cairn.test"
    add_user(stack, email, "analyst")
    yield email


def test_no_personal_data_reaches_insight_on_any_channel(
    stack: Stack,
    api: httpx.Client,
    telegram: tuple[FakeTelegram, LoopbackServer],
    analyst: str,
) -> None:
    web_session = "pii-" + uuid.uuid4().hex[:12]
    sms_number, chat_id = "+447700900461", 6_100_000 + uuid.uuid4().int % 1000
    for text in MESSAGES:
        assert api.post("/api/web/messages", json={"session": web_session, "text": text}).is_success
        assert post_sms(stack, sms_number, text).is_success
        body = {
            "update_id": uuid.uuid4().int % 10**9,
            "message": {
                "message_id": 1,
                "date": 1700000000,
                "text": text,
                "chat": {"id": chat_id, "type": "private", **TELEGRAM_PROFILE},
                "from": {"id": chat_id, "is_bot": False, **TELEGRAM_PROFILE},
            },
        }
        assert post_update(stack, body) == 200
    assert wait_for(lambda: outbox_empty(stack), timeout_s=30), "insight events not relayed"

    with sqlite3.connect(stack.data_dir / "cairn.db") as db:
        conversation_ids = [row[0] for row in db.execute("SELECT id FROM conversations")]
    with sqlite3.connect(stack.data_dir / "insight.db") as db:
        channels = {row[0] for row in db.execute("SELECT DISTINCT channel FROM insight_events")}
    assert channels >= {"web", "sms", "telegram"}

    identifiers = {
        **PERSONAL,
        **TELEGRAM_PROFILE,
        "web session": web_session,
        "sms number": sms_number,
        "sms national": "7700900461",
        "chat id": str(chat_id),
    }
    stored = insight_bytes(stack)
    with signed_in(stack, analyst) as client:
        export = client.get("/insight/export.csv")
        tables = client.get("/insight/api/tables")
    assert export.status_code == 200 and tables.status_code == 200
    printed = cli(stack, "insight", "export", "--csv")
    assert printed.returncode == 0, printed.stderr
    for where, content in (
        ("insight database", stored),
        ("dashboard CSV", export.content),
        ("dashboard API", tables.content),
        ("cairn insight export", printed.stdout.encode()),
    ):
        for kind, value in identifiers.items():
            assert value.encode().lower() not in content.lower(), f"{kind} found in {where}"
        for conversation_id in conversation_ids:
            assert conversation_id.encode() not in content, f"a conversation id in {where}"


def test_the_dashboard_is_for_analysts_only(stack: Stack, analyst: str) -> None:
    adviser = f"adviser-{uuid.uuid4().hex[:6]}@cairn.test"
    add_user(stack, adviser, "adviser")
    with httpx.Client(base_url=stack.api_url) as anonymous:
        assert anonymous.get("/insight").headers["location"] == "/adviser/login"
        assert anonymous.get("/insight/export.csv").status_code in (303, 401)
    with signed_in(stack, adviser) as client:
        for path in ("/insight", "/insight/api/tables", "/insight/export.csv"):
            assert client.get(path).status_code == 403
    with signed_in(stack, analyst) as client:
        assert client.get("/insight?area=atlantis").status_code == 422
        assert client.get("/insight?start=2026-11-10&end=2026-11-01").status_code == 422


def small(values: list[str], k: int = 10) -> list[str]:
    return [v for v in values if v.strip().isdigit() and 0 < int(v) < k]


def test_dashboard_charts_filters_and_export_in_a_browser(
    stack: Stack, analyst: str, tmp_path: Path
) -> None:
    insight = Database(f"sqlite:///{stack.data_dir / 'insight.db'}")
    with insight.session() as session:
        session.add_all(synthetic_events(3000, days=28))
    insight.dispose()

    with chromium() as browser:
        page = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        ).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
        page.goto(stack.api_url + "/insight")
        page.get_by_label("Email").fill(analyst)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Messages by day and channel")).to_be_visible()
        page.wait_for_load_state("load")
        assert not errors, errors
        expect(page.locator("#chart-demand[data-drawn=true]")).to_have_count(1)
        assert page.evaluate("() => Object.keys(window.cairnCharts).length") >= 8
        painted = page.evaluate("""() => {
            const c = document.getElementById('chart-demand');
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let ink = 0; for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) ink++; }
            return ink; }""")
        assert painted > 1000, "the demand chart drew nothing"
        before = page.evaluate("() => window.cairnCharts.demand.data.datasets.map(d => d.label)")
        assert before == ["Web chat", "SMS", "Telegram"]
        cells = page.locator("td").all_text_contents()  # inside closed <details> too
        assert cells and not small(cells)
        if os.environ.get("CAIRN_SCREENSHOT"):
            page.screenshot(path=str(REPO / "docs/images/insight-dashboard.png"), full_page=False)

        page.get_by_label("Channel", exact=True).select_option("sms")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/insight?*channel=sms*")
        expect(page.locator("#chart-demand[data-drawn=true]")).to_have_count(1)
        after = page.evaluate("() => window.cairnCharts.demand.data.datasets.map(d => d.label)")
        assert after == ["SMS"]
        area_before = page.evaluate("() => window.cairnCharts.areas.data.datasets[0].data")

        page.get_by_label("Council area", exact=True).select_option("glasgow-city")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**area=glasgow-city*")
        expect(page.locator("#chart-areas[data-drawn=true]")).to_have_count(1)
        assert page.evaluate("() => window.cairnCharts.areas.data.labels") == ["Glasgow City"]
        assert page.evaluate("() => window.cairnCharts.areas.data.datasets[0].data") != area_before

        with page.expect_download() as download:
            page.get_by_role("link", name="Download every table (CSV)").click()
        path = tmp_path / "export.csv"
        download.value.save_as(path)
        rows = list(csv.reader(io.StringIO(path.read_text())))
        assert rows[0] == ["table", "row", "column", "value"]
        assert {r[0] for r in rows[1:]} >= {"demand", "areas", "unanswered", "escalations"}
        assert not small([r[3] for r in rows[1:]])
        assert all(
            r[2] in ("SMS", "Total", "Messages", "Per 1,000 aged 16-24") or r[0] not in ("demand",)
            for r in rows[1:]
        )


def test_monthly_report_is_written(stack: Stack, tmp_path: Path) -> None:
    for name in ("report.pdf", "report.html"):
        result = cli(stack, "insight", "report", "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    page = (tmp_path / "report.html").read_text()
    assert "<svg" in page and "Messages" in page

"""Adviser assist end to end: suggestions follow a live web conversation into the reply."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Stack, case_with
from tests.e2e.test_handoff import PASSWORD, add_user
from tests.e2e.test_web_page import AXE

pytestmark = pytest.mark.e2e


def test_suggestions_follow_the_conversation_and_go_into_the_reply(
    browser: Browser, stack: Stack
) -> None:
    email = f"assist-{uuid.uuid4().hex[:6]}@cairn.test"
    add_user(stack, email, "adviser")
    young = browser.new_context().new_page()
    young.goto(stack.api_url + "/")
    marker = uuid.uuid4().hex[:8]
    young.get_by_label("Message").fill(f"can i talk to a real person {marker}")
    young.get_by_role("button", name="Send").click()
    expect(young.get_by_role("log")).to_contain_text("adviser", timeout=20_000)
    case_id = case_with(stack, marker)

    adviser = browser.new_context().new_page()
    adviser.goto(stack.api_url + "/adviser")
    adviser.get_by_label("Email").fill(email)
    adviser.get_by_label("Password").fill(PASSWORD)
    adviser.get_by_role("button", name="Sign in").click()
    adviser.get_by_role("button", name=f"Claim case #{case_id}").click()
    expect(adviser.get_by_role("heading", name=f"Case #{case_id}")).to_be_visible()
    panel = adviser.get_by_role("complementary", name="Suggestions")
    articles = panel.get_by_role("list", name="Suggested articles")
    expect(panel).to_have_attribute("data-updated", "1")  # the first load has rendered
    expect(articles.get_by_role("listitem")).to_have_count(3)
    expect(articles).not_to_contain_text("apprenticeship", ignore_case=True)
    services = panel.get_by_role("list", name="Suggested services")
    expect(services.get_by_role("button", name=re.compile(r"^Insert "))).not_to_have_count(0)
    expect(panel.get_by_role("list", name="Earlier results")).to_contain_text("None shared.")

    young.get_by_label("Message").fill("how do i find an apprenticeship")
    sent_at_ms = time.time() * 1000
    young.get_by_role("button", name="Send").click()
    expect(panel).to_have_attribute("data-updated", "2", timeout=10_000)
    updated_at_ms = float(panel.get_attribute("data-updated-at") or 0)
    expect(articles).to_contain_text("How to find and apply for an apprenticeship")
    took = adviser.request.get(f"{stack.api_url}/adviser/cases/{case_id}/suggestions").json()
    print(  # noqa: T201 - a measured figure for the report (run with -s), never asserted tight
        f"\nassist: message POST to panel updated {updated_at_ms - sent_at_ms:.0f} ms "
        f"(server computed suggestions in {took['took_ms']} ms)"
    )
    assert 0 < updated_at_ms - sent_at_ms < 10_000

    match = articles.get_by_role("listitem").filter(has_text="find and apply for an apprentice")
    url = match.get_by_role("link").get_attribute("href")
    assert url and url.startswith("https://")
    match.get_by_role("button", name=re.compile(r"^Insert ")).click()
    reply = adviser.get_by_label("Reply")
    expect(reply).to_have_value(re.compile(re.escape(f": {url} (reviewed ")))
    adviser.get_by_role("button", name="Send reply").click()
    expect(young.get_by_role("log")).to_contain_text(url, timeout=10_000)


def test_the_case_page_with_suggestions_has_no_serious_accessibility_violations(
    browser: Browser, stack: Stack
) -> None:
    email = f"assist-axe-{uuid.uuid4().hex[:6]}@cairn.test"
    add_user(stack, email, "adviser")
    marker = uuid.uuid4().hex[:8]
    message = {"session": f"e2e-assist-{marker}", "text": f"can i talk to a person {marker}"}
    httpx.post(stack.api_url + "/api/web/messages", json=message, timeout=30)
    case_id = case_with(stack, marker)
    page = browser.new_context(bypass_csp=True).new_page()  # our CSP rightly refuses axe
    page.goto(stack.api_url + "/adviser/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{stack.api_url}/adviser/cases/{case_id}")
    expect(page.get_by_role("complementary", name="Suggestions")).to_have_attribute(
        "data-updated", "1"
    )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})"
    )
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []

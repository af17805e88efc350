"""The chat page in a real browser: ask, get an answer with a source card, use the hooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def test_ask_a_question_and_see_a_source_card(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    page.goto(stack.api_url + "/")
    expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()
    expect(page.get_by_role("button", name="Quick exit")).to_be_visible()
    log = page.get_by_role("log")
    page.get_by_label("Message").fill("how do I apply to college")
    page.get_by_role("button", name="Send").click()
    expect(log.locator(".msg.bot")).to_have_count(1, timeout=20_000)
    expect(log.get_by_role("list", name="Sources").get_by_role("link").first).to_be_visible()
    expect(log.locator(".sources li").first).to_contain_text("last reviewed")
    page.close()


def test_keyboard_only_send_and_quick_reply(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    page.goto(stack.api_url + "/")
    page.get_by_label("Message").focus()
    page.keyboard.type("hiya")
    page.keyboard.press("Enter")
    quick = page.get_by_role("log").get_by_role("button", name="Talk to a person")
    expect(quick).to_be_visible(timeout=20_000)
    quick.click()
    expect(page.get_by_role("log")).to_contain_text("careers adviser", timeout=20_000)
    page.close()


def test_typed_markup_is_shown_as_text(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    page.goto(stack.api_url + "/")
    page.get_by_label("Message").fill("<img src=x onerror=alert(1)> hello")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.me")).to_contain_text("<img src=x onerror=alert(1)> hello")
    assert page.locator("#log img").count() == 0
    page.close()


AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def test_the_page_has_no_serious_accessibility_violations(browser: Browser, stack: Stack) -> None:
    page = browser.new_page(bypass_csp=True)  # our CSP rightly refuses injected scripts
    page.goto(stack.api_url + "/")
    page.get_by_label("Message").fill("how do I apply to college")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".sources li").first).to_be_visible(timeout=20_000)
    page.get_by_label("Message").fill("hiya")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".quick button").first).to_be_visible(timeout=20_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})"
    )
    serious = [
        (v["id"], v["help"], len(v["nodes"]))
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    page.close()


def test_the_page_reflows_at_400_percent_zoom(browser: Browser, stack: Stack) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 640})  # 1280px at 400%
    page.goto(stack.api_url + "/")
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= 320
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("button", name="Quick exit")).to_be_visible()
    page.close()


def test_the_conversation_resumes_after_a_reload(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    page.goto(stack.api_url + "/")
    page.get_by_label("Message").fill("what is ema")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.bot")).to_have_count(1, timeout=20_000)
    page.reload()
    expect(page.locator(".msg.me")).to_contain_text("what is ema")
    expect(page.locator(".msg.bot")).to_have_count(1)
    page.get_by_role("button", name="Quick exit").click()
    page.close()

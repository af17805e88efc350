"""The chat page in a real browser: ask, get an answer with a source card, use the hooks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import chromium
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


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

"""You said, we did, end to end: one analyst drafts, another publishes, the chat shows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.test_handoff import PASSWORD, add_user
from tests.e2e.test_web_page import AXE

pytestmark = pytest.mark.e2e


def sign_in(browser: Browser, stack: Stack, email: str) -> Page:
    page = browser.new_context(bypass_csp=True).new_page()  # bypass only to inject axe-core
    page.goto(stack.api_url + "/adviser/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/insight**" if "analyst" in email else "**/adviser**")
    return page


def serious_violations(page: Page) -> list[tuple[str, str, int]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})"
    )
    return [
        (v["id"], v["help"], len(v["nodes"]))
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_reviewed_note_reaches_the_chat_page(browser: Browser, stack: Stack) -> None:
    suffix = uuid.uuid4().hex[:6]
    author, reviewer = f"analyst-{suffix}@cairn.test", f"supervisor-{suffix}@cairn.test"
    add_user(stack, author, "analyst")
    add_user(stack, reviewer, "supervisor")
    title = f"Driving lessons {suffix}"
    body = "You asked how to pay for driving lessons <b>and</b> we had no answer. Now we do."

    writer = sign_in(browser, stack, author)
    writer.get_by_role("navigation", name="Insight pages").get_by_role(
        "link", name="You said, we did"
    ).click()
    expect(writer.get_by_role("heading", name="Write a note")).to_be_visible()
    writer.get_by_label("Title").fill(title)
    writer.get_by_label("What changed").fill(body)
    writer.get_by_role("button", name="Save draft").click()
    mine = writer.get_by_role("listitem").filter(has_text=title)
    expect(mine).to_contain_text("Another analyst or supervisor must publish this note.")
    expect(mine.get_by_role("button", name="Publish")).to_have_count(0)
    assert serious_violations(writer) == []

    checker = sign_in(browser, stack, reviewer)
    checker.goto(stack.api_url + "/insight/notes")
    checker.get_by_role("listitem").filter(has_text=title).get_by_role(
        "button", name="Publish"
    ).click()
    published = checker.get_by_role("listitem").filter(has_text=title)
    expect(published).to_contain_text(f"by {reviewer}, written by {author}")
    expect(published.get_by_role("button", name="Publish")).to_have_count(0)

    chat = browser.new_context(bypass_csp=True).new_page()
    chat.goto(stack.api_url + "/")
    section = chat.get_by_role("region", name="You said, we did")
    expect(section.get_by_role("heading", name="You said, we did", level=2)).to_be_visible()
    note = section.get_by_role("listitem").filter(has_text=title)
    expect(note.get_by_role("heading", name=title)).to_be_visible()
    expect(note).to_contain_text(body)  # the <b> is text, not markup
    assert note.locator("b").count() == 0
    today = datetime.now(ZoneInfo("Europe/London"))
    expect(note).to_contain_text(f"Published {today.day} {today:%B %Y}")
    expect(note.locator("time")).to_have_attribute("datetime", today.date().isoformat())
    expect(chat.get_by_label("Message")).to_be_visible()
    expect(chat.get_by_role("button", name="Send")).to_be_visible()
    expect(chat.get_by_role("log")).to_have_count(1)
    expect(chat.get_by_role("button", name="Talk to a person")).to_be_visible()
    expect(chat.get_by_role("button", name="Quick exit")).to_be_visible()
    assert serious_violations(chat) == []
    chat.set_viewport_size({"width": 320, "height": 640})  # 1280px at 400% zoom
    assert chat.evaluate("() => document.documentElement.scrollWidth") <= 320

    checker.reload()
    checker.get_by_role("listitem").filter(has_text=title).get_by_role(
        "button", name="Withdraw"
    ).click()
    expect(checker.get_by_role("listitem").filter(has_text=title)).to_have_count(0)
    chat.reload()
    expect(chat.get_by_role("listitem").filter(has_text=title)).to_have_count(0)
    for page in (writer, checker, chat):
        page.context.close()

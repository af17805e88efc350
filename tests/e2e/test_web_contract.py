"""The web contract end to end: channel adapter -> router -> real Rasa -> actions -> reply."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import REPO
from tests.e2e.conftest import Stack
from tests.e2e.test_sms import wait_for

pytestmark = pytest.mark.e2e


def say(api: httpx.Client, text: str, session: str = "e2e-session-1") -> dict[str, Any]:
    response = api.post("/api/web/messages", json={"session": session, "text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["session"] == session
    return body


def transcript_size(stack: Stack) -> int:
    with sqlite3.connect(stack.data_dir / "cairn.db") as db:
        return int(db.execute("SELECT count(*) FROM messages").fetchone()[0])


def test_health_reports_every_part_ready(api: httpx.Client) -> None:
    body = api.get("/healthz").json()
    assert body == {
        "status": "ok",
        "checks": {"database": True, "insight_database": True, "knowledge": True, "rasa": True},
    }


def test_a_greeting_says_it_is_automated_and_offers_a_person(api: httpx.Client) -> None:
    body = say(api, "hello", "e2e-greet-1")
    reply = body["replies"][0]
    assert "automated assistant" in reply["text"]
    assert "/privacy" in reply["text"]
    assert {"title": "Talk to a person", "payload": "/request_human"} in reply["buttons"]
    assert body["handoff"] == "none"


def test_a_college_question_is_answered_with_sources(api: httpx.Client) -> None:
    body = say(api, "how do I apply to college", "e2e-college-1")
    reply = body["replies"][0]
    assert "college" in reply["text"].lower()
    assert reply["sources"], reply
    source = reply["sources"][0]
    assert source["url"].startswith("https://")
    assert source["title"] and len(source["last_reviewed"]) == 10


def test_a_crisis_gets_support_lines_first_and_waits_for_a_person(api: httpx.Client) -> None:
    body = say(api, "i want to kill myself", "e2e-crisis-1")
    assert body["handoff"] == "waiting"
    assert "116 123" in body["replies"][0]["text"]
    assert all(r["sources"] == [] for r in body["replies"])


def test_asking_for_a_person_is_acknowledged(api: httpx.Client) -> None:
    body = say(api, "can I speak to a real person", "e2e-person-1")
    assert body["handoff"] == "waiting"
    assert "adviser" in body["replies"][0]["text"]


def test_goodbye(api: httpx.Client) -> None:
    assert "Bye" in say(api, "bye", "e2e-bye-1")["replies"][0]["text"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 422),
        (json.dumps({"session": "bad id!", "text": "hello"}).encode(), 422),
        (json.dumps({"session": "short", "text": "hello"}).encode(), 422),
        (json.dumps({"session": "e2e-bad-input", "text": ""}).encode(), 422),
        (json.dumps({"session": "e2e-bad-input", "text": "   "}).encode(), 422),
        (json.dumps({"session": "e2e-bad-input"}).encode(), 422),
        (json.dumps({"session": "e2e-bad-input", "text": "x" * 2001}).encode(), 413),
        (json.dumps({"session": "e2e-bad-input", "text": "x" * 100_000}).encode(), 413),
        # Not UTF-8: a stray byte, an overlong "/". The body cannot be read at all: 400.
        (b'{"session": "e2e-bad-input", "text": "caf\xff\xfe"}', 400),
        (b'{"session": "e2e-bad-input", "text": "\xc0\xaf etc"}', 400),
    ],
)
def test_bad_input_gets_a_json_error_and_stores_nothing(
    api: httpx.Client, stack: Stack, body: bytes, status: int
) -> None:
    before = transcript_size(stack)
    response = api.post(
        "/api/web/messages", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == status
    assert "detail" in response.json()
    assert transcript_size(stack) == before


def test_rasa_rest_channel_is_on_for_direct_comparison(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": "floor-1", "message": "hello"},
        timeout=30,
    )
    assert response.status_code == 200
    assert "automated assistant" in response.json()[0]["text"]


def test_knowledge_search_contract(api: httpx.Client, stack: Stack) -> None:
    body = api.get("/api/knowledge/search", params={"q": "who pays my uni fees", "k": 3}).json()
    assert len(body["passages"]) == 3
    assert set(body["passages"][0]) == {
        "doc_id", "title", "text", "score", "source_url", "last_reviewed",
    }  # fmt: skip
    assert api.get("/api/knowledge/search", params={"q": ""}).status_code == 422


def test_cli_search_prints_the_same_json(stack: Stack) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cairn.cli", "search", "who pays my uni fees", "--json"],
        capture_output=True, text=True, check=True, cwd=stack.data_dir,
        env={**os.environ, "CHROMA_PATH": str(REPO / "var" / "chroma")},
    )  # fmt: skip
    passages = json.loads(result.stdout)["passages"]
    assert passages and {"doc_id", "score", "source_url"} <= set(passages[0])


def test_no_good_answer_is_honest_offers_a_person_and_records_a_gap(
    api: httpx.Client, stack: Stack
) -> None:
    body = say(api, "how do i become a wizard", "e2e-gap-1")
    reply = body["replies"][0]
    assert reply["sources"] == []
    assert {"title": "Talk to a person", "payload": "/request_human"} in reply["buttons"]

    def gaps() -> int:  # the event is relayed to the insight database within a second or so
        with sqlite3.connect(stack.data_dir / "insight.db") as db:
            return int(
                db.execute("SELECT count(*) FROM insight_events WHERE answered = 0").fetchone()[0]
            )

    assert wait_for(lambda: gaps() >= 1)


def test_search_filters_by_age_band(api: httpx.Client) -> None:
    adults = api.get("/api/knowledge/search", params={"q": "changing career", "audience": "25+"})
    assert adults.status_code == 200
    assert adults.json()["passages"]
    assert api.get("/api/knowledge/search", params={"q": "x", "audience": "old"}).status_code == 422


def test_are_you_a_real_person_is_answered_honestly(api: httpx.Client) -> None:
    text = say(api, "are you a real person", "e2e-bot-1")["replies"][0]["text"]
    assert "automated assistant" in text and "not a person" in text


def test_privacy_question_is_answered_from_the_notice(api: httpx.Client) -> None:
    text = say(api, "what do you do with my data", "e2e-privacy-1")["replies"][0]["text"]
    assert "deleted after 90 days" in text and "/privacy" in text


def test_careers_help_near_me_asks_where_then_lists_renfrewshire(api: httpx.Client) -> None:
    first = say(api, "where can I get careers help near me", "e2e-near-1")
    assert "Where are you?" in first["replies"][-1]["text"]
    second = say(api, "PA1 2BX", "e2e-near-1")
    text = "\n".join(r["text"] for r in second["replies"])
    assert "in Renfrewshire" in text
    assert "Paisley" in text
    assert "PA1 2BX" not in text


@pytest.mark.parametrize("text", ["asdkjh qwe zzzz", "order me a pizza", "fix my phone"])
def test_gibberish_and_out_of_scope_get_a_helpful_reply(api: httpx.Client, text: str) -> None:
    replies = say(api, text, "e2e-odd-1")["replies"]
    assert replies and all(r["text"] for r in replies)


def test_that_didnt_help_offers_a_person(api: httpx.Client) -> None:
    say(api, "how do i apply to college", "e2e-unhelpful-1")
    reply = say(api, "that didn't help", "e2e-unhelpful-1")["replies"][0]
    assert "adviser" in reply["text"]
    assert {"title": "Talk to a person", "payload": "/request_human"} in reply["buttons"]


def test_start_again_in_the_middle_of_signposting(api: httpx.Client) -> None:
    say(api, "where can I get careers help near me", "e2e-restart-1")
    replies = say(api, "start again", "e2e-restart-1")["replies"]
    assert [r["text"] for r in replies] == ["OK, let's start again. What would you like to know?"]
    assert "Renfrewshire" in say(api, "help near PA1 2BX", "e2e-restart-1")["replies"][-1]["text"]


def test_delete_my_data_removes_the_conversation_at_once(api: httpx.Client, stack: Stack) -> None:
    say(api, "how do i apply to college", "e2e-delete-me-1")
    reply = say(api, "delete my data", "e2e-delete-me-1")["replies"][0]["text"]
    assert "deleted this conversation" in reply
    history = api.get("/api/web/history", params={"session": "e2e-delete-me-1"}).json()
    assert history["messages"] == []
    from channels.identity import conversation_id
    from tests.conftest import SECRET

    sender = conversation_id(secret=SECRET, channel="web", address="e2e-delete-me-1")
    with sqlite3.connect(stack.data_dir / "rasa-tracker.db") as db:
        events = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,))
        assert events.fetchone()[0] == 0


def test_a_flood_from_one_session_is_answered_429_but_never_a_crisis(api: httpx.Client) -> None:
    session = "e2e-flood-" + uuid.uuid4().hex[:8]
    codes = [
        api.post("/api/web/messages", json={"session": session, "text": f"hi {n}"})
        for n in range(18)
    ]
    limited = [r for r in codes if r.status_code == 429]
    assert limited and int(limited[0].headers["retry-after"]) > 0
    assert "faster than I can answer" in limited[0].json()["detail"]
    crisis = api.post("/api/web/messages", json={"session": session, "text": "i want to die"})
    assert crisis.status_code == 200 and "116 123" in crisis.json()["replies"][0]["text"]
    other = api.post("/api/web/messages", json={"session": "e2e-calm-" + session, "text": "hi"})
    assert other.status_code == 200
